/* The osteotrack command: shared declarations. Uses the public API only. */
#ifndef OT_CLI_H
#define OT_CLI_H

#include "osteotrack.h"

#include <stdio.h>

/* Exit status (osteotrack(1) EXIT STATUS; values from BSD sysexits.h). */
enum {
    EXIT_OK = 0,       /* all input used */
    EXIT_USAGE = 2,    /* bad arguments */
    EXIT_DATAERR = 65, /* some input rejected (the rest is still reported) */
    EXIT_NOINPUT = 66, /* an input cannot be opened */
    EXIT_SOFTWARE = 70,/* internal error (out of memory) */
    EXIT_IOERR = 74    /* an output cannot be written */
};

typedef int (*cmd_fn)(int argc, char **argv);

int cmd_compare(int argc, char **argv);
int cmd_markers(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_precision(int argc, char **argv);
int cmd_sources(int argc, char **argv);

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* Every line for a terminal is shown with ot_text_escape(): control
 * characters and bidi controls of the input never reach it raw. */
/* s so shown, in memory the caller frees; NULL when out of memory. */
char *cli_shown(const char *s);
/* Prints a message and a newline on stderr. */
void cli_msg(const char *fmt, ...) CLI_PRINTF(1, 2);
/* Prints "osteotrack CMD: message (see osteotrack CMD --help)" and returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);
/* Prints "osteotrack CMD: message" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* The usage error for getopt_long's '?' (opterr 0), from optopt and
 * argv[optind - 1] matched against the command's table: "unknown option
 * '-x'", "unknown option '--x'", "option '--fr' is ambiguous (could be
 * --from, --from-date)" or "option '--help' takes no value". Returns 2. */
struct option;
int cli_bad_option(const char *cmd, const struct option *options, char **argv);

/* Strict parsers: the whole string, finite. Return 0 on success. */
int cli_parse_double(double *out, const char *s);
/* Parses "X" or "X%" for --lsc. */
int cli_parse_lsc(ot_lsc_kind *kind, double *value, const char *s);

/* The options compare and markers share: their `struct option` values, and
 * where each goes. */
enum {
    CLI_OPT_FROM = 1000, CLI_OPT_TO, CLI_OPT_FROM_DATE, CLI_OPT_TO_DATE, CLI_OPT_THERAPY,
    CLI_OPT_CONFIG, CLI_OPT_DATA_DIR, CLI_OPT_PRETTY, CLI_OPT_HELP, CLI_OPT_FORMAT
};
#define CLI_SHARED_OPTIONS                                                   \
    {"from", required_argument, NULL, CLI_OPT_FROM},                         \
        {"to", required_argument, NULL, CLI_OPT_TO},                         \
        {"from-date", required_argument, NULL, CLI_OPT_FROM_DATE},           \
        {"to-date", required_argument, NULL, CLI_OPT_TO_DATE},               \
        {"therapy", required_argument, NULL, CLI_OPT_THERAPY},               \
        {"config", required_argument, NULL, CLI_OPT_CONFIG},                 \
        {"data-dir", required_argument, NULL, CLI_OPT_DATA_DIR},             \
        {"pretty", no_argument, NULL, CLI_OPT_PRETTY},                       \
        {"help", no_argument, NULL, CLI_OPT_HELP},                           \
        {"format", required_argument, NULL, CLI_OPT_FORMAT}
typedef struct cli_pair {
    double *from, *to;          /* the two values */
    ot_date *from_date, *to_date;
    ot_agent *therapy;
    int have_from, have_to, pretty;
    int text;                   /* --format text (0: json, the default) */
    const char *config, *datadir;
    const struct option *options; /* the command's table, for cli_bad_option() */
} cli_pair;
#define CLI_NOT_SHARED 1
/* Takes option c (getopt_long's return, optarg) when it is a shared one
 * (-h is --help):
 * EXIT_OK, a usage error's status, -1 after printing `help`; CLI_NOT_SHARED
 * for an option of the command's own. An unknown option or a missing value
 * is a usage error here too. */
int cli_pair_option(const char *cmd, const char *help, int c, char **argv, cli_pair *p);

/* --format text: the flags for ot_*_to_text(): OT_TEXT_COLOR only when
 * stdout is a terminal and NO_COLOR is unset or empty (no-color.org). */
unsigned cli_text_flags(void);
/* The end of --format text: a usage error for --pretty (JSON only), else
 * EXIT_OK. */
int cli_text_check(const char *cmd, int text, int pretty);
/* Drops the last newline of s (cli_emit writes one), if any; returns s. */
char *cli_chomp(char *s);

/* Exit status for a library status code (65, 66, 70 or 2). */
int cli_exit_for(int status);

/* Loads data (and the facility configuration when given); prints errors. */
int cli_load_refdata(ot_refdata **out, const char *cmd, const char *datadir,
                     const char *config);

/* Writes text and a newline to stdout and flushes; 0 or EXIT_IOERR. */
int cli_emit(const char *cmd, const char *text);

/* Ends compare and markers: frees `rd` (after `json` was written from a
 * result pointing into it) and `json`; reports `st`'s error (exit 2), a
 * failed serialisation `jst` (exit 70), or emits the JSON. */
int cli_finish(const char *cmd, ot_refdata *rd, int st, const ot_error *err, int jst,
               char *json);

#endif

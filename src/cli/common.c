/* Helpers shared by the subcommands. */
#include "cli.h"
#include "progress.h"

#include <getopt.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *cli_shown(const char *s)
{
    size_t n = strlen(s), len = ot_text_escape(NULL, 0, s, n);
    char *buf = malloc(len + 1);
    if (buf)
        ot_text_escape(buf, len + 1, s, n);
    return buf;
}

/* Writes prefix, the message and suffix as one line on stderr, shown safe for
 * a terminal: whatever the message quotes (a path, an id, an option's value)
 * it cannot move the cursor, set the title or turn the text around. */
static void vmsg(const char *prefix, const char *suffix, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *text = len >= 0 ? malloc((size_t)len + 1) : NULL, *shown = NULL;
    if (text) {
        vsnprintf(text, (size_t)len + 1, fmt, again);
        shown = cli_shown(text);
    }
    va_end(again);
    progress_hold(); /* a progress line on the terminal is cleared first */
    fprintf(stderr, "%s%s%s\n", prefix, shown ? shown : "(out of memory)", suffix);
    progress_release();
    free(shown);
    free(text);
}

void cli_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("", "", fmt, ap);
    va_end(ap);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    char prefix[64], suffix[64];
    snprintf(prefix, sizeof prefix, "osteotrack %s: ", cmd);
    snprintf(suffix, sizeof suffix, " (see osteotrack %s --help)", cmd);
    va_list ap;
    va_start(ap, fmt);
    vmsg(prefix, suffix, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "osteotrack %s: ", cmd);
    va_list ap;
    va_start(ap, fmt);
    vmsg(prefix, "", fmt, ap);
    va_end(ap);
}

int cli_bad_option(const char *cmd, const struct option *options, char **argv)
{
    /* an unknown short option: optopt is its character (a long option's
     * error leaves 0 or the option's value, 256 or more here); in a cluster
     * (-xh) argv[optind - 1] may not be the word that holds it */
    if (optopt > 0 && optopt < 256)
        return cli_usage(cmd, "unknown option '-%c'", optopt);
    const char *arg = argv[optind - 1];
    if (strncmp(arg, "--", 2) != 0)
        return cli_usage(cmd, "unknown option '%s'", arg);
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    /* glibc returns '?' with optopt 0 both for an unknown and an ambiguous
     * prefix: tell them apart by matching the table as getopt_long does */
    size_t nmatch = 0, listed = 0;
    const struct option *only = NULL;
    for (const struct option *o = options; o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (strlen(o->name) == len) { /* exact: it was given a value it takes none of */
            only = o;
            nmatch = 1;
            break;
        }
        only = o;
        nmatch++;
    }
    if (nmatch == 1 && only->has_arg == no_argument && name[len] == '=')
        return cli_usage(cmd, "option '--%s' takes no value", only->name);
    if (nmatch < 2)
        return cli_usage(cmd, "unknown option '%s'", arg);
    char list[512] = "";
    for (const struct option *o = options; o->name; o++) {
        size_t used = strlen(list);
        if (strncmp(o->name, name, len) == 0 && used + strlen(o->name) + 5 < sizeof list)
            snprintf(list + used, sizeof list - used, "%s--%s", listed++ ? ", " : "", o->name);
    }
    return cli_usage(cmd, "option '--%.*s' is ambiguous (could be %s)", (int)len, name, list);
}

int cli_parse_double(double *out, const char *s)
{
    return s && ot_parse_number(out, s, strlen(s)) == OT_OK ? 0 : -1;
}

int cli_parse_lsc(ot_lsc_kind *kind, double *value, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > 1 && s[n - 1] == '%') {
        char buf[64];
        if (n >= sizeof buf)
            return -1;
        memcpy(buf, s, n - 1);
        buf[n - 1] = '\0';
        *kind = OT_LSC_PERCENT;
        return cli_parse_double(value, buf);
    }
    *kind = OT_LSC_G_CM2;
    return cli_parse_double(value, s);
}

int cli_exit_for(int status)
{
    switch (status) {
    case OT_OK: return EXIT_OK;
    case OT_EIO: return EXIT_NOINPUT;
    case OT_ENOMEM:
    case OT_ENUMERIC: return EXIT_SOFTWARE;
    case OT_EPARSE:
    case OT_EDUPLICATE:
    case OT_ELIMIT:
    case OT_EDATA: return EXIT_DATAERR;
    default: return EXIT_USAGE;
    }
}

int cli_load_refdata(ot_refdata **out, const char *cmd, const char *datadir,
                     const char *config)
{
    ot_error err = {0, ""};
    int rc = ot_refdata_load(out, datadir, &err);
    const char *env = getenv("OSTEOTRACK_DATA_DIR");
    if (rc == OT_EIO && !datadir && !(env && *env)) {
        /* not installed: a command run from its build tree uses the source
         * tree's data/ (the library itself knows only the installed data) */
        ot_error err2 = {0, ""};
        if (ot_refdata_load(out, OT_CLI_SOURCE_DATA_DIR, &err2) == OT_OK)
            rc = OT_OK;
    }
    if (rc == OT_OK && config) {
        rc = ot_refdata_apply_config(*out, config, &err);
        if (rc != OT_OK) {
            ot_refdata_free(*out);
            *out = NULL;
        }
    }
    if (rc != OT_OK) {
        cli_error(cmd, "%s", err.message);
        return cli_exit_for(rc);
    }
    return EXIT_OK;
}

int cli_emit(const char *cmd, const char *text)
{
    if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
        cli_error(cmd, "cannot write the output: %s", strerror(errno));
        return EXIT_IOERR;
    }
    return EXIT_OK;
}

int cli_finish(const char *cmd, ot_refdata *rd, int st, const ot_error *err, int jst,
               char *json)
{
    int rc = EXIT_OK;
    ot_refdata_free(rd);
    if (st != OT_OK) {
        cli_error(cmd, "%s", err->message);
        rc = EXIT_USAGE;
    } else if (jst != OT_OK) {
        cli_error(cmd, "out of memory");
        rc = EXIT_SOFTWARE;
    } else {
        rc = cli_emit(cmd, json);
    }
    ot_free(json);
    return rc;
}

int cli_pair_option(const char *cmd, const char *help, int c, char **argv, cli_pair *p)
{
    switch (c) {
    case CLI_OPT_FROM:
    case CLI_OPT_TO:
        if (cli_parse_double(c == CLI_OPT_FROM ? p->from : p->to, optarg))
            return cli_usage(cmd, "--%s: '%s' is not a number", c == CLI_OPT_FROM ? "from" : "to",
                             optarg);
        *(c == CLI_OPT_FROM ? &p->have_from : &p->have_to) = 1;
        return EXIT_OK;
    case CLI_OPT_FROM_DATE:
    case CLI_OPT_TO_DATE:
        if (ot_date_parse(c == CLI_OPT_FROM_DATE ? p->from_date : p->to_date, optarg))
            return cli_usage(cmd, "--%s: '%s' is not a valid date (expected YYYY-MM-DD)",
                             c == CLI_OPT_FROM_DATE ? "from-date" : "to-date", optarg);
        return EXIT_OK;
    case CLI_OPT_THERAPY:
        if (ot_agent_parse(p->therapy, optarg) != OT_OK)
            return cli_usage(cmd, "--therapy: unknown agent '%s'", optarg);
        return EXIT_OK;
    case CLI_OPT_CONFIG: p->config = optarg; return EXIT_OK;
    case CLI_OPT_DATA_DIR: p->datadir = optarg; return EXIT_OK;
    case CLI_OPT_PRETTY: p->pretty = 1; return EXIT_OK;
    case CLI_OPT_FORMAT:
        if (strcmp(optarg, "json") && strcmp(optarg, "text"))
            return cli_usage(cmd, "--format: '%s' is not json or text", optarg);
        p->text = !strcmp(optarg, "text");
        return EXIT_OK;
    case 'h':
    case CLI_OPT_HELP: fputs(help, stdout); return -1;
    case ':': return cli_usage(cmd, "%s needs a value", argv[optind - 1]);
    case '?': return cli_bad_option(cmd, p->options, argv);
    default: return CLI_NOT_SHARED;
    }
}

unsigned cli_text_flags(void)
{
    const char *no = getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(no && *no) ? OT_TEXT_COLOR : 0;
}

int cli_text_check(const char *cmd, int text, int pretty)
{
    if (text && pretty)
        return cli_usage(cmd, "--pretty indents JSON: it cannot go with --format text");
    return EXIT_OK;
}

char *cli_chomp(char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n && s[n - 1] == '\n')
        s[n - 1] = '\0';
    return s;
}

/* osteotrack precision: a facility's precision study (ISCD) and its LSC. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The --help text: made at build time from the section "osteotrack precision"
 * of docs/osteotrack.1.md, as the man page is (edit it there). */
static const char help[] =
#include "help_precision.inc"
    ;

enum { OPT_FORMAT = 256, OPT_CONFIDENCE, OPT_FACILITY, OPT_INPUT, OPT_DATA_DIR, OPT_HELP };

static const struct option options[] = {
    {"format", required_argument, NULL, OPT_FORMAT},
    {"confidence", required_argument, NULL, OPT_CONFIDENCE},
    {"facility", required_argument, NULL, OPT_FACILITY},
    {"input-format", required_argument, NULL, OPT_INPUT},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

typedef struct args {
    const char *file, *facility, *datadir;
    const char *stdin_format; /* FILE '-': its --input-format, else NULL */
    int json;
    double levels[OT_PRECISION_MAX_LEVELS];
    ot_precision_options opts;
} args;

#define CMD "precision"

/* --confidence 90 or 80,90,99 */
static int parse_levels(args *a, const char *s)
{
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return cli_usage(CMD, "--confidence: '%s' is too long", s);
    strcpy(buf, s);
    for (char *tok = buf, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        size_t n = strlen(tok);
        if (n > 1 && tok[n - 1] == '%')
            tok[n - 1] = '\0';
        double p;
        if (cli_parse_double(&p, tok) || !(p >= 50.0 && p <= 99.9))
            return cli_usage(CMD, "--confidence: '%s' is not a percent from 50 to 99.9", tok);
        if (a->opts.nconfidence == OT_PRECISION_MAX_LEVELS)
            return cli_usage(CMD, "--confidence: at most %d levels", OT_PRECISION_MAX_LEVELS);
        a->levels[a->opts.nconfidence++] = p;
    }
    return EXIT_OK;
}

static int parse_args(args *a, int argc, char **argv)
{
    int c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case OPT_FORMAT:
            if (strcmp(optarg, "json") && strcmp(optarg, "text"))
                return cli_usage(CMD, "--format: '%s' is not text or json", optarg);
            a->json = !strcmp(optarg, "json");
            break;
        case OPT_INPUT:
            if (strcmp(optarg, "json") && strcmp(optarg, "csv"))
                return cli_usage(CMD, "--input-format: '%s' is not csv or json", optarg);
            a->opts.input = strcmp(optarg, "json") ? OT_PRECISION_INPUT_CSV
                                                   : OT_PRECISION_INPUT_JSON;
            break;
        case OPT_CONFIDENCE:
            if ((rc = parse_levels(a, optarg)) != EXIT_OK)
                return rc;
            break;
        case OPT_FACILITY: a->facility = optarg; break;
        case OPT_DATA_DIR: a->datadir = optarg; break;
        case 'h':
        case OPT_HELP: fputs(help, stdout); return -1;
        case ':': return cli_usage(CMD, "%s needs a value", argv[optind - 1]);
        default: return cli_bad_option(CMD, options, argv);
        }
    }
    if (optind >= argc)
        return cli_usage(CMD, "FILE is required");
    if (optind + 1 < argc)
        return cli_usage(CMD, "unexpected argument '%s' (one FILE)", argv[optind + 1]);
    a->file = argv[optind];
    /* standard input: the library reads a path, so /dev/stdin (a pipe or a
     * file alike), which messages name; a stream has no name to tell the
     * format by, and CSV and JSON cannot be told apart without reading it */
    if (!strcmp(a->file, "-")) {
        if (a->opts.input == OT_PRECISION_INPUT_AUTO)
            return cli_usage(CMD, "reading standard input needs --input-format csv or json");
        a->file = "/dev/stdin";
        a->stdin_format = a->opts.input == OT_PRECISION_INPUT_JSON ? "json" : "csv";
    }
    return EXIT_OK;
}

/* ---- the text report ------------------------------------------------ */

#define NCOL_MAX (10 + OT_PRECISION_MAX_LEVELS)
#define CELL 192 /* "technologist " and a name of 127 bytes, shown */

typedef struct table {
    size_t nrows, ncols;
    char (*cell)[NCOL_MAX][CELL];
    size_t width[NCOL_MAX];
} table;

static void put(table *t, size_t row, size_t col, const char *fmt, ...) CLI_PRINTF(4, 5);

/* A cell, shown safe for a terminal (a device or technologist may hold an
 * escape sequence). */
static void put(table *t, size_t row, size_t col, const char *fmt, ...)
{
    char text[CELL];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    ot_text_escape(t->cell[row][col], CELL, text, strlen(text));
    size_t n = strlen(t->cell[row][col]);
    if (n > t->width[col])
        t->width[col] = n;
}

static void header_row(table *t, const ot_precision_result *r)
{
    static const char *const names[] = {"site", "group", "patients", "scans", "df",
                                        "mean BMD", "RMS-SD", "95% CI of RMS-SD", "RMS-%CV",
                                        "LSC 95%"};
    size_t c = 0;
    for (; c < sizeof names / sizeof names[0]; c++)
        put(t, 0, c, "%s", names[c]);
    for (size_t i = 0; i < r->nconfidence; i++)
        put(t, 0, c++, "LSC %g%%", r->confidence[i]);
    put(t, 0, c++, "ISCD minimum (%%CV)");
    t->ncols = c;
}

static void group_row(table *t, size_t row, const ot_precision_group *g,
                      const ot_precision_result *r)
{
    size_t c = 0;
    put(t, row, c++, "%s", ot_site_name(g->site));
    if (g->by == OT_PRECISION_BY_SITE)
        put(t, row, c++, "all scans");
    else
        put(t, row, c++, "%s %s", ot_precision_by_name(g->by), g->key);
    put(t, row, c++, "%zu", g->patients);
    put(t, row, c++, "%zu", g->scans);
    put(t, row, c++, "%zu", g->df);
    put(t, row, c++, "%.3f g/cm2", g->mean_g_cm2);
    put(t, row, c++, "%.4f g/cm2", g->rms_sd_g_cm2);
    put(t, row, c++, "%.4f-%.4f g/cm2", g->rms_sd_ci95_lo, g->rms_sd_ci95_hi);
    put(t, row, c++, "%.2f %%", g->rms_cv_pct);
    put(t, row, c++, "%.4f g/cm2 (%.2f %%)", g->lsc_g_cm2, g->lsc_pct);
    for (size_t i = 0; i < r->nconfidence; i++)
        put(t, row, c++, "%.4f g/cm2 (%.2f %%)", g->lsc_level_g_cm2[i], g->lsc_level_pct[i]);
    if (isnan(g->iscd_max_cv_pct))
        put(t, row, c++, "none for this site");
    else if (g->retraining_advised)
        put(t, row, c++, "worse than %.1f %%: retraining advised", g->iscd_max_cv_pct);
    else
        put(t, row, c++, "%s %.1f %%", g->worse_than_iscd ? "worse than" : "within",
            g->iscd_max_cv_pct);
}

static int print_table(FILE *out, const ot_precision_result *r)
{
    table t;
    memset(&t, 0, sizeof t);
    t.nrows = r->ngroups + 1;
    t.cell = calloc(t.nrows, sizeof *t.cell);
    if (!t.cell)
        return -1;
    header_row(&t, r);
    for (size_t i = 0; i < r->ngroups; i++)
        group_row(&t, i + 1, &r->groups[i], r);
    for (size_t row = 0; row < t.nrows; row++) {
        for (size_t c = 0; c < t.ncols; c++) {
            int left = c < 2 || c == t.ncols - 1 || row == 0;
            int w = c == t.ncols - 1 ? 0 : (int)t.width[c]; /* no trailing blanks */
            fprintf(out, "%s%*s", c ? "  " : "", left ? -w : w, t.cell[row][c]);
        }
        fputc('\n', out);
    }
    free(t.cell);
    return 0;
}

static void print_text(FILE *out, const ot_precision_result *r, const char *name,
                       const char *stdin_format)
{
    char d0[11], d1[11];
    fprintf(out, "Precision study of %s: %zu scans used", name, r->rows_used);
    if (r->first_date != OT_DATE_NONE) {
        ot_date_format(d0, r->first_date);
        ot_date_format(d1, r->last_date);
        fprintf(out, ", %s to %s", d0, d1);
    }
    fprintf(out, "\nLSC = %.2f x RMS-SD at 95 %% confidence (ISCD): a change must equal or "
                 "exceed it to be significant.\n\n", r->multiplier_95);
    print_table(out, r);
    int first = 1;
    for (size_t i = 0; i < r->nnotes; i++) {
        if (r->notes[i].kind != OT_PRECISION_NOTE_STUDY)
            continue;
        fprintf(out, "%s- %s\n", first ? "\nNotes:\n" : "", r->notes[i].message); /* shown */
        first = 0;
    }
    if (r->rows_single)
        fprintf(out, "%sLeft out: %zu scans of patients with one scan (named on stderr).\n",
                first ? "\n" : "", r->rows_single);
    if (stdin_format)
        fprintf(out, "\nTo use the LSC in every report: osteotrack precision - --input-format %s "
                     "--format json > facility.json, then --config facility.json.\n",
                stdin_format);
    else
        fprintf(out, "\nTo use the LSC in every report: osteotrack precision %s --format json > "
                     "facility.json, then --config facility.json.\n", name);
}

/* ---- the command ---------------------------------------------------- */

/* Row-level notes on stderr as FILE:LINE: message; the study notes go in the output. */
static void print_input_notes(const ot_precision_result *r)
{
    for (size_t i = 0; i < r->nnotes; i++) {
        const ot_precision_note *n = &r->notes[i];
        if (n->kind == OT_PRECISION_NOTE_STUDY)
            continue;
        if (n->line > 0)
            cli_msg("%s:%ld: %s", r->name, n->line, n->message);
        else
            cli_msg("%s: %s", r->name, n->message);
    }
}

static int emit(const args *a, const ot_precision_result *r)
{
    if (a->json) {
        char *json = NULL;
        if (ot_precision_result_to_config(&json, r, a->facility) != OT_OK) {
            cli_error(CMD, "out of memory");
            return EXIT_SOFTWARE;
        }
        int rc = cli_emit(CMD, json);
        ot_free(json);
        return rc;
    }
    char *name = cli_shown(r->name);
    if (!name) {
        cli_error(CMD, "out of memory");
        return EXIT_SOFTWARE;
    }
    errno = 0;
    print_text(stdout, r, name, a->stdin_format);
    free(name);
    if (fflush(stdout) == EOF || ferror(stdout)) {
        cli_error(CMD, "cannot write the output: %s", strerror(errno ? errno : EIO));
        return EXIT_IOERR;
    }
    return EXIT_OK;
}

int cmd_precision(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    ot_precision_options o0 = OT_PRECISION_OPTIONS_INIT;
    a.opts = o0;
    a.opts.confidence = a.levels;
    int rc = parse_args(&a, argc, argv);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    ot_refdata *rd = NULL;
    if ((rc = cli_load_refdata(&rd, CMD, a.datadir, NULL)) != EXIT_OK)
        return rc;
    ot_precision_result *r = NULL;
    ot_error err = {0, ""};
    int st = ot_precision_read_file(&r, rd, a.file, &a.opts, &err);
    ot_refdata_free(rd);
    if (st != OT_OK) {
        cli_error(CMD, "%s", err.message);
        return cli_exit_for(st);
    }
    print_input_notes(r);
    if (r->ngroups == 0)
        cli_error(CMD, "%s: nothing to compute: no patient has two scans of a site", a.file);
    else
        rc = emit(&a, r);
    cli_error(CMD, "%s: %zu rows read, %zu used, %zu rejected, %zu left out (one scan)",
              a.file, r->rows_read, r->rows_used, r->rows_rejected, r->rows_single);
    if (rc == EXIT_OK && (r->rows_rejected > 0 || r->ngroups == 0))
        rc = EXIT_DATAERR;
    ot_precision_result_free(r);
    return rc;
}

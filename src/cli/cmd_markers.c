/* osteotrack markers: a bone turnover marker's response to therapy. */
#include "cli.h"

#include <getopt.h>
#include <string.h>

/* The --help text: made at build time from the section "osteotrack markers"
 * of docs/osteotrack.1.md, as the man page is (edit it there). */
static const char help[] =
#include "help_markers.inc"
    ;

enum { OPT_ANALYTE = 256, OPT_UNIT, OPT_START };

static const struct option options[] = {
    {"analyte", required_argument, NULL, OPT_ANALYTE},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"therapy-start", required_argument, NULL, OPT_START},
    CLI_SHARED_OPTIONS,
    {NULL, 0, NULL, 0}};

typedef struct args {
    ot_marker_measure from, to;
    ot_marker_options opts;
    int have_analyte;
    cli_pair pair;
} args;

#define CMD "markers"

static int parse_one(args *a, int c, char **argv)
{
    int rc = cli_pair_option(CMD, help, c, argv, &a->pair);
    if (rc != CLI_NOT_SHARED)
        return rc;
    switch (c) {
    case OPT_ANALYTE:
        if (ot_analyte_parse(&a->from.analyte, optarg) != OT_OK ||
            (a->from.analyte != OT_ANALYTE_P1NP && a->from.analyte != OT_ANALYTE_CTX))
            return cli_usage(CMD, "--analyte: '%s' is not a marker (expected p1np or ctx)",
                             optarg);
        a->to.analyte = a->from.analyte;
        a->have_analyte = 1;
        return EXIT_OK;
    case OPT_UNIT:
        if (ot_unit_parse(&a->from.unit, optarg) != OT_OK)
            return cli_usage(CMD, "--unit: unknown unit '%s' (expected ug/L or ng/mL for P1NP; "
                                  "ng/L, pg/mL, ng/mL or ug/L for CTX)", optarg);
        a->to.unit = a->from.unit;
        return EXIT_OK;
    default: /* OPT_START */
        if (ot_date_parse(&a->opts.therapy_start, optarg) != OT_OK)
            return cli_usage(CMD, "--therapy-start: '%s' is not a valid date (expected "
                                  "YYYY-MM-DD)", optarg);
        return EXIT_OK;
    }
}

int cmd_markers(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    ot_marker_measure m0 = OT_MARKER_MEASURE_INIT;
    ot_marker_options o0 = OT_MARKER_OPTIONS_INIT;
    a.from = a.to = m0;
    a.opts = o0;
    a.pair = (cli_pair){&a.from.value, &a.to.value, &a.from.date, &a.to.date, &a.opts.therapy,
                        0, 0, 0, 0, NULL, NULL, options};
    int c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1)
        if ((rc = parse_one(&a, c, argv)) != EXIT_OK)
            return rc < 0 ? EXIT_OK : rc;
    if (optind < argc)
        return cli_usage(CMD, "unexpected argument '%s'", argv[optind]);
    if (!a.have_analyte || !a.pair.have_from || !a.pair.have_to)
        return cli_usage(CMD, "--analyte, --from and --to are required");
    if ((rc = cli_text_check(CMD, a.pair.text, a.pair.pretty)) != EXIT_OK)
        return rc;

    ot_refdata *rd = NULL;
    if ((rc = cli_load_refdata(&rd, CMD, a.pair.datadir, a.pair.config)) != EXIT_OK)
        return rc;
    ot_marker_result r;
    ot_error err = {0, ""};
    int st = ot_marker_assess(&r, rd, &a.from, &a.to, &a.opts, &err);
    char *json = NULL;
    /* the result's sources point into rd: cli_finish frees it after writing */
    int jst = st != OT_OK   ? OT_OK
              : a.pair.text ? ot_marker_result_to_text(&json, &r, cli_text_flags())
                            : ot_marker_result_to_json(&json, &r, a.pair.pretty);
    cli_chomp(json);
    return cli_finish(CMD, rd, st, &err, jst, json);
}

/* osteotrack markers: a bone turnover marker's response to therapy. */
#include "cli.h"

#include <getopt.h>
#include <string.h>

/* The --help text: made at build time from the section "osteotrack markers"
 * of docs/osteotrack.1.md, as the man page is (edit it there). */
static const char help[] =
#include "help_markers.inc"
    ;

enum {
    OPT_ANALYTE = 256, OPT_FROM, OPT_TO, OPT_UNIT, OPT_THERAPY, OPT_START, OPT_FROM_DATE,
    OPT_TO_DATE, OPT_CONFIG, OPT_DATA_DIR, OPT_PRETTY, OPT_HELP
};

static const struct option options[] = {
    {"analyte", required_argument, NULL, OPT_ANALYTE},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"therapy", required_argument, NULL, OPT_THERAPY},
    {"therapy-start", required_argument, NULL, OPT_START},
    {"from-date", required_argument, NULL, OPT_FROM_DATE},
    {"to-date", required_argument, NULL, OPT_TO_DATE},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"pretty", no_argument, NULL, OPT_PRETTY},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

typedef struct args {
    ot_marker_measure from, to;
    ot_marker_options opts;
    int have_analyte, have_from, have_to, pretty;
    const char *config, *datadir;
} args;

#define CMD "markers"

static int parse_date(ot_date *out, const char *opt, const char *s)
{
    if (ot_date_parse(out, s) != OT_OK)
        return cli_usage(CMD, "--%s: '%s' is not a valid date (expected YYYY-MM-DD)", opt, s);
    return EXIT_OK;
}

static int parse_one(args *a, int c, char **argv)
{
    switch (c) {
    case OPT_ANALYTE:
        if (ot_analyte_parse(&a->from.analyte, optarg) != OT_OK ||
            (a->from.analyte != OT_ANALYTE_P1NP && a->from.analyte != OT_ANALYTE_CTX))
            return cli_usage(CMD, "--analyte: '%s' is not a marker (expected p1np or ctx)",
                             optarg);
        a->to.analyte = a->from.analyte;
        a->have_analyte = 1;
        return EXIT_OK;
    case OPT_FROM:
    case OPT_TO:
        if (cli_parse_double(c == OPT_FROM ? &a->from.value : &a->to.value, optarg))
            return cli_usage(CMD, "--%s: '%s' is not a number", c == OPT_FROM ? "from" : "to",
                             optarg);
        *(c == OPT_FROM ? &a->have_from : &a->have_to) = 1;
        return EXIT_OK;
    case OPT_UNIT:
        if (ot_unit_parse(&a->from.unit, optarg) != OT_OK)
            return cli_usage(CMD, "--unit: unknown unit '%s' (expected ug/L or ng/mL for P1NP; "
                                  "ng/L, pg/mL, ng/mL or ug/L for CTX)", optarg);
        a->to.unit = a->from.unit;
        return EXIT_OK;
    case OPT_THERAPY:
        if (ot_agent_parse(&a->opts.therapy, optarg) != OT_OK)
            return cli_usage(CMD, "--therapy: unknown agent '%s'", optarg);
        return EXIT_OK;
    case OPT_START: return parse_date(&a->opts.therapy_start, "therapy-start", optarg);
    case OPT_FROM_DATE: return parse_date(&a->from.date, "from-date", optarg);
    case OPT_TO_DATE: return parse_date(&a->to.date, "to-date", optarg);
    case OPT_CONFIG: a->config = optarg; return EXIT_OK;
    case OPT_DATA_DIR: a->datadir = optarg; return EXIT_OK;
    case OPT_PRETTY: a->pretty = 1; return EXIT_OK;
    case OPT_HELP: fputs(help, stdout); return -1;
    case ':': return cli_usage(CMD, "%s needs a value", argv[optind - 1]);
    default: return cli_usage(CMD, "unknown option '%s'", argv[optind - 1]);
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
    int c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1)
        if ((rc = parse_one(&a, c, argv)) != EXIT_OK)
            return rc < 0 ? EXIT_OK : rc;
    if (optind < argc)
        return cli_usage(CMD, "unexpected argument '%s'", argv[optind]);
    if (!a.have_analyte || !a.have_from || !a.have_to)
        return cli_usage(CMD, "--analyte, --from and --to are required");

    ot_refdata *rd = NULL;
    if ((rc = cli_load_refdata(&rd, CMD, a.datadir, a.config)) != EXIT_OK)
        return rc;
    ot_marker_result r;
    ot_error err = {0, ""};
    int st = ot_marker_assess(&r, rd, &a.from, &a.to, &a.opts, &err);
    char *json = NULL;
    /* the result's sources point into rd: cli_finish frees it after writing */
    int jst = st == OT_OK ? ot_marker_result_to_json(&json, &r, a.pretty) : OT_OK;
    return cli_finish(CMD, rd, st, &err, jst, json);
}

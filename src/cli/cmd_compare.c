/* osteotrack compare: two BMD scans of one site against the LSC. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* The --help text: made at build time from the section "osteotrack compare"
 * of docs/osteotrack.1.md, as the man page is (edit it there). */
static const char help[] =
#include "help_compare.inc"
    ;

enum {
    OPT_SITE = 256, OPT_FROM, OPT_TO, OPT_FROM_DATE, OPT_TO_DATE, OPT_UNIT, OPT_LSC,
    OPT_THERAPY, OPT_CONFIG, OPT_DATA_DIR, OPT_FROM_DEVICE, OPT_TO_DEVICE, OPT_FROM_MFR,
    OPT_TO_MFR, OPT_MONTHS, OPT_PRETTY, OPT_HELP
};

static const struct option options[] = {
    {"site", required_argument, NULL, OPT_SITE},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"from-date", required_argument, NULL, OPT_FROM_DATE},
    {"to-date", required_argument, NULL, OPT_TO_DATE},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"lsc", required_argument, NULL, OPT_LSC},
    {"therapy", required_argument, NULL, OPT_THERAPY},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"from-device", required_argument, NULL, OPT_FROM_DEVICE},
    {"to-device", required_argument, NULL, OPT_TO_DEVICE},
    {"from-manufacturer", required_argument, NULL, OPT_FROM_MFR},
    {"to-manufacturer", required_argument, NULL, OPT_TO_MFR},
    {"months-on-therapy", required_argument, NULL, OPT_MONTHS},
    {"pretty", no_argument, NULL, OPT_PRETTY},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

typedef struct args {
    ot_bmd_measure from, to;
    ot_bmd_options opts;
    int have_site, have_from, have_to, pretty;
    const char *config, *datadir;
} args;

#define CMD "compare"

static int parse_args(args *a, int argc, char **argv)
{
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case OPT_SITE:
            if (ot_site_parse(&a->from.site, optarg) != OT_OK)
                return cli_usage(CMD, "--site: unknown site '%s' (expected lumbar_spine, "
                                      "total_hip, femoral_neck or radius_33)", optarg);
            a->to.site = a->from.site;
            a->have_site = 1;
            break;
        case OPT_FROM:
        case OPT_TO:
            if (cli_parse_double(c == OPT_FROM ? &a->from.value : &a->to.value, optarg))
                return cli_usage(CMD, "--%s: '%s' is not a number", c == OPT_FROM ? "from" : "to",
                                 optarg);
            *(c == OPT_FROM ? &a->have_from : &a->have_to) = 1;
            break;
        case OPT_FROM_DATE:
        case OPT_TO_DATE:
            if (ot_date_parse(c == OPT_FROM_DATE ? &a->from.date : &a->to.date, optarg))
                return cli_usage(CMD, "--%s: '%s' is not a valid date (expected YYYY-MM-DD)",
                                 c == OPT_FROM_DATE ? "from-date" : "to-date", optarg);
            break;
        case OPT_UNIT:
            if (ot_unit_parse(&a->from.unit, optarg) != OT_OK ||
                (a->from.unit != OT_UNIT_G_CM2 && a->from.unit != OT_UNIT_MG_CM2))
                return cli_usage(CMD, "--unit: '%s' is not a BMD unit (expected g/cm2 or mg/cm2)",
                                 optarg);
            a->to.unit = a->from.unit;
            break;
        case OPT_LSC:
            if (cli_parse_lsc(&a->opts.lsc_kind, &a->opts.lsc_value, optarg))
                return cli_usage(CMD, "--lsc: '%s' is not a number in g/cm2 or a percent "
                                      "such as 5.3%%", optarg);
            break;
        case OPT_THERAPY:
            if (ot_agent_parse(&a->opts.therapy, optarg) != OT_OK)
                return cli_usage(CMD, "--therapy: unknown agent '%s'", optarg);
            break;
        case OPT_MONTHS:
            if (cli_parse_double(&a->opts.months_on_therapy, optarg) ||
                a->opts.months_on_therapy < 0 || a->opts.months_on_therapy > 600)
                return cli_usage(CMD, "--months-on-therapy: '%s' is not a number of months "
                                      "from 0 to 600", optarg);
            break;
        case OPT_FROM_MFR:
        case OPT_TO_MFR:
            if (ot_manufacturer_parse(c == OPT_FROM_MFR ? &a->from.manufacturer
                                                        : &a->to.manufacturer,
                                      optarg) != OT_OK)
                return cli_usage(CMD, "--%s: unknown manufacturer '%s' (expected hologic, "
                                      "ge_lunar, norland or other)",
                                 c == OPT_FROM_MFR ? "from-manufacturer" : "to-manufacturer",
                                 optarg);
            break;
        case OPT_FROM_DEVICE: a->from.device = optarg; break;
        case OPT_TO_DEVICE: a->to.device = optarg; break;
        case OPT_CONFIG: a->config = optarg; break;
        case OPT_DATA_DIR: a->datadir = optarg; break;
        case OPT_PRETTY: a->pretty = 1; break;
        case OPT_HELP: fputs(help, stdout); return -1;
        case ':': return cli_usage(CMD, "%s needs a value", argv[optind - 1]);
        default: return cli_usage(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage(CMD, "unexpected argument '%s'", argv[optind]);
    if (!a->have_site || !a->have_from || !a->have_to)
        return cli_usage(CMD, "--site, --from and --to are required");
    return EXIT_OK;
}

int cmd_compare(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    ot_bmd_measure m0 = OT_BMD_MEASURE_INIT;
    ot_bmd_options o0 = OT_BMD_OPTIONS_INIT;
    a.from = m0;
    a.to = m0;
    a.opts = o0;
    int rc = parse_args(&a, argc, argv);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;

    ot_refdata *rd = NULL;
    rc = cli_load_refdata(&rd, CMD, a.datadir, a.config);
    if (rc != EXIT_OK)
        return rc;
    ot_bmd_result r;
    ot_error err = {0, ""};
    int st = ot_bmd_compare(&r, rd, &a.from, &a.to, &a.opts, &err);
    char *json = NULL;
    /* the result's sources point into rd: cli_finish frees it after writing */
    int jst = st == OT_OK ? ot_bmd_result_to_json(&json, &r, a.pretty) : OT_OK;
    return cli_finish(CMD, rd, st, &err, jst, json);
}

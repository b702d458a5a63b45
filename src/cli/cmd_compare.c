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
    OPT_SITE = 256, OPT_UNIT, OPT_LSC, OPT_FROM_DEVICE, OPT_TO_DEVICE, OPT_FROM_MFR, OPT_TO_MFR,
    OPT_MONTHS, OPT_SIDE, OPT_REGION, OPT_FROM_REGION, OPT_TO_REGION
};

static const struct option options[] = {
    {"site", required_argument, NULL, OPT_SITE},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"lsc", required_argument, NULL, OPT_LSC},
    {"from-device", required_argument, NULL, OPT_FROM_DEVICE},
    {"to-device", required_argument, NULL, OPT_TO_DEVICE},
    {"from-manufacturer", required_argument, NULL, OPT_FROM_MFR},
    {"to-manufacturer", required_argument, NULL, OPT_TO_MFR},
    {"months-on-therapy", required_argument, NULL, OPT_MONTHS},
    {"side", required_argument, NULL, OPT_SIDE},
    {"region", required_argument, NULL, OPT_REGION},
    {"from-region", required_argument, NULL, OPT_FROM_REGION},
    {"to-region", required_argument, NULL, OPT_TO_REGION},
    CLI_SHARED_OPTIONS,
    {NULL, 0, NULL, 0}};

typedef struct args {
    ot_bmd_measure from, to;
    ot_bmd_options opts;
    int have_site;
    cli_pair pair;
} args;

#define CMD "compare"

static int parse_one(args *a, int c, char **argv)
{
    int rc = cli_pair_option(CMD, help, c, argv, &a->pair);
    if (rc != CLI_NOT_SHARED)
        return rc;
    switch (c) {
    case OPT_SITE:
        if (ot_site_parse(&a->from.site, optarg) != OT_OK)
            return cli_usage(CMD, "--site: unknown site '%s' (expected lumbar_spine, "
                                  "total_hip, femoral_neck or radius_33)", optarg);
        a->to.site = a->from.site;
        a->have_site = 1;
        return EXIT_OK;
    case OPT_UNIT:
        if (ot_unit_parse(&a->from.unit, optarg) != OT_OK ||
            (a->from.unit != OT_UNIT_G_CM2 && a->from.unit != OT_UNIT_MG_CM2))
            return cli_usage(CMD, "--unit: '%s' is not a BMD unit (expected g/cm2 or mg/cm2)",
                             optarg);
        a->to.unit = a->from.unit;
        return EXIT_OK;
    case OPT_LSC:
        if (cli_parse_lsc(&a->opts.lsc_kind, &a->opts.lsc_value, optarg))
            return cli_usage(CMD, "--lsc: '%s' is not a number in g/cm2 or a percent "
                                  "such as 5.3%%", optarg);
        return EXIT_OK;
    case OPT_MONTHS:
        if (cli_parse_double(&a->opts.months_on_therapy, optarg) ||
            a->opts.months_on_therapy < 0 || a->opts.months_on_therapy > 600)
            return cli_usage(CMD, "--months-on-therapy: '%s' is not a number of months "
                                  "from 0 to 600", optarg);
        return EXIT_OK;
    case OPT_FROM_MFR:
    case OPT_TO_MFR:
        if (ot_manufacturer_parse(c == OPT_FROM_MFR ? &a->from.manufacturer
                                                    : &a->to.manufacturer,
                                  optarg) != OT_OK)
            return cli_usage(CMD, "--%s: unknown manufacturer '%s' (expected hologic, "
                                  "ge_lunar, norland or other)",
                             c == OPT_FROM_MFR ? "from-manufacturer" : "to-manufacturer",
                             optarg);
        return EXIT_OK;
    case OPT_SIDE:
        if (ot_side_parse(&a->opts.side, optarg) != OT_OK)
            return cli_usage(CMD, "--side: unknown side '%s' (expected left or right; also L or "
                                  "R)", optarg);
        return EXIT_OK;
    case OPT_REGION:
    case OPT_FROM_REGION:
    case OPT_TO_REGION: {
        ot_spine_region g;
        if (ot_spine_region_parse(&g, optarg) != OT_OK)
            return cli_usage(CMD, "--%s: unknown region '%s' (expected a range or a single "
                                  "vertebra of L1-L4: L1-L4, L1-L3, L2-L4, L1-L2, L2-L3, L3-L4, "
                                  "L1, L2, L3 or L4)",
                             c == OPT_REGION ? "region" : c == OPT_FROM_REGION ? "from-region"
                                                                               : "to-region",
                             optarg);
        if (c != OPT_TO_REGION)
            a->opts.from_region = g;
        if (c != OPT_FROM_REGION)
            a->opts.to_region = g;
        return EXIT_OK;
    }
    case OPT_FROM_DEVICE: a->from.device = optarg; return EXIT_OK;
    default: a->to.device = optarg; return EXIT_OK; /* OPT_TO_DEVICE */
    }
}

static int parse_args(args *a, int argc, char **argv)
{
    int c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1)
        if ((rc = parse_one(a, c, argv)) != EXIT_OK)
            return rc;
    if (optind < argc)
        return cli_usage(CMD, "unexpected argument '%s'", argv[optind]);
    if (!a->have_site || !a->pair.have_from || !a->pair.have_to)
        return cli_usage(CMD, "--site, --from and --to are required");
    return cli_text_check(CMD, a->pair.text, a->pair.pretty);
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
    a.pair = (cli_pair){&a.from.value, &a.to.value, &a.from.date, &a.to.date, &a.opts.therapy,
                        0, 0, 0, 0, NULL, NULL, options};
    int rc = parse_args(&a, argc, argv);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;

    ot_refdata *rd = NULL;
    rc = cli_load_refdata(&rd, CMD, a.pair.datadir, a.pair.config);
    if (rc != EXIT_OK)
        return rc;
    ot_bmd_result r;
    ot_error err = {0, ""};
    int st = ot_bmd_compare(&r, rd, &a.from, &a.to, &a.opts, &err);
    char *json = NULL;
    /* the result's sources point into rd: cli_finish frees it after writing */
    int jst = st != OT_OK   ? OT_OK
              : a.pair.text ? ot_bmd_result_to_text(&json, &r, cli_text_flags())
                            : ot_bmd_result_to_json(&json, &r, a.pair.pretty);
    cli_chomp(json);
    return cli_finish(CMD, rd, st, &err, jst, json);
}

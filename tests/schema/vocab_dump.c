/* The library's vocabulary, for tests/schema/check_vocab.py: every schema
 * enumeration must equal (or be a named part of) one of these lists.
 *
 *   vocab_dump          prints {"site": [...], "agent": [...], ...}: each
 *                       list the public ot_*_name() functions give, in the
 *                       order of the enum (the "unknown" of a value with no
 *                       name, like OT_SEX_UNKNOWN, is left out);
 *   vocab_dump parse    reads lines "KIND<TAB>TEXT" and prints, for each, the
 *                       canonical name ot_*_parse() gives TEXT, or "-" when
 *                       it refuses TEXT.
 */
#include <osteotrack.h>

#include <stdio.h>
#include <string.h>

typedef const char *(*name_fn)(int);
typedef int (*parse_fn)(int *, const char *);

/* Adapters: the enums are ints, the functions take their own enum types. */
#define ADAPT(kind, type)                                                        \
    static const char *kind##_n(int v) { return ot_##kind##_name((type)v); }
#define ADAPT_PARSE(kind, type)                                                  \
    static int kind##_p(int *out, const char *s)                                 \
    {                                                                            \
        type v;                                                                  \
        int rc = ot_##kind##_parse(&v, s);                                       \
        *out = (int)v;                                                           \
        return rc;                                                               \
    }
ADAPT(site, ot_site) ADAPT(analyte, ot_analyte) ADAPT(agent, ot_agent)
ADAPT(manufacturer, ot_manufacturer) ADAPT(fracture_site, ot_fracture_site)
ADAPT(sex, ot_sex) ADAPT(menopause, ot_menopause) ADAPT(unit, ot_unit)
ADAPT(flag_code, ot_flag_code) ADAPT(severity, ot_severity)
ADAPT(significance, ot_significance) ADAPT(vs_expected, ot_vs_expected)
ADAPT(response, ot_response) ADAPT(marker_rule, ot_marker_rule)
ADAPT(assessment, ot_assessment)
ADAPT(side, ot_side) ADAPT(spine_region, ot_spine_region)
ADAPT_PARSE(side, ot_side) ADAPT_PARSE(spine_region, ot_spine_region)
ADAPT_PARSE(site, ot_site) ADAPT_PARSE(analyte, ot_analyte) ADAPT_PARSE(agent, ot_agent)
ADAPT_PARSE(manufacturer, ot_manufacturer) ADAPT_PARSE(fracture_site, ot_fracture_site)
ADAPT_PARSE(sex, ot_sex) ADAPT_PARSE(menopause, ot_menopause) ADAPT_PARSE(unit, ot_unit)

static const struct vocab {
    const char *kind;
    name_fn name;
    int first, count; /* the values with a name */
    parse_fn parse;   /* NULL: output only */
} vocabs[] = {
    {"site", site_n, 0, OT_SITE_COUNT, site_p},
    {"analyte", analyte_n, 0, OT_ANALYTE_COUNT, analyte_p},
    {"agent", agent_n, 0, OT_AGENT_COUNT, agent_p},
    {"manufacturer", manufacturer_n, OT_MFR_UNKNOWN + 1, OT_MFR_COUNT, manufacturer_p},
    {"fracture_site", fracture_site_n, 0, OT_FX_COUNT, fracture_site_p},
    {"sex", sex_n, OT_SEX_UNKNOWN + 1, OT_SEX_MALE + 1, sex_p},
    {"menopause", menopause_n, OT_MENOPAUSE_UNKNOWN + 1, OT_MENOPAUSE_POST + 1, menopause_p},
    {"unit", unit_n, 0, OT_UNIT_COUNT, unit_p},
    {"side", side_n, OT_SIDE_NONE + 1, OT_SIDE_COUNT, side_p},
    {"spine_region", spine_region_n, OT_REGION_NONE + 1, OT_REGION_COUNT, spine_region_p},
    {"flag_code", flag_code_n, 0, OT_FLAG_COUNT, NULL},
    {"severity", severity_n, 0, OT_SEV_ALERT + 1, NULL},
    {"significance", significance_n, 0, OT_SIG_NOT_COMPARABLE + 1, NULL},
    {"vs_expected", vs_expected_n, 0, OT_VS_CONTEXT_ONLY + 1, NULL},
    {"response", response_n, 0, OT_RESP_NOT_ASSESSABLE + 1, NULL},
    {"marker_rule", marker_rule_n, 0, OT_RULE_ANABOLIC + 1, NULL},
    {"assessment", assessment_n, 0, OT_ASSESS_INSUFFICIENT_DATA + 1, NULL},
};
#define NVOCABS (sizeof vocabs / sizeof vocabs[0])

static int dump(void)
{
    printf("{");
    for (size_t i = 0; i < NVOCABS; i++) {
        printf("%s\n \"%s\": [", i ? "," : "", vocabs[i].kind);
        for (int v = vocabs[i].first; v < vocabs[i].count; v++)
            printf("%s\"%s\"", v > vocabs[i].first ? ", " : "", vocabs[i].name(v));
        printf("]");
    }
    printf("\n}\n");
    return 0;
}

static int parse(void)
{
    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        char *tab = strchr(line, '\t');
        const struct vocab *k = NULL;
        if (tab) {
            *tab = '\0';
            for (size_t i = 0; i < NVOCABS; i++)
                if (vocabs[i].parse && strcmp(vocabs[i].kind, line) == 0)
                    k = &vocabs[i];
        }
        if (!k) {
            fprintf(stderr, "vocab_dump: no vocabulary to parse in '%s'\n", line);
            return 2;
        }
        int v;
        printf("%s\n", k->parse(&v, tab + 1) == OT_OK ? k->name(v) : "-");
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 1)
        return dump();
    if (argc == 2 && strcmp(argv[1], "parse") == 0)
        return parse();
    fprintf(stderr, "usage: vocab_dump [parse]\n");
    return 2;
}

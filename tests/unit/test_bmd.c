/* BMD comparison: hand-worked cases, the arithmetic written beside each. */
#include "suites.h"

#include <math.h>
#include <string.h>

static ot_refdata *rd;
static void setup(void) { rd = test_refdata(); }
static void teardown(void) { ot_refdata_free(rd); }

static ot_bmd_measure scan(ot_site site, double v, const char *date)
{
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    m.site = site;
    m.value = v;
    if (date)
        ck_assert_int_eq(ot_date_parse(&m.date, date), OT_OK);
    return m;
}

static int has_flag(const ot_bmd_result *r, ot_flag_code c)
{
    for (size_t i = 0; i < r->nflags; i++)
        if (r->flags[i].code == c)
            return 1;
    return 0;
}

static ot_bmd_result compare_lsc(double from, double to, ot_lsc_kind kind, double lsc)
{
    ot_bmd_measure a = scan(OT_SITE_LUMBAR_SPINE, from, "2019-01-10");
    ot_bmd_measure b = scan(OT_SITE_LUMBAR_SPINE, to, "2021-01-10");
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.lsc_kind = kind;
    o.lsc_value = lsc;
    ot_bmd_result r;
    ot_error err = {0, ""};
    ck_assert_msg(ot_bmd_compare(&r, rd, &a, &b, &o, &err) == OT_OK, "%s", err.message);
    return r;
}

START_TEST(worked_example_facility_lsc)
{
    /* 0.800 -> 0.840 g/cm2 over 24 months (2019-01-10 to 2021-01-10):
     * change = 0.840 - 0.800 = +0.040 g/cm2; 0.040 / 0.800 = +5.0 %;
     * annualized, simple (the one osteotrack reports): 5.0 x 12 / 24 = 2.5 %/year
     * (compounded would be 1.05^(1/2) - 1 = 2.47 %/year).
     * LSC 0.028 g/cm2: 0.040 >= 0.028, a significant increase. */
    ot_bmd_result r = compare_lsc(0.800, 0.840, OT_LSC_G_CM2, 0.028);
    ck_assert_near(r.change_g_cm2, 0.040, 1e-12);
    ck_assert_near(r.change_pct, 5.0, 1e-9);
    ck_assert_near(r.months, 24.0, 1e-12);
    ck_assert_near(r.annualized_pct, 2.5, 1e-9);
    ck_assert_near(r.lsc_g_cm2, 0.028, 1e-12);
    ck_assert_int_eq(r.lsc_is_default, 0);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    ck_assert(!has_flag(&r, OT_FLAG_CHANGE_WITHIN_LSC));
    ck_assert(!has_flag(&r, OT_FLAG_DEFAULT_LSC_USED));
}
END_TEST

START_TEST(worked_example_as_text)
{
    /* The text view's verdict of the default-LSC example, worked by hand:
     * 0.840 - 0.800 = +0.040 g/cm2; 0.040 / 0.800 = +5.0 %; 24 months;
     * LSC 5.3 % x 0.800 = 0.0424 g/cm2, shown to 3 decimals: 0.042;
     * 0.040 < 0.0424: within the LSC, no significant change. The verdict
     * comes first; lines are at most 100 columns, so it is joined again. */
    ot_bmd_result r = compare_lsc(0.800, 0.840, OT_LSC_FROM_DATA, 0);
    char *text = NULL;
    ck_assert_int_eq(ot_bmd_result_to_text(&text, &r, 0), OT_OK);
    char joined[4096];
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < sizeof joined; p++) {
        if (p[0] == '\n' && p[1] == ' ' && p[2] == ' ' && p[3] != ' ') {
            joined[n++] = ' '; /* a wrapped verdict: its continuation */
            p += 2;
            continue;
        }
        joined[n++] = *p;
    }
    joined[n] = '\0';
    ck_assert_msg(strncmp(joined, "Lumbar spine: +0.040 g/cm2 (+5.0 %) in 24 months: within the "
                                  "LSC of 0.042 g/cm2, no significant change\n", 99) == 0,
                  "%s", text);
    for (const char *line = text; *line;) { /* no line over 100 columns, no escape codes */
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        ck_assert_uint_le(len, 100);
        ck_assert(memchr(line, 0x1b, len) == NULL);
        line += len + (end != NULL);
    }
    ot_free(text);
    ck_assert_int_eq(ot_bmd_result_to_text(&text, &r, OT_TEXT_COLOR), OT_OK);
    ck_assert_msg(strchr(text, 0x1b) != NULL, "OT_TEXT_COLOR gives no colour");
    ot_free(text);
}
END_TEST

START_TEST(worked_example_default_lsc)
{
    /* Default lumbar spine LSC 5.3 % of the 0.800 baseline = 0.0424 g/cm2;
     * 0.040 < 0.0424, so the same change is not significant: stable. */
    ot_bmd_result r = compare_lsc(0.800, 0.840, OT_LSC_FROM_DATA, 0);
    ck_assert_near(r.lsc_pct, 5.3, 1e-12);
    ck_assert_near(r.lsc_g_cm2, 0.0424, 1e-12);
    ck_assert_int_eq(r.lsc_is_default, 1);
    ck_assert_int_eq(r.significance, OT_SIG_STABLE);
    ck_assert(has_flag(&r, OT_FLAG_CHANGE_WITHIN_LSC));
    ck_assert(has_flag(&r, OT_FLAG_DEFAULT_LSC_USED));
    /* the result names the source by id; its citation is ISCD's */
    ck_assert_str_eq(r.lsc_source, "iscd-2005-technologist-precision-spine");
    int confirmed = -1;
    ck_assert(strstr(test_citation(rd, r.lsc_source, &confirmed), "ISCD") != NULL);
    ck_assert_int_eq(confirmed, r.lsc_confirmed);
}
END_TEST

START_TEST(change_equal_to_lsc_is_significant)
{
    /* 0.828 - 0.800 = 0.028 (0.02799999... in binary): equals the LSC, so it
     * is significant (ISCD: equal or exceed). */
    ck_assert_int_eq(compare_lsc(0.800, 0.828, OT_LSC_G_CM2, 0.028).significance, OT_SIG_INCREASE);
    ck_assert_int_eq(compare_lsc(0.800, 0.772, OT_LSC_G_CM2, 0.028).significance, OT_SIG_DECREASE);
    /* one thousandth less: 0.027 < 0.028 */
    ck_assert_int_eq(compare_lsc(0.800, 0.827, OT_LSC_G_CM2, 0.028).significance, OT_SIG_STABLE);
    ck_assert_int_eq(compare_lsc(0.800, 0.773, OT_LSC_G_CM2, 0.028).significance, OT_SIG_STABLE);
    /* percent LSC: 5 % of 0.800 = 0.040; 0.840 - 0.800 = 0.040 equals it */
    ot_bmd_result r = compare_lsc(0.800, 0.840, OT_LSC_PERCENT, 5.0);
    ck_assert_near(r.lsc_g_cm2, 0.040, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
}
END_TEST

START_TEST(significant_loss_flags_alert)
{
    /* 0.800 -> 0.760: -0.040 g/cm2, -5.0 %; LSC 0.028: a significant loss */
    ot_bmd_result r = compare_lsc(0.800, 0.760, OT_LSC_G_CM2, 0.028);
    ck_assert_int_eq(r.significance, OT_SIG_DECREASE);
    ck_assert_near(r.change_pct, -5.0, 1e-9);
    ck_assert(has_flag(&r, OT_FLAG_SIGNIFICANT_BMD_LOSS));
    ck_assert_int_eq(r.flags[0].severity, OT_SEV_ALERT);
    ck_assert(strstr(r.flags[0].message, "secondary causes") != NULL);
}
END_TEST

START_TEST(mg_cm2_input)
{
    /* 800 and 840 mg/cm2 are 0.800 and 0.840 g/cm2: the same answer */
    ot_bmd_measure a = scan(OT_SITE_LUMBAR_SPINE, 800.0, "2019-01-10");
    ot_bmd_measure b = scan(OT_SITE_LUMBAR_SPINE, 840.0, "2021-01-10");
    a.unit = b.unit = OT_UNIT_MG_CM2;
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.lsc_kind = OT_LSC_G_CM2;
    o.lsc_value = 0.028;
    ot_bmd_result r;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    ck_assert_near(r.baseline_g_cm2, 0.800, 1e-12);
    ck_assert_near(r.change_g_cm2, 0.040, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    /* 840 typed in g/cm2 is implausible (range 0.1-3.0 g/cm2) */
    b.unit = OT_UNIT_G_CM2;
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, &err), OT_ERANGE);
    ck_assert(strstr(err.message, "follow-up") != NULL);
}
END_TEST

START_TEST(devices_that_differ)
{
    ot_bmd_measure a = scan(OT_SITE_TOTAL_HIP, 0.700, "2019-01-10");
    ot_bmd_measure b = scan(OT_SITE_TOTAL_HIP, 0.800, "2021-01-10");
    a.device = "DXA-1";
    b.device = "DXA-2";
    ot_bmd_result r;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, NULL), OT_OK);
    ck_assert_int_eq(r.significance, OT_SIG_NOT_COMPARABLE);
    ck_assert_int_eq(r.device_changed, 1);
    ck_assert(has_flag(&r, OT_FLAG_DEVICE_CHANGED));
    /* same device name: comparable; different manufacturers: not */
    b.device = "DXA-1";
    a.manufacturer = OT_MFR_HOLOGIC;
    b.manufacturer = OT_MFR_GE_LUNAR;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, NULL), OT_OK);
    ck_assert_int_eq(r.significance, OT_SIG_NOT_COMPARABLE);
    b.manufacturer = OT_MFR_HOLOGIC;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, NULL), OT_OK);
    /* 0.100 / 0.700 = 14.3 % >= 5.0 % default total hip LSC (0.035 g/cm2) */
    ck_assert_near(r.lsc_g_cm2, 0.035, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
}
END_TEST

START_TEST(bad_input_errors)
{
    ot_bmd_measure a = scan(OT_SITE_LUMBAR_SPINE, 0.800, "2021-01-10");
    ot_bmd_measure b = scan(OT_SITE_LUMBAR_SPINE, 0.840, "2019-01-10");
    ot_bmd_result r;
    ot_error err = {0, ""};
    /* follow-up dated before the baseline */
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, &err), OT_EDATE);
    ck_assert(strstr(err.message, "2019-01-10 is before baseline date 2021-01-10") != NULL);
    b.date = a.date;
    /* negative and zero BMD */
    a.value = -0.8;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, &err), OT_ERANGE);
    a.value = 0.0;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, &err), OT_ERANGE);
    a.value = NAN;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, &err), OT_ERANGE);
    a.value = 0.8;
    /* different sites, an out-of-range site, a marker unit */
    b.site = OT_SITE_TOTAL_HIP;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, &err), OT_EVOCAB);
    b.site = (ot_site)42;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, &err), OT_EVOCAB);
    b.site = OT_SITE_LUMBAR_SPINE;
    b.unit = OT_UNIT_NG_L;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, &err), OT_EUNIT);
    b.unit = OT_UNIT_G_CM2;
    /* an LSC that cannot be right */
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.lsc_kind = OT_LSC_G_CM2;
    o.lsc_value = -0.01;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, &err), OT_ERANGE);
    o.version = 99;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, &err), OT_EINVAL);
    ck_assert_int_eq(ot_bmd_compare(&r, NULL, &a, &b, NULL, &err), OT_EINVAL);
}
END_TEST

START_TEST(no_dates_no_months)
{
    ot_bmd_measure a = scan(OT_SITE_FEMORAL_NECK, 0.600, NULL);
    ot_bmd_measure b = scan(OT_SITE_FEMORAL_NECK, 0.650, NULL);
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.therapy = OT_AGENT_ALENDRONATE;
    ot_bmd_result r;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    ck_assert(isnan(r.months));
    ck_assert(isnan(r.annualized_pct));
    /* without a time on therapy no expected range applies */
    ck_assert_int_eq(r.expected.found, 0);
    ck_assert_int_eq(r.vs_expected, OT_VS_UNKNOWN);
    /* femoral neck default 6.9 % of 0.600 = 0.0414; 0.050 >= 0.0414 */
    ck_assert_near(r.lsc_g_cm2, 0.0414, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
}
END_TEST

static ot_bmd_result on_therapy(ot_agent agent, ot_site site, double from, double to,
                                const char *d0, const char *d1)
{
    ot_bmd_measure a = scan(site, from, d0);
    ot_bmd_measure b = scan(site, to, d1);
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.therapy = agent;
    ot_bmd_result r;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    return r;
}

START_TEST(expected_range_bisphosphonate)
{
    /* alendronate, lumbar spine, 24 months: seed range 4.39-5.2 %.
     * 0.800 -> 0.840 is +5.0 %: within. */
    ot_bmd_result r = on_therapy(OT_AGENT_ALENDRONATE, OT_SITE_LUMBAR_SPINE, 0.800, 0.840,
                                 "2019-01-10", "2021-01-10");
    ck_assert_int_eq(r.expected.found, 1);
    ck_assert_near(r.expected.range_lo_pct, 4.39, 1e-12);
    ck_assert_near(r.expected.range_hi_pct, 5.2, 1e-12);
    ck_assert_int_eq(r.vs_expected, OT_VS_WITHIN);
    /* 0.800 -> 0.824 is +3.0 % < 4.39: below, flagged as info */
    r = on_therapy(OT_AGENT_ALENDRONATE, OT_SITE_LUMBAR_SPINE, 0.800, 0.824, "2019-01-10",
                   "2021-01-10");
    ck_assert_int_eq(r.vs_expected, OT_VS_BELOW);
    ck_assert(has_flag(&r, OT_FLAG_BELOW_EXPECTED_GAIN));
    /* 0.800 -> 0.848 is +6.0 % > 5.2: above */
    r = on_therapy(OT_AGENT_ALENDRONATE, OT_SITE_LUMBAR_SPINE, 0.800, 0.848, "2019-01-10",
                   "2021-01-10");
    ck_assert_int_eq(r.vs_expected, OT_VS_ABOVE);
    /* the range's edge is within: 0.800 x 1.0439 = 0.83512 is exactly +4.39 % */
    r = on_therapy(OT_AGENT_ALENDRONATE, OT_SITE_LUMBAR_SPINE, 0.800, 0.83512, "2019-01-10",
                   "2021-01-10");
    ck_assert_int_eq(r.vs_expected, OT_VS_WITHIN);
    /* 48 months is outside the 12-36 month window: no expected range */
    r = on_therapy(OT_AGENT_ALENDRONATE, OT_SITE_LUMBAR_SPINE, 0.800, 0.840, "2019-01-10",
                   "2023-01-10");
    ck_assert_int_eq(r.expected.found, 0);
    ck_assert_int_eq(r.vs_expected, OT_VS_UNKNOWN);
    /* no figure for ibandronate at all */
    r = on_therapy(OT_AGENT_IBANDRONATE, OT_SITE_LUMBAR_SPINE, 0.800, 0.840, "2019-01-10",
                   "2021-01-10");
    ck_assert_int_eq(r.expected.found, 0);
}
END_TEST

START_TEST(expected_range_most_specific_wins)
{
    /* zoledronate at 36 months: the seed's bisphosphonate range (a change
     * from baseline) and HORIZON-PFT's 6.71 % (not known whether from
     * baseline or from placebo) both apply; only a change from baseline may
     * be set against the patient's, so the seed's range wins. */
    ot_bmd_result r = on_therapy(OT_AGENT_ZOLEDRONATE, OT_SITE_LUMBAR_SPINE, 0.800, 0.860,
                                 "2019-01-10", "2022-01-10");
    ck_assert_int_eq(r.expected.found, 1);
    ck_assert_int_eq(r.expected.measure, OT_MEASURE_CHANGE_FROM_BASELINE);
    ck_assert_near(r.expected.range_hi_pct, 5.2, 1e-12);
    /* 0.060 / 0.800 = 7.5 % > 5.2: above */
    ck_assert_int_eq(r.vs_expected, OT_VS_ABOVE);
    /* denosumab at 60 months: the extension figure 13.7 %, a change from baseline */
    r = on_therapy(OT_AGENT_DENOSUMAB, OT_SITE_LUMBAR_SPINE, 0.800, 0.900, "2019-01-10",
                   "2024-01-10");
    ck_assert_near(r.expected.range_lo_pct, 13.7, 1e-12);
    ck_assert_near(r.expected.months, 60.0, 1e-12);
    ck_assert_int_eq(r.expected.measure, OT_MEASURE_CHANGE_FROM_BASELINE);
    /* 0.100 / 0.800 = 12.5 % < 13.7: below, a prompt for a look */
    ck_assert_int_eq(r.vs_expected, OT_VS_BELOW);
}
END_TEST

START_TEST(placebo_differences_are_context_only)
{
    /* FREEDOM's 9.2 % spine at 36 months is a difference from placebo: a
     * patient at +6.25 % (0.800 -> 0.850) is not "below" it and nothing is
     * flagged; the figure is shown as context */
    ot_bmd_result r = on_therapy(OT_AGENT_DENOSUMAB, OT_SITE_LUMBAR_SPINE, 0.800, 0.850,
                                 "2019-01-10", "2022-01-10");
    ck_assert_int_eq(r.expected.found, 1);
    ck_assert_int_eq(r.expected.measure, OT_MEASURE_DIFFERENCE_FROM_PLACEBO);
    ck_assert_near(r.expected.range_lo_pct, 9.2, 1e-12);
    ck_assert_int_eq(r.vs_expected, OT_VS_CONTEXT_ONLY);
    for (size_t i = 0; i < r.nflags; i++)
        ck_assert_int_ne(r.flags[i].code, OT_FLAG_BELOW_EXPECTED_GAIN);
    /* the total hip at 36 months has a change from baseline (Austin 2012,
     * +5.0 %): 0.700 -> 0.728 is +4.0 %, below it */
    r = on_therapy(OT_AGENT_DENOSUMAB, OT_SITE_TOTAL_HIP, 0.700, 0.728, "2019-01-10",
                   "2022-01-10");
    ck_assert_int_eq(r.expected.measure, OT_MEASURE_CHANGE_FROM_BASELINE);
    ck_assert_near(r.expected.range_lo_pct, 5.0, 1e-12);
    ck_assert_int_eq(r.vs_expected, OT_VS_BELOW);
    /* teriparatide's Neer 2001 figures are differences from placebo too */
    r = on_therapy(OT_AGENT_TERIPARATIDE, OT_SITE_LUMBAR_SPINE, 0.800, 0.820, "2019-01-10",
                   "2020-10-10");
    ck_assert_int_eq(r.vs_expected, OT_VS_CONTEXT_ONLY);
    /* the seed's range is the article's, with no primary source: unconfirmed */
    r = on_therapy(OT_AGENT_ALENDRONATE, OT_SITE_LUMBAR_SPINE, 0.800, 0.840, "2019-01-10",
                   "2021-01-10");
    ck_assert_int_eq(r.expected.confirmed, 0);
    ck_assert_str_eq(r.expected.source, "seed-article-bisphosphonate-spine");
    int confirmed = -1;
    ck_assert(strstr(test_citation(rd, r.expected.source, &confirmed), "osteotrack's choice") !=
              NULL);
    ck_assert_int_eq(confirmed, 0);
}
END_TEST

START_TEST(radius_without_study_not_comparable)
{
    ot_bmd_result r = on_therapy(OT_AGENT_NONE, OT_SITE_RADIUS_33, 0.600, 0.500, "2019-01-10",
                                 "2021-01-10");
    ck_assert(isnan(r.lsc_g_cm2));
    ck_assert_int_eq(r.significance, OT_SIG_NOT_COMPARABLE);
    ck_assert(has_flag(&r, OT_FLAG_DEFAULT_LSC_USED));
}
END_TEST

START_TEST(json_has_contract_fields)
{
    ot_bmd_result r = compare_lsc(0.800, 0.840, OT_LSC_FROM_DATA, 0);
    char *json = NULL;
    ck_assert_int_eq(ot_bmd_result_to_json(&json, &r, 0), OT_OK);
    const char *fields[] = {"\"site\":\"lumbar_spine\"", "\"baseline_date\":\"2019-01-10\"",
                            "\"change_g_cm2\":0.04", "\"change_pct\":5", "\"months\":24",
                            "\"annualized_pct\":2.5", "\"lsc_g_cm2\":0.0424",
                            "\"significance\":\"stable\"", "\"expected\":null",
                            "\"vs_expected\":\"unknown\"", "\"code\":\"DEFAULT_LSC_USED\""};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        ck_assert_msg(strstr(json, fields[i]) != NULL, "missing %s in %s", fields[i], json);
    ot_free(json);
}
END_TEST

/* Spine L1-L4 0.900 -> L2-L4 0.960: +0.060 g/cm2 would exceed the LSC of
 * 5.3% x 0.900 = 0.0477 g/cm2, but the vertebrae differ: not_comparable. The
 * same pair with the same region (L2-L4 both) is an increase (0.060 >= 0.0477);
 * a region not given is L1-L4, so NONE vs L1-L4 compares. */
START_TEST(spine_region_change_not_comparable)
{
    ot_bmd_measure a = scan(OT_SITE_LUMBAR_SPINE, 0.900, "2022-01-25");
    ot_bmd_measure b = scan(OT_SITE_LUMBAR_SPINE, 0.960, "2023-01-30");
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    ot_bmd_result r;
    ot_error err = {0, ""};
    o.from_region = OT_REGION_L1_L4;
    o.to_region = OT_REGION_L2_L4;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, &err), OT_OK);
    ck_assert_int_eq(r.significance, OT_SIG_NOT_COMPARABLE);
    ck_assert(r.region_changed);
    ck_assert(has_flag(&r, OT_FLAG_REGION_CHANGED));
    ck_assert_ptr_nonnull(strstr(r.flags[0].message, "L1-L4"));
    ck_assert_ptr_nonnull(strstr(r.flags[0].message, "L2-L4"));
    o.from_region = OT_REGION_L2_L4;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, &err), OT_OK);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    ck_assert(!has_flag(&r, OT_FLAG_REGION_CHANGED));
    o.from_region = OT_REGION_NONE;
    o.to_region = OT_REGION_L1_L4;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, &err), OT_OK);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    /* a region at the hip, a side at the spine: refused */
    o.side = OT_SIDE_LEFT;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, &err), OT_EVOCAB);
    ot_spine_region g;
    ck_assert_int_eq(ot_spine_region_parse(&g, "l2-l4"), OT_OK);
    ck_assert_int_eq(g, OT_REGION_L2_L4);
    ck_assert_int_eq(ot_spine_region_parse(&g, "L1-L5"), OT_EVOCAB);
    ck_assert_int_eq(ot_spine_region_parse(&g, "L4-L2"), OT_EVOCAB);
    ot_side sd;
    ck_assert_int_eq(ot_side_parse(&sd, "R"), OT_OK);
    ck_assert_int_eq(sd, OT_SIDE_RIGHT);
    ck_assert_int_eq(ot_side_parse(&sd, "both"), OT_EVOCAB);
}
END_TEST

/* Left hip 0.800 (2021) and right hip 0.700 (2022): a report compares
 * neither with the other. Left 0.800 -> 0.820 is +0.020 (2.5%), within the
 * LSC of 5.0% x 0.800 = 0.040; right 0.700 -> 0.705 is +0.005, within 0.035.
 * Without sides the 2022 scan would read as a loss of 0.100 g/cm2. */
START_TEST(left_and_right_hips_are_two_series)
{
    ot_patient *p = NULL;
    ot_report *rep = NULL;
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_patient_new(&p, "H1"), OT_OK);
    const char *dates[] = {"2021-01-10", "2022-01-12", "2023-01-15", "2024-01-20"};
    const double v[] = {0.800, 0.700, 0.820, 0.705};
    const ot_side sides[] = {OT_SIDE_LEFT, OT_SIDE_RIGHT, OT_SIDE_LEFT, OT_SIDE_RIGHT};
    for (int i = 0; i < 4; i++) {
        ot_bmd_measure m = scan(OT_SITE_TOTAL_HIP, v[i], dates[i]);
        ck_assert_int_eq(ot_patient_add_scan_sided(p, rd, &m, NAN, NAN, sides[i], OT_REGION_NONE,
                                                   0, &err), OT_OK);
    }
    ot_date asof;
    ck_assert_int_eq(ot_date_parse(&asof, "2024-06-01"), OT_OK);
    ck_assert_int_eq(ot_report_build(&rep, rd, p, asof, &err), OT_OK);
    char *json = NULL;
    ck_assert_int_eq(ot_report_to_json(&json, rep, 0), OT_OK);
    ck_assert_ptr_null(strstr(json, "\"significance\":\"decrease\""));
    ck_assert_ptr_null(strstr(json, "\"significance\":\"not_comparable\""));
    ck_assert_ptr_nonnull(strstr(json, "\"side\":\"left\",\"baseline_date\":\"2021-01-10\","
                                       "\"date\":\"2023-01-15\""));
    ck_assert_ptr_nonnull(strstr(json, "\"side\":\"right\",\"baseline_date\":\"2022-01-12\","
                                       "\"date\":\"2024-01-20\""));
    ck_assert_ptr_nonnull(strstr(json, "\"change_g_cm2\":0.02,"));
    ck_assert_ptr_nonnull(strstr(json, "\"change_g_cm2\":0.005,"));
    ot_free(json);
    /* the same date and site on the other side is no duplicate; on the same side it is */
    ot_bmd_measure m = scan(OT_SITE_TOTAL_HIP, 0.71, "2021-01-10");
    ck_assert_int_eq(ot_patient_add_scan_sided(p, rd, &m, NAN, NAN, OT_SIDE_RIGHT, OT_REGION_NONE,
                                               0, &err), OT_OK);
    ck_assert_int_eq(ot_patient_add_scan_sided(p, rd, &m, NAN, NAN, OT_SIDE_LEFT, OT_REGION_NONE,
                                               0, &err), OT_EDUPLICATE);
    ot_report_free(rep);
    ot_patient_free(p);
}
END_TEST

Suite *suite_bmd(void)
{
    Suite *s = suite_create("bmd");
    TCase *tc = tcase_create("compare");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, worked_example_facility_lsc);
    tcase_add_test(tc, worked_example_default_lsc);
    tcase_add_test(tc, worked_example_as_text);
    tcase_add_test(tc, change_equal_to_lsc_is_significant);
    tcase_add_test(tc, significant_loss_flags_alert);
    tcase_add_test(tc, mg_cm2_input);
    tcase_add_test(tc, devices_that_differ);
    tcase_add_test(tc, bad_input_errors);
    tcase_add_test(tc, spine_region_change_not_comparable);
    tcase_add_test(tc, left_and_right_hips_are_two_series);
    tcase_add_test(tc, no_dates_no_months);
    tcase_add_test(tc, expected_range_bisphosphonate);
    tcase_add_test(tc, expected_range_most_specific_wins);
    tcase_add_test(tc, placebo_differences_are_context_only);
    tcase_add_test(tc, radius_without_study_not_comparable);
    tcase_add_test(tc, json_has_contract_fields);
    suite_add_tcase(s, tc);
    return s;
}

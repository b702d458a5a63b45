/*
 * A second, independent reading of the clinical rules (docs/clinical-rules.md, README.md,
 * osteotrack(1)), through the public API only: hand-worked boundary cases with
 * the arithmetic beside each. Written without reading the rule code.
 */
#include "patient_fixture.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static void setup(void)
{
    rd = test_refdata();
    ck_assert_int_eq(ot_patient_new(&p, "R1"), OT_OK);
}
static void teardown(void)
{
    ot_patient_free(p);
    ot_refdata_free(rd);
}

/* ------------------------------------------------------------------ */
/* Helpers (the patient ones are in patient_fixture.h)                 */
/* ------------------------------------------------------------------ */
static ot_bmd_result cmp(ot_site site, double from, double to, ot_unit unit, const char *d0,
                         const char *d1, ot_lsc_kind kind, double lsc, ot_agent agent)
{
    ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
    a.site = b.site = site;
    a.value = from;
    b.value = to;
    a.unit = b.unit = unit;
    a.date = d0 ? D(d0) : OT_DATE_NONE;
    b.date = d1 ? D(d1) : OT_DATE_NONE;
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.lsc_kind = kind;
    o.lsc_value = lsc;
    o.therapy = agent;
    ot_bmd_result r;
    ot_error err = {0, ""};
    ck_assert_msg(ot_bmd_compare(&r, rd, &a, &b, &o, &err) == OT_OK, "%s", err.message);
    return r;
}

/* Default LSC, g/cm2, two fixed dates 24 months apart, no therapy. */
static ot_significance sig(ot_site site, double from, double to)
{
    return cmp(site, from, to, OT_UNIT_G_CM2, "2019-01-10", "2021-01-10", OT_LSC_FROM_DATA, 0,
               OT_AGENT_NONE)
        .significance;
}

static int bmd_has_flag(const ot_bmd_result *r, ot_flag_code c)
{
    for (size_t i = 0; i < r->nflags; i++)
        if (r->flags[i].code == c)
            return 1;
    return 0;
}

static ot_marker_result mk(ot_analyte an, double b, double f, ot_unit u, ot_agent agent,
                           const char *start, const char *d0, const char *d1)
{
    ot_marker_measure mb = OT_MARKER_MEASURE_INIT, mf = OT_MARKER_MEASURE_INIT;
    mb.analyte = mf.analyte = an;
    mb.value = b;
    mf.value = f;
    mb.unit = mf.unit = u;
    mb.date = d0 ? D(d0) : OT_DATE_NONE;
    mf.date = d1 ? D(d1) : OT_DATE_NONE;
    ot_marker_options o = OT_MARKER_OPTIONS_INIT;
    o.therapy = agent;
    o.therapy_start = start ? D(start) : OT_DATE_NONE;
    ot_marker_result r;
    ot_error err = {0, ""};
    ck_assert_msg(ot_marker_assess(&r, rd, &mb, &mf, &o, &err) == OT_OK, "%s", err.message);
    return r;
}

static void bmd_t(const char *date, ot_site site, double v, double t, ot_manufacturer mfr)
{
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    m.site = site;
    m.value = v;
    m.date = D(date);
    m.device = "DXA-1";
    m.manufacturer = mfr;
    ot_error err = {0, ""};
    ck_assert_msg(ot_patient_add_bmd(p, rd, &m, t, 0, &err) == OT_OK, "%s", err.message);
}
static void bmd(const char *date, ot_site site, double v, double t)
{
    bmd_t(date, site, v, t, OT_MFR_HOLOGIC);
}

/* The next_actions entry with this code, or NULL. */
static const cJSON *action(const cJSON *j, const char *code)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, get(j, "next_actions"))
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "code");
        if (cJSON_IsString(c) && strcmp(c->valuestring, code) == 0)
            return a;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* BMD: the LSC boundary, units, rounding, calendar months             */
/* ------------------------------------------------------------------ */
START_TEST(pct_lsc_boundary_awkward_baselines)
{
    /* ISCD: a change that equals or exceeds the LSC is significant. The
     * default LSCs are percentages of the baseline, so the product and the
     * difference are both inexact in binary; equality must still hold.
     * spine 5.3 % x 1.000 = 0.053; 1.053 - 1.000 = 0.05299999999999994 in
     * binary, i.e. exactly 0.053 in decimal: increase. */
    ck_assert_int_eq(sig(OT_SITE_LUMBAR_SPINE, 1.000, 1.053), OT_SIG_INCREASE);
    ck_assert_int_eq(sig(OT_SITE_LUMBAR_SPINE, 1.000, 0.947), OT_SIG_DECREASE);
    /* 0.052 < 0.053 */
    ck_assert_int_eq(sig(OT_SITE_LUMBAR_SPINE, 1.000, 1.052), OT_SIG_STABLE);
    ck_assert_int_eq(sig(OT_SITE_LUMBAR_SPINE, 1.000, 0.948), OT_SIG_STABLE);
    /* femoral neck 6.9 % x 1.000 = 0.069; 0.931 - 1.000 = -0.06899999999999995 */
    ck_assert_int_eq(sig(OT_SITE_FEMORAL_NECK, 1.000, 0.931), OT_SIG_DECREASE);
    ck_assert_int_eq(sig(OT_SITE_FEMORAL_NECK, 1.000, 1.069), OT_SIG_INCREASE);
    ck_assert_int_eq(sig(OT_SITE_FEMORAL_NECK, 1.000, 1.068), OT_SIG_STABLE);
    /* 6.9 % x 0.600 = 0.0414; 0.6414 - 0.600 = 0.04139999999999999 */
    ck_assert_int_eq(sig(OT_SITE_FEMORAL_NECK, 0.600, 0.6414), OT_SIG_INCREASE);
    ck_assert_int_eq(sig(OT_SITE_FEMORAL_NECK, 0.600, 0.5586), OT_SIG_DECREASE);
    /* total hip 5.0 % x 0.700 = 0.035 (0.034999999999999996 as 0.05 x 0.7);
     * 0.665 - 0.700 = -0.03499999999999992: decrease */
    ck_assert_int_eq(sig(OT_SITE_TOTAL_HIP, 0.700, 0.665), OT_SIG_DECREASE);
    ck_assert_int_eq(sig(OT_SITE_TOTAL_HIP, 0.700, 0.735), OT_SIG_INCREASE);
    ck_assert_int_eq(sig(OT_SITE_TOTAL_HIP, 0.700, 0.666), OT_SIG_STABLE);
    /* a facility LSC in percent: 2.5 % of 0.840 = 0.021 */
    ot_bmd_result r = cmp(OT_SITE_TOTAL_HIP, 0.840, 0.861, OT_UNIT_G_CM2, "2019-01-10",
                          "2021-01-10", OT_LSC_PERCENT, 2.5, OT_AGENT_NONE);
    ck_assert_near(r.lsc_g_cm2, 0.021, 1e-12);
    ck_assert_near(r.lsc_pct, 2.5, 1e-12);
    ck_assert_int_eq(r.lsc_is_default, 0);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    ck_assert(!bmd_has_flag(&r, OT_FLAG_DEFAULT_LSC_USED));
    r = cmp(OT_SITE_TOTAL_HIP, 0.840, 0.819, OT_UNIT_G_CM2, "2019-01-10", "2021-01-10",
            OT_LSC_PERCENT, 2.5, OT_AGENT_NONE);
    ck_assert_int_eq(r.significance, OT_SIG_DECREASE);
    ck_assert(bmd_has_flag(&r, OT_FLAG_SIGNIFICANT_BMD_LOSS));
    /* a facility LSC in g/cm2: 0.845 - 0.812 = 0.03299999999999992 vs 0.033 */
    r = cmp(OT_SITE_LUMBAR_SPINE, 0.812, 0.845, OT_UNIT_G_CM2, "2019-01-10", "2021-01-10",
            OT_LSC_G_CM2, 0.033, OT_AGENT_NONE);
    ck_assert(isnan(r.lsc_pct)); /* given in g/cm2, not from a percent */
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
}
END_TEST

START_TEST(mg_cm2_values_and_json_rounding)
{
    /* 1000 -> 1053 mg/cm2 is 1.000 -> 1.053 g/cm2: the 5.3 % boundary again */
    ot_bmd_result r = cmp(OT_SITE_LUMBAR_SPINE, 1000.0, 1053.0, OT_UNIT_MG_CM2, "2019-01-10",
                          "2021-01-10", OT_LSC_FROM_DATA, 0, OT_AGENT_NONE);
    ck_assert_near(r.baseline_g_cm2, 1.0, 1e-12);
    ck_assert_near(r.lsc_g_cm2, 0.053, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    /* 812.4567 -> 861.2 mg/cm2 from 2019-01-10 to 2021-03-25:
     *   baseline 0.8124567 g/cm2 -> JSON 0.812457 (6 decimals)
     *   value 0.8612; change 0.0487433 -> 0.048743
     *   change_pct 100 x 0.0487433 / 0.8124567 = 5.999495 -> 5.9995 (4 decimals)
     *   months 26 + (25 - 10) / 30.4375 = 26.49281 -> 26.49 (2 decimals)
     *   annualized 5.999495 x 12 / 26.49281 = 2.717489 -> 2.7175
     *   LSC 5.3 % x 0.8124567 = 0.04306021 -> 0.04306 */
    r = cmp(OT_SITE_LUMBAR_SPINE, 812.4567, 861.2, OT_UNIT_MG_CM2, "2019-01-10", "2021-03-25",
            OT_LSC_FROM_DATA, 0, OT_AGENT_NONE);
    ck_assert_near(r.baseline_g_cm2, 0.8124567, 1e-12);
    ck_assert_near(r.months, 26.0 + 15.0 / 30.4375, 1e-12);
    char *s = NULL;
    ck_assert_int_eq(ot_bmd_result_to_json(&s, &r, 0), OT_OK);
    cJSON *j = cJSON_Parse(s);
    ot_free(s);
    ck_assert_ptr_nonnull(j);
    ck_assert_double_eq(num(j, "baseline_g_cm2"), 0.812457);
    ck_assert_double_eq(num(j, "value_g_cm2"), 0.8612);
    ck_assert_double_eq(num(j, "change_g_cm2"), 0.048743);
    ck_assert_double_eq(num(j, "change_pct"), 5.9995);
    ck_assert_double_eq(num(j, "months"), 26.49);
    ck_assert_double_eq(num(j, "annualized_pct"), 2.7175);
    ck_assert_double_eq(num(j, "lsc_g_cm2"), 0.04306);
    ck_assert(cJSON_IsTrue(get(j, "lsc_default")));
    ck_assert(cJSON_IsFalse(get(j, "lsc_confirmed")));
    ck_assert_str_eq(str(j, "significance"), "increase"); /* 0.0487 >= 0.0431 */
    cJSON_Delete(j);
    /* one scan in g/cm2 and the other in mg/cm2: 0.800 g/cm2 -> 828 mg/cm2
     * is +0.028, equal to a 0.028 LSC */
    ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
    a.value = 0.800;
    b.value = 828.0;
    b.unit = OT_UNIT_MG_CM2;
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.lsc_kind = OT_LSC_G_CM2;
    o.lsc_value = 0.028;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    ck_assert_near(r.change_g_cm2, 0.028, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    /* 0.08 g/cm2 (80 mg/cm2 typed as g/cm2 by mistake / 1000) is below 0.1 */
    b.value = 0.08;
    b.unit = OT_UNIT_G_CM2;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_ERANGE);
    /* a BMD unit that is not one: ng/L */
    b.value = 0.8;
    b.unit = OT_UNIT_NG_L;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_EUNIT);
}
END_TEST

START_TEST(months_across_month_ends_and_leap_years)
{
    /* months = whole months by year and month + (day difference) / 30.4375.
     * 2020-02-29 -> 2021-02-28: 12 + (28 - 29) / 30.4375 = 11.967146;
     * 0.800 -> 0.824 is +3.0 %, simple annualized 3.0 x 12 / 11.967146 = 3.008236 */
    ot_bmd_result r = cmp(OT_SITE_LUMBAR_SPINE, 0.800, 0.824, OT_UNIT_G_CM2, "2020-02-29",
                          "2021-02-28", OT_LSC_FROM_DATA, 0, OT_AGENT_NONE);
    ck_assert_near(r.months, 11.967146, 1e-6);
    ck_assert_near(r.annualized_pct, 3.008236, 1e-6);
    /* 2019-02-28 -> 2020-02-29: 12 + 1 / 30.4375 = 12.032854 */
    r = cmp(OT_SITE_LUMBAR_SPINE, 0.800, 0.824, OT_UNIT_G_CM2, "2019-02-28", "2020-02-29",
            OT_LSC_FROM_DATA, 0, OT_AGENT_NONE);
    ck_assert_near(r.months, 12.032854, 1e-6);
    /* 2020-01-31 -> 2020-03-01: 2 + (1 - 31) / 30.4375 = 1.014374 */
    r = cmp(OT_SITE_LUMBAR_SPINE, 0.800, 0.824, OT_UNIT_G_CM2, "2020-01-31", "2020-03-01",
            OT_LSC_FROM_DATA, 0, OT_AGENT_NONE);
    ck_assert_near(r.months, 1.014374, 1e-6);
    /* a whole leap year is 12 months, no more: 2023-12-31 -> 2024-12-31 */
    r = cmp(OT_SITE_LUMBAR_SPINE, 0.800, 0.824, OT_UNIT_G_CM2, "2023-12-31", "2024-12-31",
            OT_LSC_FROM_DATA, 0, OT_AGENT_NONE);
    ck_assert_near(r.months, 12.0, 1e-12);
    ck_assert_near(r.annualized_pct, 3.0, 1e-9);
    /* the same day: 0 months, no annualized figure (NaN in C, null in JSON) */
    r = cmp(OT_SITE_LUMBAR_SPINE, 0.800, 0.824, OT_UNIT_G_CM2, "2024-02-29", "2024-02-29",
            OT_LSC_FROM_DATA, 0, OT_AGENT_NONE);
    ck_assert_near(r.months, 0.0, 1e-12);
    ck_assert(isnan(r.annualized_pct));
    char *s = NULL;
    ck_assert_int_eq(ot_bmd_result_to_json(&s, &r, 0), OT_OK);
    cJSON *j = cJSON_Parse(s);
    ot_free(s);
    ck_assert(cJSON_IsNull(get(j, "annualized_pct")));
    ck_assert_str_eq(str(j, "date"), "2024-02-29");
    cJSON_Delete(j);
    /* a follow-up a day before its baseline is refused */
    ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
    a.value = 0.800;
    b.value = 0.824;
    a.date = D("2024-03-01");
    b.date = D("2024-02-29");
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, NULL), OT_EDATE);
}
END_TEST

START_TEST(expected_range_edges_exact)
{
    /* alendronate, spine, 24 months: seed range [4.39, 5.2] %.
     * 1.000 -> 1.052 is 5.2 % exactly (5.200000000000005 in binary): the
     * range's upper edge is within it, not above. (0.052 < LSC 0.053: stable) */
    ot_bmd_result r = cmp(OT_SITE_LUMBAR_SPINE, 1.000, 1.052, OT_UNIT_G_CM2, "2019-01-10",
                          "2021-01-10", OT_LSC_FROM_DATA, 0, OT_AGENT_ALENDRONATE);
    ck_assert_int_eq(r.expected.found, 1);
    ck_assert_int_eq(r.significance, OT_SIG_STABLE);
    ck_assert_int_eq(r.vs_expected, OT_VS_WITHIN);
    ck_assert(!bmd_has_flag(&r, OT_FLAG_BELOW_EXPECTED_GAIN));
    /* 1.000 -> 1.0438 is 4.38 % < 4.39: below, BELOW_EXPECTED_GAIN (info) */
    r = cmp(OT_SITE_LUMBAR_SPINE, 1.000, 1.0438, OT_UNIT_G_CM2, "2019-01-10", "2021-01-10",
            OT_LSC_FROM_DATA, 0, OT_AGENT_ALENDRONATE);
    ck_assert_int_eq(r.vs_expected, OT_VS_BELOW);
    ck_assert(bmd_has_flag(&r, OT_FLAG_BELOW_EXPECTED_GAIN));
    for (size_t i = 0; i < r.nflags; i++)
        if (r.flags[i].code == OT_FLAG_BELOW_EXPECTED_GAIN)
            ck_assert_int_eq(r.flags[i].severity, OT_SEV_INFO);
    /* denosumab, spine, 60 months (FREEDOM extension 13.7 % from baseline,
     * a single mean): 1.000 -> 1.137 is 13.7 % (13.700000000000001 in
     * binary): within, not above */
    r = cmp(OT_SITE_LUMBAR_SPINE, 1.000, 1.137, OT_UNIT_G_CM2, "2019-01-10", "2024-01-10",
            OT_LSC_FROM_DATA, 0, OT_AGENT_DENOSUMAB);
    ck_assert_near(r.expected.range_lo_pct, 13.7, 1e-12);
    ck_assert_int_eq(r.vs_expected, OT_VS_WITHIN);
    /* FREEDOM's 9.2 % at 36 months is a difference from placebo: shown,
     * never compared */
    r = cmp(OT_SITE_LUMBAR_SPINE, 1.000, 1.092, OT_UNIT_G_CM2, "2019-01-10", "2022-01-10",
            OT_LSC_FROM_DATA, 0, OT_AGENT_DENOSUMAB);
    ck_assert_near(r.expected.range_lo_pct, 9.2, 1e-12);
    ck_assert_int_eq(r.vs_expected, OT_VS_CONTEXT_ONLY);
    /* denosumab at 48 months lies between FREEDOM's [30, 42] and the
     * extension's [54, 66] windows: nothing applies */
    r = cmp(OT_SITE_LUMBAR_SPINE, 1.000, 1.092, OT_UNIT_G_CM2, "2019-01-10", "2023-01-10",
            OT_LSC_FROM_DATA, 0, OT_AGENT_DENOSUMAB);
    ck_assert_int_eq(r.expected.found, 0);
    ck_assert_int_eq(r.vs_expected, OT_VS_UNKNOWN);
    /* the seed window starts at 12 months: 2019-01-10 -> 2020-01-09 is
     * 12 - 1/30.4375 = 11.97 months: no expected range yet; at 12 there is */
    r = cmp(OT_SITE_LUMBAR_SPINE, 1.000, 1.050, OT_UNIT_G_CM2, "2019-01-10", "2020-01-09",
            OT_LSC_FROM_DATA, 0, OT_AGENT_RISEDRONATE);
    ck_assert_int_eq(r.expected.found, 0);
    r = cmp(OT_SITE_LUMBAR_SPINE, 1.000, 1.050, OT_UNIT_G_CM2, "2019-01-10", "2020-01-10",
            OT_LSC_FROM_DATA, 0, OT_AGENT_RISEDRONATE);
    ck_assert_int_eq(r.expected.found, 1);
    ck_assert_int_eq(r.vs_expected, OT_VS_WITHIN);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Markers                                                             */
/* ------------------------------------------------------------------ */
START_TEST(marker_boundaries_in_other_units)
{
    /* CTX 0.700 -> 0.308 ng/mL = 700 -> 308 ng/L (x 1000): (308 - 700) / 700
     * = -56 % exactly (-56.00000000000001 when computed as a ratio first);
     * not more than the 56 % LSC, and 308 is not below 280: suboptimal */
    ot_marker_result r = mk(OT_ANALYTE_CTX, 0.700, 0.308, OT_UNIT_NG_ML, OT_AGENT_ALENDRONATE,
                            NULL, NULL, NULL);
    ck_assert_near(r.baseline, 700.0, 1e-9);
    ck_assert_near(r.value, 308.0, 1e-9);
    ck_assert_near(r.change_pct, -56.0, 1e-9);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    ck_assert_uint_eq(r.nflags, 1);
    ck_assert_int_eq(r.flags[0].code, OT_FLAG_SUBOPTIMAL_SUPPRESSION);
    /* pg/mL is ng/L: 1250 -> 550 is -56 % exactly too */
    r = mk(OT_ANALYTE_CTX, 1250, 550, OT_UNIT_PG_ML, OT_AGENT_IBANDRONATE, NULL, NULL, NULL);
    ck_assert_int_eq(r.unit, OT_UNIT_NG_L);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    /* 1250 -> 549: -56.08 %: responding */
    r = mk(OT_ANALYTE_CTX, 1250, 549, OT_UNIT_PG_ML, OT_AGENT_IBANDRONATE, NULL, NULL, NULL);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* P1NP 150 -> 93: (93 - 150) / 150 = -38 % exactly, 93 >= 35: suboptimal */
    r = mk(OT_ANALYTE_P1NP, 150, 93, OT_UNIT_CANONICAL, OT_AGENT_ZOLEDRONATE, NULL, NULL, NULL);
    ck_assert_near(r.change_pct, -38.0, 1e-9);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    ck_assert_int_eq(r.flags[0].analyte, OT_ANALYTE_P1NP);
    /* P1NP exactly at the 35 ug/L target: 50 -> 35 is -30 %, and 35 is not
     * below 35: suboptimal; 34.9 is below it: responding */
    r = mk(OT_ANALYTE_P1NP, 50, 35, OT_UNIT_NG_ML, OT_AGENT_RISEDRONATE, NULL, NULL, NULL);
    ck_assert_near(r.change_pct, -30.0, 1e-9);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    r = mk(OT_ANALYTE_P1NP, 50, 34.9, OT_UNIT_NG_ML, OT_AGENT_RISEDRONATE, NULL, NULL, NULL);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* denosumab is an antiresorptive for the marker rule */
    r = mk(OT_ANALYTE_CTX, 500, 60, OT_UNIT_CANONICAL, OT_AGENT_DENOSUMAB, NULL, NULL, NULL);
    ck_assert_int_eq(r.rule, OT_RULE_ANTIRESORPTIVE);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* anabolic: a rise of exactly 10 ug/L is not more than 10, even where
     * 35.2 - 25.2 = 10.000000000000004 in binary */
    r = mk(OT_ANALYTE_P1NP, 25.2, 35.2, OT_UNIT_CANONICAL, OT_AGENT_TERIPARATIDE, NULL, NULL,
           NULL);
    ck_assert_int_eq(r.rule, OT_RULE_ANABOLIC);
    ck_assert_near(r.change_abs, 10.0, 1e-9);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    ck_assert_int_eq(r.flags[0].code, OT_FLAG_INADEQUATE_ANABOLIC_RESPONSE);
    /* 45 -> 55.1: +10.1 > 10: responding (abaloparatide, by analogy) */
    r = mk(OT_ANALYTE_P1NP, 45, 55.1, OT_UNIT_CANONICAL, OT_AGENT_ABALOPARATIDE, NULL, NULL,
           NULL);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* a fall of P1NP on teriparatide is no response at all */
    r = mk(OT_ANALYTE_P1NP, 60, 20, OT_UNIT_CANONICAL, OT_AGENT_TERIPARATIDE, NULL, NULL, NULL);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    /* CTX in mg/cm2 is refused; CTX of 0.54 typed as ng/L (meant ng/mL) is
     * below the 1 ng/L plausibility floor */
    ot_marker_measure b = OT_MARKER_MEASURE_INIT, f = OT_MARKER_MEASURE_INIT;
    b.analyte = f.analyte = OT_ANALYTE_CTX;
    b.value = 540;
    f.value = 0.54;
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, NULL), OT_ERANGE);
    f.value = 190;
    f.unit = OT_UNIT_MG_CM2;
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, NULL), OT_EUNIT);
}
END_TEST

START_TEST(marker_window_edges_at_month_end)
{
    /* alendronate from 2024-01-31, baseline that morning. The window is 2-6
     * months after the start:
     *   2024-03-30: 2 + (30 - 31) / 30.4375 = 1.967 months: too early
     *   2024-03-31: 2.000 months: inside (edges are inside) */
    ot_marker_result r = mk(OT_ANALYTE_CTX, 540, 190, OT_UNIT_CANONICAL, OT_AGENT_ALENDRONATE,
                            "2024-01-31", "2024-01-31", "2024-03-30");
    ck_assert_near(r.months_from_start, 2.0 - 1.0 / 30.4375, 1e-9);
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
    ck_assert_uint_eq(r.nflags, 0);
    r = mk(OT_ANALYTE_CTX, 540, 190, OT_UNIT_CANONICAL, OT_AGENT_ALENDRONATE, "2024-01-31",
           "2024-01-31", "2024-03-31");
    ck_assert_near(r.months_from_start, 2.0, 1e-12);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    ck_assert_near(r.window_lo_months, 2.0, 1e-12);
    ck_assert_near(r.window_hi_months, 6.0, 1e-12);
    /* 2024-07-31 is 6.0 months: inside; 2024-08-01 is 6 + (1 - 31)/30.4375
     * + 1 = 6.014 months: outside */
    r = mk(OT_ANALYTE_CTX, 540, 190, OT_UNIT_CANONICAL, OT_AGENT_ALENDRONATE, "2024-01-31",
           "2024-01-31", "2024-07-31");
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    r = mk(OT_ANALYTE_CTX, 540, 190, OT_UNIT_CANONICAL, OT_AGENT_ALENDRONATE, "2024-01-31",
           "2024-01-31", "2024-08-01");
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
    /* teriparatide from 2024-01-08, anabolic window 1-3 months:
     * 2024-02-07 is 0.967 months: too early; 2024-02-08 is 1: inside;
     * 2024-04-08 is 3: inside; 2024-04-09 is 3.03: outside */
    r = mk(OT_ANALYTE_P1NP, 45, 80, OT_UNIT_CANONICAL, OT_AGENT_TERIPARATIDE, "2024-01-08",
           "2024-01-05", "2024-02-07");
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
    r = mk(OT_ANALYTE_P1NP, 45, 80, OT_UNIT_CANONICAL, OT_AGENT_TERIPARATIDE, "2024-01-08",
           "2024-01-05", "2024-02-08");
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    r = mk(OT_ANALYTE_P1NP, 45, 80, OT_UNIT_CANONICAL, OT_AGENT_TERIPARATIDE, "2024-01-08",
           "2024-01-05", "2024-04-08");
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    r = mk(OT_ANALYTE_P1NP, 45, 80, OT_UNIT_CANONICAL, OT_AGENT_TERIPARATIDE, "2024-01-08",
           "2024-01-05", "2024-04-09");
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
    /* a baseline on the start day itself is a pre-treatment value */
    r = mk(OT_ANALYTE_P1NP, 45, 80, OT_UNIT_CANONICAL, OT_AGENT_TERIPARATIDE, "2024-01-08",
           "2024-01-08", "2024-03-08");
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* a follow-up dated before the baseline is an error */
    ot_marker_measure b = OT_MARKER_MEASURE_INIT, f = OT_MARKER_MEASURE_INIT;
    b.value = 45;
    f.value = 80;
    b.date = D("2024-03-01");
    f.date = D("2024-02-29");
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, NULL), OT_EDATE);
}
END_TEST

START_TEST(report_marker_followup_before_window)
{
    /* alendronate from 2021-03-01; CTX 600 on 2021-02-20, then 150 on
     * 2021-04-10 (1 + 9/30.4375 = 1.30 months: before the 2-6 month window).
     * The early value is no follow-up: no responding marker yet (the report
     * may show it as not assessable), and with no BMD the assessment is
     * insufficient_data. */
    therapy(OT_AGENT_ALENDRONATE, "2021-03-01", NULL);
    marker("2021-02-20", OT_ANALYTE_CTX, 600);
    marker("2021-04-10", OT_ANALYTE_CTX, 150);
    ot_report *r = report("2021-05-01");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INSUFFICIENT_DATA);
    cJSON *j = json_of(r);
    const cJSON *m;
    cJSON_ArrayForEach(m, get(j, "markers"))
    {
        /* shown, if at all, as not assessable, with the timing as reason */
        ck_assert_str_eq(str(m, "response"), "not_assessable");
        ck_assert(strstr(str(m, "reason"), "2-6 months") != NULL);
    }
    cJSON_Delete(j);
    ot_report_free(r);
    /* a value inside the window (2021-05-20: 2 + 19/30.4375 = 2.62 months):
     * (160 - 600) / 600 = -73.3 %: responding */
    marker("2021-05-20", OT_ANALYTE_CTX, 160);
    r = report("2021-06-01");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_RESPONDING);
    j = json_of(r);
    m = cJSON_GetArrayItem(get(j, "markers"), 0);
    ck_assert_str_eq(str(m, "baseline_date"), "2021-02-20");
    ck_assert_str_eq(str(m, "date"), "2021-05-20");
    ck_assert_near(num(m, "change_pct"), -73.3333, 1e-4);
    ck_assert_str_eq(str(m, "response"), "responding");
    cJSON_Delete(j);
    ot_report_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* T-scores                                                            */
/* ------------------------------------------------------------------ */
START_TEST(tscore_minus_2_45_is_not_osteoporosis)
{
    /* WHO: T <= -2.5 is osteoporosis. A scanner-reported -2.45 is above
     * -2.5: low bone mass, no diagnosis, and (untreated, no fracture) no
     * UNTREATED_OSTEOPOROSIS. */
    bmd("2020-01-10", OT_SITE_LUMBAR_SPINE, 0.800, -2.45);
    bmd("2020-01-10", OT_SITE_TOTAL_HIP, 0.700, -2.4);
    /* the one-third radius is used only when the others cannot be */
    bmd("2020-01-10", OT_SITE_RADIUS_33, 0.500, -3.1);
    cJSON *j = report_json("2020-06-01");
    const cJSON *t = get(j, "tscore");
    ck_assert_double_eq(num(t, "lowest"), -2.45);
    ck_assert_str_eq(str(t, "lowest_site"), "lumbar_spine");
    ck_assert_str_eq(str(t, "category"), "low_bone_mass");
    ck_assert(cJSON_IsFalse(get(t, "osteoporosis_diagnosis")));
    cJSON_Delete(j);
    ck_assert(!flagged("2020-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ck_assert(!flagged("2020-06-01", OT_FLAG_DIAGNOSIS_PERSISTS));
    /* the next spine scan reads -2.5: osteoporosis */
    bmd("2021-01-10", OT_SITE_LUMBAR_SPINE, 0.790, -2.5);
    j = report_json("2021-06-01");
    t = get(j, "tscore");
    ck_assert_double_eq(num(t, "lowest"), -2.5);
    ck_assert_str_eq(str(t, "category"), "osteoporosis");
    ck_assert(cJSON_IsTrue(get(t, "osteoporosis_diagnosis")));
    cJSON_Delete(j);
    ck_assert(flagged("2021-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
}
END_TEST

START_TEST(tscore_computed_hip_and_unknown)
{
    /* Hologic total hip without a reported T: NHANES III 0.942 +/- 0.122.
     * 0.645: (0.645 - 0.942) / 0.122 = -2.434 -> -2.4: low bone mass */
    bmd_t("2020-01-10", OT_SITE_TOTAL_HIP, 0.645, NAN, OT_MFR_HOLOGIC);
    cJSON *j = report_json("2020-06-01");
    const cJSON *t = get(j, "tscore");
    ck_assert_double_eq(num(t, "lowest"), -2.4);
    ck_assert_str_eq(str(t, "lowest_site"), "total_hip");
    ck_assert_str_eq(str(t, "category"), "low_bone_mass");
    cJSON_Delete(j);
    /* 0.637: (0.637 - 0.942) / 0.122 = -2.5 (-2.4999999999999996 in binary):
     * osteoporosis */
    ot_patient_reset(p, "R2");
    bmd_t("2020-01-10", OT_SITE_TOTAL_HIP, 0.637, NAN, OT_MFR_HOLOGIC);
    j = report_json("2020-06-01");
    t = get(j, "tscore");
    ck_assert_double_eq(num(t, "lowest"), -2.5);
    ck_assert_str_eq(str(t, "category"), "osteoporosis");
    cJSON_Delete(j);
    /* GE Lunar with no reported T and no reference in data/tscore.json: the
     * T-score is unknown, which is null, never 0 or a category */
    ot_patient_reset(p, "R3");
    bmd_t("2020-01-10", OT_SITE_TOTAL_HIP, 0.600, NAN, OT_MFR_GE_LUNAR);
    j = report_json("2020-06-01");
    t = get(j, "tscore");
    if (!cJSON_IsNull(t)) {
        ck_assert(cJSON_IsNull(get(t, "lowest")));
        ck_assert(cJSON_IsNull(get(t, "category")));
        ck_assert(cJSON_IsFalse(get(t, "osteoporosis_diagnosis")));
    }
    cJSON_Delete(j);
}
END_TEST

START_TEST(wrist_fracture_is_no_diagnosis)
{
    /* NBHA 2014: a wrist (distal forearm) fracture means osteoporosis only
     * with low bone mass, a T-score below -1.0. With T -0.8 (normal) it makes
     * none, and so no UNTREATED_OSTEOPOROSIS: the report may not contradict
     * itself; FRACTURE_WITHOUT_DIAGNOSIS says why */
    bmd("2020-01-10", OT_SITE_LUMBAR_SPINE, 0.950, -0.8);
    fracture(OT_FX_WRIST, "2019-11-01");
    cJSON *j = report_json("2020-06-01");
    ck_assert(cJSON_IsFalse(get(get(j, "tscore"), "osteoporosis_diagnosis")));
    cJSON_Delete(j);
    ck_assert(!flagged("2020-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ck_assert(flagged("2020-06-01", OT_FLAG_FRACTURE_WITHOUT_DIAGNOSIS));
    /* a later T -2.0 (-2.5 < -2.0 < -1.0: low bone mass) makes it */
    bmd("2020-03-10", OT_SITE_LUMBAR_SPINE, 0.850, -2.0);
    j = report_json("2020-06-01");
    ck_assert(cJSON_IsTrue(get(get(j, "tscore"), "osteoporosis_diagnosis")));
    ck_assert_str_eq(str(get(j, "tscore"), "diagnosis_rule"), "nbha_fracture_with_low_bone_mass");
    cJSON_Delete(j);
    ck_assert(flagged("2020-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
    /* a hip fracture makes it at any BMD */
    ot_patient_reset(p, "R2");
    bmd("2020-01-10", OT_SITE_LUMBAR_SPINE, 0.950, -0.8);
    fracture(OT_FX_HIP, "2020-03-01");
    j = report_json("2020-06-01");
    ck_assert(cJSON_IsTrue(get(get(j, "tscore"), "osteoporosis_diagnosis")));
    ck_assert_str_eq(str(get(j, "tscore"), "diagnosis_rule"), "nbha_fracture_any_bmd");
    cJSON_Delete(j);
}
END_TEST

/* ------------------------------------------------------------------ */
/* What is due, at month ends                                          */
/* ------------------------------------------------------------------ */
START_TEST(due_dates_at_month_ends)
{
    /* DXA every 24 months during treatment: last scan 2020-02-29 + 24
     * calendar months = 2022-02-28 (no 29th in 2022). The day it is due it
     * is flagged; the day before it is not. */
    therapy(OT_AGENT_DENOSUMAB, "2020-01-15", NULL);
    bmd("2020-02-29", OT_SITE_LUMBAR_SPINE, 0.800, -2.6);
    cJSON *j = report_json("2022-02-27");
    ck_assert_ptr_nonnull(action(j, "DXA_DUE"));
    ck_assert_str_eq(str(action(j, "DXA_DUE"), "due"), "2022-02-28");
    cJSON_Delete(j);
    ck_assert(!flagged("2022-02-27", OT_FLAG_DXA_DUE));
    ck_assert(flagged("2022-03-01", OT_FLAG_DXA_DUE));
    ck_assert(flagged("2022-02-28", OT_FLAG_DXA_DUE));

    /* oral bisphosphonate review after 60 months: 2016-02-29 + 60 months =
     * 2021-02-28 */
    ot_patient_reset(p, "R2");
    therapy(OT_AGENT_ALENDRONATE, "2016-02-29", NULL);
    j = report_json("2021-02-27");
    ck_assert_str_eq(str(action(j, "DRUG_HOLIDAY_REVIEW"), "due"), "2021-02-28");
    cJSON_Delete(j);
    ck_assert(!flagged("2021-02-27", OT_FLAG_DRUG_HOLIDAY_REVIEW));
    ck_assert(flagged("2021-03-01", OT_FLAG_DRUG_HOLIDAY_REVIEW));
    ck_assert(flagged("2021-02-28", OT_FLAG_DRUG_HOLIDAY_REVIEW));

    /* marker follow-up 3 months after the start: 2020-11-30 + 3 = 2021-02-28 */
    ot_patient_reset(p, "R3");
    therapy(OT_AGENT_RISEDRONATE, "2020-11-30", NULL);
    marker("2020-11-25", OT_ANALYTE_P1NP, 60);
    j = report_json("2020-12-15");
    ck_assert_str_eq(str(action(j, "MARKER_FOLLOWUP_DUE"), "due"), "2021-02-28");
    cJSON_Delete(j);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Treatment failure (IOF, Diez-Perez 2012)                            */
/* ------------------------------------------------------------------ */
START_TEST(fractures_before_treatment_are_not_incident)
{
    /* two fractures, both before alendronate started 2020-01-01: neither is
     * incident, so no treatment failure two years on. With no BMD on record
     * neither makes the diagnosis (NBHA: a vertebral fracture needs low bone
     * mass), and the report says a DXA would decide */
    therapy(OT_AGENT_ALENDRONATE, "2020-01-01", NULL);
    fracture(OT_FX_VERTEBRAL, "2019-05-01");
    fracture(OT_FX_WRIST, "2019-10-01");
    ot_report *r = report("2022-01-01");
    ck_assert_ptr_null(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert_int_ne(ot_report_assessment(r), OT_ASSESS_POSSIBLE_TREATMENT_FAILURE);
    ck_assert_ptr_null(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS)); /* treated */
    cJSON *j = json_of(r);
    ck_assert(cJSON_IsNull(get(j, "treatment_failure")));
    ck_assert(cJSON_IsFalse(get(get(j, "tscore"), "osteoporosis_diagnosis")));
    ck_assert_int_eq(flag(r, OT_FLAG_FRACTURE_WITHOUT_DIAGNOSIS)->severity, OT_SEV_INFO);
    cJSON_Delete(j);
    ot_report_free(r);
    /* at the 60-month review (2025-01-01) there was no fracture on
     * treatment and no hip T-score, but a vertebral fracture before it:
     * ASBMR 2016 favours continuing, not a holiday */
    r = report("2025-01-01");
    const ot_flag *f = flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW);
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->message, "continuing is favoured") != NULL, "%s", f->message);
    ck_assert_msg(strstr(f->message, "drug holiday may be") == NULL, "%s", f->message);
    j = json_of(r);
    ck_assert_str_eq(str(get(j, "bisphosphonate_review"), "recommendation"), "continue");
    ck_assert_str_eq(cJSON_GetArrayItem(get(get(j, "bisphosphonate_review"), "reasons"), 0)
                         ->valuestring, "major_fracture_before_or_on_treatment");
    cJSON_Delete(j);
    ot_report_free(r);
    /* one more fracture on treatment is still one incident fracture: with
     * nothing else against the treatment, no failure */
    fracture(OT_FX_HUMERUS, "2021-06-01");
    ck_assert(!flagged("2022-01-01", OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    /* and a fracture after as_of is not known yet */
    fracture(OT_FX_HIP, "2022-03-01");
    ck_assert(!flagged("2022-01-01", OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert(flagged("2022-03-01", OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
}
END_TEST

START_TEST(failure_one_fracture_no_marker_response)
{
    /* risedronate from 2020-01-01. CTX 600 (2019-12-20) -> 450 (2020-04-01,
     * 3 months): -25 %, not more than 56 %, and 450 >= 280: suboptimal.
     * One incident fracture (2020-09-01) with no significant marker fall is
     * possible failure once 12 months of treatment have passed. */
    therapy(OT_AGENT_RISEDRONATE, "2020-01-01", NULL);
    marker("2019-12-20", OT_ANALYTE_CTX, 600);
    marker("2020-04-01", OT_ANALYTE_CTX, 450);
    fracture(OT_FX_VERTEBRAL, "2020-09-01");
    ot_report *r = report("2020-12-31"); /* 11.97 months: not yet judged */
    ck_assert_ptr_null(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INADEQUATE_RESPONSE);
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_SUBOPTIMAL_SUPPRESSION));
    ot_report_free(r);
    r = report("2021-01-01");
    const ot_flag *f = flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, OT_SEV_ALERT);
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_POSSIBLE_TREATMENT_FAILURE);
    cJSON *j = json_of(r);
    const cJSON *tf = get(j, "treatment_failure");
    ck_assert(cJSON_IsObject(tf));
    ck_assert_msg(strstr(str(tf, "criterion"), "marker") != NULL, "%s", str(tf, "criterion"));
    ck_assert_msg(strstr(str(tf, "criterion"), "fracture") != NULL, "%s", str(tf, "criterion"));
    /* the first flag is an alert */
    ck_assert_str_eq(str(cJSON_GetArrayItem(get(j, "flags"), 0), "severity"), "alert");
    cJSON_Delete(j);
    ot_report_free(r);
    /* the same fracture with responding markers (600 -> 200: -66.7 %) is not
     * failure: one fracture alone is not enough */
    ot_patient_reset(p, "R2");
    therapy(OT_AGENT_RISEDRONATE, "2020-01-01", NULL);
    marker("2019-12-20", OT_ANALYTE_CTX, 600);
    marker("2020-04-01", OT_ANALYTE_CTX, 200);
    fracture(OT_FX_VERTEBRAL, "2020-09-01");
    r = report("2021-01-01");
    ck_assert_ptr_null(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_RESPONDING);
    ot_report_free(r);
}
END_TEST

START_TEST(failure_no_marker_response_and_bmd_loss)
{
    /* alendronate from 2020-01-01; P1NP 70 -> 60 at 3 months: -14.3 %,
     * 60 >= 35: suboptimal. Spine 0.800 (2019-12-15) -> 0.750 (2021-06-01):
     * -0.050 >= 5.3 % x 0.800 = 0.0424: a significant loss. No fracture:
     * "no significant marker fall together with a significant BMD loss". */
    therapy(OT_AGENT_ALENDRONATE, "2020-01-01", NULL);
    marker("2019-12-15", OT_ANALYTE_P1NP, 70);
    marker("2020-04-01", OT_ANALYTE_P1NP, 60);
    bmd("2019-12-15", OT_SITE_LUMBAR_SPINE, 0.800, -2.6);
    bmd("2021-06-01", OT_SITE_LUMBAR_SPINE, 0.750, -3.0);
    ot_report *r = report("2021-07-01");
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS));
    ck_assert_int_eq(flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS)->severity, OT_SEV_ALERT);
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_POSSIBLE_TREATMENT_FAILURE);
    ot_report_free(r);
    /* the loss with responding markers (70 -> 30) is inadequate, not failure */
    ot_patient_reset(p, "R2");
    therapy(OT_AGENT_ALENDRONATE, "2020-01-01", NULL);
    marker("2019-12-15", OT_ANALYTE_P1NP, 70);
    marker("2020-04-01", OT_ANALYTE_P1NP, 30);
    bmd("2019-12-15", OT_SITE_LUMBAR_SPINE, 0.800, -2.6);
    bmd("2021-06-01", OT_SITE_LUMBAR_SPINE, 0.750, -3.0);
    r = report("2021-07-01");
    ck_assert_ptr_null(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INADEQUATE_RESPONSE);
    ot_report_free(r);
}
END_TEST

START_TEST(loss_against_previous_scan_is_inadequate)
{
    /* spine 0.800 (2019) -> 0.850 (2021): +0.050 >= 0.0424, increase;
     * -> 0.800 (2023): against baseline 0.000 (stable), against the previous
     * scan -0.050 >= 5.3 % x 0.850 = 0.04505: decrease. The latest scan shows
     * a significant loss against the previous one: inadequate_response. */
    therapy(OT_AGENT_DENOSUMAB, "2019-01-15", NULL);
    bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.800, -2.6);
    bmd("2021-01-10", OT_SITE_LUMBAR_SPINE, 0.850, -2.2);
    bmd("2023-01-10", OT_SITE_LUMBAR_SPINE, 0.800, -2.6);
    ot_report *r = report("2023-02-01");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INADEQUATE_RESPONSE);
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS));
    cJSON *j = json_of(r);
    const cJSON *b = get(j, "bmd");
    ck_assert_int_eq(cJSON_GetArraySize(b), 2);
    const cJSON *e = cJSON_GetArrayItem(b, 1);
    ck_assert_str_eq(str(e, "date"), "2023-01-10");
    ck_assert_str_eq(str(e, "significance"), "stable");
    const cJSON *vp = get(e, "vs_previous");
    ck_assert_str_eq(str(vp, "baseline_date"), "2021-01-10");
    ck_assert_near(num(vp, "change_g_cm2"), -0.050, 1e-9);
    ck_assert_near(num(vp, "lsc_g_cm2"), 0.04505, 1e-9);
    ck_assert_str_eq(str(vp, "significance"), "decrease");
    cJSON_Delete(j);
    ot_report_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Sequences of therapies                                              */
/* ------------------------------------------------------------------ */
START_TEST(denosumab_stop_then_late_bisphosphonate)
{
    /* denosumab's last injection 2021-07-10 covers it to 2022-01-10; a
     * follow-on may start up to 2022-02-10 (6 + 1 months). Alendronate from
     * 2022-03-01 is late: the risk stands, although a therapy is now in
     * effect (so not UNTREATED) */
    therapy(OT_AGENT_DENOSUMAB, "2019-01-10", "2021-07-10");
    therapy(OT_AGENT_ALENDRONATE, "2022-03-01", NULL);
    ot_report *r = report("2022-06-01");
    const ot_flag *f = flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, OT_SEV_ALERT);
    ck_assert_ptr_null(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    cJSON *j = json_of(r);
    ck_assert_str_eq(str(get(j, "therapy"), "current"), "alendronate");
    ck_assert_int_eq(cJSON_GetArraySize(get(get(j, "therapy"), "courses")), 2);
    cJSON_Delete(j);
    ot_report_free(r);
    /* month end: the last injection 2021-01-31; + 7 months = 2021-08-31:
     * zoledronate that day is in time, on 2021-09-01 it is late */
    ot_patient_reset(p, "R2");
    therapy(OT_AGENT_DENOSUMAB, "2018-01-31", "2021-01-31");
    therapy(OT_AGENT_ZOLEDRONATE, "2021-08-31", NULL);
    ck_assert(!flagged("2021-10-01", OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
    ot_patient_reset(p, "R3");
    therapy(OT_AGENT_DENOSUMAB, "2018-01-31", "2021-01-31");
    therapy(OT_AGENT_ZOLEDRONATE, "2021-09-01", NULL);
    ck_assert(flagged("2021-10-01", OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
    /* teriparatide straight after denosumab is no antiresorptive follow-on */
    ot_patient_reset(p, "R4");
    therapy(OT_AGENT_DENOSUMAB, "2018-01-10", "2021-01-10");
    therapy(OT_AGENT_TERIPARATIDE, "2021-01-12", NULL);
    ck_assert(flagged("2021-06-01", OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
}
END_TEST

START_TEST(drug_holiday_contiguous_alendronate_then_risedronate)
{
    /* alendronate 2017-01-01 to 2020-01-01, risedronate from 2020-01-01:
     * contiguous oral bisphosphonate courses add up, so the 60-month review
     * is due 2017-01-01 + 60 months = 2022-01-01, not 2025-01-01 */
    therapy(OT_AGENT_ALENDRONATE, "2017-01-01", "2020-01-01");
    therapy(OT_AGENT_RISEDRONATE, "2020-01-01", NULL);
    ck_assert(!flagged("2021-12-31", OT_FLAG_DRUG_HOLIDAY_REVIEW));
    ot_report *r = report("2022-01-01");
    const ot_flag *f = flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW);
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->message, "2017-01-01") != NULL, "%s", f->message);
    cJSON *j = json_of(r);
    ck_assert_str_eq(str(action(j, "DRUG_HOLIDAY_REVIEW"), "due"), "2022-01-01");
    ck_assert_str_eq(str(get(j, "therapy"), "current"), "risedronate");
    cJSON_Delete(j);
    ot_report_free(r);
    /* a hip T-score at -2.5 (femoral neck) favours continuing */
    bmd("2021-10-01", OT_SITE_FEMORAL_NECK, 0.560, -2.5);
    r = report("2022-01-01");
    f = flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW);
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->message, "drug holiday may be considered") == NULL, "%s",
                  f->message);
    ot_report_free(r);
}
END_TEST

START_TEST(anabolic_then_denosumab_needs_nothing)
{
    /* teriparatide 2020-01-01 to 2022-01-01 (24 months), denosumab from
     * 2022-01-05: an antiresorptive followed the anabolic; nothing is due */
    therapy(OT_AGENT_TERIPARATIDE, "2020-01-01", "2022-01-01");
    therapy(OT_AGENT_DENOSUMAB, "2022-01-05", NULL);
    ot_report *r = report("2022-06-01");
    ck_assert_ptr_null(flag(r, OT_FLAG_SEQUENTIAL_THERAPY_NEEDED));
    ck_assert_ptr_null(flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
    ck_assert_ptr_null(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    cJSON *j = json_of(r);
    ck_assert_str_eq(str(get(j, "therapy"), "current"), "denosumab");
    ck_assert_str_eq(str(get(j, "therapy"), "since"), "2022-01-05");
    ck_assert_ptr_null(action(j, "SEQUENTIAL_THERAPY_NEEDED"));
    cJSON_Delete(j);
    ot_report_free(r);
    /* abaloparatide stopped at 18 months with nothing after: needed */
    ot_patient_reset(p, "R2");
    therapy(OT_AGENT_ABALOPARATIDE, "2020-01-01", "2021-07-01");
    r = report("2021-09-01");
    const ot_flag *f = flag(r, OT_FLAG_SEQUENTIAL_THERAPY_NEEDED);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, OT_SEV_WARNING);
    ck_assert(strstr(f->message, "abaloparatide") != NULL);
    ot_report_free(r);
}
END_TEST

START_TEST(romosozumab_twelve_month_course)
{
    /* romosozumab from 2021-03-15, 12 monthly doses: the course reaches its
     * length on 2022-03-15, when a follow-on antiresorptive is needed */
    therapy(OT_AGENT_ROMOSOZUMAB, "2021-03-15", NULL);
    bmd("2021-03-10", OT_SITE_LUMBAR_SPINE, 0.700, -3.2);
    bmd("2022-03-10", OT_SITE_LUMBAR_SPINE, 0.790, -2.4);
    marker("2021-03-10", OT_ANALYTE_P1NP, 50);
    marker("2021-05-10", OT_ANALYTE_P1NP, 120);
    ck_assert(!flagged("2022-03-14", OT_FLAG_SEQUENTIAL_THERAPY_NEEDED));
    ot_report *r = report("2022-03-15");
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_SEQUENTIAL_THERAPY_NEEDED));
    /* P1NP on romosozumab has no validated rule: no marker flags */
    ck_assert_ptr_null(flag(r, OT_FLAG_SUBOPTIMAL_SUPPRESSION));
    ck_assert_ptr_null(flag(r, OT_FLAG_INADEQUATE_ANABOLIC_RESPONSE));
    /* spine 0.700 -> 0.790: +0.090 g/cm2 = +12.857 %, >= LSC 5.3 % x 0.700
     * = 0.0371: increase, so responding. FRAME's 13.3 % at 12 months
     * (window 6-18) applies, but the source seen does not say whether it is
     * a change from baseline or a difference from placebo: it is shown as
     * context, and 12.86 < 13.3 is not called below */
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_RESPONDING);
    ck_assert_ptr_null(flag(r, OT_FLAG_BELOW_EXPECTED_GAIN));
    cJSON *j = json_of(r);
    const cJSON *e = cJSON_GetArrayItem(get(j, "bmd"), 0);
    ck_assert_near(num(e, "change_pct"), 12.8571, 1e-4);
    ck_assert_near(num(e, "lsc_g_cm2"), 0.0371, 1e-9);
    ck_assert_str_eq(str(e, "significance"), "increase");
    ck_assert_str_eq(str(e, "vs_expected"), "context_only");
    const cJSON *x = get(e, "expected");
    ck_assert_str_eq(str(x, "agent"), "romosozumab");
    ck_assert_str_eq(str(x, "measure"), "not_known");
    ck_assert_near(num(x, "months"), 12.0, 1e-12);
    ck_assert_near(cJSON_GetArrayItem(get(x, "range_pct"), 0)->valuedouble, 13.3, 1e-12);
    const cJSON *m;
    cJSON_ArrayForEach(m, get(j, "markers"))
    {
        ck_assert_str_eq(str(m, "response"), "not_assessable");
        ck_assert(cJSON_IsNull(get(m, "lsc_pct")));
        ck_assert(cJSON_IsNull(get(m, "target")));
    }
    cJSON_Delete(j);
    ot_report_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The JSON report against its schema                                 */
/* ------------------------------------------------------------------ */
static int one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}
static const char *const SITES[] = {"lumbar_spine", "total_hip", "femoral_neck", "radius_33",
                                    NULL};
static const char *const AGENTS[] = {"alendronate", "risedronate", "ibandronate",
                                     "zoledronate", "denosumab", "teriparatide",
                                     "abaloparatide", "romosozumab", "raloxifene",
                                     "bazedoxifene", "estrogen", "ibandronate_iv",
                                     "vitamin_d", "calcium", "none", NULL};
static const char *const SIGS[] = {"increase", "stable", "decrease", "not_comparable", NULL};
static const char *const VSEXP[] = {"below", "within", "above", "unknown", "context_only", NULL};
static const char *const RESP[] = {"responding", "suboptimal", "not_assessable", NULL};
static const char *const CATS[] = {"normal", "low_bone_mass", "osteoporosis",
                                   "within_expected_range_for_age",
                                   "below_expected_range_for_age", NULL};
static const char *const SEVS[] = {"info", "warning", "alert", NULL};
static const char *const ASSESS[] = {"responding", "stable", "inadequate_response",
                                     "possible_treatment_failure", "insufficient_data", NULL};
static const char *const CODES[] = {
    "CHANGE_WITHIN_LSC", "SIGNIFICANT_BMD_LOSS", "BELOW_EXPECTED_GAIN", "DEVICE_CHANGED",
    "SUBOPTIMAL_SUPPRESSION", "INADEQUATE_ANABOLIC_RESPONSE", "DIAGNOSIS_PERSISTS", "DXA_DUE",
    "MARKER_FOLLOWUP_DUE", "DRUG_HOLIDAY_REVIEW", "DENOSUMAB_DISCONTINUATION_RISK",
    "SEQUENTIAL_THERAPY_NEEDED", "POSSIBLE_TREATMENT_FAILURE", "DEFAULT_LSC_USED",
    "UNTREATED_OSTEOPOROSIS", "DEMOGRAPHICS_ASSUMED", "DENOSUMAB_DOSE_OVERDUE",
    "BMD_LOSS_OFF_TREATMENT", "FRACTURE_WITHOUT_DIAGNOSIS", NULL};

static void is_enum(const cJSON *o, const char *key, const char *const *list)
{
    const char *s = str(o, key);
    ck_assert_msg(one_of(s, list), "%s: '%s' is outside the vocabulary", key, s);
}
/* A YYYY-MM-DD string naming a day that exists. */
static void is_date(const cJSON *o, const char *key)
{
    const char *s = str(o, key);
    ot_date d;
    char back[11];
    ck_assert_msg(strlen(s) == 10 && ot_date_parse(&d, s) == OT_OK, "%s: '%s'", key, s);
    ot_date_format(back, d);
    ck_assert_str_eq(back, s);
}
static void is_num_or_null(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    ck_assert_msg(cJSON_IsNumber(v) || cJSON_IsNull(v), "%s is neither a number nor null", key);
}
static void is_pair(const cJSON *o, const char *key)
{
    const cJSON *a = get(o, key);
    ck_assert_msg(cJSON_IsArray(a) && cJSON_GetArraySize(a) == 2, "%s is not a pair", key);
    ck_assert(cJSON_IsNumber(cJSON_GetArrayItem(a, 0)) &&
              cJSON_IsNumber(cJSON_GetArrayItem(a, 1)));
    ck_assert(cJSON_GetArrayItem(a, 0)->valuedouble <= cJSON_GetArrayItem(a, 1)->valuedouble);
}

static void check_change(const cJSON *e)
{
    is_date(e, "baseline_date");
    is_date(e, "date");
    double b = num(e, "baseline_g_cm2"), v = num(e, "value_g_cm2");
    /* rounded to 6 decimals for display: consistent to that resolution */
    ck_assert_near(num(e, "change_g_cm2"), v - b, 2e-6);
    ck_assert_near(num(e, "change_pct"), 100.0 * (v - b) / b, 2e-3);
    is_num_or_null(e, "months");
    is_num_or_null(e, "annualized_pct");
    is_num_or_null(e, "lsc_g_cm2");
    is_enum(e, "significance", SIGS);
}

static void check_report_contract(const cJSON *j, const char *id, const char *as_of)
{
    ck_assert_str_eq(str(j, "patient_id"), id);
    ck_assert_str_eq(str(j, "as_of"), as_of);
    const cJSON *e;
    cJSON_ArrayForEach(e, get(j, "bmd"))
    {
        is_enum(e, "site", SITES);
        check_change(e);
        ck_assert(cJSON_IsObject(get(e, "vs_previous")));
        check_change(get(e, "vs_previous"));
        const cJSON *x = get(e, "expected");
        ck_assert(cJSON_IsNull(x) || cJSON_IsObject(x));
        if (cJSON_IsObject(x)) {
            is_enum(x, "agent", AGENTS);
            is_pair(x, "range_pct");
            is_num_or_null(x, "months");
            ck_assert(strlen(str(x, "source")) > 0);
        }
        is_enum(e, "vs_expected", VSEXP);
        ck_assert_int_eq(cJSON_IsNull(x), strcmp(str(e, "vs_expected"), "unknown") == 0);
    }
    cJSON_ArrayForEach(e, get(j, "trend"))
    {
        is_enum(e, "site", SITES);
        ck_assert(num(e, "n") >= 3);
        num(e, "slope_g_cm2_per_year");
        num(e, "slope_pct_per_year");
        is_pair(e, "ci95");
    }
    cJSON_ArrayForEach(e, get(j, "markers"))
    {
        const char *an = str(e, "analyte");
        ck_assert(strcmp(an, "p1np") == 0 || strcmp(an, "ctx") == 0);
        ck_assert_str_eq(str(e, "unit"), strcmp(an, "p1np") == 0 ? "ug/L" : "ng/L");
        is_date(e, "baseline_date");
        is_date(e, "date");
        double b = num(e, "baseline"), v = num(e, "value");
        ck_assert_near(num(e, "change_abs"), v - b, 1e-6);
        ck_assert_near(num(e, "change_pct"), 100.0 * (v - b) / b, 1e-3);
        is_num_or_null(e, "lsc_pct");
        is_num_or_null(e, "target");
        is_enum(e, "response", RESP);
    }
    const cJSON *t = get(j, "tscore");
    ck_assert(cJSON_IsObject(t) || cJSON_IsNull(t));
    if (cJSON_IsObject(t)) {
        is_num_or_null(t, "lowest");
        if (cJSON_IsNumber(get(t, "lowest"))) {
            is_enum(t, "lowest_site", SITES);
            is_enum(t, "category", CATS);
        }
        ck_assert(cJSON_IsBool(get(t, "osteoporosis_diagnosis")));
    }
    int last = 3;
    cJSON_ArrayForEach(e, get(j, "flags"))
    {
        is_enum(e, "code", CODES);
        is_enum(e, "severity", SEVS);
        ck_assert(strlen(str(e, "message")) > 0);
        if (cJSON_GetObjectItemCaseSensitive(e, "site"))
            is_enum(e, "site", SITES);
        if (cJSON_GetObjectItemCaseSensitive(e, "analyte")) {
            const char *an = str(e, "analyte");
            ck_assert(strcmp(an, "p1np") == 0 || strcmp(an, "ctx") == 0 ||
                      strcmp(an, "bmd") == 0 || strcmp(an, "fracture") == 0);
        }
        /* alerts first, then warnings, then information */
        const char *sv = str(e, "severity");
        int rank = strcmp(sv, "alert") == 0 ? 2 : strcmp(sv, "warning") == 0 ? 1 : 0;
        ck_assert_msg(rank <= last, "flags out of severity order at %s", str(e, "code"));
        last = rank;
    }
    is_enum(j, "assessment", ASSESS);
    char prev[11] = "0000-00-00";
    cJSON_ArrayForEach(e, get(j, "next_actions"))
    {
        ck_assert(strlen(str(e, "action")) > 0);
        is_date(e, "due");
        ck_assert_msg(strcmp(prev, str(e, "due")) <= 0, "next_actions not by date");
        memcpy(prev, str(e, "due"), 11);
    }
}

START_TEST(report_json_types_follow_the_contract)
{
    /* a patient touching every part of the report */
    ck_assert_int_eq(ot_patient_reset(p, "P \"quoted\", with\ttab"), OT_OK);
    therapy(OT_AGENT_ALENDRONATE, "2019-01-15", NULL);
    bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.812, -2.7);
    bmd("2019-01-10", OT_SITE_TOTAL_HIP, 0.701, -2.0);
    bmd("2019-01-10", OT_SITE_RADIUS_33, 0.600, -2.2);
    bmd("2021-01-20", OT_SITE_LUMBAR_SPINE, 0.858, -2.3);
    bmd("2021-01-20", OT_SITE_TOTAL_HIP, 0.690, -2.1);
    bmd("2021-01-20", OT_SITE_RADIUS_33, 0.580, -2.4);
    bmd("2023-01-25", OT_SITE_LUMBAR_SPINE, 0.871, -2.2);
    marker("2019-01-10", OT_ANALYTE_CTX, 540);
    marker("2019-04-15", OT_ANALYTE_CTX, 190);
    marker("2019-01-10", OT_ANALYTE_P1NP, 52);
    marker("2019-04-15", OT_ANALYTE_P1NP, 40);
    fracture(OT_FX_WRIST, "2020-05-01");
    cJSON *j = report_json("2024-06-01");
    check_report_contract(j, "P \"quoted\", with\ttab", "2024-06-01");
    /* the radius has no default LSC: unknown is null, never 0 */
    const cJSON *e;
    int radius = 0;
    cJSON_ArrayForEach(e, get(j, "bmd"))
    {
        if (strcmp(str(e, "site"), "radius_33") == 0) {
            radius++;
            ck_assert(cJSON_IsNull(get(e, "lsc_g_cm2")));
            ck_assert_str_eq(str(e, "significance"), "not_comparable");
        }
    }
    ck_assert_int_eq(radius, 1);
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "trend")), 1); /* spine: 3 scans */
    /* P1NP 52 -> 40: -23.1 %, 40 >= 35: suboptimal; CTX responding */
    cJSON_ArrayForEach(e, get(j, "markers"))
    {
        if (strcmp(str(e, "analyte"), "p1np") == 0)
            ck_assert_str_eq(str(e, "response"), "suboptimal");
        else
            ck_assert_str_eq(str(e, "response"), "responding");
    }
    cJSON_Delete(j);
    /* an empty patient still has every field, with nothing known */
    ot_patient_reset(p, "EMPTY");
    j = report_json("2024-06-01");
    check_report_contract(j, "EMPTY", "2024-06-01");
    ck_assert_str_eq(str(j, "assessment"), "insufficient_data");
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "bmd")), 0);
    cJSON_Delete(j);
}
END_TEST

START_TEST(data_after_as_of_is_left_out)
{
    therapy(OT_AGENT_ALENDRONATE, "2019-01-15", NULL);
    bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.800, -2.6);
    bmd("2021-01-10", OT_SITE_LUMBAR_SPINE, 0.850, -2.2);
    bmd("2023-01-10", OT_SITE_LUMBAR_SPINE, 0.700, -3.4);
    /* as of 2022-01-01 the 2023 scan does not exist: one comparison,
     * +0.050 >= 0.0424, increase, and the latest T-score is -2.2 */
    cJSON *j = report_json("2022-01-01");
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "bmd")), 1);
    ck_assert_str_eq(str(j, "assessment"), "responding");
    ck_assert_double_eq(num(get(j, "tscore"), "lowest"), -2.2);
    cJSON_Delete(j);
    /* a course that starts after as_of is not in effect */
    ot_patient_reset(p, "R2");
    therapy(OT_AGENT_DENOSUMAB, "2022-06-01", NULL);
    bmd("2021-01-10", OT_SITE_LUMBAR_SPINE, 0.700, -3.0);
    ot_report *r = report("2022-01-01");
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ot_report_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* CSV rows (ot_rowreader over an in-memory file)                      */
/* ------------------------------------------------------------------ */
typedef struct memcsv {
    FILE *f;
    ot_rowreader *rr;
} memcsv;

static memcsv csv_open(char *text, ot_input_format fmt)
{
    memcsv m;
    m.f = fmemopen(text, strlen(text), "r");
    ck_assert_ptr_nonnull(m.f);
    ot_error err = {0, ""};
    ck_assert_msg(ot_rowreader_open(&m.rr, rd, m.f, "t.csv", fmt, &err) == OT_OK, "%s",
                  err.message);
    return m;
}
static void csv_close(memcsv *m)
{
    ot_rowreader_close(m->rr);
    fclose(m->f);
}
static void expect_reject(memcsv *m, long line, const char *what)
{
    ot_row row;
    ot_error err = {0, ""};
    int rc = ot_rowreader_next(m->rr, &row, &err);
    ck_assert_msg(rc < 0, "line %ld accepted", line);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t.csv:%ld: ", line);
    ck_assert_msg(strncmp(err.message, prefix, strlen(prefix)) == 0 && strstr(err.message, what),
                  "'%s' should start '%s' and name '%s'", err.message, prefix, what);
}

START_TEST(long_csv_rows)
{
    /* BOM, CRLF, headers in another order and case, a quoted id with a
     * comma, aliases (spine, lunar), units converted, an unknown column */
    char text[] =
        "\xEF\xBB\xBFPatient_ID,Analyte,DATE,Site,Value,Unit,TScore,Device,Manufacturer,"
        "Therapy,Therapy_Start,comment\r\n"
        "\"Doe, Jane\",bmd,2019-01-10,spine,812,mg/cm2,-2.7,DXA-1,lunar,,,first\r\n"
        "\"Doe, Jane\",ctx,2019-01-10,,0.54,ng/mL,,,,,,\r\n"
        "\"Doe, Jane\",p1np,2019-04-15,,28,ng/mL,,,,Fosamax,2019-01-15,\"a \"\"note\"\"\"\r\n"
        "\"Doe, Jane\",fracture,2020-06-01,vertebral,,,,,,alendronate,,\r\n"
        "X,bmd,2019-13-01,spine,0.8,,,,,,,\r\n"
        "X,bmd,2019-01-01,knee,0.8,,,,,,,\r\n"
        "X,ctx,2019-01-01,,80000,ng/L,,,,,,\r\n"
        "X,p1np,2019-01-01,,50,mmol/L,,,,,,\r\n"
        "X,bmd,2019-01-01,spine,0.8,,,,,aspirin,,\r\n"
        "X,bmd,2019-01-01,spine,0.8,,,,siemens,,,\r\n"
        "Y,bmd,2019-01-01,hip,0.75,,,,,none,,\r\n";
    memcsv m = csv_open(text, OT_INPUT_AUTO);
    ck_assert_int_eq(ot_rowreader_format(m.rr), OT_INPUT_LONG_CSV);
    ck_assert_ptr_nonnull(ot_rowreader_warning(m.rr));
    ck_assert(strstr(ot_rowreader_warning(m.rr), "comment") != NULL);
    ot_row row;
    ot_error err = {0, ""};
    /* line 2: spine 812 mg/cm2 = 0.812 g/cm2, T -2.7, GE Lunar, DXA-1 */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.patient_id_len, 9);
    ck_assert(strncmp(row.patient_id, "Doe, Jane", 9) == 0);
    ck_assert_int_eq(row.line, 2);
    ck_assert_uint_eq(row.nrecords, 1);
    ck_assert_int_eq(row.records[0].kind, OT_REC_BMD);
    ck_assert_int_eq(row.records[0].site, OT_SITE_LUMBAR_SPINE);
    ck_assert_near(row.records[0].value, 0.812, 1e-12);
    ck_assert_near(row.records[0].tscore, -2.7, 1e-12);
    ck_assert_int_eq(row.records[0].manufacturer, OT_MFR_GE_LUNAR);
    ck_assert_str_eq(row.records[0].device, "DXA-1");
    ck_assert_int_eq(row.records[0].date, D("2019-01-10"));
    /* line 3: CTX 0.54 ng/mL = 540 ng/L */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.nrecords, 1);
    ck_assert_int_eq(row.records[0].kind, OT_REC_MARKER);
    ck_assert_int_eq(row.records[0].analyte, OT_ANALYTE_CTX);
    ck_assert_near(row.records[0].value, 540.0, 1e-9);
    /* line 4: P1NP 28 ng/mL = 28 ug/L, and alendronate (brand Fosamax) in
     * effect since 2019-01-15 */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_int_eq(row.line, 4);
    ck_assert_uint_eq(row.nrecords, 2);
    for (size_t i = 0; i < 2; i++) {
        const ot_record *rec = &row.records[i];
        if (rec->kind == OT_REC_MARKER) {
            ck_assert_int_eq(rec->analyte, OT_ANALYTE_P1NP);
            ck_assert_near(rec->value, 28.0, 1e-12);
        } else {
            ck_assert_int_eq(rec->kind, OT_REC_THERAPY);
            ck_assert_int_eq(rec->agent, OT_AGENT_ALENDRONATE);
            ck_assert_int_eq(rec->start, D("2019-01-15"));
            ck_assert_int_eq(rec->date, D("2019-04-15"));
        }
    }
    /* line 5: a vertebral fracture, alendronate with no start given */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.nrecords, 2);
    for (size_t i = 0; i < 2; i++) {
        const ot_record *rec = &row.records[i];
        if (rec->kind == OT_REC_FRACTURE)
            ck_assert_int_eq(rec->fracture, OT_FX_VERTEBRAL);
        else
            ck_assert_int_eq(rec->start, OT_DATE_NONE);
    }
    /* lines 6-11: each rejected with its line, and reading goes on */
    expect_reject(&m, 6, "2019-13-01");
    expect_reject(&m, 7, "knee");
    expect_reject(&m, 8, "80000");
    expect_reject(&m, 9, "mmol/L");
    expect_reject(&m, 10, "aspirin");
    expect_reject(&m, 11, "siemens");
    /* line 12: therapy none is a record too */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_int_eq(row.line, 12);
    ck_assert_uint_eq(row.nrecords, 2);
    ck_assert(row.records[0].kind == OT_REC_THERAPY || row.records[1].kind == OT_REC_THERAPY);
    for (size_t i = 0; i < 2; i++)
        if (row.records[i].kind == OT_REC_THERAPY)
            ck_assert_int_eq(row.records[i].agent, OT_AGENT_NONE);
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 0);
    csv_close(&m);
}
END_TEST

START_TEST(wide_csv_visit_row)
{
    char text[] = "patient_id,date,lumbar_spine_bmd,total_hip_bmd,lumbar_spine_tscore,p1np,ctx,"
                  "device,manufacturer,therapy,therapy_start\n"
                  "W1,2020-01-10,0.800,0.700,-2.6,55,600,DXA-1,hologic,,\n"
                  "W1,2020-04-15,,,,30,200,,,Prolia,2020-01-20\n";
    memcsv m = csv_open(text, OT_INPUT_AUTO);
    ck_assert_int_eq(ot_rowreader_format(m.rr), OT_INPUT_WIDE_CSV);
    ot_row row;
    ot_error err = {0, ""};
    /* one visit: spine (T -2.6) and hip (no T) scans, P1NP and CTX */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.nrecords, 4);
    int nbmd = 0, nmk = 0;
    for (size_t i = 0; i < row.nrecords; i++) {
        const ot_record *rec = &row.records[i];
        ck_assert_int_eq(rec->date, D("2020-01-10"));
        if (rec->kind == OT_REC_BMD) {
            nbmd++;
            ck_assert_int_eq(rec->manufacturer, OT_MFR_HOLOGIC);
            if (rec->site == OT_SITE_LUMBAR_SPINE)
                ck_assert_near(rec->tscore, -2.6, 1e-12);
            else
                ck_assert(rec->site == OT_SITE_TOTAL_HIP && isnan(rec->tscore));
        } else if (rec->kind == OT_REC_MARKER) {
            nmk++;
            ck_assert_near(rec->value, rec->analyte == OT_ANALYTE_P1NP ? 55.0 : 600.0, 1e-12);
        }
    }
    ck_assert_int_eq(nbmd, 2);
    ck_assert_int_eq(nmk, 2);
    /* the follow-up: two markers and denosumab (brand Prolia) since 2020-01-20 */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.nrecords, 3);
    for (size_t i = 0; i < row.nrecords; i++)
        if (row.records[i].kind == OT_REC_THERAPY) {
            ck_assert_int_eq(row.records[i].agent, OT_AGENT_DENOSUMAB);
            ck_assert_int_eq(row.records[i].start, D("2020-01-20"));
        }
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 0);
    csv_close(&m);
}
END_TEST

/* Reads every row of `text` into the patient, in the order given or reversed. */
static void load_rows(char *text, int reversed)
{
    static ot_row rows[16];
    size_t n = 0;
    memcsv m = csv_open(text, OT_INPUT_LONG_CSV);
    ot_error err = {0, ""};
    int rc;
    while ((rc = ot_rowreader_next(m.rr, &rows[n], &err)) == 1) {
        /* rows borrow the patient id and device until the next call: add now
         * when in order; reversed, only the record values are kept (no device) */
        if (!reversed)
            for (size_t i = 0; i < rows[n].nrecords; i++)
                ck_assert_msg(ot_patient_add_record(p, rd, &rows[n].records[i], rows[n].line,
                                                    &err) == OT_OK,
                              "%s", err.message);
        else
            for (size_t i = 0; i < rows[n].nrecords; i++)
                rows[n].records[i].device = NULL;
        n++;
        ck_assert_uint_lt(n, 16);
    }
    ck_assert_msg(rc == 0, "%s", err.message);
    csv_close(&m);
    if (reversed)
        while (n-- > 0)
            for (size_t i = 0; i < rows[n].nrecords; i++)
                ck_assert_msg(ot_patient_add_record(p, rd, &rows[n].records[i], rows[n].line,
                                                    &err) == OT_OK,
                              "%s", err.message);
}

START_TEST(csv_therapy_courses_inferred_from_rows)
{
    /* alendronate is named from 2019-06-01 with therapy_start 2019-05-20:
     * the course starts 2019-05-20; it ends on the first later date naming
     * another agent (denosumab, 2021-06-01). Denosumab starts on the first
     * date it is named (no therapy_start) and ends on 2022-06-01, when
     * "none" is named. As of 2022-07-01 nothing is in effect, and denosumab
     * stopped with no follow-on: DENOSUMAB_DISCONTINUATION_RISK. */
    char text[] = "patient_id,date,analyte,site,value,therapy,therapy_start\n"
                  "A,2019-01-10,bmd,spine,0.800,,\n"
                  "A,2019-06-01,bmd,hip,0.700,alendronate,2019-05-20\n"
                  "A,2020-06-01,bmd,spine,0.820,alendronate,\n"
                  "A,2021-06-01,bmd,spine,0.830,denosumab,\n"
                  "A,2021-12-01,bmd,hip,0.720,denosumab,\n"
                  "A,2022-06-01,bmd,spine,0.850,none,\n";
    char copy[sizeof text];
    memcpy(copy, text, sizeof text);
    ot_patient_reset(p, "A");
    load_rows(text, 0);
    ot_report *r = report("2022-07-01");
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
    cJSON *j = json_of(r);
    const cJSON *th = get(j, "therapy");
    ck_assert(cJSON_IsNull(get(th, "current")));
    const cJSON *courses = get(th, "courses");
    ck_assert_int_eq(cJSON_GetArraySize(courses), 2);
    const cJSON *c0 = cJSON_GetArrayItem(courses, 0), *c1 = cJSON_GetArrayItem(courses, 1);
    ck_assert_str_eq(str(c0, "agent"), "alendronate");
    ck_assert_str_eq(str(c0, "start"), "2019-05-20");
    ck_assert_str_eq(str(c0, "end"), "2021-06-01");
    ck_assert_str_eq(str(c1, "agent"), "denosumab");
    ck_assert_str_eq(str(c1, "start"), "2021-06-01");
    ck_assert_str_eq(str(c1, "end"), "2022-06-01");
    char *a = NULL, *b = NULL;
    ck_assert_int_eq(ot_report_to_json(&a, r, 0), OT_OK);
    cJSON_Delete(j);
    ot_report_free(r);
    /* rows need not be in date order: the same rows backwards give the same
     * courses (devices are absent from these rows anyway) */
    ot_patient_reset(p, "A");
    load_rows(copy, 1);
    r = report("2022-07-01");
    ck_assert_int_eq(ot_report_to_json(&b, r, 0), OT_OK);
    ck_assert_str_eq(a, b);
    ot_free(a);
    ot_free(b);
    ot_report_free(r);
    /* an ongoing course from rows: alendronate named twice, no end: current */
    char text2[] = "patient_id,date,analyte,site,value,therapy\n"
                   "B,2020-01-10,bmd,spine,0.800,alendronate\n"
                   "B,2022-01-10,bmd,spine,0.810,alendronate\n";
    ot_patient_reset(p, "B");
    load_rows(text2, 0);
    j = report_json("2022-06-01");
    th = get(j, "therapy");
    ck_assert_str_eq(str(th, "current"), "alendronate");
    ck_assert_str_eq(str(th, "since"), "2020-01-10");
    ck_assert_int_eq(cJSON_GetArraySize(get(th, "courses")), 1);
    ck_assert(cJSON_IsNull(get(cJSON_GetArrayItem(get(th, "courses"), 0), "end")));
    cJSON_Delete(j);
}
END_TEST

/* ------------------------------------------------------------------ */
/* More report rules                                                   */
/* ------------------------------------------------------------------ */
START_TEST(failure_is_judged_on_the_current_therapy)
{
    /* two fractures on alendronate (2018-05-01, 2019-05-01): possible failure
     * then. The switch to denosumab on 2020-01-01 is the answer to it; 17
     * months on, the fractures were not incident on denosumab. */
    therapy(OT_AGENT_ALENDRONATE, "2017-01-01", "2020-01-01");
    therapy(OT_AGENT_DENOSUMAB, "2020-01-01", NULL);
    fracture(OT_FX_VERTEBRAL, "2018-05-01");
    fracture(OT_FX_WRIST, "2019-05-01");
    ck_assert(flagged("2019-06-01", OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert(!flagged("2020-06-01", OT_FLAG_POSSIBLE_TREATMENT_FAILURE)); /* 5 months */
    ck_assert(!flagged("2021-06-01", OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
}
END_TEST

START_TEST(course_ending_after_as_of_is_in_effect)
{
    /* denosumab until 2023-01-10; as of 2022-06-01 that end lies in the
     * future: the patient is on denosumab, nothing has stopped */
    therapy(OT_AGENT_DENOSUMAB, "2018-01-10", "2023-01-10");
    bmd("2018-01-05", OT_SITE_LUMBAR_SPINE, 0.770, -2.8);
    ot_report *r = report("2022-06-01");
    ck_assert_ptr_null(flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
    ck_assert_ptr_null(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    cJSON *j = json_of(r);
    ck_assert_str_eq(str(get(j, "therapy"), "current"), "denosumab");
    cJSON_Delete(j);
    ot_report_free(r);
    /* as of 2023-03-01 it has stopped, with no follow-on */
    ck_assert(flagged("2023-03-01", OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
}
END_TEST

START_TEST(late_follow_on_after_anabolic)
{
    /* teriparatide ended 2022-01-01; alendronate only from 2022-04-01, three
     * months later: data/monitoring.json followon_grace_months (1) says a
     * later start counts as none */
    therapy(OT_AGENT_TERIPARATIDE, "2020-01-01", "2022-01-01");
    therapy(OT_AGENT_ALENDRONATE, "2022-04-01", NULL);
    ck_assert(flagged("2022-06-01", OT_FLAG_SEQUENTIAL_THERAPY_NEEDED));
    /* within the month (2022-01-20) it is a follow-on */
    ot_patient_reset(p, "R2");
    therapy(OT_AGENT_TERIPARATIDE, "2020-01-01", "2022-01-01");
    therapy(OT_AGENT_ALENDRONATE, "2022-01-20", NULL);
    ck_assert(!flagged("2022-06-01", OT_FLAG_SEQUENTIAL_THERAPY_NEEDED));
}
END_TEST

START_TEST(vs_previous_after_a_device_change)
{
    /* A: 0.800 (2019), 0.830 (2020); B: 0.950 (2021), 0.990 (2022).
     * The 2021 scan is not comparable and starts a new baseline; the 2022
     * scan compares with it: +0.040 < 5.3 % x 0.950 = 0.05035: stable, and
     * vs_previous is the same pair (the previous comparable scan). */
    bmd("2019-01-10", OT_SITE_TOTAL_HIP, 0.800, -1.8);
    bmd("2020-01-10", OT_SITE_TOTAL_HIP, 0.830, -1.6);
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    m.site = OT_SITE_TOTAL_HIP;
    m.device = "DXA-2";
    m.manufacturer = OT_MFR_HOLOGIC;
    m.value = 0.950;
    m.date = D("2021-01-10");
    ck_assert_int_eq(ot_patient_add_bmd(p, rd, &m, -1.5, 0, NULL), OT_OK);
    m.value = 0.990;
    m.date = D("2022-01-10");
    ck_assert_int_eq(ot_patient_add_bmd(p, rd, &m, -1.2, 0, NULL), OT_OK);
    cJSON *j = report_json("2022-06-01");
    const cJSON *b = get(j, "bmd");
    ck_assert_int_eq(cJSON_GetArraySize(b), 3);
    /* 2020: +0.030 < 5 % x 0.800 = 0.040: stable */
    ck_assert_str_eq(str(cJSON_GetArrayItem(b, 0), "significance"), "stable");
    ck_assert_str_eq(str(cJSON_GetArrayItem(b, 1), "significance"), "not_comparable");
    const cJSON *e = cJSON_GetArrayItem(b, 2);
    ck_assert_str_eq(str(e, "baseline_date"), "2021-01-10");
    ck_assert_near(num(e, "lsc_g_cm2"), 0.0475, 1e-9); /* total hip 5 % x 0.950 */
    ck_assert_str_eq(str(e, "significance"), "stable");
    ck_assert_str_eq(str(get(e, "vs_previous"), "baseline_date"), "2021-01-10");
    ck_assert_near(num(get(e, "vs_previous"), "change_g_cm2"), 0.040, 1e-9);
    cJSON_Delete(j);
}
END_TEST

START_TEST(months_on_therapy_selects_the_expected_window)
{
    /* scans 24 months apart, but only 6 months on alendronate: the seed
     * range applies from 12 months on treatment, so none applies */
    ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
    a.value = 0.800;
    b.value = 0.840;
    a.date = D("2019-01-10");
    b.date = D("2021-01-10");
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.therapy = OT_AGENT_ALENDRONATE;
    o.months_on_therapy = 6.0;
    ot_bmd_result r;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    ck_assert_int_eq(r.expected.found, 0);
    ck_assert_int_eq(r.vs_expected, OT_VS_UNKNOWN);
    o.months_on_therapy = 36.0; /* the window's upper edge */
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    ck_assert_int_eq(r.expected.found, 1);
    ck_assert_near(r.expected.window_lo_months, 12.0, 1e-12);
    ck_assert_near(r.expected.window_hi_months, 36.0, 1e-12);
}
END_TEST

START_TEST(tscore_uses_each_site_latest)
{
    /* spine scanned once (2019, -2.6); hip in 2019 (-2.0) and 2023 (-1.8):
     * the latest of each site are -2.6 and -1.8; the lowest is -2.6 */
    bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.780, -2.6);
    bmd("2019-01-10", OT_SITE_TOTAL_HIP, 0.700, -2.0);
    bmd("2023-01-10", OT_SITE_TOTAL_HIP, 0.720, -1.8);
    cJSON *j = report_json("2023-06-01");
    const cJSON *t = get(j, "tscore");
    ck_assert_double_eq(num(t, "lowest"), -2.6);
    ck_assert_str_eq(str(t, "lowest_site"), "lumbar_spine");
    ck_assert_str_eq(str(t, "category"), "osteoporosis");
    cJSON_Delete(j);
    /* the spine rescanned at -2.3: now the latest spine is -2.3; the diagnosis
     * made at -2.6 persists */
    bmd("2023-01-10", OT_SITE_LUMBAR_SPINE, 0.800, -2.3);
    j = report_json("2023-06-01");
    t = get(j, "tscore");
    ck_assert_double_eq(num(t, "lowest"), -2.3);
    ck_assert_str_eq(str(t, "category"), "low_bone_mass");
    ck_assert(cJSON_IsTrue(get(t, "osteoporosis_diagnosis")));
    cJSON_Delete(j);
    ck_assert(flagged("2023-06-01", OT_FLAG_DIAGNOSIS_PERSISTS));
}
END_TEST

START_TEST(markers_of_current_course_else_latest)
{
    /* alendronate 2019-01-15 to 2021-01-15 with CTX 540 -> 190 (responding);
     * denosumab since, with no markers of its own: the assessment judges
     * the current course from its own period only, so alendronate's markers
     * do not count for it: insufficient data */
    therapy(OT_AGENT_ALENDRONATE, "2019-01-15", "2021-01-15");
    therapy(OT_AGENT_DENOSUMAB, "2021-01-15", NULL);
    marker("2019-01-10", OT_ANALYTE_CTX, 540);
    marker("2019-04-15", OT_ANALYTE_CTX, 190);
    ot_report *r = report("2021-03-01");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INSUFFICIENT_DATA);
    ot_report_free(r);
    /* with no course in effect, the course that stopped last is judged: as of
     * 2021-01-20, with only alendronate on record (ended 2021-01-15),
     * responding "while treated" */
    ot_patient_reset(p, "M2");
    therapy(OT_AGENT_ALENDRONATE, "2019-01-15", "2021-01-15");
    marker("2019-01-10", OT_ANALYTE_CTX, 540);
    marker("2019-04-15", OT_ANALYTE_CTX, 190);
    r = report("2021-01-20");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_RESPONDING);
    ck_assert(strstr(ot_report_summary(r), "Assessment while treated: responding") != NULL);
    ot_report_free(r);
    ot_patient_reset(p, "M1");
    therapy(OT_AGENT_ALENDRONATE, "2019-01-15", "2021-01-15");
    therapy(OT_AGENT_DENOSUMAB, "2021-01-15", NULL);
    marker("2019-01-10", OT_ANALYTE_CTX, 540);
    marker("2019-04-15", OT_ANALYTE_CTX, 190);
    /* the current course's own markers, when it has them, decide: CTX 400
     * (2021-01-10) -> 350 (2021-04-15): -12.5 %, 350 >= 280: suboptimal */
    marker("2021-01-10", OT_ANALYTE_CTX, 400);
    marker("2021-04-15", OT_ANALYTE_CTX, 350);
    r = report("2021-05-01");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INADEQUATE_RESPONSE);
    const ot_flag *f = flag(r, OT_FLAG_SUBOPTIMAL_SUPPRESSION);
    ck_assert_ptr_nonnull(f);
    ck_assert(strstr(f->message, "tablet") == NULL); /* not an oral agent */
    ot_report_free(r);
}
END_TEST

START_TEST(facility_config_in_the_report)
{
    /* a facility spine LSC of 0.028 g/cm2 and a CTX LSC of 40 %:
     * spine 0.800 -> 0.840 (+0.040 >= 0.028) is an increase, and no
     * DEFAULT_LSC_USED for the spine; CTX 600 -> 350 is -41.7 %, more than
     * 40 % (not more than the default 56 %, and 350 >= 280): responding */
    ot_error err = {0, ""};
    ck_assert_msg(ot_refdata_apply_config_text(
                      rd,
                      "{\"kind\":\"osteotrack-facility\",\"facility\":\"Unit R\","
                      "\"lsc\":{\"lumbar_spine\":{\"g_cm2\":0.028}},"
                      "\"markers\":{\"ctx\":{\"lsc_pct\":40}}}",
                      "unit-r.json", &err) == OT_OK,
                  "%s", err.message);
    therapy(OT_AGENT_ALENDRONATE, "2019-01-15", NULL);
    bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.800, -2.6);
    bmd("2021-01-10", OT_SITE_LUMBAR_SPINE, 0.840, -2.3);
    bmd("2019-01-10", OT_SITE_TOTAL_HIP, 0.700, -2.0);
    bmd("2021-01-10", OT_SITE_TOTAL_HIP, 0.710, -1.9);
    marker("2019-01-10", OT_ANALYTE_CTX, 600);
    marker("2019-04-15", OT_ANALYTE_CTX, 350);
    ot_report *r = report("2021-06-01");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_RESPONDING);
    for (size_t i = 0; i < ot_report_flag_count(r); i++) {
        const ot_flag *f = ot_report_flag(r, i);
        if (f->code == OT_FLAG_DEFAULT_LSC_USED)
            ck_assert_int_eq(f->site, OT_SITE_TOTAL_HIP); /* the hip still uses it */
    }
    cJSON *j = json_of(r);
    const cJSON *e = cJSON_GetArrayItem(get(j, "bmd"), 0);
    ck_assert_str_eq(str(e, "site"), "lumbar_spine");
    ck_assert_near(num(e, "lsc_g_cm2"), 0.028, 1e-12);
    ck_assert(cJSON_IsFalse(get(e, "lsc_default")));
    ck_assert(strstr(str(e, "lsc_source"), "unit-r.json") != NULL ||
              strstr(str(e, "lsc_source"), "Unit R") != NULL);
    ck_assert_str_eq(str(e, "significance"), "increase");
    const cJSON *m = cJSON_GetArrayItem(get(j, "markers"), 0);
    ck_assert_near(num(m, "lsc_pct"), 40.0, 1e-12);
    ck_assert_str_eq(str(m, "response"), "responding");
    cJSON_Delete(j);
    ot_report_free(r);
}
END_TEST

START_TEST(patient_document_aliases_and_units)
{
    /* mg/cm2, site and manufacturer aliases, a brand name, CTX in ng/mL,
     * P1NP in ng/mL; they must come out canonical */
    const char *doc =
        "{\"patient_id\":\"J1\",\"therapies\":[{\"agent\":\"Fosamax\",\"start\":\"2019-01-15\","
        "\"end\":null}],\"observations\":["
        "{\"date\":\"2019-01-10\",\"analyte\":\"bmd\",\"site\":\"L1-L4\",\"value\":812,"
        "\"unit\":\"mg/cm2\",\"device\":\"D\",\"manufacturer\":\"GE\",\"tscore\":-2.7},"
        "{\"date\":\"2021-01-20\",\"analyte\":\"bmd\",\"site\":\"LS\",\"value\":0.858,"
        "\"unit\":\"g/cm^2\",\"device\":\"D\",\"manufacturer\":\"lunar\",\"tscore\":-2.3},"
        "{\"date\":\"2019-01-10\",\"analyte\":\"ctx\",\"value\":0.54,\"unit\":\"ng/mL\"},"
        "{\"date\":\"2019-04-15\",\"analyte\":\"ctx\",\"value\":190,\"unit\":\"pg/mL\"},"
        "{\"date\":\"2019-01-10\",\"analyte\":\"p1np\",\"value\":52,\"unit\":\"ng/mL\"},"
        "{\"date\":\"2019-04-15\",\"analyte\":\"p1np\",\"value\":28,\"unit\":\"mcg/L\"}],"
        "\"fractures\":[{\"date\":\"2020-06-01\",\"site\":\"hip\"}]}";
    size_t n = 0;
    ot_error err = {0, ""};
    ck_assert_msg(ot_patient_from_json(p, rd, doc, strlen(doc), NULL, NULL, &n, &err) == OT_OK,
                  "%s", err.message);
    ck_assert_uint_eq(n, 8); /* 1 therapy, 6 observations, 1 fracture */
    cJSON *j = report_json("2021-06-01");
    const cJSON *e = cJSON_GetArrayItem(get(j, "bmd"), 0);
    /* one manufacturer under two aliases: comparable; 0.812 -> 0.858 is
     * +0.046 >= 5.3 % x 0.812 = 0.043036: increase */
    ck_assert_str_eq(str(e, "site"), "lumbar_spine");
    ck_assert_double_eq(num(e, "baseline_g_cm2"), 0.812);
    ck_assert_near(num(e, "lsc_g_cm2"), 0.043036, 1e-9);
    ck_assert_str_eq(str(e, "significance"), "increase");
    const cJSON *m;
    int seen = 0;
    cJSON_ArrayForEach(m, get(j, "markers"))
    {
        seen++;
        if (strcmp(str(m, "analyte"), "ctx") == 0) {
            ck_assert_str_eq(str(m, "unit"), "ng/L");
            ck_assert_double_eq(num(m, "baseline"), 540);
            ck_assert_double_eq(num(m, "value"), 190);
        } else {
            ck_assert_str_eq(str(m, "unit"), "ug/L");
            ck_assert_double_eq(num(m, "value"), 28);
        }
        ck_assert_str_eq(str(m, "therapy"), "alendronate");
    }
    ck_assert_int_eq(seen, 2);
    /* a hip fracture on treatment, 16 months in: one incident fracture, with
     * markers responding and BMD rising, is not failure */
    ck_assert(cJSON_IsNull(get(j, "treatment_failure")));
    cJSON_Delete(j);
}
END_TEST

START_TEST(fracture_after_as_of_is_not_yet_known)
{
    /* "Data dated after as_of is left out". No therapy, no T-score, a wrist
     * fracture on 2023-01-01: as of 2023-02-01 it is on record (with no
     * T-score it is no diagnosis: FRACTURE_WITHOUT_DIAGNOSIS), as of
     * 2022-12-01 it is not. */
    fracture(OT_FX_WRIST, "2023-01-01");
    ck_assert(flagged("2023-02-01", OT_FLAG_FRACTURE_WITHOUT_DIAGNOSIS));
    ck_assert(!flagged("2022-12-01", OT_FLAG_FRACTURE_WITHOUT_DIAGNOSIS));
    /* a hip fracture after as_of makes no diagnosis yet either */
    fracture(OT_FX_HIP, "2023-03-01");
    cJSON *j = report_json("2022-06-01");
    ck_assert(cJSON_IsFalse(get(get(j, "tscore"), "osteoporosis_diagnosis")));
    cJSON_Delete(j);
    /* Fixed after review (was): as of 2022-06-01 neither fracture has happened, yet the report
     * raises UNTREATED_OSTEOPOROSIS (alert) "hip fragility fracture on
     * 2023-03-01, and no osteoporosis therapy in effect on 2022-06-01".
     * due_untreated() in src/lib/report_rules.c tests `r->nfx == 0` and names
     * r->fx[r->nfx - 1] over every fracture on record; copy_patient() in
     * src/lib/report.c does not drop fractures after as_of (the other rules
     * check `fx.date <= as_of` themselves). */
    ck_assert(!flagged("2022-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
}
END_TEST

START_TEST(course_starting_after_as_of_is_not_on_record)
{
    /* A spine gain (0.700 -> 0.760: +0.060 >= 0.0371) and a T-score of -3.0,
     * with denosumab to start on 2022-06-01. As of 2022-01-01 nothing is in
     * effect: UNTREATED_OSTEOPOROSIS, current null. */
    therapy(OT_AGENT_DENOSUMAB, "2022-06-01", NULL);
    bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.700, -3.0);
    bmd("2021-01-10", OT_SITE_LUMBAR_SPINE, 0.760, -2.6);
    ot_report *r = report("2022-01-01");
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ck_assert_ptr_null(flag(r, OT_FLAG_DXA_DUE)); /* not during treatment */
    cJSON *j = json_of(r);
    ck_assert(cJSON_IsNull(get(get(j, "therapy"), "current")));
    /* Fixed after review (was): the course dated after as_of is data after as_of, yet
     * copy_patient() (src/lib/report.c) keeps every course: therapy.courses
     * lists it, the summary reads "No osteoporosis therapy in effect (last:
     * denosumab from 2022-06-01) ... Assessment while treated: responding",
     * and ot_report_assess() (src/lib/report_rules.c, `r->ncourses == 0`)
     * gives "responding" where README says "insufficient_data when no
     * therapy is on record". */
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INSUFFICIENT_DATA);
    ck_assert_int_eq(cJSON_GetArraySize(get(get(j, "therapy"), "courses")), 0);
    ck_assert(strstr(ot_report_summary(r), "2022-06-01") == NULL);
    /* Fixed after review (was): the course was left out but not counted in
     * after_as_of, which the README says is never silent. One course after
     * as_of, nothing else: count 1, first date its start. */
    const cJSON *after = get(j, "after_as_of");
    ck_assert_int_eq((int)num(after, "count"), 1);
    ck_assert_str_eq(str(after, "first_date"), "2022-06-01");
    cJSON_Delete(j);
    ot_report_free(r);
}
END_TEST

START_TEST(denosumab_followon_must_follow_the_stop)
{
    /* denosumab 2018-01-10 to 2021-01-10; a short alendronate course inside
     * it (2019-01-01 to 2019-06-01) ended 19 months before denosumab stopped.
     * README: the risk holds "when denosumab ended and no antiresorptive
     * started within a month of the end"; 2019-01-01 is not. Control: the
     * same without the nested course is flagged. */
    therapy(OT_AGENT_DENOSUMAB, "2018-01-10", "2021-01-10");
    ck_assert(flagged("2021-06-01", OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
    therapy(OT_AGENT_ALENDRONATE, "2019-01-01", "2019-06-01");
    cJSON *j = report_json("2021-06-01");
    /* the last injection (2021-01-10) still covers 2021-06-01 */
    ck_assert_str_eq(str(get(j, "therapy"), "current"), "denosumab");
    ck_assert_int_eq(cJSON_GetArraySize(get(get(j, "therapy"), "courses")), 2);
    cJSON_Delete(j);
    /* Fixed after review (was): with the nested course the alert is gone. has_followon() in
     * src/lib/report_rules.c accepts any antiresorptive with
     * `x->start >= c->start && x->start <= end + grace`, i.e. one started
     * (and even ended) during denosumab. The same test serves
     * SEQUENTIAL_THERAPY_NEEDED after teriparatide, abaloparatide or
     * romosozumab (teriparatide 2020-01-01 to 2022-01-01 with alendronate
     * 2020-06-01 to 2020-09-01: no flag). The summary then calls the nested
     * course the "last" therapy (the latest start, not the latest end). */
    ck_assert(flagged("2021-06-01", OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
    /* A course that ends on the day denosumab ends (alendronate 2020-06-01 to
     * 2021-01-10) carries nothing on: still flagged. A one-day zoledronate
     * infusion on that day (start = end = 2021-01-10) is a follow-on. */
    therapy(OT_AGENT_ALENDRONATE, "2020-06-01", "2021-01-10");
    ck_assert(flagged("2021-06-01", OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
    therapy(OT_AGENT_ZOLEDRONATE, "2021-01-10", "2021-01-10");
    ck_assert(!flagged("2021-06-01", OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
}
END_TEST

START_TEST(only_radius_is_used_for_diagnosis)
{
    /* docs/clinical-rules.md: diagnosis from the lowest of spine, total hip and femoral
     * neck, "one-third radius when those cannot be used". With a spine
     * T-score on record the radius is not used: -2.0, not the radius' -3.0. */
    bmd("2022-01-10", OT_SITE_RADIUS_33, 0.520, -3.0);
    bmd("2022-01-10", OT_SITE_LUMBAR_SPINE, 0.850, -2.0);
    cJSON *j = report_json("2022-06-01");
    ck_assert_double_eq(num(get(j, "tscore"), "lowest"), -2.0);
    ck_assert_str_eq(str(get(j, "tscore"), "category"), "low_bone_mass");
    cJSON_Delete(j);
    /* Fixed after review (was): with only the radius (T -3.0), the report has no T-score, no
     * diagnosis and no UNTREATED_OSTEOPOROSIS: ot_report_tscore()
     * (src/lib/report_rules.c) skips every radius scan (`o->site ==
     * OT_SITE_RADIUS_33 ... continue`). README ("the lowest of the latest
     * lumbar spine, total hip and femoral neck T-scores") leaves the radius
     * out; docs/clinical-rules.md keeps it as the fallback. */
    ot_patient_reset(p, "R2");
    bmd("2022-01-10", OT_SITE_RADIUS_33, 0.520, -3.0);
    j = report_json("2022-06-01");
    ck_assert_double_eq(num(get(j, "tscore"), "lowest"), -3.0);
    ck_assert_str_eq(str(get(j, "tscore"), "lowest_site"), "radius_33");
    ck_assert(cJSON_IsTrue(get(get(j, "tscore"), "osteoporosis_diagnosis")));
    cJSON_Delete(j);
    ck_assert(flagged("2022-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
}
END_TEST

START_TEST(marker_followup_overdue_stays_until_done)
{
    /* README: MARKER_FOLLOWUP_DUE "3 months after an antiresorptive or
     * anabolic starts, until a value after the start is on record".
     * teriparatide from 2021-01-10, P1NP baseline 2021-01-05, nothing since:
     * due 2021-04-10 (info before, warning when due). */
    therapy(OT_AGENT_TERIPARATIDE, "2021-01-10", NULL);
    marker("2021-01-05", OT_ANALYTE_P1NP, 45);
    ot_report *r = report("2021-03-01");
    ck_assert_int_eq(flag(r, OT_FLAG_MARKER_FOLLOWUP_DUE)->severity, OT_SEV_INFO);
    ot_report_free(r);
    r = report("2021-04-10");
    ck_assert_int_eq(flag(r, OT_FLAG_MARKER_FOLLOWUP_DUE)->severity, OT_SEV_WARNING);
    ot_report_free(r);
    /* Fixed after review (was): ten days overdue the flag is gone (and so is the next_actions
     * entry). due_markers() in src/lib/report_rules.c returns early when
     * months since the start exceed the rule's window (3 months for an
     * anabolic: the overdue warning shows on the due day only; 6 for an
     * antiresorptive). */
    ck_assert(flagged("2021-04-20", OT_FLAG_MARKER_FOLLOWUP_DUE));
    /* Fixed after review (was): any marker cleared it. The anabolic rule is
     * on P1NP: a CTX on 2021-03-15 (2.2 months in, inside the 1-3 month
     * window) leaves it due; a P1NP that day is the follow-up. */
    marker("2021-03-15", OT_ANALYTE_CTX, 300);
    ck_assert(flagged("2021-04-20", OT_FLAG_MARKER_FOLLOWUP_DUE));
    marker("2021-03-15", OT_ANALYTE_P1NP, 80);
    ck_assert(!flagged("2021-04-20", OT_FLAG_MARKER_FOLLOWUP_DUE));
    ot_patient_reset(p, "R2");
    therapy(OT_AGENT_ALENDRONATE, "2021-01-10", NULL);
    marker("2021-01-05", OT_ANALYTE_CTX, 600);
    ck_assert(flagged("2021-05-01", OT_FLAG_MARKER_FOLLOWUP_DUE));
    /* Fixed after review (was): the same at 7.2 months on alendronate: */
    ck_assert(flagged("2021-08-15", OT_FLAG_MARKER_FOLLOWUP_DUE));
}
END_TEST

START_TEST(loss_before_treatment_is_not_failure)
{
    /* spine 0.850 (2016) -> 0.790 (2018-01-10, untreated: -0.060 >= 0.04505,
     * a loss, which is why alendronate began 2018-03-01) -> 0.792 (2020-03-01,
     * on alendronate: +0.002 against the previous scan, stable). P1NP 70 ->
     * 60 at 3 months: suboptimal. On treatment BMD did not fall: docs/clinical-rules.md section 7
     * ("after at least a year of adherent treatment ... no significant marker
     * fall together with a significant BMD loss") does not hold. */
    therapy(OT_AGENT_ALENDRONATE, "2018-03-01", NULL);
    bmd("2016-01-10", OT_SITE_LUMBAR_SPINE, 0.850, -2.2);
    bmd("2018-01-10", OT_SITE_LUMBAR_SPINE, 0.790, -2.7);
    bmd("2020-03-01", OT_SITE_LUMBAR_SPINE, 0.792, -2.7);
    marker("2018-02-20", OT_ANALYTE_P1NP, 70);
    marker("2018-06-01", OT_ANALYTE_P1NP, 60);
    ot_report *r = report("2020-06-01");
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_SUBOPTIMAL_SUPPRESSION));
    cJSON *j = json_of(r);
    const cJSON *e = cJSON_GetArrayItem(get(j, "bmd"), 1);
    ck_assert_str_eq(str(e, "date"), "2020-03-01");
    ck_assert_str_eq(str(get(e, "vs_previous"), "significance"), "stable");
    cJSON_Delete(j);
    /* Fixed after review (was): the report says possible_treatment_failure ("a significant BMD
     * loss with no significant bone turnover marker response"): in
     * ot_report_failure() (src/lib/report_rules.c) `loss` is set by any entry
     * dated after the start whose baseline comparison is a decrease, and that
     * baseline (2016) predates the treatment; the loss on treatment (the
     * 2018 -> 2020 step) is nil. Expected: inadequate_response (suboptimal
     * markers), no failure. */
    ck_assert_ptr_null(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INADEQUATE_RESPONSE);
    ot_report_free(r);
}
END_TEST

/* Alendronate from 2018-03-01; spine 0.780 (2016), 0.850 (2018-01-10),
 * 0.820 (2019-06-10), `last` (2021-01-10); P1NP 70 -> 60 at 3 months. */
static void gradual_loss(double last)
{
    therapy(OT_AGENT_ALENDRONATE, "2018-03-01", NULL);
    bmd("2016-01-10", OT_SITE_LUMBAR_SPINE, 0.780, -2.6);
    bmd("2018-01-10", OT_SITE_LUMBAR_SPINE, 0.850, -2.2);
    bmd("2019-06-10", OT_SITE_LUMBAR_SPINE, 0.820, -2.4);
    bmd("2021-01-10", OT_SITE_LUMBAR_SPINE, last, -2.6);
    marker("2018-02-20", OT_ANALYTE_P1NP, 70);
    marker("2018-06-01", OT_ANALYTE_P1NP, 60);
}

START_TEST(gradual_loss_from_the_treatment_baseline)
{
    /* spine 0.780 (2016-01-10, untreated) -> 0.850 (2018-01-10: the last scan
     * before alendronate began 2018-03-01, the treatment baseline) -> 0.820
     * (2019-06-10) -> 0.790 (2021-01-10). Default LSC 5.3 %.
     * Latest against the segment baseline (2016): +0.010, within
     * 5.3 % x 0.780 = 0.04134: stable. Against the previous scan: -0.030,
     * within 5.3 % x 0.820 = 0.04346: stable (and 0.850 -> 0.820 is -0.030,
     * within 0.04505). Against the treatment baseline: -0.060, beyond
     * 5.3 % x 0.850 = 0.04505: a loss on treatment. P1NP 70 -> 60 at 3
     * months (-14.3 %, 60 >= 35): suboptimal. Loss + no marker response after
     * 34 months: possible treatment failure (docs/clinical-rules.md section 7). */
    gradual_loss(0.790);
    ot_report *r = report("2021-02-01");
    cJSON *j = json_of(r);
    const cJSON *e = cJSON_GetArrayItem(get(j, "bmd"), 2);
    ck_assert_str_eq(str(e, "date"), "2021-01-10");
    ck_assert_str_eq(str(e, "significance"), "stable");
    ck_assert_str_eq(str(get(e, "vs_previous"), "significance"), "stable");
    cJSON_Delete(j);
    /* Fixed after review (was): with the 2016 scan on record the loss from
     * 2018 was never measured and the report said inadequate_response only. */
    const ot_flag *f = flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS);
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(strstr(f->message, "0.060 g/cm2 (7.1%) from 2018-01-10 to 2021-01-10 on "
                                     "alendronate") != NULL, "%s", f->message);
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_POSSIBLE_TREATMENT_FAILURE);
    ot_report_free(r);
    /* Control: the same with the last scan at 0.810 (-0.040 from 0.850, within
     * 0.04505) is no loss and no failure. */
    ot_patient_reset(p, "G2");
    gradual_loss(0.810);
    r = report("2021-02-01");
    ck_assert_ptr_null(flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS));
    ck_assert_ptr_null(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INADEQUATE_RESPONSE);
    ot_report_free(r);
}
END_TEST

Suite *suite_review(void)
{
    Suite *s = suite_create("review");
    TCase *tc = tcase_create("review");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pct_lsc_boundary_awkward_baselines);
    tcase_add_test(tc, mg_cm2_values_and_json_rounding);
    tcase_add_test(tc, months_across_month_ends_and_leap_years);
    tcase_add_test(tc, expected_range_edges_exact);
    tcase_add_test(tc, marker_boundaries_in_other_units);
    tcase_add_test(tc, marker_window_edges_at_month_end);
    tcase_add_test(tc, report_marker_followup_before_window);
    tcase_add_test(tc, tscore_minus_2_45_is_not_osteoporosis);
    tcase_add_test(tc, tscore_computed_hip_and_unknown);
    tcase_add_test(tc, wrist_fracture_is_no_diagnosis);
    tcase_add_test(tc, due_dates_at_month_ends);
    tcase_add_test(tc, fractures_before_treatment_are_not_incident);
    tcase_add_test(tc, failure_one_fracture_no_marker_response);
    tcase_add_test(tc, failure_no_marker_response_and_bmd_loss);
    tcase_add_test(tc, loss_against_previous_scan_is_inadequate);
    tcase_add_test(tc, denosumab_stop_then_late_bisphosphonate);
    tcase_add_test(tc, drug_holiday_contiguous_alendronate_then_risedronate);
    tcase_add_test(tc, anabolic_then_denosumab_needs_nothing);
    tcase_add_test(tc, romosozumab_twelve_month_course);
    tcase_add_test(tc, report_json_types_follow_the_contract);
    tcase_add_test(tc, data_after_as_of_is_left_out);
    tcase_add_test(tc, long_csv_rows);
    tcase_add_test(tc, wide_csv_visit_row);
    tcase_add_test(tc, csv_therapy_courses_inferred_from_rows);
    tcase_add_test(tc, failure_is_judged_on_the_current_therapy);
    tcase_add_test(tc, course_ending_after_as_of_is_in_effect);
    tcase_add_test(tc, late_follow_on_after_anabolic);
    tcase_add_test(tc, vs_previous_after_a_device_change);
    tcase_add_test(tc, months_on_therapy_selects_the_expected_window);
    tcase_add_test(tc, tscore_uses_each_site_latest);
    tcase_add_test(tc, markers_of_current_course_else_latest);
    tcase_add_test(tc, facility_config_in_the_report);
    tcase_add_test(tc, patient_document_aliases_and_units);
    tcase_add_test(tc, fracture_after_as_of_is_not_yet_known);
    tcase_add_test(tc, course_starting_after_as_of_is_not_on_record);
    tcase_add_test(tc, denosumab_followon_must_follow_the_stop);
    tcase_add_test(tc, only_radius_is_used_for_diagnosis);
    tcase_add_test(tc, marker_followup_overdue_stays_until_done);
    tcase_add_test(tc, loss_before_treatment_is_not_failure);
    tcase_add_test(tc, gradual_loss_from_the_treatment_baseline);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * A second, independent reading of the clinical rules (docs/clinical-rules.md,
 * README.md, osteotrack(1)), through the public API only, written without reading the
 * rule code: single BMD comparisons and expected ranges, hand-worked boundary cases with
 * the arithmetic beside each.
 */
#include "review_fixture.h"

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
    /* the LSC's confirmed mark is its source's, in the sources object */
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "lsc_confirmed"));
    int confirmed = -1;
    json_citation(j, str(j, "lsc_source"), &confirmed);
    ck_assert_int_eq(confirmed, 0);
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
/* Expected range by months on therapy                                 */
/* ------------------------------------------------------------------ */
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

Suite *suite_review_bmd(void)
{
    Suite *s = suite_create("review_bmd");
    TCase *tc = tcase_create("review_bmd");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pct_lsc_boundary_awkward_baselines);
    tcase_add_test(tc, mg_cm2_values_and_json_rounding);
    tcase_add_test(tc, months_across_month_ends_and_leap_years);
    tcase_add_test(tc, expected_range_edges_exact);
    tcase_add_test(tc, months_on_therapy_selects_the_expected_window);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * A second, independent reading of the clinical rules (docs/clinical-rules.md,
 * README.md, osteotrack(1)), through the public API only, written without reading the
 * rule code: bone turnover marker assessments, hand-worked boundary cases with the
 * arithmetic beside each.
 */
#include "review_fixture.h"

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

Suite *suite_review_markers(void)
{
    Suite *s = suite_create("review_markers");
    TCase *tc = tcase_create("review_markers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, marker_boundaries_in_other_units);
    tcase_add_test(tc, marker_window_edges_at_month_end);
    suite_add_tcase(s, tc);
    return s;
}

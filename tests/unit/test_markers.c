/* Bone turnover markers: each branch of the rule, hand-worked. */
#include "suites.h"

#include <string.h>

static ot_refdata *rd;
static void setup(void) { rd = test_refdata(); }
static void teardown(void) { ot_refdata_free(rd); }

static ot_marker_measure M(ot_analyte a, double v, ot_unit u, const char *date)
{
    ot_marker_measure m = OT_MARKER_MEASURE_INIT;
    m.analyte = a;
    m.value = v;
    m.unit = u;
    if (date)
        ck_assert_int_eq(ot_date_parse(&m.date, date), OT_OK);
    return m;
}

static ot_marker_result assess(ot_marker_measure b, ot_marker_measure f, ot_agent agent,
                               const char *start)
{
    ot_marker_options o = OT_MARKER_OPTIONS_INIT;
    o.therapy = agent;
    if (start)
        ck_assert_int_eq(ot_date_parse(&o.therapy_start, start), OT_OK);
    ot_marker_result r;
    ot_error err = {0, ""};
    ck_assert_msg(ot_marker_assess(&r, rd, &b, &f, &o, &err) == OT_OK, "%s", err.message);
    return r;
}

#define CTX(v) M(OT_ANALYTE_CTX, (v), OT_UNIT_CANONICAL, NULL)
#define P1NP(v) M(OT_ANALYTE_P1NP, (v), OT_UNIT_CANONICAL, NULL)

START_TEST(ctx_fall_more_than_lsc_responds)
{
    /* CTX 540 -> 190 ng/L on alendronate: (190 - 540) / 540 = -64.8 %;
     * a fall of 64.8 % > LSC 56 %: responding (190 < 280 too). */
    ot_marker_result r = assess(CTX(540), CTX(190), OT_AGENT_ALENDRONATE, NULL);
    ck_assert_near(r.change_abs, -350.0, 1e-9);
    ck_assert_near(r.change_pct, -64.8148148, 1e-6);
    ck_assert_near(r.lsc_pct, 56.0, 1e-12);
    ck_assert_near(r.target, 280.0, 1e-12);
    ck_assert_int_eq(r.rule, OT_RULE_ANTIRESORPTIVE);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    ck_assert_uint_eq(r.nflags, 0);
}
END_TEST

START_TEST(ctx_small_fall_above_target_suboptimal)
{
    /* CTX 540 -> 300: (300 - 540) / 540 = -44.4 %, not more than 56 %;
     * 300 is not below 280: suboptimal, SUBOPTIMAL_SUPPRESSION. */
    ot_marker_result r = assess(CTX(540), CTX(300), OT_AGENT_ALENDRONATE, NULL);
    ck_assert_near(r.change_pct, -44.4444444, 1e-6);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    ck_assert_uint_eq(r.nflags, 1);
    ck_assert_int_eq(r.flags[0].code, OT_FLAG_SUBOPTIMAL_SUPPRESSION);
    ck_assert_int_eq(r.flags[0].analyte, OT_ANALYTE_CTX);
    /* the message names what to check; for an oral agent, how it is taken */
    ck_assert(strstr(r.flags[0].message, "adherence") != NULL);
    ck_assert(strstr(r.flags[0].message, "tablet") != NULL);
    ck_assert(strstr(r.flags[0].message, "secondary causes") != NULL);
    /* on denosumab the message has no tablet advice */
    r = assess(CTX(540), CTX(300), OT_AGENT_DENOSUMAB, NULL);
    ck_assert(strstr(r.flags[0].message, "tablet") == NULL);
}
END_TEST

START_TEST(ctx_below_target_responds_without_lsc_fall)
{
    /* CTX 400 -> 250: fall 37.5 % < 56 %, but 250 < 280: responding */
    ot_marker_result r = assess(CTX(400), CTX(250), OT_AGENT_RISEDRONATE, NULL);
    ck_assert_near(r.change_pct, -37.5, 1e-9);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* boundaries: exactly the target is not below it, and a fall of exactly
     * the LSC is not more than it. 500 -> 280: -44 %, 280 = target: suboptimal */
    r = assess(CTX(500), CTX(280), OT_AGENT_RISEDRONATE, NULL);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    /* 1000 -> 440: (440 - 1000) / 1000 = -56 % exactly: not more than 56 % */
    r = assess(CTX(1000), CTX(440), OT_AGENT_RISEDRONATE, NULL);
    ck_assert_near(r.change_pct, -56.0, 1e-9);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    /* 1000 -> 439: -56.1 %: responding */
    r = assess(CTX(1000), CTX(439), OT_AGENT_RISEDRONATE, NULL);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
}
END_TEST

START_TEST(ctx_ng_ml_same_as_ng_l)
{
    /* 0.54 ng/mL x 1000 = 540 ng/L; 0.19 ng/mL = 190 ng/L: the first case */
    ot_marker_result r = assess(M(OT_ANALYTE_CTX, 0.54, OT_UNIT_NG_ML, NULL),
                                M(OT_ANALYTE_CTX, 0.19, OT_UNIT_NG_ML, NULL),
                                OT_AGENT_ALENDRONATE, NULL);
    ck_assert_near(r.baseline, 540.0, 1e-9);
    ck_assert_near(r.value, 190.0, 1e-9);
    ck_assert_near(r.change_pct, -64.8148148, 1e-6);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    ck_assert_int_eq(r.unit, OT_UNIT_NG_L);
}
END_TEST

START_TEST(p1np_antiresorptive)
{
    /* P1NP 60 -> 30 ug/L on zoledronate: -50 % > 38 %: responding */
    ot_marker_result r = assess(P1NP(60), P1NP(30), OT_AGENT_ZOLEDRONATE, NULL);
    ck_assert_near(r.lsc_pct, 38.0, 1e-12);
    ck_assert_near(r.target, 35.0, 1e-12);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* 60 -> 45: -25 %, 45 >= 35: suboptimal */
    r = assess(P1NP(60), P1NP(45), OT_AGENT_ZOLEDRONATE, NULL);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
}
END_TEST

START_TEST(p1np_anabolic)
{
    /* teriparatide: P1NP 45 -> 62 ug/L is +17 > 10: responding */
    ot_marker_result r = assess(P1NP(45), P1NP(62), OT_AGENT_TERIPARATIDE, NULL);
    ck_assert_near(r.change_abs, 17.0, 1e-12);
    ck_assert_near(r.rise_threshold, 10.0, 1e-12);
    ck_assert_int_eq(r.rule, OT_RULE_ANABOLIC);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    ck_assert(isnan(r.lsc_pct) && isnan(r.target));
    /* 45 -> 50 is +5, not more than 10: suboptimal, INADEQUATE_ANABOLIC_RESPONSE */
    r = assess(P1NP(45), P1NP(50), OT_AGENT_TERIPARATIDE, NULL);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    ck_assert_int_eq(r.flags[0].code, OT_FLAG_INADEQUATE_ANABOLIC_RESPONSE);
    /* exactly +10 (45 -> 55) is not more than 10 */
    r = assess(P1NP(45), P1NP(55), OT_AGENT_ABALOPARATIDE, NULL);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    /* ng/mL is ug/L: 45 -> 62 ng/mL responds the same */
    r = assess(M(OT_ANALYTE_P1NP, 45, OT_UNIT_NG_ML, NULL), M(OT_ANALYTE_P1NP, 62, OT_UNIT_NG_ML, NULL),
               OT_AGENT_TERIPARATIDE, NULL);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
}
END_TEST

START_TEST(not_assessable_cases)
{
    /* CTX alone on an anabolic */
    ot_marker_result r = assess(CTX(300), CTX(500), OT_AGENT_TERIPARATIDE, NULL);
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
    ck_assert(strstr(r.reason, "CTX alone") != NULL);
    /* romosozumab, no therapy */
    r = assess(P1NP(45), P1NP(80), OT_AGENT_ROMOSOZUMAB, NULL);
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
    ck_assert(strstr(r.reason, "romosozumab") != NULL);
    r = assess(CTX(540), CTX(190), OT_AGENT_NONE, NULL);
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
    ck_assert_uint_eq(r.nflags, 0);
}
END_TEST

START_TEST(timing_window)
{
    /* alendronate began 2024-01-08; baseline that day; follow-up 3 months
     * later (2024-04-08): inside 2-6 months, assessed */
    ot_marker_result r = assess(M(OT_ANALYTE_CTX, 540, OT_UNIT_NG_L, "2024-01-08"),
                                M(OT_ANALYTE_CTX, 190, OT_UNIT_NG_L, "2024-04-08"),
                                OT_AGENT_ALENDRONATE, "2024-01-08");
    ck_assert_near(r.months_from_start, 3.0, 1e-12);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* the window's edges are inside: 2024-03-08 is 2 months, 2024-07-08 is 6 */
    r = assess(M(OT_ANALYTE_CTX, 540, OT_UNIT_NG_L, "2024-01-08"),
               M(OT_ANALYTE_CTX, 190, OT_UNIT_NG_L, "2024-07-08"), OT_AGENT_ALENDRONATE,
               "2024-01-08");
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* 12 months later: outside, not assessable */
    r = assess(M(OT_ANALYTE_CTX, 540, OT_UNIT_NG_L, "2024-01-08"),
               M(OT_ANALYTE_CTX, 190, OT_UNIT_NG_L, "2025-01-08"), OT_AGENT_ALENDRONATE,
               "2024-01-08");
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
    ck_assert(strstr(r.reason, "12.0 months") != NULL);
    /* the baseline drawn after the start is not a pre-treatment value */
    r = assess(M(OT_ANALYTE_CTX, 540, OT_UNIT_NG_L, "2024-02-01"),
               M(OT_ANALYTE_CTX, 190, OT_UNIT_NG_L, "2024-04-08"), OT_AGENT_ALENDRONATE,
               "2024-01-08");
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
    ck_assert(strstr(r.reason, "after alendronate began") != NULL);
    /* anabolic window 1-3 months: 5 months is outside */
    r = assess(M(OT_ANALYTE_P1NP, 45, OT_UNIT_UG_L, "2024-01-08"),
               M(OT_ANALYTE_P1NP, 62, OT_UNIT_UG_L, "2024-06-08"), OT_AGENT_TERIPARATIDE, NULL);
    ck_assert_int_eq(r.response, OT_RESP_NOT_ASSESSABLE);
}
END_TEST

START_TEST(bad_marker_input)
{
    ot_marker_result r;
    ot_error err = {0, ""};
    ot_marker_measure b = CTX(540), f = CTX(80000);
    /* a CTX of 80,000 ng/L is implausible */
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, &err), OT_ERANGE);
    ck_assert(strstr(err.message, "CTX 80000 ng/L") != NULL);
    /* P1NP of 0 and of 5,000 ug/L */
    b = P1NP(45);
    f = P1NP(0);
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, &err), OT_ERANGE);
    f = P1NP(5000);
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, &err), OT_ERANGE);
    /* a BMD unit for a marker; ng/L for P1NP */
    f = M(OT_ANALYTE_P1NP, 50, OT_UNIT_MG_CM2, NULL);
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, &err), OT_EUNIT);
    f = M(OT_ANALYTE_P1NP, 50, OT_UNIT_NG_L, NULL);
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, &err), OT_EUNIT);
    /* analytes differ; BMD is not a marker */
    f = CTX(300);
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, &err), OT_EVOCAB);
    b = M(OT_ANALYTE_BMD, 0.8, OT_UNIT_G_CM2, NULL);
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, &err), OT_EVOCAB);
    /* follow-up before baseline */
    b = M(OT_ANALYTE_CTX, 540, OT_UNIT_NG_L, "2024-04-08");
    f = M(OT_ANALYTE_CTX, 190, OT_UNIT_NG_L, "2024-01-08");
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, NULL, &err), OT_EDATE);
}
END_TEST

START_TEST(facility_marker_config)
{
    /* a facility LSC of 40 % for CTX: 540 -> 300 (-44.4 %) now responds */
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_refdata_apply_config_text(
                         rd, "{\"kind\":\"osteotrack-facility\",\"facility\":\"Lab B\","
                             "\"markers\":{\"ctx\":{\"lsc_pct\":40}}}", "lab.json", &err),
                     OT_OK);
    ot_marker_result r = assess(CTX(540), CTX(300), OT_AGENT_ALENDRONATE, NULL);
    ck_assert_near(r.lsc_pct, 40.0, 1e-12);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* one id per analyte for the facility's lsc and target; the citation names the lab */
    ck_assert_str_eq(r.lsc_source, "facility-markers-ctx");
    ck_assert(strstr(test_citation(rd, r.lsc_source, NULL), "Lab B") != NULL);
    ck_assert_int_eq(ot_refdata_apply_config_text(
                         rd, "{\"kind\":\"osteotrack-facility\",\"markers\":{\"bmd\":{}}}",
                         "lab.json", &err),
                     OT_EDATA);
    ck_assert(strstr(err.message, "markers.bmd") != NULL);
}
END_TEST

START_TEST(marker_json)
{
    ot_marker_result r = assess(CTX(540), CTX(190), OT_AGENT_ALENDRONATE, NULL);
    char *json = NULL;
    ck_assert_int_eq(ot_marker_result_to_json(&json, &r, 0), OT_OK);
    const char *fields[] = {"\"analyte\":\"ctx\"", "\"unit\":\"ng/L\"", "\"baseline\":540",
                            "\"change_abs\":-350", "\"change_pct\":-64.8148", "\"lsc_pct\":56",
                            "\"target\":280", "\"response\":\"responding\""};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        ck_assert_msg(strstr(json, fields[i]) != NULL, "missing %s in %s", fields[i], json);
    ot_free(json);
    ck_assert_str_eq(ot_response_name(OT_RESP_NOT_ASSESSABLE), "not_assessable");
}
END_TEST

Suite *suite_markers(void)
{
    Suite *s = suite_create("markers");
    TCase *tc = tcase_create("markers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ctx_fall_more_than_lsc_responds);
    tcase_add_test(tc, ctx_small_fall_above_target_suboptimal);
    tcase_add_test(tc, ctx_below_target_responds_without_lsc_fall);
    tcase_add_test(tc, ctx_ng_ml_same_as_ng_l);
    tcase_add_test(tc, p1np_antiresorptive);
    tcase_add_test(tc, p1np_anabolic);
    tcase_add_test(tc, not_assessable_cases);
    tcase_add_test(tc, timing_window);
    tcase_add_test(tc, bad_marker_input);
    tcase_add_test(tc, facility_marker_config);
    tcase_add_test(tc, marker_json);
    suite_add_tcase(s, tc);
    return s;
}

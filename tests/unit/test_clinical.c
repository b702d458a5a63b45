/* Who the patient is, and therapy as it is given: the audit's corrections.
 * Each case is worked by hand in its comment; boundaries on both sides. */
#include "patient_fixture.h"

#include <stdio.h>
#include <string.h>

static void setup(void)
{
    rd = test_refdata();
    ck_assert_int_eq(ot_patient_new(&p, "C1"), OT_OK);
}

static void teardown(void)
{
    ot_patient_free(p);
    ot_refdata_free(rd);
}

static const cJSON *tscore_of(const cJSON *j) { return get(j, "tscore"); }

/* ------------------------------------------------------------------ */
/* Which reference applies                                             */
/* ------------------------------------------------------------------ */
START_TEST(age_on_the_scan_date_decides)
{
    /* a man born 1975-06-10 is 49 on 2025-06-09 and 50 on 2025-06-10; as of
     * 2025-07-01 he is 50 either way: the scan's own date decides */
    who(OT_SEX_MALE, "1975-06-10", OT_MENOPAUSE_UNKNOWN);
    scan("2025-06-09", OT_SITE_FEMORAL_NECK, 0.560, -2.7, -1.9);
    cJSON *j = report_json("2025-07-01");
    ck_assert_str_eq(str(tscore_of(j), "reference"), "z_score");
    ck_assert_str_eq(str(tscore_of(j), "category"), "within_expected_range_for_age");
    ck_assert(cJSON_IsFalse(get(tscore_of(j), "osteoporosis_diagnosis")));
    ck_assert(cJSON_IsNull(get(tscore_of(j), "lowest")));
    ck_assert_near(num(tscore_of(j), "lowest_zscore"), -1.9, 1e-9);
    ck_assert_near(num(get(j, "patient"), "age"), 50, 1e-9);
    cJSON_Delete(j);
    ck_assert(!flagged("2025-07-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ot_patient_reset(p, "C2");
    who(OT_SEX_MALE, "1975-06-10", OT_MENOPAUSE_UNKNOWN);
    scan("2025-06-10", OT_SITE_FEMORAL_NECK, 0.560, -2.7, -1.9);
    j = report_json("2025-07-01");
    ck_assert_str_eq(str(tscore_of(j), "reference"), "t_score");
    ck_assert_str_eq(str(tscore_of(j), "category"), "osteoporosis");
    ck_assert(cJSON_IsTrue(get(tscore_of(j), "osteoporosis_diagnosis")));
    ck_assert_str_eq(str(tscore_of(j), "diagnosis_rule"), "who_t_score");
    /* men are judged against the white-female reference, and the report says so */
    ck_assert(strstr(str(tscore_of(j), "note"), "white-female NHANES III") != NULL);
    cJSON_Delete(j);
    ck_assert(flagged("2025-07-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
}
END_TEST

START_TEST(zscore_boundary)
{
    /* a premenopausal woman: Z <= -2.0 is below the expected range for age */
    who(OT_SEX_FEMALE, "1985-01-01", OT_MENOPAUSE_PRE);
    scan("2024-01-10", OT_SITE_LUMBAR_SPINE, 0.845, -2.6, -2.0);
    cJSON *j = report_json("2024-06-01");
    ck_assert_str_eq(str(tscore_of(j), "category"), "below_expected_range_for_age");
    /* a T-score of -2.6 does not diagnose osteoporosis from BMD alone here */
    ck_assert(cJSON_IsFalse(get(tscore_of(j), "osteoporosis_diagnosis")));
    cJSON_Delete(j);
    ot_report *r = report("2024-06-01");
    ck_assert_ptr_null(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ck_assert_ptr_null(flag(r, OT_FLAG_DEMOGRAPHICS_ASSUMED)); /* all given */
    ck_assert(strstr(ot_report_summary(r), "Z-score -2.0 at the lumbar spine: below the "
                                           "expected range for age") != NULL);
    ot_report_free(r);
    ot_patient_reset(p, "C2");
    who(OT_SEX_FEMALE, "1985-01-01", OT_MENOPAUSE_PRE);
    scan("2024-01-10", OT_SITE_LUMBAR_SPINE, 0.845, -2.6, -1.9);
    j = report_json("2024-06-01");
    ck_assert_str_eq(str(tscore_of(j), "category"), "within_expected_range_for_age");
    cJSON_Delete(j);
    /* a hip fragility fracture still makes the diagnosis, and untreated it is an alert */
    fracture(OT_FX_HIP, "2024-02-01");
    ck_assert(flagged("2024-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
}
END_TEST

START_TEST(what_is_assumed_is_said)
{
    /* no sex: the WHO classification, said */
    scan("2024-01-10", OT_SITE_LUMBAR_SPINE, 0.780, -2.6, NAN);
    ot_report *r = report("2024-06-01");
    const ot_flag *f = flag(r, OT_FLAG_DEMOGRAPHICS_ASSUMED);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, OT_SEV_INFO);
    ck_assert(strstr(f->message, "sex and birth date not given") != NULL);
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS)); /* T -2.6 */
    ot_report_free(r);
    /* a woman of 45 with no status: taken as premenopausal, said */
    who(OT_SEX_FEMALE, "1979-03-01", OT_MENOPAUSE_UNKNOWN);
    r = report("2024-06-01");
    f = flag(r, OT_FLAG_DEMOGRAPHICS_ASSUMED);
    ck_assert_ptr_nonnull(f);
    ck_assert(strstr(f->message, "taken as premenopausal (aged 44 on 2024-01-10") != NULL);
    ck_assert_ptr_null(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ot_report_free(r);
    /* a woman of 55 with no status: postmenopausal, said in the note only */
    ot_patient_reset(p, "C2");
    who(OT_SEX_FEMALE, "1969-03-01", OT_MENOPAUSE_UNKNOWN);
    scan("2024-01-10", OT_SITE_LUMBAR_SPINE, 0.780, -2.6, NAN);
    cJSON *j = report_json("2024-06-01");
    ck_assert_str_eq(str(tscore_of(j), "reference"), "t_score");
    ck_assert(strstr(str(tscore_of(j), "note"), "taken as postmenopausal") != NULL);
    cJSON_Delete(j);
    ck_assert(!flagged("2024-06-01", OT_FLAG_DEMOGRAPHICS_ASSUMED));
    /* a premenopausal woman with no birth date: her status decides (Z-scores),
     * and nothing had to be assumed */
    ot_patient_reset(p, "C3");
    who(OT_SEX_FEMALE, NULL, OT_MENOPAUSE_PRE);
    scan("2024-01-10", OT_SITE_LUMBAR_SPINE, 0.780, -2.6, -2.1);
    j = report_json("2024-06-01");
    ck_assert_str_eq(str(tscore_of(j), "reference"), "z_score");
    ck_assert(cJSON_IsFalse(get(tscore_of(j), "osteoporosis_diagnosis")));
    cJSON_Delete(j);
    ck_assert(!flagged("2024-06-01", OT_FLAG_DEMOGRAPHICS_ASSUMED));
    ot_patient_reset(p, "C2");
    who(OT_SEX_FEMALE, "1969-03-01", OT_MENOPAUSE_UNKNOWN);
    scan("2024-01-10", OT_SITE_LUMBAR_SPINE, 0.780, -2.6, NAN);
    /* a conflicting sex is refused and changes nothing */
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_patient_set_demographics(p, OT_SEX_MALE, OT_DATE_NONE,
                                                 OT_MENOPAUSE_UNKNOWN, &err), OT_ECONFLICT);
    ck_assert(strstr(err.message, "sex") != NULL);
    j = report_json("2024-06-01");
    ck_assert_str_eq(str(get(j, "patient"), "sex"), "female");
    cJSON_Delete(j);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Fractures as clinicians classify them (NBHA 2014, IOF 2012)         */
/* ------------------------------------------------------------------ */
START_TEST(nbha_sites_at_three_tscores)
{
    /* hip: osteoporosis at any BMD; vertebral, humerus, pelvis, wrist: with
     * low bone mass, T < -1.0 (so -1.1 and -2.4, not -1.0); the others never
     * (and -2.4 is above -2.5: no diagnosis from BMD either) */
    static const double ts[] = {-1.0, -1.1, -2.4};
    for (int s = 0; s < OT_FX_COUNT; s++)
        for (int k = 0; k < 3; k++) {
            char id[32];
            snprintf(id, sizeof id, "N%d-%d", s, k);
            ot_patient_reset(p, id);
            who(OT_SEX_FEMALE, "1950-01-01", OT_MENOPAUSE_POST);
            scan("2023-01-10", OT_SITE_FEMORAL_NECK, 0.700, ts[k], NAN);
            fracture((ot_fracture_site)s, "2023-03-01");
            int low = s == OT_FX_VERTEBRAL || s == OT_FX_HUMERUS || s == OT_FX_PELVIS ||
                      s == OT_FX_WRIST;
            int expect = s == OT_FX_HIP || (low && k > 0);
            cJSON *j = report_json("2023-06-01");
            ck_assert_msg(cJSON_IsBool(get(tscore_of(j), "osteoporosis_diagnosis")) &&
                              cJSON_IsTrue(get(tscore_of(j), "osteoporosis_diagnosis")) == expect,
                          "%s at T %.1f", ot_fracture_site_name((ot_fracture_site)s), ts[k]);
            if (expect)
                ck_assert_str_eq(str(tscore_of(j), "diagnosis_rule"),
                                 s == OT_FX_HIP ? "nbha_fracture_any_bmd"
                                                : "nbha_fracture_with_low_bone_mass");
            cJSON_Delete(j);
            /* the report never contradicts itself */
            ck_assert_int_eq(flagged("2023-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS), expect);
            ck_assert_int_eq(flagged("2023-06-01", OT_FLAG_FRACTURE_WITHOUT_DIAGNOSIS),
                             low && !expect);
        }
}
END_TEST

START_TEST(iof_counts_only_its_fractures)
{
    /* two fractures on alendronate after more than a year: a hand and a toe
     * are not counted by the IOF criteria: no failure; two wrist fractures are */
    therapy(OT_AGENT_ALENDRONATE, "2020-01-01", NULL);
    fracture(OT_FX_HAND_FINGER, "2021-03-01");
    fracture(OT_FX_FOOT_TOE, "2021-06-01");
    ck_assert(!flagged("2022-01-01", OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    fracture(OT_FX_ANKLE, "2021-07-01");
    fracture(OT_FX_SKULL_FACE, "2021-08-01");
    ck_assert(!flagged("2022-01-01", OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    fracture(OT_FX_WRIST, "2021-09-01");
    ck_assert(!flagged("2022-01-01", OT_FLAG_POSSIBLE_TREATMENT_FAILURE)); /* one */
    fracture(OT_FX_OTHER, "2021-10-01");
    ot_report *r = report("2022-01-01");
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE));
    ck_assert(strstr(flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE)->message,
                     "2 incident fragility fractures") != NULL);
    ot_report_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The bisphosphonate review (ASBMR 2016)                              */
/* ------------------------------------------------------------------ */
static cJSON *review_of(const char *as_of)
{
    cJSON *j = report_json(as_of);
    return j;
}

static int has_reason(const cJSON *j, const char *code)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, get(get(j, "bisphosphonate_review"), "reasons"))
        if (!strcmp(x->valuestring, code))
            return 1;
    return 0;
}

static const char *recommendation(const cJSON *j)
{
    const cJSON *v = get(get(j, "bisphosphonate_review"), "recommendation");
    return cJSON_IsString(v) ? v->valuestring : "null";
}

START_TEST(review_reasons_each)
{
    /* alendronate from 2018-01-01: the review is due 60 months on, 2023-01-01 */
    therapy(OT_AGENT_ALENDRONATE, "2018-01-01", NULL);
    cJSON *j = review_of("2022-12-31");
    ck_assert_str_eq(recommendation(j), "null"); /* not yet due */
    ck_assert_str_eq(str(get(j, "bisphosphonate_review"), "due"), "2023-01-01");
    cJSON_Delete(j);
    j = review_of("2023-01-01");
    ck_assert_str_eq(recommendation(j), "consider_holiday");
    ck_assert_int_eq(cJSON_GetArraySize(get(get(j, "bisphosphonate_review"), "reasons")), 0);
    cJSON_Delete(j);
    /* a total hip T-score of -2.4 is no reason; -2.5 is */
    scan("2022-06-01", OT_SITE_TOTAL_HIP, 0.650, -2.4, NAN);
    j = review_of("2023-01-01");
    ck_assert_str_eq(recommendation(j), "consider_holiday");
    cJSON_Delete(j);
    scan("2022-09-01", OT_SITE_TOTAL_HIP, 0.640, -2.5, NAN);
    j = review_of("2023-01-01");
    ck_assert_str_eq(recommendation(j), "continue");
    ck_assert(has_reason(j, "hip_tscore_at_or_below_-2.5"));
    /* continuing: the next review at 10 years */
    ck_assert_str_eq(str(get(j, "bisphosphonate_review"), "due"), "2028-01-01");
    cJSON_Delete(j);
    ot_report *r = report("2023-01-01");
    ck_assert(strstr(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW)->message, "continuing is favoured"));
    ot_report_free(r);

    /* a vertebral fracture before treatment: continue */
    ot_patient_reset(p, "V");
    therapy(OT_AGENT_ALENDRONATE, "2018-01-01", NULL);
    fracture(OT_FX_VERTEBRAL, "2017-06-01");
    j = review_of("2023-01-01");
    ck_assert_str_eq(recommendation(j), "continue");
    ck_assert(has_reason(j, "major_fracture_before_or_on_treatment"));
    ck_assert(!has_reason(j, "fracture_on_treatment"));
    cJSON_Delete(j);

    /* one other fracture before treatment is no reason; two are */
    ot_patient_reset(p, "O");
    therapy(OT_AGENT_ALENDRONATE, "2018-01-01", NULL);
    fracture(OT_FX_WRIST, "2016-06-01");
    j = review_of("2023-01-01");
    ck_assert_str_eq(recommendation(j), "consider_holiday");
    cJSON_Delete(j);
    fracture(OT_FX_PELVIS, "2017-06-01");
    j = review_of("2023-01-01");
    ck_assert_str_eq(recommendation(j), "continue");
    ck_assert(has_reason(j, "more_than_one_other_fracture"));
    cJSON_Delete(j);

    /* a fracture on treatment; a finger fracture is not osteoporotic */
    ot_patient_reset(p, "F");
    therapy(OT_AGENT_ALENDRONATE, "2018-01-01", NULL);
    fracture(OT_FX_HAND_FINGER, "2020-06-01");
    j = review_of("2023-01-01");
    ck_assert_str_eq(recommendation(j), "consider_holiday");
    cJSON_Delete(j);
    fracture(OT_FX_HUMERUS, "2020-06-01");
    j = review_of("2023-01-01");
    ck_assert_str_eq(recommendation(j), "continue");
    ck_assert(has_reason(j, "fracture_on_treatment"));
    ck_assert(!has_reason(j, "more_than_one_other_fracture"));
    cJSON_Delete(j);
    /* beyond 10 years (2028-01-01) the evidence ends: an individual decision */
    j = review_of("2028-01-01");
    ck_assert_str_eq(recommendation(j), "individual_decision");
    cJSON_Delete(j);
}
END_TEST

START_TEST(review_intravenous_counts_infusions)
{
    /* zoledronate once a year, 2019-01-10, 2020-01-10, 2021-01-10: five months
     * after the third infusion it is in effect (12 months each), and three
     * infusions are 3 years of treatment: the review is due now (ASBMR: 3
     * years intravenous), before the fourth, due 2022-01-10 */
    therapy(OT_AGENT_ZOLEDRONATE, "2019-01-10", "2019-01-10");
    therapy(OT_AGENT_ZOLEDRONATE, "2020-01-10", "2020-01-10");
    therapy(OT_AGENT_ZOLEDRONATE, "2021-01-10", "2021-01-10");
    scan("2019-01-05", OT_SITE_LUMBAR_SPINE, 0.760, -2.8, NAN);
    cJSON *j = review_of("2021-06-10");
    ck_assert_str_eq(str(get(j, "therapy"), "current"), "zoledronate");
    /* the three infusions follow on without a gap: one course, 2019-01-10 to
     * its last infusion, in effect until 2022-01-10 */
    ck_assert_int_eq(cJSON_GetArraySize(get(get(j, "therapy"), "courses")), 1);
    ck_assert_str_eq(str(get(j, "therapy"), "since"), "2019-01-10");
    ck_assert_str_eq(str(cJSON_GetArrayItem(get(get(j, "therapy"), "courses"), 0),
                         "in_effect_until"), "2022-01-10");
    ck_assert_near(num(get(j, "bisphosphonate_review"), "years_on_treatment"), 3.0, 1e-9);
    ck_assert_str_eq(str(get(j, "bisphosphonate_review"), "due"), "2022-01-10");
    ck_assert_str_eq(recommendation(j), "consider_holiday"); /* no reason (spine only) */
    cJSON_Delete(j);
    ot_report *r = report("2021-06-10");
    ck_assert_ptr_null(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW));
    ck_assert(strstr(ot_report_summary(r), "On zoledronate since 2019-01-10 (2.4 years)") != NULL);
    ot_report_free(r);
}
END_TEST

START_TEST(holiday_is_reviewed_not_untreated)
{
    /* alendronate 2014-01-01 to 2019-06-01 (65 months) with T -2.7 at the
     * spine: a holiday since 2019-06-01, reviewed 2 years on, 2021-06-01 */
    therapy(OT_AGENT_ALENDRONATE, "2014-01-01", "2019-06-01");
    scan("2013-12-01", OT_SITE_LUMBAR_SPINE, 0.760, -2.7, NAN);
    scan("2013-12-01", OT_SITE_TOTAL_HIP, 0.700, -2.0, NAN);
    ot_report *r = report("2020-06-01");
    ck_assert_ptr_null(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ck_assert_int_eq(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW)->severity, OT_SEV_INFO);
    ot_report_free(r);
    cJSON *j = review_of("2020-06-01");
    ck_assert_str_eq(str(get(j, "bisphosphonate_review"), "phase"), "holiday");
    ck_assert_str_eq(str(get(j, "bisphosphonate_review"), "due"), "2021-06-01");
    cJSON_Delete(j);
    r = report("2021-06-02");
    ck_assert_int_eq(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW)->severity, OT_SEV_WARNING);
    ck_assert(strstr(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW)->message, "(due 2021-06-01, overdue)"));
    ot_report_free(r);
    /* the spine falls 0.760 -> 0.700 g/cm2 on holiday: -7.9%, past the
     * default LSC of 5.3% (0.0403 g/cm2): the review is due now */
    scan("2020-12-01", OT_SITE_LUMBAR_SPINE, 0.700, -3.2, NAN);
    r = report("2021-01-01");
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_BMD_LOSS_OFF_TREATMENT));
    ck_assert_int_eq(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW)->severity, OT_SEV_WARNING);
    ck_assert(strstr(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW)->message, "reassess now") != NULL);
    ot_report_free(r);
    /* a vertebral fracture during the holiday: continue treatment, an alert */
    fracture(OT_FX_VERTEBRAL, "2020-03-01");
    j = review_of("2020-06-01");
    ck_assert_str_eq(recommendation(j), "continue");
    ck_assert(has_reason(j, "fracture_on_holiday"));
    /* the fracture came after treatment stopped: not one "before or on" it */
    ck_assert(!has_reason(j, "major_fracture_before_or_on_treatment"));
    cJSON_Delete(j);
    ck_assert(flagged("2020-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
    r = report("2020-06-01");
    ck_assert_int_eq(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW)->severity, OT_SEV_ALERT);
    ck_assert(strstr(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW)->message,
                     "with a fracture during the holiday") != NULL);
    ck_assert(strstr(flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW)->message,
                     "end the holiday and restart treatment") != NULL);
    ot_report_free(r);
    /* stopped after 2 years is no holiday: untreated */
    ot_patient_reset(p, "S");
    therapy(OT_AGENT_ALENDRONATE, "2016-01-01", "2018-01-01");
    scan("2015-12-01", OT_SITE_LUMBAR_SPINE, 0.760, -2.7, NAN);
    j = review_of("2020-06-01");
    ck_assert(cJSON_IsNull(get(j, "bisphosphonate_review")));
    cJSON_Delete(j);
    ck_assert(flagged("2020-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Injections and infusions                                            */
/* ------------------------------------------------------------------ */
START_TEST(infusion_twelfth_month)
{
    /* one infusion on 2020-01-10 is in effect until 2021-01-10 (exclusive) */
    dose(OT_AGENT_ZOLEDRONATE, "2020-01-10");
    ot_report *r = report("2021-01-09");
    ck_assert(current_is(r, "zoledronate"));
    ot_report_free(r);
    r = report("2021-01-10");
    ck_assert(!current_is(r, "zoledronate"));
    ot_report_free(r);
}
END_TEST

START_TEST(denosumab_dose_seven_months)
{
    /* doses 2020-01-10 and 2020-07-10, no end recorded: the next is due
     * 2021-01-10; more than 7 months after the last (2021-02-10) it is
     * overdue: on 2021-02-10 not yet, on 2021-02-11 an alert */
    dose(OT_AGENT_DENOSUMAB, "2020-01-10");
    dose(OT_AGENT_DENOSUMAB, "2020-07-10");
    ot_report *r = report("2021-01-09");
    ck_assert(current_is(r, "denosumab"));
    ot_report_free(r);
    ck_assert(!flagged("2021-02-10", OT_FLAG_DENOSUMAB_DOSE_OVERDUE));
    r = report("2021-02-11");
    ck_assert_int_eq(flag(r, OT_FLAG_DENOSUMAB_DOSE_OVERDUE)->severity, OT_SEV_ALERT);
    ck_assert(strstr(flag(r, OT_FLAG_DENOSUMAB_DOSE_OVERDUE)->message, "2021-01-10") != NULL);
    ck_assert_ptr_null(flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK)); /* not stopped */
    ot_report_free(r);
    /* with osteoporosis (T -3.0), an overdue injection is treatment late, not
     * no treatment: the overdue alert, no UNTREATED_OSTEOPOROSIS */
    scan("2020-01-05", OT_SITE_LUMBAR_SPINE, 0.700, -3.0, NAN);
    r = report("2021-02-11");
    ck_assert_ptr_nonnull(flag(r, OT_FLAG_DENOSUMAB_DOSE_OVERDUE));
    ck_assert_ptr_null(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS));
    ot_report_free(r);
    /* a dose 2021-03-01 is late: the course is split at the gap
     * (2020-07-10 -> 2021-03-01 is 7.7 months), and the next is due 2021-09-01 */
    dose(OT_AGENT_DENOSUMAB, "2021-03-01");
    cJSON *j = report_json("2021-04-01");
    ck_assert_int_eq(cJSON_GetArraySize(get(get(j, "therapy"), "courses")), 2);
    ck_assert_str_eq(str(get(j, "therapy"), "current"), "denosumab");
    cJSON_Delete(j);
    r = report("2021-04-01");
    ck_assert_ptr_null(flag(r, OT_FLAG_DENOSUMAB_DOSE_OVERDUE));
    /* the lapse is said: denosumab was resumed late */
    ck_assert(strstr(flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK)->message, "resumed") != NULL);
    ot_report_free(r);
}
END_TEST

START_TEST(denosumab_then_zoledronate_on_time)
{
    /* denosumab until its last injection 2021-01-10, zoledronate 2021-07-10
     * when the next injection would have been due: correct sequencing, and
     * never untreated in between */
    therapy(OT_AGENT_DENOSUMAB, "2019-01-10", "2021-01-10");
    therapy(OT_AGENT_ZOLEDRONATE, "2021-07-10", "2021-07-10");
    scan("2019-01-05", OT_SITE_LUMBAR_SPINE, 0.760, -2.8, NAN);
    for (int k = 0; k < 3; k++) {
        const char *as_of = (const char *[]){"2021-04-01", "2021-07-09", "2021-12-01"}[k];
        ot_report *r = report(as_of);
        ck_assert_msg(!flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK) ||
                          flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK)->severity !=
                              OT_SEV_ALERT, "%s", as_of);
        ck_assert_msg(!flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS), "%s", as_of);
        ot_report_free(r);
    }
    ck_assert(!flagged("2021-12-01", OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Time on and off treatment                                           */
/* ------------------------------------------------------------------ */
START_TEST(scan_a_day_before_and_after_the_start)
{
    /* spine 0.850 (2019-03-01) -> 0.790 (2021-02-28): -0.060 g/cm2, -7.06 %,
     * beyond 5.3 % x 0.850 = 0.04505: a significant loss, the day before
     * alendronate began on 2021-03-01: context, not a response */
    therapy(OT_AGENT_ALENDRONATE, "2021-03-01", NULL);
    scan("2019-03-01", OT_SITE_LUMBAR_SPINE, 0.850, -2.2, NAN);
    scan("2021-02-28", OT_SITE_LUMBAR_SPINE, 0.790, -2.7, NAN);
    ot_report *r = report("2021-07-01");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INSUFFICIENT_DATA);
    ck_assert_int_eq(flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS)->severity, OT_SEV_INFO);
    ck_assert(strstr(flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS)->message, "before alendronate began"));
    ck_assert(strstr(ot_report_summary(r), "before alendronate began (significant loss)"));
    cJSON *j = json_of(r);
    ck_assert_str_eq(str(cJSON_GetArrayItem(get(j, "bmd"), 0), "period"), "before_treatment");
    cJSON_Delete(j);
    ot_report_free(r);
    /* the same loss one day after the start is on treatment, measured from
     * the treatment baseline (the 2019 scan): inadequate response */
    ot_patient_reset(p, "C2");
    therapy(OT_AGENT_ALENDRONATE, "2021-03-01", NULL);
    scan("2019-03-01", OT_SITE_LUMBAR_SPINE, 0.850, -2.2, NAN);
    scan("2021-03-02", OT_SITE_LUMBAR_SPINE, 0.790, -2.7, NAN);
    r = report("2021-07-01");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INADEQUATE_RESPONSE);
    ck_assert_int_eq(flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS)->severity, OT_SEV_ALERT);
    j = json_of(r);
    ck_assert_str_eq(str(cJSON_GetArrayItem(get(j, "bmd"), 0), "period"), "on_treatment");
    ck_assert_str_eq(str(cJSON_GetArrayItem(get(get(j, "assessed_course"), "bmd"), 0),
                         "significance"), "decrease");
    cJSON_Delete(j);
    ot_report_free(r);
}
END_TEST

START_TEST(rebound_after_denosumab)
{
    /* spine 0.780 -> 0.881 on denosumab (+0.101, +12.9 %: a gain), then
     * 0.881 -> 0.802 after it stopped (-0.079, -9.0 %, beyond 5.3 % x 0.881 =
     * 0.0467): the assessment judges denosumab's own period (responding);
     * the loss after it is its own alert, and the summary shows it */
    therapy(OT_AGENT_DENOSUMAB, "2018-03-01", "2022-03-01");
    scan("2018-02-20", OT_SITE_LUMBAR_SPINE, 0.780, -2.7, NAN);
    scan("2022-02-15", OT_SITE_LUMBAR_SPINE, 0.881, -1.8, NAN);
    scan("2023-11-20", OT_SITE_LUMBAR_SPINE, 0.802, -2.5, NAN);
    ot_report *r = report("2024-06-01");
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_RESPONDING);
    const ot_flag *f = flag(r, OT_FLAG_BMD_LOSS_OFF_TREATMENT);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, OT_SEV_ALERT);
    ck_assert(strstr(f->message, "loss of 0.079 g/cm2 (9.0%)") != NULL);
    ck_assert(strstr(f->message, "rebound") != NULL);
    ck_assert_ptr_null(flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS)); /* said once, as off treatment */
    /* 0.780 -> 0.802 from the baseline is +0.022 (+2.8 %), within the LSC, but
     * it spans the gain and the loss: not told as "no significant change" */
    ck_assert_ptr_null(flag(r, OT_FLAG_CHANGE_WITHIN_LSC));
    const char *s = ot_report_summary(r);
    ck_assert_msg(strstr(s, "+12.9% from 2018-02-20 to 2022-02-15 on denosumab") &&
                      strstr(s, "-9.0% from 2022-02-15 to 2023-11-20 after denosumab stopped") &&
                      strstr(s, "Assessment while treated: responding"),
                  "%s", s);
    ot_report_free(r);
}
END_TEST

START_TEST(supplements_are_not_therapy)
{
    /* vitamin D and calcium are recorded but treat nothing: T -2.7 with only
     * supplements is untreated osteoporosis */
    therapy(OT_AGENT_VITAMIN_D, "2022-01-01", NULL);
    therapy(OT_AGENT_CALCIUM, "2022-01-01", NULL);
    scan("2022-01-05", OT_SITE_LUMBAR_SPINE, 0.760, -2.7, NAN);
    ot_report *r = report("2022-06-01");
    ck_assert(!current_is(r, "vitamin_d"));
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_INSUFFICIENT_DATA);
    ck_assert(strstr(flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS)->message, "supplements") != NULL);
    cJSON *j = json_of(r);
    ck_assert_str_eq(str(cJSON_GetArrayItem(get(get(j, "therapy"), "courses"), 0), "class"),
                     "supplement");
    cJSON_Delete(j);
    ot_report_free(r);
    /* raloxifene is therapy, but has no validated marker rule */
    therapy(OT_AGENT_RALOXIFENE, "2022-02-01", NULL);
    marker("2022-01-20", OT_ANALYTE_CTX, 500);
    marker("2022-05-01", OT_ANALYTE_CTX, 300);
    j = report_json("2022-06-01");
    ck_assert_str_eq(str(get(j, "therapy"), "current"), "raloxifene");
    ck_assert_str_eq(str(cJSON_GetArrayItem(get(j, "markers"), 0), "response"), "not_assessable");
    cJSON_Delete(j);
    ck_assert(!flagged("2022-06-01", OT_FLAG_UNTREATED_OSTEOPOROSIS));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Marker units and direction                                          */
/* ------------------------------------------------------------------ */
START_TEST(ctx_units_and_direction)
{
    ot_marker_measure m = OT_MARKER_MEASURE_INIT;
    ot_error err = {0, ""};
    m.analyte = OT_ANALYTE_CTX;
    m.date = D("2022-01-10");
    /* 9.9 ng/L is below 10: refused, with the unit it probably was */
    m.value = 9.9;
    ck_assert_int_eq(ot_patient_add_marker(p, rd, &m, 0, &err), OT_ERANGE);
    ck_assert_msg(strstr(err.message, "ng/mL or ug/L") != NULL, "%s", err.message);
    m.value = 10.0;
    ck_assert_int_eq(ot_patient_add_marker(p, rd, &m, 0, &err), OT_OK);
    /* CTX 1.2 -> 1.1 typed without a unit is refused; in ng/mL it is 1200 ->
     * 1100 ng/L, -8.3 %, not below 280: suboptimal, never responding */
    ot_marker_measure b = OT_MARKER_MEASURE_INIT, f = OT_MARKER_MEASURE_INIT;
    ot_marker_options o = OT_MARKER_OPTIONS_INIT;
    ot_marker_result r;
    b.analyte = f.analyte = OT_ANALYTE_CTX;
    b.value = 1.2;
    f.value = 1.1;
    o.therapy = OT_AGENT_ALENDRONATE;
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, &o, NULL), OT_ERANGE);
    b.unit = f.unit = OT_UNIT_NG_ML;
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, &o, NULL), OT_OK);
    ck_assert_near(r.baseline, 1200.0, 1e-9);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    /* ug/L, as UK laboratories report CTX: 0.54 ug/L = 540 ng/L */
    b.unit = f.unit = OT_UNIT_UG_L;
    b.value = 0.54;
    f.value = 0.19;
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, &o, NULL), OT_OK);
    ck_assert_near(r.value, 190.0, 1e-9);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
    /* a rise that stays under the target is no response: 200 -> 260 ng/L */
    b.unit = f.unit = OT_UNIT_NG_L;
    b.value = 200;
    f.value = 260;
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, &o, NULL), OT_OK);
    ck_assert_int_eq(r.response, OT_RESP_SUBOPTIMAL);
    ck_assert(strstr(r.reason, "rose") != NULL);
    /* a fall into the target from near it responds: 300 -> 270 (-10 %, below 280) */
    b.value = 300;
    f.value = 270;
    ck_assert_int_eq(ot_marker_assess(&r, rd, &b, &f, &o, NULL), OT_OK);
    ck_assert_int_eq(r.response, OT_RESP_RESPONDING);
}
END_TEST

START_TEST(doses_from_a_document)
{
    /* a JSON therapy with doses only: the course starts at the first */
    const char *doc = "{\"patient_id\": \"J\", \"sex\": \"F\", \"birth_date\": \"1950-01-01\","
                      " \"menopausal_status\": \"post\","
                      " \"therapies\": [{\"agent\": \"zoledronate\", \"doses\": [\"2020-01-10\","
                      " \"2021-01-10\"]}, {\"agent\": \"alendronate\", \"doses\": [\"2020-01-10\"]}],"
                      " \"observations\": [{\"date\": \"2020-01-05\", \"analyte\": \"bmd\","
                      " \"site\": \"lumbar_spine\", \"value\": 0.8, \"tscore\": -2.6, \"zscore\": -1.0}]}";
    size_t n = 0;
    ck_assert_int_eq(ot_patient_from_json(p, rd, doc, strlen(doc), NULL, NULL, &n, NULL), OT_OK);
    cJSON *j = report_json("2021-06-01");
    const cJSON *c = cJSON_GetArrayItem(get(get(j, "therapy"), "courses"), 0);
    ck_assert_int_eq(cJSON_GetArraySize(get(get(j, "therapy"), "courses")), 1); /* alendronate refused */
    ck_assert_str_eq(str(c, "start"), "2020-01-10");
    ck_assert_str_eq(str(c, "end"), "2021-01-10");
    ck_assert_str_eq(str(c, "in_effect_until"), "2022-01-10");
    ck_assert_near(num(c, "doses"), 2, 1e-9);
    ck_assert_str_eq(str(get(j, "patient"), "menopausal_status"), "post");
    ck_assert_near(num(get(j, "patient"), "age"), 71, 1e-9);
    cJSON_Delete(j);
}
END_TEST

Suite *suite_clinical(void)
{
    Suite *s = suite_create("clinical");
    TCase *tc = tcase_create("clinical");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, age_on_the_scan_date_decides);
    tcase_add_test(tc, zscore_boundary);
    tcase_add_test(tc, what_is_assumed_is_said);
    tcase_add_test(tc, nbha_sites_at_three_tscores);
    tcase_add_test(tc, iof_counts_only_its_fractures);
    tcase_add_test(tc, review_reasons_each);
    tcase_add_test(tc, review_intravenous_counts_infusions);
    tcase_add_test(tc, holiday_is_reviewed_not_untreated);
    tcase_add_test(tc, infusion_twelfth_month);
    tcase_add_test(tc, denosumab_dose_seven_months);
    tcase_add_test(tc, denosumab_then_zoledronate_on_time);
    tcase_add_test(tc, scan_a_day_before_and_after_the_start);
    tcase_add_test(tc, rebound_after_denosumab);
    tcase_add_test(tc, supplements_are_not_therapy);
    tcase_add_test(tc, ctx_units_and_direction);
    tcase_add_test(tc, doses_from_a_document);
    suite_add_tcase(s, tc);
    return s;
}

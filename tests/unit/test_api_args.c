/* Issue 23, item 10: a NULL pointer given to a public call is OT_EINVAL,
 * never a crash, and every date the library accepts is range-checked, so
 * that no date arithmetic overflows (this suite runs clean under
 * -DOT_SANITIZE=address,undefined). */
#include "suites.h"

#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Day numbers no call may accept: far out, just out, and around OT_DATE_NONE. */
static const ot_date bad_dates[] = {LONG_MIN,         LONG_MIN + 1,     LONG_MAX,
                                    LONG_MAX - 1,     OT_DATE_MIN - 1,  OT_DATE_MAX + 1,
                                    OT_DATE_NONE + 1, OT_DATE_NONE - 1, INT_MAX};
#define NBAD (sizeof bad_dates / sizeof bad_dates[0])

static ot_refdata *rd;
static ot_patient *p;

static void setup(void)
{
    rd = test_refdata();
    ck_assert_int_eq(ot_patient_new(&p, "A1"), OT_OK);
}

static void teardown(void)
{
    ot_patient_free(p);
    ot_refdata_free(rd);
}

static ot_date D(const char *s)
{
    ot_date d = OT_DATE_NONE;
    ck_assert_int_eq(ot_date_parse(&d, s), OT_OK);
    return d;
}

/* The message names the day and the range. */
static void assert_out_of_range(const ot_error *err, ot_date d)
{
    char day[40];
    snprintf(day, sizeof day, "day %ld ", d);
    ck_assert_msg(strstr(err->message, day) && strstr(err->message, "1900-01-01 to 2199-12-31"),
                  "message for %ld: %s", d, err->message);
}

START_TEST(parse_null_output_is_einval)
{
    ck_assert_int_eq(ot_site_parse(NULL, "spine"), OT_EINVAL);
    ck_assert_int_eq(ot_analyte_parse(NULL, "bmd"), OT_EINVAL);
    ck_assert_int_eq(ot_agent_parse(NULL, "alendronate"), OT_EINVAL);
    ck_assert_int_eq(ot_manufacturer_parse(NULL, "hologic"), OT_EINVAL);
    ck_assert_int_eq(ot_fracture_site_parse(NULL, "hip"), OT_EINVAL);
    ck_assert_int_eq(ot_sex_parse(NULL, "F"), OT_EINVAL);
    ck_assert_int_eq(ot_menopause_parse(NULL, "post"), OT_EINVAL);
    ck_assert_int_eq(ot_unit_parse(NULL, "g/cm2"), OT_EINVAL);
    ck_assert_int_eq(ot_input_format_parse(NULL, "csv"), OT_EINVAL);
    ck_assert_int_eq(ot_grouping_parse(NULL, "auto"), OT_EINVAL);
    ck_assert_int_eq(ot_date_parse(NULL, "2020-01-01"), OT_EINVAL);
    ck_assert_int_eq(ot_unit_to_canonical(NULL, OT_ANALYTE_BMD, OT_UNIT_MG_CM2, 800.0),
                     OT_EINVAL);
    ck_assert_int_eq(ot_parse_number(NULL, "1.5", 3), OT_EINVAL);
    /* a NULL text too; the output is left alone */
    ot_site site = OT_SITE_RADIUS_33;
    ck_assert_int_eq(ot_site_parse(&site, NULL), OT_EINVAL);
    ck_assert_int_eq(site, OT_SITE_RADIUS_33);
    ot_input_format fmt = OT_INPUT_JSON;
    ck_assert_int_eq(ot_input_format_parse(&fmt, NULL), OT_EINVAL);
    ck_assert_int_eq(fmt, OT_INPUT_JSON);
    ot_date d = 7;
    ck_assert_int_eq(ot_date_parse(&d, NULL), OT_EINVAL);
    ck_assert_int_eq(d, 7);
    double x = 2.0;
    ck_assert_int_eq(ot_parse_number(&x, NULL, 3), OT_EINVAL);
    ck_assert_double_eq(x, 2.0);
    /* the outputs still work */
    ck_assert_int_eq(ot_unit_to_canonical(&x, OT_ANALYTE_BMD, OT_UNIT_MG_CM2, 800.0), OT_OK);
    ck_assert_near(x, 0.8, 1e-12);
    ot_date_format(NULL, 0); /* nothing to write into: nothing written */
}
END_TEST

START_TEST(other_null_pointers_are_einval)
{
    ot_error err = {0, ""};
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    ot_marker_measure mm = OT_MARKER_MEASURE_INIT;
    m.date = mm.date = D("2020-01-01");
    ck_assert_int_eq(ot_refdata_load(NULL, NULL, &err), OT_EINVAL);
    ck_assert_int_eq(ot_patient_new(NULL, "x"), OT_EINVAL);
    ck_assert_int_eq(ot_patient_reset(NULL, "x"), OT_EINVAL);
    ck_assert_int_eq(ot_patient_add_bmd(p, rd, NULL, NAN, 0, &err), OT_EINVAL);
    ck_assert_int_eq(ot_patient_add_bmd(NULL, rd, &m, NAN, 0, &err), OT_EINVAL);
    ck_assert_int_eq(ot_patient_add_bmd(p, NULL, &m, NAN, 0, &err), OT_EINVAL);
    ck_assert_int_eq(ot_patient_add_marker(p, rd, NULL, 0, &err), OT_EINVAL);
    ck_assert_int_eq(ot_patient_add_therapy(NULL, OT_AGENT_ALENDRONATE, 0, OT_DATE_NONE, &err),
                     OT_EINVAL);
    ck_assert_int_eq(ot_patient_add_dose(NULL, rd, OT_AGENT_DENOSUMAB, 0, &err), OT_EINVAL);
    ck_assert_int_eq(ot_patient_add_fracture(NULL, OT_FX_HIP, 0, &err), OT_EINVAL);
    ck_assert_int_eq(ot_patient_set_demographics(NULL, OT_SEX_FEMALE, OT_DATE_NONE,
                                                 OT_MENOPAUSE_POST, &err),
                     OT_EINVAL);
    ck_assert_int_eq(ot_patient_add_record(p, rd, NULL, 0, &err), OT_EINVAL);
    ck_assert_int_eq(ot_patient_from_json(p, rd, NULL, 2, NULL, NULL, NULL, &err), OT_EINVAL);
    ck_assert_int_eq(ot_report_build(NULL, rd, p, 0, &err), OT_EINVAL);
    ot_report *r = NULL;
    ck_assert_int_eq(ot_report_build(&r, rd, NULL, 0, &err), OT_EINVAL);
    ck_assert_int_eq(ot_bmd_compare_new(NULL, rd, &m, &m, NULL, &err), OT_EINVAL);
    ot_bmd_result *b = NULL;
    ck_assert_int_eq(ot_bmd_compare_new(&b, rd, NULL, &m, NULL, &err), OT_EINVAL);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(ot_marker_assess_new(NULL, rd, &mm, &mm, NULL, &err), OT_EINVAL);
    char *s = NULL;
    ck_assert_int_eq(ot_bmd_result_to_json(NULL, NULL, 0), OT_EINVAL);
    ck_assert_int_eq(ot_bmd_result_to_json(&s, NULL, 0), OT_EINVAL);
    ck_assert_int_eq(ot_marker_result_to_json(&s, NULL, 0), OT_EINVAL);
    ck_assert_int_eq(ot_report_to_json(&s, NULL, 0), OT_EINVAL);
    ck_assert_int_eq(ot_report_to_json(NULL, NULL, 0), OT_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(ot_bmd_options_init(NULL, OT_BMD_OPTIONS_VERSION), OT_EINVAL);
    ck_assert_int_eq(ot_marker_options_init(NULL, OT_MARKER_OPTIONS_VERSION), OT_EINVAL);
    ck_assert_int_eq(ot_precision_options_init(NULL, OT_PRECISION_OPTIONS_VERSION), OT_EINVAL);
    ck_assert_int_eq(ot_patient_reader_options_init(NULL, OT_PATIENT_READER_OPTIONS_VERSION),
                     OT_EINVAL);
    ck_assert_int_eq(ot_patient_reader_new(NULL, rd, NULL, &err), OT_EINVAL);
    ck_assert_int_eq(ot_precision_compute(NULL, rd, NULL, 0, NULL, NULL, &err), OT_EINVAL);
    ck_assert_int_eq(ot_precision_read_file(NULL, rd, "x.csv", NULL, &err), OT_EINVAL);
    ck_assert_int_eq(ot_precision_result_to_config(NULL, NULL, NULL), OT_EINVAL);
}
END_TEST

/* The arithmetic takes any ot_date without overflow; it computes for what
 * YYYY-MM-DD can write. */
START_TEST(date_arithmetic_takes_any_day)
{
    char buf[11];
    for (size_t i = 0; i < NBAD; i++) {
        ot_date d = bad_dates[i];
        if (d == OT_DATE_MIN - 1 || d == OT_DATE_MAX + 1)
            continue; /* days YYYY-MM-DD can write, only not accepted as input */
        memcpy(buf, "XXXXXXXXXX", 11);
        ot_date_format(buf, d);
        ck_assert_msg(buf[0] == '\0', "%ld formatted as %s", d, buf);
        ck_assert_msg(isnan(ot_date_months_between(d, 0)), "%ld", d);
        ck_assert_msg(isnan(ot_date_months_between(0, d)), "%ld", d);
        ck_assert_int_eq(ot_date_add_months(d, 1), OT_DATE_NONE);
        ck_assert_int_eq(ot_date_add_months(d, INT_MAX), OT_DATE_NONE);
    }
    /* the bounds, worked out by hand: 1900-01-01 is 70 x 365 + 17 leap days
     * before 1970; 2200-01-01 is 230 x 365 + 56 leap days after it (2100 is
     * not leap); 0000-01-01 is 719468 + 60 days before, 9999-12-31 is
     * 8030 x 365 + 1947 leap days - 1 after. */
    ck_assert_int_eq(OT_DATE_MIN, -25567L);
    ck_assert_int_eq(OT_DATE_MAX, 84005L);
    ck_assert_int_eq(D("1900-01-01"), OT_DATE_MIN);
    ck_assert_int_eq(D("2199-12-31"), OT_DATE_MAX);
    ot_date_format(buf, OT_DATE_MIN - 1);
    ck_assert_str_eq(buf, "1899-12-31");
    ot_date_format(buf, OT_DATE_MAX + 1);
    ck_assert_str_eq(buf, "2200-01-01");
    ot_date_format(buf, -719528L);
    ck_assert_str_eq(buf, "0000-01-01");
    ot_date_format(buf, 2932896L);
    ck_assert_str_eq(buf, "9999-12-31");
    ot_date_format(buf, 2932897L);
    ck_assert_str_eq(buf, "");
    ot_date_format(buf, -719529L);
    ck_assert_str_eq(buf, "");
    /* a computed date may pass 2199 and is still written */
    ot_date_format(buf, ot_date_add_months(OT_DATE_MAX, 12));
    ck_assert_str_eq(buf, "2200-12-31");
    ot_date_format(buf, ot_date_add_months(OT_DATE_MIN, -1));
    ck_assert_str_eq(buf, "1899-12-01");
    /* months that leave 0000-9999: no date, never a wrapped one */
    ck_assert_int_eq(ot_date_add_months(OT_DATE_MAX, INT_MAX), OT_DATE_NONE);
    ck_assert_int_eq(ot_date_add_months(OT_DATE_MIN, INT_MIN), OT_DATE_NONE);
    ck_assert_int_eq(ot_date_add_months(OT_DATE_MIN, -1900 * 12 - 1), OT_DATE_NONE);
    ck_assert_int_eq(ot_date_add_months(OT_DATE_MIN, -1900 * 12), -719528L);
    /* 1900-01-01 to 2199-12-31: 299 years and 11 months, plus 30 days / 30.4375 */
    ck_assert_near(ot_date_months_between(OT_DATE_MIN, OT_DATE_MAX), 3599.0 + 30.0 / 30.4375,
                   1e-9);
    ck_assert_msg(isnan(ot_date_months_between(OT_DATE_NONE, 0)), "OT_DATE_NONE");
}
END_TEST

START_TEST(patient_refuses_dates_out_of_range)
{
    ot_error err = {0, ""};
    for (size_t i = 0; i < NBAD; i++) {
        ot_date d = bad_dates[i];
        ot_bmd_measure m = OT_BMD_MEASURE_INIT;
        m.value = 0.9;
        m.date = d;
        ck_assert_int_eq(ot_patient_add_bmd(p, rd, &m, NAN, 1, &err), OT_EDATE);
        assert_out_of_range(&err, d);
        ck_assert_int_eq(ot_patient_add_scan(p, rd, &m, -1.0, -1.0, 1, &err), OT_EDATE);
        ot_marker_measure mm = OT_MARKER_MEASURE_INIT;
        mm.value = 50.0;
        mm.date = d;
        ck_assert_int_eq(ot_patient_add_marker(p, rd, &mm, 1, &err), OT_EDATE);
        assert_out_of_range(&err, d);
        ck_assert_int_eq(ot_patient_add_therapy(p, OT_AGENT_ALENDRONATE, d, OT_DATE_NONE, &err),
                         OT_EDATE);
        assert_out_of_range(&err, d);
        ck_assert_int_eq(ot_patient_add_therapy(p, OT_AGENT_ALENDRONATE, 0, d, &err), OT_EDATE);
        assert_out_of_range(&err, d);
        ck_assert_int_eq(ot_patient_add_dose(p, rd, OT_AGENT_DENOSUMAB, d, &err), OT_EDATE);
        assert_out_of_range(&err, d);
        ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_HIP, d, &err), OT_EDATE);
        assert_out_of_range(&err, d);
        ck_assert_int_eq(ot_patient_set_demographics(p, OT_SEX_FEMALE, d, OT_MENOPAUSE_POST,
                                                     &err),
                         OT_EDATE);
        assert_out_of_range(&err, d);
        ot_record rec;
        memset(&rec, 0, sizeof rec);
        rec.kind = OT_REC_THERAPY;
        rec.agent = OT_AGENT_ALENDRONATE;
        rec.date = D("2020-01-01");
        rec.start = d;
        rec.end = OT_DATE_NONE;
        ck_assert_int_eq(ot_patient_add_record(p, rd, &rec, 1, &err), OT_EDATE);
        assert_out_of_range(&err, d);
        rec.start = OT_DATE_NONE;
        rec.date = d;
        ck_assert_int_eq(ot_patient_add_record(p, rd, &rec, 1, &err), OT_EDATE);
        rec.date = D("2020-01-01");
        rec.end = d;
        ck_assert_int_eq(ot_patient_add_record(p, rd, &rec, 1, &err), OT_EDATE);
    }
    /* nothing was kept */
    ck_assert_uint_eq(p->nobs, 0);
    ck_assert_uint_eq(p->nfx, 0);
    ck_assert_uint_eq(p->ncourses, 0);
    ck_assert_uint_eq(p->ndoses, 0);
    ck_assert_uint_eq(p->nfacts, 0);
    ck_assert_int_eq(p->birth, OT_DATE_NONE);
    ck_assert_int_eq(p->sex, OT_SEX_UNKNOWN);
}
END_TEST

/* The dates at both ends, and one before 1970, are accepted, and a report
 * over them computes without overflow. */
START_TEST(dates_at_the_bounds_are_accepted)
{
    ot_error err = {0, ""};
    const ot_date days[] = {OT_DATE_MIN, -1, OT_DATE_MAX};
    for (size_t i = 0; i < 3; i++) {
        ot_bmd_measure m = OT_BMD_MEASURE_INIT;
        m.value = 0.9 + 0.01 * (double)i;
        m.date = days[i];
        ck_assert_msg(ot_patient_add_bmd(p, rd, &m, NAN, 1, &err) == OT_OK, "%s", err.message);
        ot_marker_measure mm = OT_MARKER_MEASURE_INIT;
        mm.value = 50.0;
        mm.date = days[i];
        ck_assert_msg(ot_patient_add_marker(p, rd, &mm, 1, &err) == OT_OK, "%s", err.message);
        ck_assert_int_eq(ot_patient_add_dose(p, rd, OT_AGENT_DENOSUMAB, days[i], &err), OT_OK);
        ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_WRIST, days[i], &err), OT_OK);
    }
    ck_assert_int_eq(ot_patient_add_therapy(p, OT_AGENT_ALENDRONATE, OT_DATE_MIN, OT_DATE_MAX,
                                            &err),
                     OT_OK);
    ck_assert_int_eq(ot_patient_set_demographics(p, OT_SEX_FEMALE, OT_DATE_MIN, OT_MENOPAUSE_POST,
                                                 &err),
                     OT_OK);
    for (size_t i = 0; i < 3; i++) {
        ot_report *r = NULL;
        ck_assert_msg(ot_report_build(&r, rd, p, days[i], &err) == OT_OK, "%s", err.message);
        char *json = NULL;
        ck_assert_int_eq(ot_report_to_json(&json, r, 0), OT_OK);
        char asof[32];
        ot_date_format(asof + 1, days[i]);
        asof[0] = '"';
        strcat(asof, "\"");
        ck_assert_msg(strstr(json, asof), "as_of %s not in %s", asof, json);
        ot_free(json);
        ot_report_free(r);
    }
}
END_TEST

START_TEST(report_refuses_as_of_out_of_range)
{
    ot_error err = {0, ""};
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    m.value = 0.9;
    m.date = D("2020-01-01");
    ck_assert_int_eq(ot_patient_add_bmd(p, rd, &m, NAN, 1, &err), OT_OK);
    for (size_t i = 0; i < NBAD; i++) {
        ot_report *r = NULL;
        ck_assert_int_eq(ot_report_build(&r, rd, p, bad_dates[i], &err), OT_EDATE);
        ck_assert_ptr_null(r);
        assert_out_of_range(&err, bad_dates[i]);
    }
    ot_report *r = NULL;
    ck_assert_int_eq(ot_report_build(&r, rd, p, OT_DATE_NONE, &err), OT_EDATE);
    ck_assert_ptr_null(r);
}
END_TEST

START_TEST(comparisons_refuse_dates_out_of_range)
{
    ot_error err = {0, ""};
    for (size_t i = 0; i < NBAD; i++) {
        ot_date d = bad_dates[i];
        ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
        a.value = 0.80;
        b.value = 0.84;
        a.date = D("2020-01-01");
        b.date = d;
        ot_bmd_result *br = NULL;
        ck_assert_int_eq(ot_bmd_compare_new(&br, rd, &a, &b, NULL, &err), OT_EDATE);
        ck_assert_ptr_null(br);
        assert_out_of_range(&err, d);
        b.date = a.date;
        a.date = d;
        ck_assert_int_eq(ot_bmd_compare_new(&br, rd, &a, &b, NULL, &err), OT_EDATE);
        assert_out_of_range(&err, d);

        ot_marker_measure x = OT_MARKER_MEASURE_INIT, y = OT_MARKER_MEASURE_INIT;
        x.analyte = y.analyte = OT_ANALYTE_CTX;
        x.value = 500.0;
        y.value = 200.0;
        x.date = D("2020-01-01");
        y.date = d;
        ot_marker_options o = OT_MARKER_OPTIONS_INIT;
        o.therapy = OT_AGENT_ALENDRONATE;
        ot_marker_result *mr = NULL;
        ck_assert_int_eq(ot_marker_assess_new(&mr, rd, &x, &y, &o, &err), OT_EDATE);
        ck_assert_ptr_null(mr);
        assert_out_of_range(&err, d);
        y.date = x.date;
        x.date = d;
        ck_assert_int_eq(ot_marker_assess_new(&mr, rd, &x, &y, &o, &err), OT_EDATE);
        x.date = OT_DATE_NONE;
        y.date = D("2020-06-01");
        o.therapy_start = d;
        ck_assert_int_eq(ot_marker_assess_new(&mr, rd, &x, &y, &o, &err), OT_EDATE);
        assert_out_of_range(&err, d);
    }
}
END_TEST

START_TEST(precision_scan_dates_out_of_range_are_rejected)
{
    ot_error err = {0, ""};
    ot_precision_scan s[2 + NBAD];
    const char *ids[] = {"P1", "P1"};
    for (size_t i = 0; i < 2 + NBAD; i++) {
        ot_precision_scan x = OT_PRECISION_SCAN_INIT;
        x.patient_id = i < 2 ? ids[i] : "P2";
        x.value = 0.9 + 0.001 * (double)i;
        x.date = i < 2 ? D("2020-01-01") : bad_dates[i - 2];
        x.line = (long)i + 2;
        s[i] = x;
    }
    ot_precision_result *r = NULL;
    ck_assert_int_eq(ot_precision_compute(&r, rd, s, 2 + NBAD, "study.csv", NULL, &err), OT_OK);
    size_t rejected = 0;
    for (size_t i = 0; i < r->nnotes; i++)
        if (r->notes[i].kind == OT_PRECISION_NOTE_REJECTED) {
            rejected++;
            ck_assert_msg(strstr(r->notes[i].message, "outside the dates accepted"), "%s",
                          r->notes[i].message);
        }
    ck_assert_uint_eq(rejected, NBAD);
    ck_assert_uint_eq(r->rows_rejected, NBAD);
    ck_assert_int_eq(r->first_date, D("2020-01-01"));
    ot_precision_result_free(r);
}
END_TEST

Suite *suite_api_args(void)
{
    Suite *s = suite_create("api_args");
    TCase *tc = tcase_create("api_args");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, parse_null_output_is_einval);
    tcase_add_test(tc, other_null_pointers_are_einval);
    tcase_add_test(tc, date_arithmetic_takes_any_day);
    tcase_add_test(tc, patient_refuses_dates_out_of_range);
    tcase_add_test(tc, dates_at_the_bounds_are_accepted);
    tcase_add_test(tc, report_refuses_as_of_out_of_range);
    tcase_add_test(tc, comparisons_refuse_dates_out_of_range);
    tcase_add_test(tc, precision_scan_dates_out_of_range_are_rejected);
    suite_add_tcase(s, tc);
    return s;
}

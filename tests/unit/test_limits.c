/* Hardening of the patient model and the readers (README "Limits"):
 * duplicates kept once, the observation limit, text checks, JSON limits. */
#include "suites.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ot_refdata *rd;
static ot_patient *p;

static void setup(void)
{
    rd = test_refdata();
    ck_assert_int_eq(ot_patient_new(&p, "H1"), OT_OK);
}

static void teardown(void)
{
    ot_patient_free(p);
    ot_refdata_free(rd);
}

static ot_date day(const char *s)
{
    ot_date d;
    ck_assert_int_eq(ot_date_parse(&d, s), OT_OK);
    return d;
}

static int bmd(const char *date, ot_site site, double v, const char *device, ot_error *err)
{
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    m.site = site;
    m.value = v;
    m.date = day(date);
    m.device = device;
    return ot_patient_add_bmd(p, rd, &m, NAN, 0, err);
}

static int ctx(ot_date d, double v)
{
    ot_marker_measure m = OT_MARKER_MEASURE_INIT;
    m.analyte = OT_ANALYTE_CTX;
    m.value = v;
    m.date = d;
    return ot_patient_add_marker(p, rd, &m, 0, NULL);
}

START_TEST(duplicates_are_kept_once)
{
    ot_error err = {0, ""};
    ck_assert_int_eq(bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.800, "DXA-1", &err), OT_OK);
    ck_assert_int_eq(bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.800, "DXA-1", &err), OT_EDUPLICATE);
    ck_assert_ptr_nonnull(strstr(err.message, "the same value"));
    ck_assert_int_eq(bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.810, "DXA-1", &err), OT_EDUPLICATE);
    ck_assert_ptr_nonnull(strstr(err.message, "another value"));
    /* another site, another device (a cross-calibration), another day: kept */
    ck_assert_int_eq(bmd("2019-01-10", OT_SITE_TOTAL_HIP, 0.700, "DXA-1", &err), OT_OK);
    ck_assert_int_eq(bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.820, "DXA-2", &err), OT_OK);
    ck_assert_int_eq(bmd("2021-01-10", OT_SITE_LUMBAR_SPINE, 0.900, "DXA-1", &err), OT_OK);
    /* a scan with no device that day may be on either scanner: a repeat, not
     * a change of -11% in 0 months (0.800 to 0.710) */
    ck_assert_int_eq(bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.710, "", &err), OT_EDUPLICATE);
    ck_assert_ptr_nonnull(strstr(err.message, "another value"));
    ck_assert_int_eq(ctx(day("2019-01-10"), 500), OT_OK);
    ck_assert_int_eq(ctx(day("2019-01-10"), 500), OT_EDUPLICATE);
    ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_HIP, day("2020-01-01"), NULL), OT_OK);
    ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_HIP, day("2020-01-01"), &err), OT_EDUPLICATE);
    ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_WRIST, day("2020-01-01"), NULL), OT_OK);
    ck_assert_uint_eq(p->nobs, 5);
    ck_assert_uint_eq(p->nfx, 2);
}
END_TEST

START_TEST(duplicates_found_among_many)
{
    /* past the linear search: the hash table, across a reset */
    for (int round = 0; round < 2; round++) {
        ck_assert_int_eq(ot_patient_reset(p, round ? "H2" : "H1"), OT_OK);
        ot_date d0 = day("2000-01-01");
        for (int i = 0; i < 3000; i++)
            ck_assert_int_eq(ctx(d0 + i, 100 + i % 50), OT_OK);
        for (int i = 0; i < 300; i++)
            ck_assert_int_eq(ot_patient_add_fracture(p, (ot_fracture_site)(i % OT_FX_COUNT),
                                                     d0 + i / OT_FX_COUNT, NULL), OT_OK);
        for (int i = 0; i < 3000; i += 7)
            ck_assert_int_eq(ctx(d0 + i, 999), OT_EDUPLICATE);
        ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_HIP, d0, NULL), OT_EDUPLICATE);
        ck_assert_int_eq(ctx(d0 + 5000, 100), OT_OK);
        ck_assert_uint_eq(p->nobs, 3001);
    }
}
END_TEST

START_TEST(a_report_counts_a_fracture_once)
{
    /* two fractures on treatment make a possible treatment failure; the same
     * fracture twice does not */
    ck_assert_int_eq(ot_patient_add_therapy(p, OT_AGENT_ALENDRONATE, day("2018-01-01"),
                                            OT_DATE_NONE, NULL), OT_OK);
    ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_VERTEBRAL, day("2020-06-01"), NULL), OT_OK);
    ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_VERTEBRAL, day("2020-06-01"), NULL),
                     OT_EDUPLICATE);
    ot_report *r = NULL;
    ck_assert_int_eq(ot_report_build(&r, rd, p, day("2024-06-01"), NULL), OT_OK);
    ck_assert_int_ne(ot_report_assessment(r), OT_ASSESS_POSSIBLE_TREATMENT_FAILURE);
    ot_report_free(r);
}
END_TEST

START_TEST(observations_past_the_limit_are_refused)
{
    ot_date d0 = day("1900-01-01");
    ot_error err = {0, ""};
    for (int i = 0; i < OT_PATIENT_MAX_OBSERVATIONS; i++)
        ck_assert_int_eq(ctx(d0 + i, 300), OT_OK);
    ck_assert_int_eq(ctx(d0 + OT_PATIENT_MAX_OBSERVATIONS, 300), OT_ELIMIT);
    ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_HIP, d0, &err), OT_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, "100000"));
    ot_report *r = NULL;
    ck_assert_int_eq(ot_report_build(&r, rd, p, day("2024-06-01"), NULL), OT_OK);
    ot_report_free(r);
}
END_TEST

/* A patient says how much memory it holds, which a reset keeps (the batch
 * pool frees a slot's patient past its share: issue 23, item 5). */
START_TEST(a_patient_tells_its_memory)
{
    ck_assert_uint_eq(ot_patient_memory(NULL), 0);
    size_t empty = ot_patient_memory(p);
    ck_assert_uint_gt(empty, 0);
    ot_date d0 = day("1990-01-01");
    for (int i = 0; i < 10000; i++)
        ck_assert_int_eq(ctx(d0 + i, 300), OT_OK);
    size_t big = ot_patient_memory(p);
    ck_assert_uint_ge(big, empty + 10000 * sizeof(ot_obs));
    ck_assert_int_eq(ot_patient_reset(p, "H2"), OT_OK);
    ck_assert_uint_eq(ot_patient_memory(p), big);
}
END_TEST

START_TEST(after_as_of_is_said)
{
    ck_assert_int_eq(bmd("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.800, NULL, NULL), OT_OK);
    ck_assert_int_eq(bmd("2025-01-10", OT_SITE_LUMBAR_SPINE, 0.850, NULL, NULL), OT_OK);
    ck_assert_int_eq(ot_patient_add_fracture(p, OT_FX_HIP, day("2024-07-01"), NULL), OT_OK);
    ot_report *r = NULL;
    char *json = NULL;
    ck_assert_int_eq(ot_report_build(&r, rd, p, day("2024-06-01"), NULL), OT_OK);
    ck_assert_int_eq(ot_report_to_json(&json, r, 0), OT_OK);
    ck_assert_ptr_nonnull(strstr(json, "\"after_as_of\":{\"count\":2,\"first_date\":\"2024-07-01\""));
    ot_free(json);
    ot_report_free(r);
    ck_assert_int_eq(ot_report_build(&r, rd, p, day("2025-06-01"), NULL), OT_OK);
    ck_assert_int_eq(ot_report_to_json(&json, r, 0), OT_OK);
    ck_assert_ptr_null(strstr(json, "after_as_of"));
    ot_free(json);
    ot_report_free(r);
}
END_TEST

START_TEST(text_checks)
{
    const char *why;
    size_t at;
    char buf[32];
    ck_assert_int_eq(ot_text_check("DXA-1 \xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", 15, &why, &at), 0);
    ck_assert_int_eq(ot_text_check("ab\xc3(", 4, &why, &at), -1);
    ck_assert_uint_eq(at, 2);
    ck_assert_int_eq(ot_text_check("ab\ncd", 5, &why, &at), -1);
    ck_assert_str_eq(why, "holds a control character");
    ck_assert_int_eq(ot_text_check("ab\0cd", 5, &why, &at), -1);
    ck_assert_str_eq(why, "holds a NUL byte");
    ck_assert_int_eq(ot_text_check("\xed\xa0\x80", 3, &why, &at), -1); /* a surrogate */
    ck_assert_int_eq(ot_text_check("\xc0\xaf", 2, &why, &at), -1);     /* overlong */
    ck_assert_int_eq(ot_text_check("\xf4\x90\x80\x80", 4, &why, &at), -1); /* > U+10FFFF */
    ck_assert_str_eq(ot_text_shown(buf, sizeof buf, "a\x1b[1m\xff\xc3\xa9", 8),
                     "a\\u001b[1m\\xff\xc3\xa9");
    /* never a character or an escape cut in two */
    ck_assert_str_eq(ot_text_shown(buf, 4, "ab\xc3\xa9", 4), "ab");
    ck_assert_str_eq(ot_text_shown(buf, 8, "ab\x1b", 3), "ab");
}
END_TEST

/* Text for a terminal (issue 23, item 9): controls C0, DEL, C1 and the bidi
 * controls are escaped, never written raw; the rest is kept. */
START_TEST(text_escaped_for_a_terminal)
{
    char buf[128];
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"\x1b]0;title\x07", "\\u001b]0;title\\u0007"},
        {"\x1b[2J\x1b[H\r\n\t\x7f", "\\u001b[2J\\u001b[H\\u000d\\u000a\\u0009\\u007f"},
        {"P\xc2\x85\xc2\x9b" "1\xc2\x9f\xc2\xa0", "P\\u0085\\u009b1\\u009f\xc2\xa0"}, /* C1; NBSP kept */
        {"\xe2\x80\xae" "abc\xe2\x80\xaa\xe2\x80\xac", "\\u202e" "abc\\u202a\\u202c"},
        {"\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
         "\\u2066x\\u2069\\u200e\\u200f\\u061c"},
        {"\xe2\x80\xad\xe2\x80\x8d", "\\u202d\xe2\x80\x8d"}, /* a joiner is no bidi control */
        {"\xff\xc3(", "\\xff\\xc3("},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e C:\\x", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e C:\\x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i].in);
        ck_assert_uint_eq(ot_text_escape(buf, sizeof buf, cases[i].in, n), strlen(cases[i].out));
        ck_assert_str_eq(buf, cases[i].out);
        /* escaping twice changes nothing */
        char again[128];
        ot_text_escape(again, sizeof again, buf, strlen(buf));
        ck_assert_str_eq(again, cases[i].out);
    }
    /* the length needed, as snprintf; a NUL inside is shown too */
    ck_assert_uint_eq(ot_text_escape(NULL, 0, "a\0b", 3), 8);
    ck_assert_uint_eq(ot_text_escape(buf, 5, "ab\xe2\x80\xae", 5), 8);
    ck_assert_str_eq(buf, "ab");
}
END_TEST

/* A message too long for ot_error keeps its end, the reason: the middle (of
 * a long path) is cut instead (issue 23, item 10). */
START_TEST(long_messages_keep_their_reason)
{
    char path[3000];
    memset(path, 'd', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    memcpy(path + sizeof path - 10, "/file.csv", 9);
    ot_error err = {0, ""};
    ot_err_set(&err, OT_EPARSE, "%s:%ld: %s", path, 123456L, "site: unknown value 'x\x1b[2J'");
    size_t n = strlen(err.message);
    ck_assert_uint_le(n, sizeof err.message - 1);
    ck_assert_uint_ge(n, sizeof err.message - 8); /* the room is used */
    ck_assert_msg(strncmp(err.message, "/ddd", 4) == 0, "%s", err.message);
    ck_assert_ptr_nonnull(strstr(err.message, "dd...dd"));
    const char *end = "dd/file.csv:123456: site: unknown value 'x\\u001b[2J'";
    ck_assert_str_eq(err.message + n - strlen(end), end);
    /* a short message is whole */
    ot_err_set(&err, OT_EPARSE, "%s:%d: %s", "a.csv", 2, "why");
    ck_assert_str_eq(err.message, "a.csv:2: why");
    /* an escape is never cut, at the start or at the end of the cut */
    char ctl[2000];
    for (size_t i = 0; i + 1 < sizeof ctl; i++)
        ctl[i] = "\x1b\x07"[i % 2];
    ctl[sizeof ctl - 1] = '\0';
    ot_err_set(&err, OT_EPARSE, "%s: reason", ctl);
    n = strlen(err.message);
    const char *cut = strstr(err.message, "...");
    ck_assert_ptr_nonnull(cut);
    ck_assert_uint_eq((size_t)(cut - err.message) % 6, 0);
    ck_assert_str_eq(err.message + n - 8, ": reason");
    ck_assert_uint_eq((n - 8 - (size_t)(cut + 3 - err.message)) % 6, 0);
}
END_TEST

static void count_reject(void *ctx_, const char *where, const char *reason)
{
    (void)where;
    (void)reason;
    ++*(int *)ctx_;
}

START_TEST(json_documents_refused_clearly)
{
    ot_error err = {0, ""};
    char deep[400];
    int n = snprintf(deep, sizeof deep, "{\"patient_id\": \"D\", \"x\": ");
    for (int i = 0; i < 70; i++)
        deep[n++] = '[';
    for (int i = 0; i < 70; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    ck_assert_int_eq(ot_patient_from_json(p, rd, deep, (size_t)n, NULL, NULL, NULL, &err),
                     OT_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, "nested deeper than 64 levels"));
    const char nul[] = "{\"patient_id\": \"A\\u0000B\"}";
    ck_assert_int_eq(ot_patient_from_json(p, rd, nul, strlen(nul), NULL, NULL, NULL, &err),
                     OT_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "\\u0000"));
    /* an escaped backslash before u0000 is text, not a NUL */
    const char text[] = "{\"patient_id\": \"A\\\\u0000B\"}";
    ck_assert_int_eq(ot_patient_from_json(p, rd, text, strlen(text), NULL, NULL, NULL, &err), OT_OK);
    ck_assert_str_eq(ot_patient_id(p), "A\\u0000B");
    const char raw[] = "{\"patient_id\": \"A\0B\"}";
    ck_assert_int_eq(ot_patient_from_json(p, rd, raw, sizeof raw - 1, NULL, NULL, NULL, &err),
                     OT_EPARSE);
    const char utf[] = "{\"patient_id\": \"A\xff\"}";
    ck_assert_int_eq(ot_patient_from_json(p, rd, utf, strlen(utf), NULL, NULL, NULL, &err),
                     OT_EPARSE);
    int rejected = 0;
    const char dev[] = "{\"patient_id\": \"A\", \"observations\": [{\"date\": \"2020-01-01\", "
                       "\"analyte\": \"bmd\", \"site\": \"hip\", \"value\": 0.7, \"device\": "
                       "\"D\\u001b[0m\"}, {\"date\": \"2020-01-01\", \"analyte\": \"ctx\", "
                       "\"value\": 1e999}]}";
    ck_assert_int_eq(ot_patient_from_json(p, rd, dev, strlen(dev), count_reject, &rejected, NULL,
                                          &err), OT_OK);
    ck_assert_int_eq(rejected, 2);
}
END_TEST

Suite *suite_limits(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, duplicates_are_kept_once);
    tcase_add_test(tc, duplicates_found_among_many);
    tcase_add_test(tc, a_report_counts_a_fracture_once);
    tcase_add_test(tc, observations_past_the_limit_are_refused);
    tcase_add_test(tc, a_patient_tells_its_memory);
    tcase_add_test(tc, after_as_of_is_said);
    tcase_add_test(tc, text_checks);
    tcase_add_test(tc, text_escaped_for_a_terminal);
    tcase_add_test(tc, long_messages_keep_their_reason);
    tcase_add_test(tc, json_documents_refused_clearly);
    suite_add_tcase(s, tc);
    return s;
}

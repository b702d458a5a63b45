/* Shared by the report suites (test_report.c, test_review_*.c): one patient
 * `p` on the shipped reference data `rd`, built up by the helpers below and
 * reported as of a date. The including file defines setup()/teardown(). */
#ifndef OT_TEST_PATIENT_FIXTURE_H
#define OT_TEST_PATIENT_FIXTURE_H

#include "suites.h"

#include <cjson/cJSON.h>
#include <string.h>

static ot_refdata *rd;
static ot_patient *p;

static inline ot_date D(const char *s)
{
    ot_date d;
    ck_assert_msg(ot_date_parse(&d, s) == OT_OK, "bad date %s", s);
    return d;
}

static inline void marker(const char *date, ot_analyte a, double v)
{
    ot_marker_measure m = OT_MARKER_MEASURE_INIT;
    m.analyte = a;
    m.value = v;
    m.date = D(date);
    ot_error err = {0, ""};
    ck_assert_msg(ot_patient_add_marker(p, rd, &m, 0, &err) == OT_OK, "%s", err.message);
}

static inline void therapy(ot_agent a, const char *start, const char *end)
{
    ck_assert_int_eq(ot_patient_add_therapy(p, a, D(start), end ? D(end) : OT_DATE_NONE, NULL),
                     OT_OK);
}

/* A scan with the scanner's T- and Z-scores (NaN when not given). */
static inline void scan(const char *date, ot_site site, double v, double t, double z)
{
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    m.site = site;
    m.value = v;
    m.date = D(date);
    m.device = "A";
    ot_error err = {0, ""};
    ck_assert_msg(ot_patient_add_scan(p, rd, &m, t, z, 0, &err) == OT_OK, "%s", err.message);
}

static inline void dose(ot_agent a, const char *date)
{
    ot_error err = {0, ""};
    ck_assert_msg(ot_patient_add_dose(p, rd, a, D(date), &err) == OT_OK, "%s", err.message);
}

/* Who the patient is; birth NULL: unknown. */
static inline void who(ot_sex sex, const char *birth, ot_menopause m)
{
    ot_error err = {0, ""};
    ck_assert_msg(ot_patient_set_demographics(p, sex, birth ? D(birth) : OT_DATE_NONE, m,
                                              &err) == OT_OK, "%s", err.message);
}

static inline void fracture(ot_fracture_site s, const char *date)
{
    ck_assert_int_eq(ot_patient_add_fracture(p, s, D(date), NULL), OT_OK);
}

static inline ot_report *report(const char *as_of)
{
    ot_report *r = NULL;
    ot_error err = {0, ""};
    ck_assert_msg(ot_report_build(&r, rd, p, D(as_of), &err) == OT_OK, "%s", err.message);
    return r;
}

static inline const ot_flag *flag(const ot_report *r, ot_flag_code c)
{
    for (size_t i = 0; i < ot_report_flag_count(r); i++)
        if (ot_report_flag(r, i)->code == c)
            return ot_report_flag(r, i);
    return NULL;
}

/* Is `c` flagged in the report as of `as_of`? */
static inline int flagged(const char *as_of, ot_flag_code c)
{
    ot_report *r = report(as_of);
    int yes = flag(r, c) != NULL;
    ot_report_free(r);
    return yes;
}

static inline cJSON *json_of(const ot_report *r)
{
    char *s = NULL;
    ck_assert_int_eq(ot_report_to_json(&s, r, 0), OT_OK);
    cJSON *j = cJSON_Parse(s);
    ck_assert_msg(j != NULL, "report JSON does not parse: %s", s);
    ot_free(s);
    return j;
}

static inline cJSON *report_json(const char *as_of)
{
    ot_report *r = report(as_of);
    cJSON *j = json_of(r);
    ot_report_free(r);
    return j;
}

static inline const cJSON *get(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(v != NULL, "no field '%s'", key);
    return v;
}

static inline double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
    return v->valuedouble;
}

static inline int current_is(const ot_report *r, const char *agent);

static inline const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsString(v), "%s is not a string", key);
    return v->valuestring;
}

/* A report's bmd[] entry `e` against the previous scan. vs_previous holds
 * only the change fields (below) that differ from the entry's own, {} when
 * the previous scan is the entry's baseline: a field it leaves out equals the
 * entry's. prev_field() reads one either way. */
static inline int is_change_field(const char *key)
{
    static const char *const fields[] = {
        "baseline_date", "date",           "baseline_g_cm2", "baseline_converted_g_cm2",
        "value_g_cm2",   "change_g_cm2",   "change_pct",     "months",
        "annualized_pct", "lsc_g_cm2",     "significance",   NULL};
    for (size_t i = 0; fields[i]; i++)
        if (strcmp(fields[i], key) == 0)
            return 1;
    return 0;
}

static inline const cJSON *prev_field(const cJSON *e, const char *key)
{
    ck_assert_msg(is_change_field(key), "%s is not a change field", key);
    const cJSON *vp = get(e, "vs_previous");
    ck_assert(cJSON_IsObject(vp));
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(vp, key);
    return v ? v : get(e, key);
}

/* Does vs_previous name `key`, i.e. differ from the entry there? */
static inline int prev_differs(const cJSON *e, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(get(e, "vs_previous"), key) != NULL;
}

static inline double prev_num(const cJSON *e, const char *key)
{
    const cJSON *v = prev_field(e, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s (vs_previous) is not a number", key);
    return v->valuedouble;
}

static inline const char *prev_str(const cJSON *e, const char *key)
{
    const cJSON *v = prev_field(e, key);
    ck_assert_msg(cJSON_IsString(v), "%s (vs_previous) is not a string", key);
    return v->valuestring;
}

/* The citation of source `id` in a result's JSON `j` (its top-level "sources"
 * object: {id: {"citation", "confirmed"}}), or fails the test; *confirmed
 * (may be NULL) gets the confirmed mark. */
static inline const char *json_citation(const cJSON *j, const char *id, int *confirmed)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(get(j, "sources"), id);
    ck_assert_msg(cJSON_IsObject(s), "no source '%s' in the sources object", id);
    const cJSON *c = get(s, "confirmed");
    ck_assert_msg(cJSON_IsBool(c), "sources.%s.confirmed is not a boolean", id);
    if (confirmed)
        *confirmed = cJSON_IsTrue(c);
    return str(s, "citation");
}

/* Is `agent` the therapy in effect at the report's as_of? */
static inline int current_is(const ot_report *r, const char *agent)
{
    cJSON *j = json_of(r);
    const cJSON *c = get(get(j, "therapy"), "current");
    int yes = cJSON_IsString(c) && !strcmp(c->valuestring, agent);
    cJSON_Delete(j);
    return yes;
}

#endif

/* ot_report_to_fhir: the Bundle's structure, checked without a FHIR
 * validator (tests/fhir validates the CLI's bundles with one). */
#include "patient_fixture.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void setup(void)
{
    rd = test_refdata();
    ck_assert_int_eq(ot_patient_new(&p, "T1"), OT_OK);
}
static void teardown(void)
{
    ot_patient_free(p);
    ot_refdata_free(rd);
}

static void scan_at(const char *date, ot_site site, double v, double t)
{
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    m.site = site;
    m.value = v;
    m.date = D(date);
    m.device = "A";
    m.manufacturer = OT_MFR_HOLOGIC;
    ot_error err;
    ck_assert_msg(ot_patient_add_bmd(p, rd, &m, t, 0, &err) == OT_OK, "%s", err.message);
}

static cJSON *bundle_of(const ot_report *r, char **text)
{
    ck_assert_int_eq(ot_report_to_fhir(text, r, p, 0), OT_OK);
    ck_assert_ptr_null(strchr(*text, '\n')); /* one line */
    cJSON *b = cJSON_Parse(*text);
    ck_assert_ptr_nonnull(b);
    return b;
}

static const cJSON *res(const cJSON *entry) { return cJSON_GetObjectItem(entry, "resource"); }
static const char *type_of(const cJSON *entry) { return str(res(entry), "resourceType"); }

static int count(const cJSON *b, const char *type)
{
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(b, "entry")) n += !strcmp(type_of(e), type);
    return n;
}

static const cJSON *first(const cJSON *b, const char *type)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(b, "entry")) if (!strcmp(type_of(e), type)) return res(e);
    return NULL;
}

/* Every {"reference": "urn:uuid:..."} under x names an entry's fullUrl. */
static int unresolved(const cJSON *x, const cJSON *b)
{
    int n = 0;
    const cJSON *c;
    const cJSON *rf = cJSON_IsObject(x) ? cJSON_GetObjectItem(x, "reference") : NULL;
    if (cJSON_IsString(rf) && strncmp(rf->valuestring, "#", 1)) {
        int found = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(b, "entry"))
            found |= !strcmp(str(e, "fullUrl"), rf->valuestring);
        n += !found;
    }
    cJSON_ArrayForEach(c, x) n += unresolved(c, b);
    return n;
}

START_TEST(bundle_holds_input_report_and_flags)
{
    who(OT_SEX_FEMALE, "1950-04-02", OT_MENOPAUSE_POST);
    therapy(OT_AGENT_ALENDRONATE, "2019-01-15", NULL);
    scan_at("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.812, -2.7);
    scan_at("2021-01-20", OT_SITE_LUMBAR_SPINE, 0.858, -2.3);
    marker("2019-01-10", OT_ANALYTE_CTX, 540);
    fracture(OT_FX_WRIST, "2018-05-01");
    ot_report *r = report("2024-06-01");
    char *text = NULL;
    cJSON *b = bundle_of(r, &text);
    ck_assert_str_eq(str(b, "resourceType"), "Bundle");
    ck_assert_str_eq(str(b, "type"), "collection");
    ck_assert_int_eq(count(b, "Patient"), 1);
    ck_assert_int_eq(count(b, "Observation"),
                     2 /* BMD */ + 2 /* T */ + 1 /* CTX */ + 1 /* menopause */ +
                         3 /* change, significance, LSC of the one series */);
    ck_assert_int_eq(count(b, "MedicationStatement"), 1);
    ck_assert_int_eq(count(b, "Condition"), 1);
    ck_assert_int_eq(count(b, "DetectedIssue"), (int)ot_report_flag_count(r));
    const cJSON *dr = first(b, "DiagnosticReport");
    ck_assert_str_eq(str(dr, "status"), "final");
    const cJSON *code = cJSON_GetArrayItem(cJSON_GetObjectItem(get(dr, "code"), "coding"), 0);
    ck_assert_str_eq(str(code, "system"), "http://loinc.org");
    ck_assert_str_eq(str(code, "code"), "83311-1");
    ck_assert_str_eq(str(dr, "conclusion"), ot_report_summary(r));
    ck_assert_str_eq(str(dr, "effectiveDateTime"), "2024-06-01");
    const cJSON *cc = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(get(dr, "conclusionCode"), 0), "coding"), 0);
    ck_assert_str_eq(str(cc, "system"), "http://osteotrack.org/fhir/CodeSystem/osteotrack");
    ck_assert_str_eq(str(cc, "code"), ot_assessment_name(ot_report_assessment(r)));
    /* results: both scans, both T-scores, the three derived (not the CTX: no
     * follow-up, no marker result) */
    ck_assert_int_eq(cJSON_GetArraySize(get(dr, "result")), 7);
    const cJSON *pt = first(b, "Patient");
    ck_assert_str_eq(str(pt, "id"), "T1");
    ck_assert_str_eq(str(pt, "gender"), "female");
    ck_assert_str_eq(str(pt, "birthDate"), "1950-04-02");
    ck_assert_int_eq(unresolved(b, b), 0);
    /* fullUrls: distinct urn:uuid: */
    const cJSON *e, *f;
    cJSON_ArrayForEach(e, get(b, "entry"))
    {
        ck_assert_int_eq(strncmp(str(e, "fullUrl"), "urn:uuid:", 9), 0);
        ck_assert_uint_eq(strlen(str(e, "fullUrl")), 45);
        cJSON_ArrayForEach(f, get(b, "entry")) if (e != f)
            ck_assert_str_ne(str(e, "fullUrl"), str(f, "fullUrl"));
    }
    /* the same report and patient: the same bytes */
    char *again = NULL;
    ck_assert_int_eq(ot_report_to_fhir(&again, r, p, 0), OT_OK);
    ck_assert_str_eq(text, again);
    ot_free(again);
    /* pretty: the same JSON, indented */
    ck_assert_int_eq(ot_report_to_fhir(&again, r, p, OT_FHIR_PRETTY), OT_OK);
    ck_assert_ptr_nonnull(strchr(again, '\n'));
    cJSON *pb = cJSON_Parse(again);
    ck_assert(cJSON_Compare(pb, b, 1));
    cJSON_Delete(pb);
    ot_free(again);
    cJSON_Delete(b);
    ot_free(text);
    ot_report_free(r);
}
END_TEST

START_TEST(patient_id_that_is_no_fhir_id)
{
    ck_assert_int_eq(ot_patient_reset(p, "patient 7/\xc3\xa9"), OT_OK);
    scan_at("2019-01-10", OT_SITE_TOTAL_HIP, 0.7, NAN);
    ot_report *r = report("2024-06-01");
    char *text = NULL;
    cJSON *b = bundle_of(r, &text);
    const cJSON *pt = first(b, "Patient");
    ck_assert_int_eq(strncmp(str(pt, "id"), "ot-", 3), 0);
    ck_assert_uint_eq(strlen(str(pt, "id")), 35);
    const cJSON *id = cJSON_GetArrayItem(get(pt, "identifier"), 0);
    ck_assert_str_eq(str(id, "system"), "http://osteotrack.org/fhir/patient-id");
    ck_assert_str_eq(str(id, "value"), "patient 7/\xc3\xa9");
    ck_assert_ptr_null(cJSON_GetObjectItem(pt, "gender")); /* not given: not written */
    cJSON_Delete(b);
    ot_free(text);
    ot_report_free(r);
}
END_TEST

START_TEST(fullurls_differ_between_as_of_dates)
{
    /* The same patient reported at two as-of dates: different content, so
     * no fullUrl of one Bundle may name an entry of the other. */
    therapy(OT_AGENT_ALENDRONATE, "2019-01-15", NULL);
    scan_at("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.812, -2.7);
    scan_at("2021-01-20", OT_SITE_LUMBAR_SPINE, 0.858, -2.3);
    ot_report *r1 = report("2023-01-01"), *r2 = report("2024-06-01");
    char *t1 = NULL, *t2 = NULL;
    cJSON *b1 = bundle_of(r1, &t1), *b2 = bundle_of(r2, &t2);
    ck_assert_int_gt(cJSON_GetArraySize(get(b1, "entry")), 5); /* patient, scans, course, report, ... */
    const cJSON *e, *f;
    cJSON_ArrayForEach(e, get(b1, "entry"))
        cJSON_ArrayForEach(f, get(b2, "entry"))
            ck_assert_str_ne(str(e, "fullUrl"), str(f, "fullUrl"));
    /* and the same as-of date again: the same fullUrls */
    ot_report *r3 = report("2023-01-01");
    char *t3 = NULL;
    ck_assert_int_eq(ot_report_to_fhir(&t3, r3, p, 0), OT_OK);
    ck_assert_str_eq(t1, t3);
    ot_free(t3);
    ot_report_free(r3);
    cJSON_Delete(b1);
    cJSON_Delete(b2);
    ot_free(t1);
    ot_free(t2);
    ot_report_free(r1);
    ot_report_free(r2);
}
END_TEST

/* The route of a MedicationStatement's dosage[0], or NULL. */
static const char *route_code(const cJSON *ms)
{
    const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(ms, "dosage"), 0);
    const cJSON *c = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(d, "route"), "coding"), 0);
    return c ? str(c, "code") : NULL;
}

START_TEST(ibandronate_statements_carry_their_route)
{
    /* Oral and intravenous ibandronate share their codes: the reader needs
     * the route to tell them apart, so the writer gives it on both. */
    therapy(OT_AGENT_IBANDRONATE, "2019-01-15", "2020-12-31");
    scan_at("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.812, -2.7);
    ot_report *r = report("2024-06-01");
    char *text = NULL;
    cJSON *b = bundle_of(r, &text);
    const cJSON *ms = first(b, "MedicationStatement");
    ck_assert_ptr_nonnull(ms);
    ck_assert_ptr_nonnull(route_code(ms));
    ck_assert_str_eq(route_code(ms), "26643006"); /* SNOMED CT oral route */
    cJSON_Delete(b);
    ot_free(text);
    ot_report_free(r);
    /* an agent with codes of its own: no route written */
    ck_assert_int_eq(ot_patient_reset(p, "T1"), OT_OK);
    therapy(OT_AGENT_ALENDRONATE, "2019-01-15", NULL);
    scan_at("2019-01-10", OT_SITE_LUMBAR_SPINE, 0.812, -2.7);
    r = report("2024-06-01");
    b = bundle_of(r, &text);
    ck_assert_ptr_null(route_code(first(b, "MedicationStatement")));
    cJSON_Delete(b);
    ot_free(text);
    ot_report_free(r);
}
END_TEST

START_TEST(refuses_bad_arguments)
{
    scan_at("2019-01-10", OT_SITE_TOTAL_HIP, 0.7, NAN);
    ot_report *r = report("2024-06-01");
    char *text = NULL;
    ot_patient *other;
    ck_assert_int_eq(ot_patient_new(&other, "T2"), OT_OK);
    ck_assert_int_eq(ot_report_to_fhir(&text, r, other, 0), OT_EINVAL); /* another patient */
    ck_assert_int_eq(ot_report_to_fhir(&text, r, p, 4u), OT_EINVAL);    /* unknown flag */
    ck_assert_int_eq(ot_report_to_fhir(NULL, r, p, 0), OT_EINVAL);
    ck_assert_int_eq(ot_report_to_fhir(&text, NULL, p, 0), OT_EINVAL);
    ck_assert_int_eq(ot_report_to_fhir(&text, r, NULL, 0), OT_EINVAL);
    ck_assert_ptr_null(text);
    ot_patient_free(other);
    ot_report_free(r);
}
END_TEST

Suite *suite_report_fhir(void)
{
    Suite *s = suite_create("report_fhir");
    TCase *tc = tcase_create("report_fhir");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, bundle_holds_input_report_and_flags);
    tcase_add_test(tc, patient_id_that_is_no_fhir_id);
    tcase_add_test(tc, refuses_bad_arguments);
    tcase_add_test(tc, fullurls_differ_between_as_of_dates);
    tcase_add_test(tc, ibandronate_statements_carry_their_route);
    suite_add_tcase(s, tc);
    return s;
}

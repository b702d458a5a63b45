/* FHIR input: the code tables both ways, and the mapping of resources into
 * a patient, with hand-worked cases. */
#include "suites.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAT "{\"resourceType\":\"Patient\",\"id\":\"P1\",\"gender\":\"female\"," \
            "\"birthDate\":\"1950-04-02\"}"
#define SUBJ "\"subject\":{\"reference\":\"Patient/P1\"}"

static char *bundle(const char *entries)
{
    static const char head[] = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":["
                               "{\"resource\":" PAT "}";
    size_t n = strlen(head) + strlen(entries) + 8;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%s%s%s]}", head, entries[0] ? "," : "", entries);
    return s;
}

static char *obs(const char *code, const char *date, const char *qty)
{
    char *s = malloc(600);
    ck_assert_ptr_nonnull(s);
    snprintf(s, 600, "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\","
             "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"%s\"}]}," SUBJ
             ",\"effectiveDateTime\":\"%s\",\"valueQuantity\":%s}}", code, date, qty);
    return s;
}

typedef struct rejects {
    int n;
    char last[600];
} rejects;

static void on_reject(void *ctx, const char *where, const char *reason)
{
    rejects *r = ctx;
    r->n++;
    snprintf(r->last, sizeof r->last, "%s: %s", where, reason);
}

/* Reads a Bundle of entries (after P1's Patient) into p. */
static int read_bundle(ot_patient *p, const ot_refdata *rd, const char *entries, rejects *rj,
                       size_t *nitems, size_t *nr)
{
    char *b = bundle(entries);
    ot_error err = {0, ""};
    memset(rj, 0, sizeof *rj);
    int rc = ot_patient_from_fhir(p, rd, b, strlen(b), on_reject, rj, nitems, nr, &err);
    free(b);
    return rc;
}

START_TEST(test_codes_both_ways)
{
    ot_refdata *rd = test_refdata();
    const ot_loinc_code *c = ot_loinc_lookup(rd, "46278-8");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->kind, OT_LOINC_BMD);
    ck_assert_int_eq(c->site, OT_SITE_TOTAL_HIP);
    ck_assert_int_eq(c->side, OT_SIDE_LEFT);
    c = ot_loinc_lookup(rd, "80953-3"); /* femur, right */
    ck_assert_int_eq(c->site, OT_SITE_FEMORAL_NECK);
    ck_assert_int_eq(c->side, OT_SIDE_RIGHT);
    ck_assert_str_eq(ot_loinc_for(rd, OT_LOINC_BMD, OT_SITE_TOTAL_HIP, OT_SIDE_RIGHT,
                                  OT_ANALYTE_BMD)->code, "46279-6");
    ck_assert_str_eq(ot_loinc_for(rd, OT_LOINC_TSCORE, OT_SITE_TOTAL_HIP, OT_SIDE_NONE,
                                  OT_ANALYTE_BMD)->code, "38264-8");
    /* the spine has no sided code: a side falls back to the code without one */
    ck_assert_str_eq(ot_loinc_for(rd, OT_LOINC_ZSCORE, OT_SITE_LUMBAR_SPINE, OT_SIDE_LEFT,
                                  OT_ANALYTE_BMD)->code, "85394-5");
    ck_assert_str_eq(ot_loinc_for(rd, OT_LOINC_MARKER, OT_SITE_LUMBAR_SPINE, OT_SIDE_NONE,
                                  OT_ANALYTE_CTX)->code, "41171-0");
    ck_assert_str_eq(ot_loinc_for(rd, OT_LOINC_PANEL, OT_SITE_LUMBAR_SPINE, OT_SIDE_NONE,
                                  OT_ANALYTE_BMD)->code, "83311-1");
    ck_assert_ptr_null(ot_loinc_lookup(rd, "29463-7"));
    /* medications: both ibandronates write the one ingredient code */
    const char *rx = "http://www.nlm.nih.gov/research/umls/rxnorm";
    ck_assert_str_eq(ot_med_code_for(rd, OT_AGENT_IBANDRONATE_IV, rx)->code, "115264");
    ck_assert_int_eq(ot_med_code_lookup(rd, rx, "115264")->iv_agent, OT_AGENT_IBANDRONATE_IV);
    ck_assert_int_eq(ot_med_code_lookup(rd, "http://www.whocc.no/atc", "M05BX04")->agent,
                     OT_AGENT_DENOSUMAB);
    ck_assert_int_eq(ot_route_for(rd, 1)->intravenous, 1);
    /* fractures: the longest ICD-10-CM prefix, dots ignored */
    const char *cm = "http://hl7.org/fhir/sid/icd-10-cm";
    ck_assert_int_eq(ot_fx_code_lookup(rd, cm, "M80.08XA")->site, OT_FX_VERTEBRAL);
    ck_assert_int_eq(ot_fx_code_lookup(rd, cm, "M80.9")->site, OT_FX_OTHER);
    ck_assert_int_eq(ot_fx_code_lookup(rd, cm, "S72.001A")->site, OT_FX_HIP);
    ck_assert_int_eq(ot_fx_code_lookup(rd, cm, "S7201")->site, OT_FX_HIP);
    ck_assert_ptr_null(ot_fx_code_lookup(rd, cm, "S72.3")); /* femoral shaft: not listed */
    /* WHO ICD-10's M80.08 has another site character: only M80 applies */
    ck_assert_int_eq(ot_fx_code_lookup(rd, "http://hl7.org/fhir/sid/icd-10", "M80.08")->site,
                     OT_FX_OTHER);
    ck_assert_str_eq(ot_fx_code_for(rd, OT_FX_WRIST, "http://snomed.info/sct")->code,
                     "263199001");
    ot_refdata_free(rd);
}
END_TEST

/* 812 mg/cm2 is 812 x 0.001 = 0.812 g/cm2; the T-score of the left hip joins
 * the left hip's BMD of its day, not the spine's. */
START_TEST(test_mg_and_tscore_join)
{
    ot_refdata *rd = test_refdata();
    ot_patient *p;
    ck_assert_int_eq(ot_patient_new(&p, ""), OT_OK);
    rejects rj;
    size_t n, nr;
    char *a = obs("24966-4", "2020-01-10", "{\"value\":812,\"system\":\"http://unitsofmeasure.org\","
                  "\"code\":\"mg/cm2\"}");
    char *b = obs("46278-8", "2020-01-10", "{\"value\":0.701,\"system\":\"http://unitsofmeasure"
                  ".org\",\"code\":\"g/cm2\"}");
    char *t = obs("80946-7", "2020-01-10", "{\"value\":-1.9,\"system\":\"http://unitsofmeasure"
                  ".org\",\"code\":\"{T-score}\"}");
    char entries[2000];
    snprintf(entries, sizeof entries, "%s,%s,%s", a, b, t);
    ck_assert_int_eq(read_bundle(p, rd, entries, &rj, &n, &nr), OT_OK);
    ck_assert_int_eq(rj.n, 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(nr, 0);
    ck_assert_str_eq(ot_patient_id(p), "P1");
    ck_assert_uint_eq(p->nobs, 2);
    ck_assert_int_eq(p->obs[0].site, OT_SITE_LUMBAR_SPINE);
    ck_assert_near(p->obs[0].value, 0.812, 1e-12);
    ck_assert(isnan(p->obs[0].tscore));
    ck_assert_int_eq(p->obs[1].site, OT_SITE_TOTAL_HIP);
    ck_assert_int_eq(p->obs[1].side, OT_SIDE_LEFT);
    ck_assert_near(p->obs[1].tscore, -1.9, 1e-12);
    ck_assert_int_eq(p->sex, OT_SEX_FEMALE);
    /* the right hip's T-score (80945-9) has no right-hip BMD: rejected, named */
    free(t);
    t = obs("80945-9", "2020-01-10", "{\"value\":-1.9}");
    snprintf(entries, sizeof entries, "%s,%s,%s", a, b, t);
    ck_assert_int_eq(read_bundle(p, rd, entries, &rj, &n, &nr), OT_OK);
    ck_assert_int_eq(rj.n, 1);
    ck_assert_ptr_nonnull(strstr(rj.last, "entry[3]: "));
    ck_assert_ptr_nonnull(strstr(rj.last, "T-score with no BMD"));
    ck_assert(isnan(p->obs[1].tscore));
    free(a);
    free(b);
    free(t);
    ot_patient_free(p);
    ot_refdata_free(rd);
}
END_TEST

START_TEST(test_medications_and_conditions)
{
    ot_refdata *rd = test_refdata();
    ot_patient *p;
    ck_assert_int_eq(ot_patient_new(&p, ""), OT_OK);
    rejects rj;
    size_t n, nr;
    const char *e =
        "{\"resource\":{\"resourceType\":\"MedicationAdministration\",\"status\":\"completed\","
        "\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"http://www.nlm.nih.gov/research/"
        "umls/rxnorm\",\"code\":\"115264\"}]}," SUBJ ",\"effectiveDateTime\":\"2021-02-01\","
        "\"dosage\":{\"route\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":"
        "\"47625008\"}]}}}},"
        "{\"resource\":{\"resourceType\":\"MedicationStatement\",\"status\":\"active\","
        "\"medicationCodeableConcept\":{\"text\":\"Prolia\"}," SUBJ ",\"effectivePeriod\":"
        "{\"start\":\"2022-03-01\"}}},"
        "{\"resource\":{\"resourceType\":\"MedicationRequest\",\"status\":\"active\","
        "\"medicationCodeableConcept\":{\"text\":\"alendronate\"}," SUBJ "}},"
        "{\"resource\":{\"resourceType\":\"Condition\",\"code\":{\"coding\":[{\"system\":"
        "\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"S32.01\"}]}," SUBJ ",\"onsetDateTime\":"
        "\"2019-09-10\"}}";
    ck_assert_int_eq(read_bundle(p, rd, e, &rj, &n, &nr), OT_OK);
    ck_assert_int_eq(rj.n, 0);
    ck_assert_uint_eq(n, 5);
    ck_assert_uint_eq(nr, 1); /* the prescription */
    ck_assert_uint_eq(p->ndoses, 1);
    ck_assert_int_eq(p->doses[0].agent, OT_AGENT_IBANDRONATE_IV); /* by the IV route */
    ck_assert_uint_eq(p->ncourses, 2);
    ck_assert_uint_eq(p->nfx, 1);
    ck_assert_int_eq(p->fx[0].site, OT_FX_VERTEBRAL); /* S32.0: lumbar vertebra */
    ot_patient_free(p);
    ot_refdata_free(rd);
}
END_TEST

START_TEST(test_one_patient_and_sniff)
{
    ot_refdata *rd = test_refdata();
    ot_patient *p;
    ck_assert_int_eq(ot_patient_new(&p, ""), OT_OK);
    rejects rj;
    ot_error err = {0, ""};
    const char *two = "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":" PAT "},"
                      "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"P2\"}}]}";
    memset(&rj, 0, sizeof rj);
    ck_assert_int_eq(ot_patient_from_fhir(p, rd, two, strlen(two), on_reject, &rj, NULL, NULL,
                                          &err), OT_EDATA);
    const char *none = "{\"resourceType\":\"Observation\"}";
    ck_assert_int_eq(ot_patient_from_fhir(p, rd, none, strlen(none), NULL, NULL, NULL, NULL,
                                          &err), OT_EDATA);
    const char *fhir = "\n {\"meta\":{\"x\":[1]}, \"resourceType\" : \"Bundle\"}";
    ck_assert_int_eq(ot_input_looks_fhir(fhir, strlen(fhir)), 1);
    const char *own = "{\"patient_id\":\"P1\",\"x\":{\"resourceType\":\"Patient\"}}";
    ck_assert_int_eq(ot_input_looks_fhir(own, strlen(own)), 0);
    ck_assert_int_eq(ot_input_looks_fhir("[{\"resourceType\":1}]", 20), 0);
    ot_input_format f;
    ck_assert_int_eq(ot_input_format_parse(&f, "fhir"), OT_OK);
    ck_assert_int_eq(f, OT_INPUT_FHIR);
    ot_patient_free(p);
    ot_refdata_free(rd);
}
END_TEST


#define RX "\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\""
#define CM "\"system\":\"http://hl7.org/fhir/sid/icd-10-cm\""

static char *cond(const char *codings, const char *day, const char *extra)
{
    char *s = malloc(700);
    ck_assert_ptr_nonnull(s);
    snprintf(s, 700, "{\"resource\":{\"resourceType\":\"Condition\",\"code\":{\"coding\":[%s]},"
             SUBJ ",\"onsetDateTime\":\"%s\"%s}}", codings, day, extra);
    return s;
}

static char *med(const char *type, const char *status, const char *concept, const char *when)
{
    char *s = malloc(900);
    ck_assert_ptr_nonnull(s);
    snprintf(s, 900, "{\"resource\":{\"resourceType\":\"%s\",\"status\":\"%s\","
             "\"medicationCodeableConcept\":%s," SUBJ ",%s}}", type, status, concept, when);
    return s;
}

static int courses_of(const ot_patient *p, ot_agent a)
{
    int n = 0;
    for (size_t i = 0; i < p->ncourses; i++)
        n += p->courses[i].agent == a;
    return n;
}

static char *join(char *const *parts, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(parts[i]) + 1;
    char *s = calloc(1, len);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, parts[i]);
        free(parts[i]);
    }
    return s;
}

/* One vertebral fracture recorded at three visits (review finding 1):
 * S22.000A (initial encounter) is the fracture; S22.000D twice (subsequent
 * encounters, routine healing) and M80.08XS (sequela) are the same fracture
 * again: not relevant, not new. A Condition whose first coding is a local
 * code and whose second is S72.001A (right femoral neck, initial) is a hip
 * fracture: every coding is looked at. S22.000D under the WHO's ICD-10
 * system (which has no 7-character codes: ICD-10-CM's, mislabelled) is not
 * new either. So 2 fractures (vertebral, hip), 4 not relevant, nothing
 * rejected; 1 + 6 resources read. */
START_TEST(test_cm_seventh_character)
{
    ot_refdata *rd = test_refdata();
    ot_patient *p;
    ck_assert_int_eq(ot_patient_new(&p, ""), OT_OK);
    rejects rj;
    size_t n, nr;
    char *parts[] = {
        cond("{" CM ",\"code\":\"S22.000A\"}", "2020-03-01", ""),
        cond("{" CM ",\"code\":\"S22.000D\"}", "2020-04-01", ""),
        cond("{" CM ",\"code\":\"S22.000D\"}", "2020-06-01", ""),
        cond("{" CM ",\"code\":\"M80.08XS\"}", "2021-06-01", ""),
        cond("{\"system\":\"http://example.org/local\",\"code\":\"HIPFX\"},{" CM ",\"code\":"
             "\"S72.001A\"}", "2021-09-01", ""),
        cond("{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"S22.000D\"}",
             "2021-10-01", "")};
    char *e = join(parts, 6);
    ck_assert_int_eq(read_bundle(p, rd, e, &rj, &n, &nr), OT_OK);
    free(e);
    ck_assert_int_eq(rj.n, 0);
    ck_assert_uint_eq(n, 7);
    ck_assert_uint_eq(nr, 4);
    ck_assert_uint_eq(p->nfx, 2);
    ck_assert_int_eq(p->fx[0].site, OT_FX_VERTEBRAL);
    ck_assert_int_eq(p->fx[1].site, OT_FX_HIP);
    /* an unknown 7th character is rejected, named */
    char *bad[] = {cond("{" CM ",\"code\":\"S22.000X\"}", "2020-03-01", "")};
    e = join(bad, 1);
    ck_assert_int_eq(read_bundle(p, rd, e, &rj, &n, &nr), OT_OK);
    free(e);
    ck_assert_int_eq(rj.n, 1);
    ck_assert_ptr_nonnull(strstr(rj.last, "7th character 'X'"));
    ck_assert_uint_eq(p->nfx, 0);
    ot_patient_free(p);
    ot_refdata_free(rd);
}
END_TEST

/* Medications by name (review findings 2, 5): whole words of osteotrack's
 * agent names, aliases and the displays of its medication codes, in any
 * case. "alendronate sodium 70 MG Oral Tablet" (an RxNorm product code not
 * listed) and "RISEDRONIC ACID" are courses; "zoledronic acid 5 MG
 * infusion" and "Boniva 3 MG/3ML Injection" (injection: intravenous) are
 * doses; "nonalendronate" names nothing (not relevant); a therapy packed
 * with a supplement ("alendronate/cholecalciferol") is that therapy, a
 * course; "Boniva" alone has no route (rejected). 3 courses, 2 doses, 1 not
 * relevant, 1 rejected; 1 + 7 read. */
START_TEST(test_medication_names)
{
    ot_refdata *rd = test_refdata();
    ot_patient *p;
    ck_assert_int_eq(ot_patient_new(&p, ""), OT_OK);
    rejects rj;
    size_t n, nr;
    const char *per = "\"effectivePeriod\":{\"start\":\"2020-01-15\",\"end\":\"2020-12-31\"}";
    const char *per2 = "\"effectivePeriod\":{\"start\":\"2021-01-15\"}";
    const char *day = "\"effectiveDateTime\":\"2022-01-10\"";
    const char *day2 = "\"effectiveDateTime\":\"2022-02-10\"";
    char *parts[] = {
        med("MedicationStatement", "completed", "{\"coding\":[{" RX ",\"code\":\"904419\","
            "\"display\":\"alendronate sodium 70 MG Oral Tablet\"}]}", per),
        med("MedicationStatement", "active", "{\"text\":\"RISEDRONIC ACID\"}", per2),
        med("MedicationAdministration", "completed", "{\"text\":\"zoledronic acid 5 MG "
            "infusion\"}", day),
        med("MedicationAdministration", "completed", "{\"text\":\"Boniva 3 MG/3ML Injection\"}",
            day2),
        med("MedicationStatement", "active", "{\"text\":\"nonalendronate\"}", per2),
        med("MedicationStatement", "active", "{\"text\":\"alendronate/cholecalciferol\"}", per2),
        med("MedicationStatement", "active", "{\"text\":\"Boniva\"}", per2)};
    char *e = join(parts, 7);
    ck_assert_int_eq(read_bundle(p, rd, e, &rj, &n, &nr), OT_OK);
    free(e);
    ck_assert_uint_eq(n, 8);
    ck_assert_uint_eq(nr, 1);
    ck_assert_int_eq(rj.n, 1);
    ck_assert_ptr_nonnull(strstr(rj.last, "the route is not given"));
    /* each dose in no course is a therapy of its own: 3 + 2 courses */
    ck_assert_uint_eq(p->ncourses, 5);
    ck_assert_int_eq(courses_of(p, OT_AGENT_ALENDRONATE), 2);
    ck_assert_int_eq(courses_of(p, OT_AGENT_VITAMIN_D), 0);
    ck_assert_int_eq(courses_of(p, OT_AGENT_RISEDRONATE), 1);
    ck_assert_int_eq(courses_of(p, OT_AGENT_ZOLEDRONATE), 1);
    ck_assert_int_eq(courses_of(p, OT_AGENT_IBANDRONATE_IV), 1);
    ck_assert_uint_eq(p->ndoses, 2);
    ck_assert_int_eq(p->doses[0].agent, OT_AGENT_ZOLEDRONATE);
    ck_assert_int_eq(p->doses[1].agent, OT_AGENT_IBANDRONATE_IV);
    /* two therapies named: rejected, with both agents */
    char *combo[] = {med("MedicationStatement", "active",
                         "{\"text\":\"alendronate and denosumab\"}", per2)};
    e = join(combo, 1);
    ck_assert_int_eq(read_bundle(p, rd, e, &rj, &n, &nr), OT_OK);
    free(e);
    ck_assert_ptr_nonnull(strstr(rj.last, "names two agents: alendronate, denosumab"));
    ot_patient_free(p);
    ot_refdata_free(rd);
}
END_TEST

/* Statuses (review findings 6-8): an on-hold statement, an unconfirmed
 * fracture and a censored CTX ("<0.03 ng/mL") are each rejected with the
 * reason; the confirmed fracture and the active statement are read. 1 + 5
 * read, 3 rejected, nothing not relevant. */
START_TEST(test_statuses)
{
    ot_refdata *rd = test_refdata();
    ot_patient *p;
    ck_assert_int_eq(ot_patient_new(&p, ""), OT_OK);
    rejects rj;
    size_t n, nr;
    const char *per = "\"effectivePeriod\":{\"start\":\"2020-01-15\"}";
#define VS(c) ",\"verificationStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7." \
              "org/CodeSystem/condition-ver-status\",\"code\":\"" c "\"}]}"
    const char *conf = VS("confirmed"), *unconf = VS("unconfirmed");
    char *parts[] = {
        med("MedicationStatement", "on-hold", "{\"coding\":[{" RX ",\"code\":\"993449\"}]}",
            per),
        med("MedicationStatement", "active", "{\"coding\":[{" RX ",\"code\":\"46041\"}]}", per),
        cond("{" CM ",\"code\":\"M80.08XA\"}", "2021-03-01", unconf),
        cond("{" CM ",\"code\":\"S72.001A\"}", "2021-04-01", conf),
        obs("41171-0", "2021-01-10", "{\"value\":0.03,\"comparator\":\"<\",\"system\":"
            "\"http://unitsofmeasure.org\",\"code\":\"ng/mL\"}")};
    char *e = join(parts, 5);
    ck_assert_int_eq(read_bundle(p, rd, e, &rj, &n, &nr), OT_OK);
    free(e);
    ck_assert_uint_eq(n, 6);
    ck_assert_uint_eq(nr, 0);
    ck_assert_int_eq(rj.n, 3);
    ck_assert_str_eq(rj.last, "entry[5]: Observation: 41171-0: a censored value '<0.03 ng/mL': "
                              "osteotrack needs the measured value (valueQuantity.comparator)");
    ck_assert_uint_eq(p->ncourses, 1);
    ck_assert_int_eq(p->courses[0].agent, OT_AGENT_ALENDRONATE);
    ck_assert_uint_eq(p->nfx, 1);
    ck_assert_int_eq(p->fx[0].site, OT_FX_HIP);
    ck_assert_uint_eq(p->nobs, 0);
    ot_patient_free(p);
    ot_refdata_free(rd);
}
END_TEST

Suite *suite_fhir(void)
{
    Suite *s = suite_create("fhir");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_codes_both_ways);
    tcase_add_test(tc, test_mg_and_tscore_join);
    tcase_add_test(tc, test_medications_and_conditions);
    tcase_add_test(tc, test_one_patient_and_sniff);
    tcase_add_test(tc, test_cm_seventh_character);
    tcase_add_test(tc, test_medication_names);
    tcase_add_test(tc, test_statuses);
    suite_add_tcase(s, tc);
    return s;
}

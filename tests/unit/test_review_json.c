/*
 * A second, independent reading of the clinical rules (docs/clinical-rules.md,
 * README.md, osteotrack(1)), through the public API only, written without reading the
 * rule code: the report JSON against its documented contract (types, vocabularies,
 * order).
 */
#include "review_fixture.h"

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

/* Every source id the output names (under "source" or "*_source", null when
 * nothing was used) is a key of its sources object; each one found is marked
 * in `used` (the sources object's own members, by position). */
static void mark_source_ids(const cJSON *o, const cJSON *sources, char *used, int top)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, o)
    {
        if (top && c->string && strcmp(c->string, "sources") == 0)
            continue;
        size_t n = c->string ? strlen(c->string) : 0;
        if (c->string && (strcmp(c->string, "source") == 0 ||
                          (n > 7 && strcmp(c->string + n - 7, "_source") == 0))) {
            ck_assert_msg(cJSON_IsString(c) || cJSON_IsNull(c), "%s is not an id", c->string);
            if (cJSON_IsString(c)) {
                int i = 0, found = 0;
                const cJSON *s;
                cJSON_ArrayForEach(s, sources)
                {
                    if (strcmp(s->string, c->valuestring) == 0)
                        found = used[i] = 1;
                    i++;
                }
                ck_assert_msg(found, "%s '%s' is not in the sources object", c->string,
                              c->valuestring);
            }
        }
        if (cJSON_IsObject(c) || cJSON_IsArray(c))
            mark_source_ids(c, sources, used, 0);
    }
}

/* The output's provenance, last: osteotrack_version, reference_data (the
 * data's version and digest, the configurations applied) and sources, exactly
 * the ids used, each with the citation and confirmed mark of the data. */
static void check_provenance(const cJSON *j, const ot_refdata *d)
{
    const cJSON *tail = j->child;
    while (tail && tail->next && tail->next->next && tail->next->next->next)
        tail = tail->next;
    ck_assert_ptr_nonnull(tail);
    ck_assert_str_eq(tail->string, "osteotrack_version");
    ck_assert_str_eq(tail->next->string, "reference_data");
    ck_assert_str_eq(tail->next->next->string, "sources");
    ck_assert_str_eq(str(j, "osteotrack_version"), ot_version());
    const cJSON *ref = get(j, "reference_data");
    ck_assert_str_eq(str(ref, "version"), ot_refdata_version(d));
    ck_assert_str_eq(str(ref, "digest"), ot_refdata_digest(d));
    const cJSON *cfg = get(ref, "config");
    ck_assert(cJSON_IsArray(cfg));
    ck_assert_int_eq(cJSON_GetArraySize(cfg), (int)ot_refdata_config_count(d));
    for (size_t i = 0; i < ot_refdata_config_count(d); i++) {
        const char *name = NULL, *digest = NULL;
        ck_assert_int_eq(ot_refdata_config(d, i, &name, &digest), OT_OK);
        ck_assert_str_eq(str(cJSON_GetArrayItem(cfg, (int)i), "name"), name);
        ck_assert_str_eq(str(cJSON_GetArrayItem(cfg, (int)i), "digest"), digest);
    }
    const cJSON *sources = get(j, "sources");
    ck_assert(cJSON_IsObject(sources));
    int n = cJSON_GetArraySize(sources);
    char used[256] = {0};
    ck_assert(n <= (int)sizeof used);
    const cJSON *s;
    cJSON_ArrayForEach(s, sources)
    {
        const char *citation = NULL;
        int confirmed = -1;
        ck_assert_msg(ot_refdata_source_find(d, s->string, &citation, &confirmed) == OT_OK,
                      "source '%s' is not in the reference data", s->string);
        ck_assert_str_eq(str(s, "citation"), citation);
        ck_assert(cJSON_IsBool(get(s, "confirmed")));
        ck_assert_int_eq(cJSON_IsTrue(get(s, "confirmed")), confirmed);
    }
    mark_source_ids(j, sources, used, 1);
    int i = 0;
    cJSON_ArrayForEach(s, sources)
    {
        ck_assert_msg(used[i++], "source '%s' is listed but not used", s->string);
    }
}

static void check_report_contract(const cJSON *j, const char *id, const char *as_of)
{
    check_provenance(j, rd);
    ck_assert_str_eq(str(j, "patient_id"), id);
    ck_assert_str_eq(str(j, "as_of"), as_of);
    const cJSON *e;
    cJSON_ArrayForEach(e, get(j, "bmd"))
    {
        is_enum(e, "site", SITES);
        check_change(e);
        /* vs_previous: only change fields, each differing from the entry's
         * own; with the entry's filling in what it leaves out, a full change */
        const cJSON *vp = get(e, "vs_previous");
        ck_assert(cJSON_IsObject(vp));
        cJSON *full = cJSON_Duplicate(e, 1);
        ck_assert_ptr_nonnull(full);
        const cJSON *f;
        cJSON_ArrayForEach(f, vp)
        {
            ck_assert_msg(is_change_field(f->string), "vs_previous.%s is not a change field",
                          f->string);
            const cJSON *own = cJSON_GetObjectItemCaseSensitive(e, f->string);
            ck_assert_msg(!own || !cJSON_Compare(f, own, 1),
                          "vs_previous.%s equals the entry's own", f->string);
            cJSON_DeleteItemFromObjectCaseSensitive(full, f->string);
            cJSON_AddItemToObject(full, f->string, cJSON_Duplicate(f, 1));
        }
        check_change(full);
        cJSON_Delete(full);
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

Suite *suite_review_json(void)
{
    Suite *s = suite_create("review_json");
    TCase *tc = tcase_create("review_json");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, report_json_types_follow_the_contract);
    suite_add_tcase(s, tc);
    return s;
}

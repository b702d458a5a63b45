/* Loads data/monitoring.json, data/tscore.json, data/agents.json and
 * data/fractures.json. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* {"value": [lo, hi], "source", "confirmed"} */
static int pair_value(ot_sourced *src, double *lo, double *hi, const cJSON *doc,
                      const char *key, const char *path, ot_error *err)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "value");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 ||
        !cJSON_IsNumber(cJSON_GetArrayItem(v, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(v, 1)))
        return ot_err_set(err, OT_EDATA, "%s: %s.value: expected [lo, hi]", path, key);
    *lo = cJSON_GetArrayItem(v, 0)->valuedouble;
    *hi = cJSON_GetArrayItem(v, 1)->valuedouble;
    if (!(*lo > 0 && *lo <= *hi))
        return ot_err_set(err, OT_EDATA, "%s: %s.value: expected 0 < lo <= hi", path, key);
    src->value = *lo;
    return ot_json_sourced(src, e, path, key, err);
}

static int causes(ot_monitoring *m, const cJSON *doc, const char *path, ot_error *err)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "secondary_causes");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "value");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1)
        return ot_err_set(err, OT_EDATA, "%s: secondary_causes.value: expected a list of names",
                          path);
    size_t used = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, v)
    {
        if (!cJSON_IsString(c) || !c->valuestring[0])
            return ot_err_set(err, OT_EDATA, "%s: secondary_causes.value: expected strings", path);
        int n = snprintf(m->causes_text + used, sizeof m->causes_text - used, "%s%s",
                         used ? ", " : "", c->valuestring);
        if (n < 0 || (size_t)n >= sizeof m->causes_text - used)
            return ot_err_set(err, OT_EDATA, "%s: secondary_causes.value: list too long", path);
        used += (size_t)n;
    }
    m->secondary_causes.value = (double)cJSON_GetArraySize(v);
    return ot_json_sourced(&m->secondary_causes, e, path, "secondary_causes", err);
}

static int courses(ot_monitoring *m, const cJSON *doc, const char *path, ot_error *err)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "anabolic_course_months");
    for (int a = 0; a < OT_AGENT_COUNT; a++)
        m->anabolic_course[a].value = NAN;
    if (!cJSON_IsObject(e))
        return ot_err_set(err, OT_EDATA, "%s: anabolic_course_months: missing", path);
    for (const cJSON *it = e->child; it; it = it->next) {
        ot_agent a;
        ot_agent_class k = OT_CLASS_NONE;
        if (ot_agent_parse(&a, it->string) == OT_OK)
            k = ot_agent_class_of(a);
        if (k != OT_CLASS_ANABOLIC && k != OT_CLASS_ROMOSOZUMAB)
            return ot_err_set(err, OT_EDATA, "%s: anabolic_course_months.%s: not an anabolic",
                              path, it->string);
        int rc = ot_json_sourced_value(&m->anabolic_course[a], e, it->string, 1.0, 120.0, path,
                                       "anabolic_course_months", err);
        if (rc != OT_OK)
            return rc;
    }
    return OT_OK;
}

int ot_load_monitoring(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "monitoring.json", "osteotrack-monitoring", path, sizeof path,
                         err);
    if (rc != OT_OK)
        return rc;
    ot_monitoring *m = &rd->mon;
    struct {
        ot_sourced *dst;
        const char *key;
        double lo, hi;
    } singles[] = {
        {&m->dxa_interval, "dxa_interval_months", 3, 60},
        {&m->marker_followup, "marker_followup_months", 1, 12},
        {&m->holiday_oral, "drug_holiday_oral_months", 12, 240},
        {&m->holiday_iv, "drug_holiday_iv_months", 12, 240},
        {&m->holiday_tscore, "drug_holiday_continue_tscore", -6, 0},
        {&m->review_oral_max, "bisphosphonate_continue_oral_max_months", 12, 360},
        {&m->review_iv_max, "bisphosphonate_continue_iv_max_months", 12, 360},
        {&m->holiday_review, "drug_holiday_review_months", 1, 120},
        {&m->followon_grace, "followon_grace_months", 0, 24},
        {&m->failure_min, "treatment_failure_min_months", 0, 60},
    };
    for (size_t i = 0; rc == OT_OK && i < sizeof singles / sizeof singles[0]; i++)
        rc = ot_json_sourced_value(singles[i].dst, doc, singles[i].key, singles[i].lo,
                                   singles[i].hi, path, "$", err);
    if (rc == OT_OK)
        rc = courses(m, doc, path, err);
    if (rc == OT_OK)
        rc = causes(m, doc, path, err);
    if (rc == OT_OK)
        rc = pair_value(&m->calcium, &m->calcium_lo, &m->calcium_hi, doc, "calcium_mg_per_day",
                        path, err);
    if (rc == OT_OK)
        rc = pair_value(&m->vitamin_d, &m->vitamin_d_lo, &m->vitamin_d_hi, doc,
                        "vitamin_d_iu_per_day", path, err);
    cJSON_Delete(doc);
    return rc;
}

static int tscore_ref(ot_tscore_ref *t, const cJSON *e, const char *path, const char *where,
                      ot_error *err)
{
    const cJSON *site = cJSON_GetObjectItemCaseSensitive(e, "site");
    const cJSON *mfr = cJSON_GetObjectItemCaseSensitive(e, "manufacturer");
    ot_sourced src;
    if (!cJSON_IsString(site) || ot_site_parse(&t->site, site->valuestring) != OT_OK)
        return ot_err_set(err, OT_EDATA, "%s: %s.site: unknown site", path, where);
    if (!cJSON_IsString(mfr) || ot_manufacturer_parse(&t->manufacturer, mfr->valuestring))
        return ot_err_set(err, OT_EDATA, "%s: %s.manufacturer: unknown", path, where);
    int rc = ot_json_number(&t->mean, e, "mean_g_cm2", 1, 0.2, 2.0, path, where, err);
    if (rc == OT_OK)
        rc = ot_json_number(&t->sd, e, "sd_g_cm2", 1, 0.01, 0.5, path, where, err);
    if (rc == OT_OK)
        rc = ot_json_sourced(&src, e, path, where, err);
    if (rc == OT_OK) {
        t->confirmed = src.confirmed;
        ot_strlcpy(t->source, src.source, sizeof t->source);
    }
    return rc;
}

int ot_load_tscore(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "tscore.json", "osteotrack-tscore", path, sizeof path, err);
    if (rc != OT_OK)
        return rc;
    rc = ot_json_sourced_value(&rd->tscore_osteoporosis, doc, "osteoporosis_max", -6, 0, path,
                               "$", err);
    if (rc == OT_OK)
        rc = ot_json_sourced_value(&rd->tscore_normal, doc, "normal_min",
                                   rd->tscore_osteoporosis.value, 2, path, "$", err);
    ot_reference_rules *x = &rd->ref;
    if (rc == OT_OK)
        rc = ot_json_sourced_value(&x->who_min_age, doc, "who_min_age_men", 18, 100, path, "$",
                                   err);
    if (rc == OT_OK)
        rc = ot_json_sourced_value(&x->premenopausal_below, doc, "premenopausal_assumed_below_age",
                                   18, 100, path, "$", err);
    if (rc == OT_OK)
        rc = ot_json_sourced_value(&x->peri_t_score, doc, "perimenopausal_uses_t_score", 0, 1,
                                   path, "$", err);
    if (rc == OT_OK)
        rc = ot_json_sourced_value(&x->zscore_low, doc, "zscore_below_expected_max", -6, 0, path,
                                   "$", err);
    if (rc == OT_OK)
        rc = ot_json_sourced(&x->men_reference,
                             cJSON_GetObjectItemCaseSensitive(doc, "men_reference"), path,
                             "men_reference", err);
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(doc, "references");
    if (rc == OT_OK && (!cJSON_IsArray(refs) || cJSON_GetArraySize(refs) > OT_MAX_TSCORE_REFS))
        rc = ot_err_set(err, OT_EDATA, "%s: references: expected a list of at most %d",
                        path, OT_MAX_TSCORE_REFS);
    const cJSON *e;
    rd->ntscore_refs = 0;
    if (rc == OT_OK)
        cJSON_ArrayForEach(e, refs)
        {
            char where[32];
            snprintf(where, sizeof where, "references[%zu]", rd->ntscore_refs);
            if ((rc = tscore_ref(&rd->tscore_refs[rd->ntscore_refs], e, path, where, err)))
                break;
            rd->ntscore_refs++;
        }
    cJSON_Delete(doc);
    return rc;
}

int ot_load_agents(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "agents.json", "osteotrack-agents", path, sizeof path, err);
    if (rc != OT_OK)
        return rc;
    for (int a = 0; a < OT_AGENT_COUNT; a++)
        rd->dosing[a].interval.value = rd->dosing[a].late.value = NAN;
    const cJSON *agents = cJSON_GetObjectItemCaseSensitive(doc, "agents");
    if (!cJSON_IsObject(agents))
        rc = ot_err_set(err, OT_EDATA, "%s: agents: expected an object", path);
    for (const cJSON *it = agents ? agents->child : NULL; rc == OT_OK && it; it = it->next) {
        ot_agent a;
        char where[64];
        snprintf(where, sizeof where, "agents.%.40s", it->string);
        if (ot_agent_parse(&a, it->string) != OT_OK || a == OT_AGENT_NONE) {
            rc = ot_err_set(err, OT_EDATA, "%s: %s: unknown agent", path, where);
            break;
        }
        ot_dosing *d = &rd->dosing[a];
        rc = ot_json_sourced_value(&d->interval, it, "dose_interval_months", 1, 24, path, where,
                                   err);
        if (rc == OT_OK)
            rc = ot_json_sourced_value(&d->late, it, "dose_late_months", d->interval.value, 60,
                                       path, where, err);
    }
    cJSON_Delete(doc);
    return rc;
}

int ot_load_fractures(ot_refdata *rd, ot_error *err)
{
    static const char *const nbha[] = {"none", "any_bmd", "low_bone_mass"};
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "fractures.json", "osteotrack-fractures", path, sizeof path,
                         err);
    if (rc != OT_OK)
        return rc;
    rc = ot_json_sourced(&rd->ref.nbha, cJSON_GetObjectItemCaseSensitive(doc, "nbha"), path,
                         "nbha", err);
    if (rc == OT_OK)
        rc = ot_json_sourced(&rd->ref.iof_fractures, cJSON_GetObjectItemCaseSensitive(doc, "iof"),
                             path, "iof", err);
    const cJSON *cm = cJSON_GetObjectItemCaseSensitive(doc, "icd10cm_seventh_character");
    if (rc == OT_OK)
        rc = ot_json_sourced(&rd->ref.cm_seventh, cm, path, "icd10cm_seventh_character", err);
    if (rc == OT_OK) {
        const cJSON *ini = cJSON_GetObjectItemCaseSensitive(cm, "initial");
        const cJSON *later = cJSON_GetObjectItemCaseSensitive(cm, "later");
        int ok = cJSON_IsString(ini) && cJSON_IsString(later) &&
                 strlen(ini->valuestring) < sizeof rd->ref.cm_initial &&
                 strlen(later->valuestring) < sizeof rd->ref.cm_later;
        for (const char *c = ok ? ini->valuestring : ""; ok && *c; c++)
            ok = *c >= 'A' && *c <= 'Z' && !strchr(later->valuestring, *c);
        for (const char *c = ok ? later->valuestring : ""; ok && *c; c++)
            ok = *c >= 'A' && *c <= 'Z';
        if (!ok)
            rc = ot_err_set(err, OT_EDATA, "%s: icd10cm_seventh_character: expected \"initial\" "
                            "and \"later\", strings of capital letters with none in both", path);
        else {
            ot_strlcpy(rd->ref.cm_initial, ini->valuestring, sizeof rd->ref.cm_initial);
            ot_strlcpy(rd->ref.cm_later, later->valuestring, sizeof rd->ref.cm_later);
        }
    }
    const cJSON *sites = cJSON_GetObjectItemCaseSensitive(doc, "sites");
    for (int f = 0; rc == OT_OK && f < OT_FX_COUNT; f++) {
        const char *name = ot_fracture_site_name((ot_fracture_site)f);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(sites, name);
        const cJSON *nb = cJSON_GetObjectItemCaseSensitive(e, "nbha");
        const cJSON *iof = cJSON_GetObjectItemCaseSensitive(e, "iof_counts");
        const cJSON *major = cJSON_GetObjectItemCaseSensitive(e, "major");
        ot_fx_class *c = &rd->fx_class[f];
        c->nbha = -1;
        for (int k = 0; cJSON_IsString(nb) && k < 3; k++)
            if (!strcmp(nb->valuestring, nbha[k]))
                c->nbha = k;
        if (!cJSON_IsObject(e) || c->nbha < 0 || !cJSON_IsBool(iof) || !cJSON_IsBool(major))
            rc = ot_err_set(err, OT_EDATA, "%s: sites.%s: expected {\"nbha\": \"none\", "
                            "\"any_bmd\" or \"low_bone_mass\", \"iof_counts\": bool, "
                            "\"major\": bool}", path, name);
        c->iof_counts = cJSON_IsTrue(iof);
        c->major = cJSON_IsTrue(major);
    }
    cJSON_Delete(doc);
    return rc;
}

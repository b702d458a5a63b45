/* A precision study as a facility configuration (config.c reads it back). */
#include "precision_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Numbers are rounded for display only: g/cm2 to 6 decimals, % to 4. */
#define G(x) ot_round((x), 6)
#define PCT(x) ot_round((x), 4)

static cJSON *levels_json(const ot_precision_group *g, const ot_precision_result *r)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < r->nconfidence; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddNumberToObject(o, "confidence_pct", r->confidence[i]);
        cJSON_AddNumberToObject(o, "multiplier", ot_round(r->multiplier[i], 4));
        ot_json_add_num(o, "lsc_g_cm2", G(g->lsc_level_g_cm2[i]));
        ot_json_add_num(o, "lsc_pct", PCT(g->lsc_level_pct[i]));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *group_json(const ot_precision_group *g, const ot_precision_result *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "site", ot_site_name(g->site));
    if (g->by != OT_PRECISION_BY_SITE)
        cJSON_AddStringToObject(o, ot_precision_by_name(g->by), g->key);
    cJSON_AddNumberToObject(o, "patients", (double)g->patients);
    cJSON_AddNumberToObject(o, "scans", (double)g->scans);
    cJSON_AddNumberToObject(o, "df", (double)g->df);
    cJSON_AddNumberToObject(o, "single_scan_patients", (double)g->single_scan);
    ot_json_add_num(o, "mean_g_cm2", G(g->mean_g_cm2));
    ot_json_add_num(o, "rms_sd_g_cm2", G(g->rms_sd_g_cm2));
    cJSON *ci = cJSON_AddArrayToObject(o, "rms_sd_ci95_g_cm2");
    if (ci) {
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(G(g->rms_sd_ci95_lo)));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(G(g->rms_sd_ci95_hi)));
    }
    ot_json_add_num(o, "rms_cv_pct", PCT(g->rms_cv_pct));
    ot_json_add_num(o, "lsc_g_cm2", G(g->lsc_g_cm2));
    ot_json_add_num(o, "lsc_pct", PCT(g->lsc_pct));
    cJSON_AddItemToObject(o, "lsc_other_levels", levels_json(g, r));
    ot_json_add_num(o, "iscd_max_cv_pct", g->iscd_max_cv_pct);
    if (g->by == OT_PRECISION_BY_TECHNOLOGIST)
        cJSON_AddBoolToObject(o, "retraining_advised", g->retraining_advised);
    else
        cJSON_AddBoolToObject(o, "worse_than_iscd", g->worse_than_iscd);
    return o;
}

static void add_groups(cJSON *study, const char *key, const ot_precision_result *r,
                       ot_precision_by by)
{
    cJSON *a = cJSON_AddArrayToObject(study, key);
    for (size_t i = 0; a && i < r->ngroups; i++)
        if (r->groups[i].by == by)
            cJSON_AddItemToArray(a, group_json(&r->groups[i], r));
}

static cJSON *study_json(const ot_precision_result *r)
{
    cJSON *s = cJSON_CreateObject();
    if (!s)
        return NULL;
    char tool[64];
    snprintf(tool, sizeof tool, "osteotrack precision %s", ot_version());
    cJSON_AddStringToObject(s, "tool", tool);
    cJSON_AddStringToObject(s, "input", r->name);
    char method[300];
    snprintf(method, sizeof method,
             "ISCD: RMS-SD = sqrt(sum SD_j^2 / patients), SD_j of each patient's repeated "
             "scans; LSC = %.2f x RMS-SD at 95%% confidence, z x sqrt(2) x RMS-SD at other "
             "levels", r->multiplier_95);
    cJSON_AddStringToObject(s, "method", method);
    cJSON *m = cJSON_AddObjectToObject(s, "multiplier_95");
    if (m) {
        cJSON_AddNumberToObject(m, "value", r->multiplier_95);
        cJSON_AddStringToObject(m, "source", r->multiplier_source);
        cJSON_AddBoolToObject(m, "confirmed", r->multiplier_confirmed);
    }
    ot_json_add_date(s, "first_date", r->first_date);
    ot_json_add_date(s, "last_date", r->last_date);
    cJSON *rows = cJSON_AddObjectToObject(s, "rows");
    if (rows) {
        cJSON_AddNumberToObject(rows, "read", (double)r->rows_read);
        cJSON_AddNumberToObject(rows, "used", (double)r->rows_used);
        cJSON_AddNumberToObject(rows, "rejected", (double)r->rows_rejected);
        cJSON_AddNumberToObject(rows, "single_scan", (double)r->rows_single);
    }
    add_groups(s, "sites", r, OT_PRECISION_BY_SITE);
    add_groups(s, "devices", r, OT_PRECISION_BY_DEVICE);
    add_groups(s, "technologists", r, OT_PRECISION_BY_TECHNOLOGIST);
    cJSON *notes = cJSON_AddArrayToObject(s, "notes");
    for (size_t i = 0; notes && i < r->nnotes; i++)
        if (r->notes[i].kind == OT_PRECISION_NOTE_STUDY)
            cJSON_AddItemToArray(notes, cJSON_CreateString(r->notes[i].message));
    return s;
}

/* lsc.SITE = {"g_cm2": LSC, "source": "..."} for each usable site. */
static cJSON *lsc_json(const ot_precision_result *r, const char *facility)
{
    cJSON *lsc = cJSON_CreateObject();
    for (size_t i = 0; lsc && i < r->ngroups; i++) {
        const ot_precision_group *g = &r->groups[i];
        double v = G(g->lsc_g_cm2);
        if (g->by != OT_PRECISION_BY_SITE ||
            !(v >= OT_PRECISION_CONFIG_MIN && v <= OT_PRECISION_CONFIG_MAX))
            continue;
        const char *base = strrchr(r->name, '/') ? strrchr(r->name, '/') + 1 : r->name;
        char src[OT_SOURCE_MAX];
        snprintf(src, sizeof src,
                 "osteotrack precision study of %s%s%s%s: %zu patients, %zu scans, %zu df, "
                 "RMS-SD %.4f g/cm2, LSC = %.2f x RMS-SD", base, facility ? " (" : "",
                 facility ? facility : "", facility ? ")" : "", g->patients, g->scans, g->df,
                 g->rms_sd_g_cm2, r->multiplier_95);
        cJSON *o = cJSON_AddObjectToObject(lsc, ot_site_name(g->site));
        if (o) {
            cJSON_AddNumberToObject(o, "g_cm2", v);
            cJSON_AddStringToObject(o, "source", src);
        }
    }
    return lsc;
}

int ot_precision_result_to_config(char **out, const ot_precision_result *r,
                                  const char *facility)
{
    if (!out)
        return OT_EINVAL;
    *out = NULL;
    if (!r)
        return OT_EINVAL;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return OT_ENOMEM;
    cJSON_AddStringToObject(root, "kind", "osteotrack-facility");
    cJSON_AddNumberToObject(root, "version", 1);
    if (facility && *facility)
        cJSON_AddStringToObject(root, "facility", facility);
    cJSON_AddItemToObject(root, "lsc", lsc_json(r, facility && *facility ? facility : NULL));
    cJSON_AddItemToObject(root, "study", study_json(r));
    return ot_json_finish(out, root, 1);
}

/* Standardized BMD (sBMD) between manufacturers: data/sbmd.json, and the
 * sBMD of a comparison's two scans (for display; never for significance). */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* {"intercept": a, "slope": b, "center": c (default 0)} */
static int equation(ot_sbmd_eq *q, const cJSON *e, const char *path, const char *where,
                    ot_error *err)
{
    if (!cJSON_IsObject(e))
        return ot_err_set(err, OT_EDATA, "%s: %s: expected {\"intercept\", \"slope\", "
                          "\"center\"}", path, where);
    for (const cJSON *k = e->child; k; k = k->next)
        if (strcmp(k->string, "intercept") && strcmp(k->string, "slope") &&
            strcmp(k->string, "center"))
            return ot_err_set(err, OT_EDATA, "%s: %s.%s: unknown key (expected intercept, "
                              "slope, center)", path, where, k->string);
    int rc = ot_json_number(&q->intercept, e, "intercept", 1, -0.5, 1.5, path, where, err);
    if (rc == OT_OK)
        rc = ot_json_number(&q->slope, e, "slope", 1, 0.5, 2.0, path, where, err);
    if (rc == OT_OK)
        rc = ot_json_number(&q->center, e, "center", 0, 0.0, 2.0, path, where, err);
    if (rc == OT_OK && isnan(q->center))
        q->center = 0.0;
    q->known = rc == OT_OK;
    return rc;
}

/* One site: null (no equations), or {"equations": {manufacturer: {...}}, source, confirmed}. */
static int site_entry(ot_sbmd_site *s, const cJSON *e, const char *path, const char *where,
                      ot_error *err)
{
    if (cJSON_IsNull(e))
        return OT_OK;
    const cJSON *eqs = cJSON_GetObjectItemCaseSensitive(e, "equations");
    if (!cJSON_IsObject(e) || !cJSON_IsObject(eqs))
        return ot_err_set(err, OT_EDATA, "%s: %s: expected null or {\"equations\", \"source\", "
                          "\"confirmed\"}", path, where);
    ot_sourced src;
    int rc = ot_json_sourced(&src, e, path, where, err);
    for (const cJSON *it = eqs->child; rc == OT_OK && it; it = it->next) {
        char w[96];
        ot_manufacturer m;
        snprintf(w, sizeof w, "%s.equations.%s", where, it->string);
        if (ot_manufacturer_parse(&m, it->string) != OT_OK || m == OT_MFR_OTHER ||
            m == OT_MFR_UNKNOWN || strcmp(ot_manufacturer_name(m), it->string))
            return ot_err_set(err, OT_EDATA, "%s: %s: unknown manufacturer (expected hologic, "
                              "ge_lunar, norland)", path, w);
        rc = equation(&s->eq[m], it, path, w, err);
    }
    if (rc == OT_OK) {
        s->confirmed = src.confirmed;
        ot_strlcpy(s->source, src.source, sizeof s->source);
    }
    return rc;
}

int ot_load_sbmd(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "sbmd.json", "osteotrack-sbmd", path, sizeof path, err);
    if (rc != OT_OK)
        return rc;
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(doc, "percent_change");
    const cJSON *sites = cJSON_GetObjectItemCaseSensitive(doc, "sites");
    ot_sourced src;
    if (!cJSON_IsObject(note) || !cJSON_IsObject(sites))
        rc = ot_err_set(err, OT_EDATA, "%s: expected objects percent_change and sites", path);
    else
        rc = ot_json_sourced(&src, note, path, "percent_change", err);
    memset(rd->sbmd, 0, sizeof rd->sbmd);
    for (int s = 0; rc == OT_OK && s < OT_SITE_COUNT; s++) {
        char where[64];
        snprintf(where, sizeof where, "sites.%s", ot_site_name((ot_site)s));
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(sites, ot_site_name((ot_site)s));
        rc = e ? site_entry(&rd->sbmd[s], e, path, where, err)
               : ot_err_set(err, OT_EDATA, "%s: %s: missing (null when there is no equation)",
                            path, where);
    }
    for (const cJSON *it = sites ? sites->child : NULL; rc == OT_OK && it; it = it->next) {
        ot_site s;
        if (ot_site_parse(&s, it->string) != OT_OK || strcmp(ot_site_name(s), it->string))
            rc = ot_err_set(err, OT_EDATA, "%s: sites.%s: unknown site", path, it->string);
    }
    cJSON_Delete(doc);
    return rc;
}

static double sbmd_mg(const ot_sbmd_eq *q, double g_cm2)
{
    return 1000.0 * (q->intercept + q->slope * (g_cm2 - q->center));
}

void ot_sbmd_fill(ot_bmd_result *r, const ot_refdata *rd, ot_manufacturer from,
                  ot_manufacturer to)
{
    r->has_sbmd = 0;
    r->sbmd_baseline_mg_cm2 = r->sbmd_value_mg_cm2 = NAN;
    r->sbmd_confirmed = 0;
    r->sbmd_source = NULL;
    if ((unsigned)from >= OT_MFR_COUNT || (unsigned)to >= OT_MFR_COUNT || from == to ||
        (unsigned)r->site >= OT_SITE_COUNT)
        return;
    const ot_sbmd_site *s = &rd->sbmd[r->site];
    if (!s->eq[from].known || !s->eq[to].known)
        return;
    r->has_sbmd = 1;
    r->sbmd_baseline_mg_cm2 = sbmd_mg(&s->eq[from], r->baseline_g_cm2);
    r->sbmd_value_mg_cm2 = sbmd_mg(&s->eq[to], r->value_g_cm2);
    r->sbmd_confirmed = s->confirmed;
    r->sbmd_source = s->source;
}

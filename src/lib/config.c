/* Facility configuration (--config): overrides the shipped defaults. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_keys[] = {"kind",    "version", "facility", "description",
                                         "created", "lsc",     "markers",  "study",
                                         "cross_calibration", NULL};

/* A key for a message: one line of valid UTF-8 (keys are the file's text). */
#define SHOWN(buf, s) ot_text_shown(buf, sizeof buf, s, strlen(s))

static int known_key(const char *k)
{
    for (const char *const *p = known_keys; *p; p++)
        if (strcmp(*p, k) == 0)
            return 1;
    return 0;
}

static int apply_site_lsc(ot_refdata *rd, const cJSON *e, ot_site s, const char *name,
                          const char *facility, ot_error *err)
{
    char where[64];
    snprintf(where, sizeof where, "lsc.%s", ot_site_name(s));
    if (!cJSON_IsObject(e))
        return ot_err_set(err, OT_EDATA, "%s: %s: expected {\"g_cm2\": X} or {\"pct\": X}",
                          name, where);
    double g = NAN, pct = NAN;
    int rc = ot_json_number(&g, e, "g_cm2", 0, 0.0001, 0.5, name, where, err);
    if (rc == OT_OK)
        rc = ot_json_number(&pct, e, "pct", 0, 0.01, 50.0, name, where, err);
    if (rc != OT_OK)
        return rc;
    if (isnan(g) == isnan(pct))
        return ot_err_set(err, OT_EDATA, "%s: %s: give exactly one of g_cm2 and pct", name,
                          where);
    ot_site_lsc *l = &rd->lsc[s];
    l->facility = 1;
    l->facility_is_pct = isnan(g);
    l->facility_value = isnan(g) ? pct : g;
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(e, "source");
    if (cJSON_IsString(src) && src->valuestring[0])
        snprintf(l->facility_source, sizeof l->facility_source, "%s (%s)", src->valuestring, name);
    else
        snprintf(l->facility_source, sizeof l->facility_source,
                 "facility precision study: %s (%s)", facility, name);
    return OT_OK;
}

/* "markers": {"p1np": {"lsc_pct": X, "target": Y}, "ctx": {...}} */
static int apply_markers(ot_marker_rules *rules, const cJSON *markers, const char *name,
                         const char *facility, ot_error *err)
{
    if (!cJSON_IsObject(markers))
        return ot_err_set(err, OT_EDATA, "%s: markers: expected an object of analytes", name);
    for (const cJSON *it = markers->child; it; it = it->next) {
        ot_analyte a;
        char where[64], b[40];
        snprintf(where, sizeof where, "markers.%s", SHOWN(b, it->string));
        if (ot_analyte_parse(&a, it->string) != OT_OK ||
            (a != OT_ANALYTE_P1NP && a != OT_ANALYTE_CTX))
            return ot_err_set(err, OT_EDATA, "%s: %s: unknown marker (expected p1np or ctx)",
                              name, where);
        if (!cJSON_IsObject(it))
            return ot_err_set(err, OT_EDATA, "%s: %s: expected {\"lsc_pct\": X, \"target\": Y}",
                              name, where);
        for (const cJSON *k = it->child; k; k = k->next)
            if (strcmp(k->string, "lsc_pct") && strcmp(k->string, "target"))
                return ot_err_set(err, OT_EDATA, "%s: %s.%s: unknown key (expected lsc_pct, "
                                  "target)", name, where, SHOWN(b, k->string));
        double lsc, target;
        int rc = ot_json_number(&lsc, it, "lsc_pct", 0, 1.0, 100.0, name, where, err);
        if (rc == OT_OK)
            rc = ot_json_number(&target, it, "target", 0, 0.0, 1e5, name, where, err);
        if (rc != OT_OK)
            return rc;
        ot_marker_rules *m = &rules[a];
        char src[OT_SOURCE_MAX];
        snprintf(src, sizeof src, "facility configuration: %s (%s)", facility, name);
        if (!isnan(lsc)) {
            m->lsc_pct.value = lsc;
            m->lsc_pct.confirmed = 1;
            ot_strlcpy(m->lsc_pct.source, src, sizeof m->lsc_pct.source);
            m->facility_lsc = 1;
        }
        if (!isnan(target)) {
            m->target.value = target;
            m->target.confirmed = 1;
            ot_strlcpy(m->target.source, src, sizeof m->target.source);
            m->facility_target = 1;
        }
    }
    return OT_OK;
}

/* Each figure the file set names its source by an id, like the shipped ones:
 * facility-lsc-SITE, facility-markers-ANALYTE, facility-crosscal-N (N counts
 * the calibrations of every file applied). The text made above is registered
 * as the citation, and the struct keeps the id. */
static int register_one(ot_refdata *rd, char *text, size_t size, const char *id, ot_error *err)
{
    int rc = ot_source_add(rd, id, text, 1, 1, "facility configuration", err);
    if (rc == OT_OK)
        ot_strlcpy(text, id, size);
    return rc;
}

static int register_sources(ot_refdata *rd, const cJSON *lsc, const cJSON *markers,
                            ot_crosscal *cal, size_t ncal, ot_error *err)
{
    char id[64];
    int rc = OT_OK;
    for (const cJSON *it = lsc ? lsc->child : NULL; rc == OT_OK && it; it = it->next) {
        ot_site s;
        ot_site_parse(&s, it->string);
        snprintf(id, sizeof id, "facility-lsc-%s", ot_site_name(s));
        rc = register_one(rd, rd->lsc[s].facility_source, sizeof rd->lsc[s].facility_source, id,
                          err);
    }
    for (const cJSON *it = markers ? markers->child : NULL; rc == OT_OK && it; it = it->next) {
        ot_analyte a;
        ot_analyte_parse(&a, it->string);
        ot_marker_rules *m = &rd->markers[a];
        snprintf(id, sizeof id, "facility-markers-%s", ot_analyte_name(a));
        if (m->facility_lsc && strcmp(m->lsc_pct.source, id) != 0)
            rc = register_one(rd, m->lsc_pct.source, sizeof m->lsc_pct.source, id, err);
        if (rc == OT_OK && m->facility_target && strcmp(m->target.source, id) != 0)
            rc = register_one(rd, m->target.source, sizeof m->target.source, id, err);
    }
    /* the new calibrations are the ones whose source is still a text */
    for (size_t i = 0; rc == OT_OK && i < ncal; i++)
        if (strncmp(cal[i].source, "facility-crosscal-", 18) != 0) {
            snprintf(id, sizeof id, "facility-crosscal-%zu", ++rd->ncrosscal_ids);
            rc = register_one(rd, cal[i].source, sizeof cal[i].source, id, err);
        }
    return rc;
}

/* Applies a parsed configuration; a bad one changes nothing. */
static int apply_doc(ot_refdata *rd, const cJSON *doc, const char *name, ot_error *err)
{
    int rc = OT_OK;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    if (!cJSON_IsObject(doc) || !cJSON_IsString(kind) ||
        strcmp(kind->valuestring, "osteotrack-facility") != 0)
        return ot_err_set(err, OT_EDATA, "%s: kind: expected \"osteotrack-facility\"", name);
    char b[40];
    for (const cJSON *it = doc->child; it; it = it->next)
        if (!known_key(it->string))
            return ot_err_set(err, OT_EDATA, "%s: %s: unknown key", name, SHOWN(b, it->string));
    const cJSON *fac = cJSON_GetObjectItemCaseSensitive(doc, "facility");
    const char *facility = cJSON_IsString(fac) ? fac->valuestring : "unnamed facility";
    const cJSON *lsc = cJSON_GetObjectItemCaseSensitive(doc, "lsc");
    if (lsc && !cJSON_IsObject(lsc))
        return ot_err_set(err, OT_EDATA, "%s: lsc: expected an object of sites", name);
    /* Validate all sites first so a bad file changes nothing. */
    for (const cJSON *it = lsc ? lsc->child : NULL; it; it = it->next) {
        ot_site s;
        if (ot_site_parse(&s, it->string) != OT_OK)
            return ot_err_set(err, OT_EDATA, "%s: lsc.%s: unknown site", name,
                              SHOWN(b, it->string));
    }
    /* Calibrations are parsed into a new list, installed only on success. */
    ot_crosscal *cal = NULL;
    size_t ncal = 0;
    const cJSON *xcal = cJSON_GetObjectItemCaseSensitive(doc, "cross_calibration");
    if (xcal && (rc = ot_crosscal_parse(&cal, &ncal, rd, xcal, name, facility, err)) != OT_OK)
        return rc;
    ot_site_lsc saved[OT_SITE_COUNT];
    memcpy(saved, rd->lsc, sizeof saved);
    for (const cJSON *it = lsc ? lsc->child : NULL; rc == OT_OK && it; it = it->next) {
        ot_site s;
        ot_site_parse(&s, it->string);
        rc = apply_site_lsc(rd, it, s, name, facility, err);
    }
    ot_marker_rules saved_markers[OT_ANALYTE_FRACTURE];
    memcpy(saved_markers, rd->markers, sizeof saved_markers);
    const cJSON *markers = cJSON_GetObjectItemCaseSensitive(doc, "markers");
    if (rc == OT_OK && markers)
        rc = apply_markers(rd->markers, markers, name, facility, err);
    if (rc == OT_OK)
        rc = register_sources(rd, lsc, markers, cal, ncal, err);
    if (rc == OT_OK && ot_sources_index(rd) != OT_OK)
        rc = ot_err_set(err, OT_ENOMEM, "out of memory");
    if (rc != OT_OK) {
        memcpy(rd->lsc, saved, sizeof saved);
        memcpy(rd->markers, saved_markers, sizeof saved_markers);
        free(cal);
    } else if (xcal) {
        free(rd->crosscal);
        rd->crosscal = cal;
        rd->ncrosscal = ncal;
    }
    return rc;
}

/* Every report names the configurations applied and their digests. */
static int seen(ot_refdata *rd, const char *name, const char *hex, ot_error *err)
{
    ot_config_seen *p = realloc(rd->configs, (rd->nconfigs + 1) * sizeof *p);
    if (!p)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    rd->configs = p;
    ot_config_seen *c = &p[rd->nconfigs];
    if (!(c->name = strdup(name)))
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    memcpy(c->digest, hex, OT_DIGEST_CHARS);
    c->digest[OT_DIGEST_CHARS] = '\0';
    rd->nconfigs++;
    return OT_OK;
}

int ot_refdata_apply_config_text(ot_refdata *rd, const char *json, const char *name,
                                 ot_error *err)
{
    if (!rd || !json || !name)
        return ot_err_set(err, OT_EINVAL, "ot_refdata_apply_config_text: NULL argument");
    cJSON *doc = cJSON_Parse(json);
    if (!doc)
        return ot_err_set(err, OT_EPARSE, "%s: malformed JSON", name);
    char hex[65];
    ot_sha256 sha;
    ot_sha256_init(&sha);
    ot_sha256_update(&sha, json, strlen(json));
    ot_sha256_hex(&sha, hex);
    int rc = apply_doc(rd, doc, name, err);
    cJSON_Delete(doc);
    return rc == OT_OK ? seen(rd, name, hex, err) : rc;
}

int ot_refdata_apply_config(ot_refdata *rd, const char *path, ot_error *err)
{
    if (!rd || !path)
        return ot_err_set(err, OT_EINVAL, "ot_refdata_apply_config: NULL argument");
    cJSON *doc;
    char hex[65];
    int rc = ot_json_parse_file(&doc, path, hex, err);
    if (rc != OT_OK)
        return rc;
    rc = apply_doc(rd, doc, path, err);
    cJSON_Delete(doc);
    return rc == OT_OK ? seen(rd, path, hex, err) : rc;
}

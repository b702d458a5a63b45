/* Loads, validates and overrides the reference data in data/. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef OT_INSTALL_DATA_DIR
#define OT_INSTALL_DATA_DIR "/usr/local/share/osteotrack"
#endif

/* The data directory into rd->dir: never cut (another directory's data
 * would be loaded), never "" (which would mean "/"). */
static int set_data_dir(ot_refdata *rd, const char *given, ot_error *err)
{
    const char *env = getenv("OSTEOTRACK_DATA_DIR");
    const char *dir = given ? given : env && *env ? env : OT_INSTALL_DATA_DIR;
    const char *what = given ? "the data directory" : dir == env ? "OSTEOTRACK_DATA_DIR"
                                                                 : "the installed data directory";
    if (!*dir)
        return ot_err_set(err, OT_EINVAL, "%s is empty (expected a directory)", what);
    if (strlen(dir) >= sizeof rd->dir)
        return ot_err_set(err, OT_EINVAL, "%s is longer than the limit of %zu bytes: %s", what,
                          sizeof rd->dir - 1, dir);
    ot_strlcpy(rd->dir, dir, sizeof rd->dir);
    return OT_OK;
}

static int load_lsc(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "lsc.json", "osteotrack-lsc", path, sizeof path, err);
    if (rc != OT_OK)
        return rc;
    const cJSON *mult = cJSON_GetObjectItemCaseSensitive(doc, "lsc_multiplier_95");
    const cJSON *sites = cJSON_GetObjectItemCaseSensitive(doc, "sites");
    if (!cJSON_IsObject(mult) || !cJSON_IsObject(sites)) {
        rc = ot_err_set(err, OT_EDATA, "%s: expected objects lsc_multiplier_95 and sites", path);
        goto done;
    }
    rc = ot_json_number(&rd->lsc_multiplier.value, mult, "value", 1, 1.0, 5.0, path,
                        "lsc_multiplier_95", err);
    if (rc == OT_OK)
        rc = ot_json_sourced(&rd->lsc_multiplier, mult, path, "lsc_multiplier_95", err);
    if (rc == OT_OK)
        rc = ot_json_sourced_value(&rd->min_study_dof, doc, "min_study_dof", 1, 1000, path, "$",
                                   err);
    for (int s = 0; rc == OT_OK && s < OT_SITE_COUNT; s++) {
        const char *name = ot_site_name((ot_site)s);
        char where[64];
        snprintf(where, sizeof where, "sites.%s", name);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(sites, name);
        if (!cJSON_IsObject(e)) {
            rc = ot_err_set(err, OT_EDATA, "%s: %s: missing", path, where);
            break;
        }
        rc = ot_json_number(&rd->lsc[s].pct.value, e, "lsc_pct", 0, 0.1, 50.0, path, where, err);
        if (rc == OT_OK)
            rc = ot_json_sourced(&rd->lsc[s].pct, e, path, where, err);
        if (rc == OT_OK) /* same source as lsc_pct; used by osteotrack precision */
            rc = ot_json_number(&rd->lsc[s].precision_pct.value, e, "precision_pct", 0, 0.1,
                                20.0, path, where, err);
        if (rc == OT_OK)
            rc = ot_json_sourced(&rd->lsc[s].precision_pct, e, path, where, err);
    }
    for (const cJSON *it = sites->child; rc == OT_OK && it; it = it->next) {
        ot_site s;
        if (ot_site_parse(&s, it->string) != OT_OK || strcmp(ot_site_name(s), it->string) != 0)
            rc = ot_err_set(err, OT_EDATA, "%s: sites.%s: unknown site", path, it->string);
    }
done:
    cJSON_Delete(doc);
    return rc;
}

static int load_plausibility(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "plausibility.json", "osteotrack-plausibility", path,
                      sizeof path, err);
    if (rc != OT_OK)
        return rc;
    const cJSON *ranges = cJSON_GetObjectItemCaseSensitive(doc, "ranges");
    for (int a = 0; rc == OT_OK && a < OT_ANALYTE_FRACTURE; a++) {
        const char *name = ot_analyte_name((ot_analyte)a);
        char where[64];
        snprintf(where, sizeof where, "ranges.%s", name);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(ranges, name);
        ot_sourced src;
        if (!cJSON_IsObject(e)) {
            rc = ot_err_set(err, OT_EDATA, "%s: %s: missing", path, where);
            break;
        }
        ot_range *r = &rd->plausible[a];
        rc = ot_json_number(&r->min, e, "min", 1, 0.0, 1e6, path, where, err);
        if (rc == OT_OK)
            rc = ot_json_number(&r->max, e, "max", 1, r->min, 1e6, path, where, err);
        if (rc == OT_OK)
            rc = ot_json_sourced(&src, e, path, where, err);
        if (rc == OT_OK)
            ot_strlcpy(r->source, src.source, sizeof r->source);
        const cJSON *hint = cJSON_GetObjectItemCaseSensitive(e, "below_min_hint");
        if (rc == OT_OK && hint && !cJSON_IsString(hint))
            rc = ot_err_set(err, OT_EDATA, "%s: %s.below_min_hint: expected a string", path, where);
        else if (rc == OT_OK && hint)
            ot_strlcpy(r->below_hint, hint->valuestring, sizeof r->below_hint);
    }
    cJSON_Delete(doc);
    return rc;
}

static int load_expected_entry(ot_expected_entry *x, const cJSON *e, const char *path,
                               const char *where, ot_error *err)
{
    const cJSON *agents = cJSON_GetObjectItemCaseSensitive(e, "agents");
    const cJSON *site = cJSON_GetObjectItemCaseSensitive(e, "site");
    const cJSON *range = cJSON_GetObjectItemCaseSensitive(e, "range_pct");
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(e, "window_months");
    if (!cJSON_IsArray(agents) || cJSON_GetArraySize(agents) < 1)
        return ot_err_set(err, OT_EDATA, "%s: %s.agents: expected a list of agents", path, where);
    const cJSON *a;
    cJSON_ArrayForEach(a, agents)
    {
        ot_agent ag;
        if (!cJSON_IsString(a) || ot_agent_parse(&ag, a->valuestring) != OT_OK)
            return ot_err_set(err, OT_EDATA, "%s: %s.agents: unknown agent", path, where);
        x->agents |= 1u << ag;
        x->nagents++;
    }
    if (!cJSON_IsString(site) || ot_site_parse(&x->site, site->valuestring) != OT_OK)
        return ot_err_set(err, OT_EDATA, "%s: %s.site: unknown site", path, where);
    if (!cJSON_IsArray(range) || cJSON_GetArraySize(range) != 2 ||
        !cJSON_IsNumber(cJSON_GetArrayItem(range, 0)) ||
        !cJSON_IsNumber(cJSON_GetArrayItem(range, 1)))
        return ot_err_set(err, OT_EDATA, "%s: %s.range_pct: expected [lo, hi]", path, where);
    x->lo = cJSON_GetArrayItem(range, 0)->valuedouble;
    x->hi = cJSON_GetArrayItem(range, 1)->valuedouble;
    if (!(x->lo >= -50.0 && x->lo <= x->hi && x->hi <= 100.0))
        return ot_err_set(err, OT_EDATA, "%s: %s.range_pct: expected -50 <= lo <= hi <= 100",
                          path, where);
    if (!cJSON_IsArray(win) || cJSON_GetArraySize(win) != 2 ||
        !cJSON_IsNumber(cJSON_GetArrayItem(win, 0)) ||
        !cJSON_IsNumber(cJSON_GetArrayItem(win, 1)))
        return ot_err_set(err, OT_EDATA, "%s: %s.window_months: expected [lo, hi]", path, where);
    x->wlo = cJSON_GetArrayItem(win, 0)->valuedouble;
    x->whi = cJSON_GetArrayItem(win, 1)->valuedouble;
    if (!(x->wlo >= 0.0 && x->wlo <= x->whi && x->whi <= 240.0))
        return ot_err_set(err, OT_EDATA, "%s: %s.window_months: expected 0 <= lo <= hi <= 240",
                          path, where);
    static const char *const measures[] = {"difference_from_placebo", "change_from_baseline",
                                           "not_known"};
    const cJSON *measure = cJSON_GetObjectItemCaseSensitive(e, "measure");
    int mi = -1;
    for (int k = 0; k < 3 && cJSON_IsString(measure); k++)
        if (!strcmp(measure->valuestring, measures[k]))
            mi = k;
    if (mi < 0)
        return ot_err_set(err, OT_EDATA, "%s: %s.measure: expected \"change_from_baseline\", "
                          "\"difference_from_placebo\" or \"not_known\"", path, where);
    x->measure = (ot_expected_measure)mi;
    int rc = ot_json_number(&x->months, e, "months", 0, 0.0, 240.0, path, where, err);
    ot_sourced src;
    if (rc == OT_OK)
        rc = ot_json_sourced(&src, e, path, where, err);
    if (rc == OT_OK) {
        x->confirmed = src.confirmed;
        ot_strlcpy(x->source, src.source, sizeof x->source);
    }
    return rc;
}

static int load_expected(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "expected_bmd.json", "osteotrack-expected-bmd", path,
                      sizeof path, err);
    if (rc != OT_OK)
        return rc;
    rc = ot_json_sourced_value(&rd->expected_baseline_tolerance, doc, "baseline_tolerance_months",
                               0.0, 60.0, path, "$", err);
    if (rc != OT_OK) {
        cJSON_Delete(doc);
        return rc;
    }
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(doc, "entries");
    int n = cJSON_IsArray(entries) ? cJSON_GetArraySize(entries) : -1;
    if (n < 0) {
        cJSON_Delete(doc);
        return ot_err_set(err, OT_EDATA, "%s: entries: expected a list", path);
    }
    rd->expected = calloc((size_t)n + 1, sizeof *rd->expected);
    if (!rd->expected) {
        cJSON_Delete(doc);
        return ot_err_set(err, OT_ENOMEM, "%s: out of memory", path);
    }
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, entries)
    {
        char where[32];
        snprintf(where, sizeof where, "entries[%d]", i);
        rc = load_expected_entry(&rd->expected[i], e, path, where, err);
        if (rc != OT_OK)
            break;
        i++;
    }
    rd->nexpected = (size_t)i;
    cJSON_Delete(doc);
    return rc;
}

static int load_window(ot_window *w, const cJSON *windows, const char *key, const char *path,
                       ot_error *err)
{
    char where[64];
    snprintf(where, sizeof where, "windows.%s", key);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(windows, key);
    ot_sourced src;
    if (!cJSON_IsObject(e))
        return ot_err_set(err, OT_EDATA, "%s: %s: missing", path, where);
    int rc = ot_json_number(&w->lo, e, "min_months", 1, 0.0, 24.0, path, where, err);
    if (rc == OT_OK)
        rc = ot_json_number(&w->hi, e, "max_months", 1, w->lo, 24.0, path, where, err);
    if (rc == OT_OK)
        rc = ot_json_sourced(&src, e, path, where, err);
    if (rc == OT_OK) {
        w->confirmed = src.confirmed;
        ot_strlcpy(w->source, src.source, sizeof w->source);
    }
    return rc;
}

static int load_markers(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "markers.json", "osteotrack-markers", path, sizeof path, err);
    if (rc != OT_OK)
        return rc;
    const cJSON *an = cJSON_GetObjectItemCaseSensitive(doc, "analytes");
    for (int a = OT_ANALYTE_P1NP; rc == OT_OK && a <= OT_ANALYTE_CTX; a++) {
        char where[64];
        snprintf(where, sizeof where, "analytes.%s", ot_analyte_name((ot_analyte)a));
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(an, ot_analyte_name((ot_analyte)a));
        ot_marker_rules *m = &rd->markers[a];
        if (!cJSON_IsObject(e)) {
            rc = ot_err_set(err, OT_EDATA, "%s: %s: missing", path, where);
            break;
        }
        rc = ot_json_sourced_value(&m->lsc_pct, e, "lsc_pct", 1.0, 100.0, path, where, err);
        if (rc == OT_OK)
            rc = ot_json_sourced_value(&m->target, e, "target", 0.0, 1e5, path, where, err);
        m->rise.value = NAN;
        if (rc == OT_OK && a == OT_ANALYTE_P1NP)
            rc = ot_json_sourced_value(&m->rise, e, "anabolic_rise", 0.1, 1000.0, path, where, err);
    }
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(doc, "windows");
    if (rc == OT_OK)
        rc = load_window(&rd->window_antiresorptive, win, "antiresorptive", path, err);
    if (rc == OT_OK)
        rc = load_window(&rd->window_anabolic, win, "anabolic", path, err);
    cJSON_Delete(doc);
    return rc;
}

/* data/sources.json: the data's version, and sources that are not figures. */
static int load_sources(ot_refdata *rd, ot_error *err)
{
    cJSON *doc;
    char path[1200];
    int rc = ot_load_doc(&doc, rd, "sources.json", "osteotrack-sources", path, sizeof path, err);
    if (rc != OT_OK)
        return rc;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "version");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "sources");
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= sizeof rd->data_version)
        rc = ot_err_set(err, OT_EDATA, "%s: version: expected a string of 1-63 characters", path);
    else if (!cJSON_IsArray(list))
        rc = ot_err_set(err, OT_EDATA, "%s: sources: expected a list", path);
    else
        ot_strlcpy(rd->data_version, v->valuestring, sizeof rd->data_version);
    cJSON_Delete(doc);
    return rc;
}

int ot_refdata_load(ot_refdata **out, const char *datadir, ot_error *err)
{
    if (!out)
        return ot_err_set(err, OT_EINVAL, "ot_refdata_load: out is NULL");
    *out = NULL;
    ot_refdata *rd = calloc(1, sizeof *rd);
    if (!rd)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    ot_sha256_init(&rd->digesting);
    int rc = set_data_dir(rd, datadir, err);
    if (rc == OT_OK)
        rc = load_sources(rd, err);
    if (rc == OT_OK)
        rc = load_lsc(rd, err);
    if (rc == OT_OK)
        rc = load_plausibility(rd, err);
    if (rc == OT_OK)
        rc = load_expected(rd, err);
    if (rc == OT_OK)
        rc = load_markers(rd, err);
    if (rc == OT_OK)
        rc = ot_load_monitoring(rd, err);
    if (rc == OT_OK)
        rc = ot_load_tscore(rd, err);
    if (rc == OT_OK)
        rc = ot_load_sbmd(rd, err);
    if (rc == OT_OK)
        rc = ot_load_agents(rd, err);
    if (rc == OT_OK)
        rc = ot_load_fractures(rd, err);
    if (rc == OT_OK)
        rc = ot_load_site_labels(rd, err);
    if (rc == OT_OK)
        rc = ot_load_fhir_codes(rd, err);
    if (rc == OT_OK && ot_sources_index(rd) != OT_OK)
        rc = ot_err_set(err, OT_ENOMEM, "out of memory");
    if (rc != OT_OK) {
        ot_refdata_free(rd);
        return rc;
    }
    char hex[65];
    ot_sha256_hex(&rd->digesting, hex);
    memcpy(rd->digest, hex, OT_DIGEST_CHARS);
    rd->digest[OT_DIGEST_CHARS] = '\0';
    *out = rd;
    return OT_OK;
}

void ot_refdata_free(ot_refdata *rd)
{
    if (!rd)
        return;
    free(rd->expected);
    free(rd->crosscal);
    free(rd->site_labels);
    free(rd->loinc);
    free(rd->med_codes);
    free(rd->route_codes);
    free(rd->fx_codes);
    for (size_t i = 0; i < rd->nsources; i++) {
        free(rd->sources[i].id);
        free(rd->sources[i].citation);
    }
    free(rd->sources);
    free(rd->sorted);
    for (size_t i = 0; i < rd->nconfigs; i++)
        free(rd->configs[i].name);
    free(rd->configs);
    free(rd);
}

const char *ot_refdata_dir(const ot_refdata *rd) { return rd ? rd->dir : NULL; }

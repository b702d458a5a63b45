/* The code tables of FHIR input and output: LOINC (data/loinc.json),
 * medications (data/fhir/medications.json: RxNorm, ATC, routes) and
 * fractures (data/fhir/fractures.json: SNOMED CT, ICD-10). Each is looked up
 * both ways: a (system, code) to osteotrack's meaning for the reader, a
 * meaning to the preferred code and display for the writer. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string field of 1 to size-1 characters into dst. */
static int str_into(char *dst, size_t size, const cJSON *e, const char *key, const char *path,
                    const char *where, ot_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= size)
        return ot_err_set(err, OT_EDATA, "%s: %s.%s: expected a string of 1-%zu characters",
                          path, where, key, size - 1);
    memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
    return OT_OK;
}

static int flag(int *out, const cJSON *e, const char *key, const char *path, const char *where,
                ot_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    if (!cJSON_IsBool(v))
        return ot_err_set(err, OT_EDATA, "%s: %s.%s: expected true or false", path, where, key);
    *out = cJSON_IsTrue(v);
    return OT_OK;
}

static const char *str_of(const cJSON *e, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A list `key` of the document: *n entries, calloc'd into *out. */
static int list_of(const cJSON **list, void **out, size_t size, const cJSON *doc,
                   const char *key, const char *path, ot_error *err)
{
    *list = cJSON_GetObjectItemCaseSensitive(doc, key);
    int n = cJSON_IsArray(*list) ? cJSON_GetArraySize(*list) : -1;
    if (n < 0)
        return ot_err_set(err, OT_EDATA, "%s: %s: expected a list", path, key);
    *out = calloc((size_t)n + 1, size);
    return *out ? OT_OK : ot_err_set(err, OT_ENOMEM, "%s: out of memory", path);
}

/* Loads each entry of `list` (from list_of) into arr[*n] with fn, counting
 * them in *n as it goes: an entry's checks see the entries before it. */
typedef int (*entry_fn)(ot_refdata *rd, void *entry, const cJSON *e, const char *path,
                        const char *where, ot_error *err);
static int load_entries(ot_refdata *rd, const cJSON *list, const char *key, void *arr,
                        size_t size, size_t *n, entry_fn fn, const char *path, ot_error *err)
{
    const cJSON *e;
    char where[40];
    cJSON_ArrayForEach(e, list)
    {
        snprintf(where, sizeof where, "%s[%zu]", key, *n);
        int rc = fn(rd, (char *)arr + *n * size, e, path, where, err);
        if (rc != OT_OK)
            return rc;
        (*n)++;
    }
    return OT_OK;
}

static int load_loinc_entry(ot_refdata *rd, void *entry, const cJSON *e, const char *path,
                            const char *where, ot_error *err)
{
    ot_loinc_code *x = entry;
    static const char *const kinds[] = {"bmd", "tscore", "zscore", "marker", "panel"};
    ot_sourced src;
    int rc = str_into(x->code, sizeof x->code, e, "code", path, where, err);
    if (rc == OT_OK)
        rc = str_into(x->display, sizeof x->display, e, "display", path, where, err);
    if (rc == OT_OK)
        rc = flag(&x->preferred, e, "preferred", path, where, err);
    if (rc == OT_OK)
        rc = ot_json_sourced(&src, e, path, where, err);
    if (rc != OT_OK)
        return rc;
    if (ot_loinc_lookup(rd, x->code))
        return ot_err_set(err, OT_EDATA, "%s: %s.code: %s is listed twice", path, where, x->code);
    const char *kind = str_of(e, "kind"), *site = str_of(e, "site"), *side = str_of(e, "side"),
               *an = str_of(e, "analyte");
    int k = -1;
    for (int i = 0; kind && i < 5; i++)
        if (!strcmp(kind, kinds[i]))
            k = i;
    if (k < 0)
        return ot_err_set(err, OT_EDATA, "%s: %s.kind: expected bmd, tscore, zscore, marker or "
                          "panel", path, where);
    x->kind = (ot_loinc_kind)k;
    x->side = OT_SIDE_NONE;
    if (k <= OT_LOINC_ZSCORE) {
        if (!site || ot_site_parse(&x->site, site) != OT_OK || strcmp(ot_site_name(x->site), site))
            return ot_err_set(err, OT_EDATA, "%s: %s.site: expected lumbar_spine, total_hip, "
                              "femoral_neck or radius_33", path, where);
        if (side && ((strcmp(side, "left") && strcmp(side, "right")) ||
                     ot_side_parse(&x->side, side) != OT_OK ||
                     x->site == OT_SITE_LUMBAR_SPINE))
            return ot_err_set(err, OT_EDATA, "%s: %s.side: expected \"left\" or \"right\", on a "
                              "total_hip, femoral_neck or radius_33 code", path, where);
    } else if (site || side) {
        return ot_err_set(err, OT_EDATA, "%s: %s: a %s code has no site or side", path, where,
                          kind);
    }
    if (k == OT_LOINC_MARKER) {
        if (!an || ot_analyte_parse(&x->analyte, an) != OT_OK ||
            (x->analyte != OT_ANALYTE_P1NP && x->analyte != OT_ANALYTE_CTX))
            return ot_err_set(err, OT_EDATA, "%s: %s.analyte: expected p1np or ctx", path, where);
    } else if (an) {
        return ot_err_set(err, OT_EDATA, "%s: %s.analyte: only on a marker code", path, where);
    } else {
        x->analyte = OT_ANALYTE_BMD;
    }
    if (x->preferred && ot_loinc_for(rd, x->kind, x->site, x->side, x->analyte) &&
        ot_loinc_for(rd, x->kind, x->site, x->side, x->analyte)->side == x->side)
        return ot_err_set(err, OT_EDATA, "%s: %s.preferred: another code is preferred for the "
                          "same meaning", path, where);
    return OT_OK;
}

static int load_agent(ot_agent *out, const cJSON *e, const char *key, int required,
                      const char *path, const char *where, ot_error *err)
{
    const char *s = str_of(e, key);
    *out = OT_AGENT_NONE;
    if (!s && !required && !cJSON_GetObjectItemCaseSensitive(e, key))
        return OT_OK;
    if (!s || ot_agent_parse(out, s) != OT_OK || strcmp(ot_agent_name(*out), s))
        return ot_err_set(err, OT_EDATA, "%s: %s.%s: expected one of osteotrack's agents, by "
                          "its own name", path, where, key);
    return OT_OK;
}

static int load_med_entry(ot_refdata *rd, void *entry, const cJSON *e, const char *path,
                          const char *where, ot_error *err)
{
    ot_med_code *x = entry;
    ot_sourced src;
    int rc = str_into(x->system, sizeof x->system, e, "system", path, where, err);
    if (rc == OT_OK)
        rc = str_into(x->code, sizeof x->code, e, "code", path, where, err);
    if (rc == OT_OK)
        rc = str_into(x->display, sizeof x->display, e, "display", path, where, err);
    if (rc == OT_OK)
        rc = load_agent(&x->agent, e, "agent", 1, path, where, err);
    if (rc == OT_OK)
        rc = load_agent(&x->iv_agent, e, "intravenous_agent", 0, path, where, err);
    if (rc == OT_OK)
        rc = flag(&x->preferred, e, "preferred", path, where, err);
    if (rc == OT_OK)
        rc = ot_json_sourced(&src, e, path, where, err);
    if (rc == OT_OK && ot_med_code_lookup(rd, x->system, x->code))
        rc = ot_err_set(err, OT_EDATA, "%s: %s.code: %s is listed twice", path, where, x->code);
    if (rc == OT_OK && x->preferred && ot_med_code_for(rd, x->agent, x->system))
        rc = ot_err_set(err, OT_EDATA, "%s: %s.preferred: another code of this system is "
                        "preferred for %s", path, where, ot_agent_name(x->agent));
    return rc;
}

static int load_route_entry(ot_refdata *rd, void *entry, const cJSON *e, const char *path,
                            const char *where, ot_error *err)
{
    ot_route_code *x = entry;
    (void)rd;
    ot_sourced src;
    int rc = str_into(x->system, sizeof x->system, e, "system", path, where, err);
    if (rc == OT_OK)
        rc = str_into(x->code, sizeof x->code, e, "code", path, where, err);
    if (rc == OT_OK)
        rc = str_into(x->display, sizeof x->display, e, "display", path, where, err);
    if (rc == OT_OK)
        rc = ot_json_sourced(&src, e, path, where, err);
    const char *route = str_of(e, "route");
    if (rc == OT_OK && (!route || (strcmp(route, "oral") && strcmp(route, "intravenous"))))
        rc = ot_err_set(err, OT_EDATA, "%s: %s.route: expected \"oral\" or \"intravenous\"",
                        path, where);
    if (rc == OT_OK)
        x->intravenous = !strcmp(route, "intravenous");
    return rc;
}

static int load_fx_entry(ot_refdata *rd, void *entry, const cJSON *e, const char *path,
                         const char *where, ot_error *err)
{
    ot_fx_code *x = entry;
    ot_sourced src;
    int rc = str_into(x->system, sizeof x->system, e, "system", path, where, err);
    if (rc == OT_OK)
        rc = str_into(x->code, sizeof x->code, e, "code", path, where, err);
    if (rc == OT_OK)
        rc = str_into(x->display, sizeof x->display, e, "display", path, where, err);
    if (rc == OT_OK)
        rc = flag(&x->preferred, e, "preferred", path, where, err);
    if (rc == OT_OK)
        rc = ot_json_sourced(&src, e, path, where, err);
    if (rc != OT_OK)
        return rc;
    const char *match = str_of(e, "match"), *site = str_of(e, "site");
    if (!match || (strcmp(match, "exact") && strcmp(match, "prefix")))
        return ot_err_set(err, OT_EDATA, "%s: %s.match: expected \"exact\" or \"prefix\"", path,
                          where);
    x->prefix = !strcmp(match, "prefix");
    if (!site || ot_fracture_site_parse(&x->site, site) != OT_OK ||
        strcmp(ot_fracture_site_name(x->site), site))
        return ot_err_set(err, OT_EDATA, "%s: %s.site: expected one of osteotrack's fracture "
                          "sites, by its own name", path, where);
    for (size_t i = 0; i < rd->nfx_codes; i++)
        if (!strcmp(rd->fx_codes[i].system, x->system) && !strcmp(rd->fx_codes[i].code, x->code))
            return ot_err_set(err, OT_EDATA, "%s: %s.code: %s is listed twice", path, where,
                              x->code);
    if (x->preferred && ot_fx_code_for(rd, x->site, x->system))
        return ot_err_set(err, OT_EDATA, "%s: %s.preferred: another code of this system is "
                          "preferred for %s", path, where, site);
    return OT_OK;
}

int ot_load_fhir_codes(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    const cJSON *list;
    void *arr;
    int rc = ot_load_doc(&doc, rd, "loinc.json", "osteotrack-loinc", path, sizeof path, err);
    if (rc != OT_OK)
        return rc;
    const char *sys = str_of(doc, "system");
    if (!sys || strcmp(sys, OT_LOINC_SYSTEM))
        rc = ot_err_set(err, OT_EDATA, "%s: system: expected \"%s\"", path, OT_LOINC_SYSTEM);
    if (rc == OT_OK && (rc = list_of(&list, &arr, sizeof *rd->loinc, doc, "codes", path, err)) ==
                           OT_OK) {
        rd->loinc = arr;
        rc = load_entries(rd, list, "codes", arr, sizeof *rd->loinc, &rd->nloinc,
                          load_loinc_entry, path, err);
    }
    cJSON_Delete(doc);
    if (rc != OT_OK)
        return rc;

    rc = ot_load_doc(&doc, rd, "fhir/medications.json", "osteotrack-fhir-medications", path,
                     sizeof path, err);
    if (rc != OT_OK)
        return rc;
    if ((rc = list_of(&list, &arr, sizeof *rd->med_codes, doc, "codes", path, err)) == OT_OK) {
        rd->med_codes = arr;
        rc = load_entries(rd, list, "codes", arr, sizeof *rd->med_codes, &rd->nmed_codes,
                          load_med_entry, path, err);
    }
    if (rc == OT_OK &&
        (rc = list_of(&list, &arr, sizeof *rd->route_codes, doc, "routes", path, err)) == OT_OK) {
        rd->route_codes = arr;
        rc = load_entries(rd, list, "routes", arr, sizeof *rd->route_codes, &rd->nroute_codes,
                          load_route_entry, path, err);
    }
    if (rc == OT_OK && (!ot_route_for(rd, 0) || !ot_route_for(rd, 1)))
        rc = ot_err_set(err, OT_EDATA, "%s: routes: expected an oral and an intravenous route",
                        path);
    cJSON_Delete(doc);
    if (rc != OT_OK)
        return rc;

    rc = ot_load_doc(&doc, rd, "fhir/fractures.json", "osteotrack-fhir-fractures", path,
                     sizeof path, err);
    if (rc != OT_OK)
        return rc;
    if ((rc = list_of(&list, &arr, sizeof *rd->fx_codes, doc, "codes", path, err)) == OT_OK) {
        rd->fx_codes = arr;
        rc = load_entries(rd, list, "codes", arr, sizeof *rd->fx_codes, &rd->nfx_codes,
                          load_fx_entry, path, err);
    }
    cJSON_Delete(doc);
    return rc;
}

const ot_loinc_code *ot_loinc_lookup(const ot_refdata *rd, const char *code)
{
    for (size_t i = 0; rd && code && i < rd->nloinc; i++)
        if (!strcmp(rd->loinc[i].code, code))
            return &rd->loinc[i];
    return NULL;
}

const ot_loinc_code *ot_loinc_for(const ot_refdata *rd, ot_loinc_kind kind, ot_site site,
                                  ot_side side, ot_analyte analyte)
{
    const ot_loinc_code *sideless = NULL;
    for (size_t i = 0; rd && i < rd->nloinc; i++) {
        const ot_loinc_code *c = &rd->loinc[i];
        if (!c->preferred || c->kind != kind)
            continue;
        if (kind == OT_LOINC_PANEL)
            return c;
        if (kind == OT_LOINC_MARKER) {
            if (c->analyte == analyte)
                return c;
            continue;
        }
        if (c->site != site)
            continue;
        if (c->side == side)
            return c;
        if (c->side == OT_SIDE_NONE)
            sideless = c;
    }
    return sideless;
}

const ot_med_code *ot_med_code_lookup(const ot_refdata *rd, const char *system, const char *code)
{
    for (size_t i = 0; rd && code && i < rd->nmed_codes; i++)
        if ((!system || !strcmp(rd->med_codes[i].system, system)) &&
            !strcmp(rd->med_codes[i].code, code))
            return &rd->med_codes[i];
    return NULL;
}

const ot_med_code *ot_med_code_for(const ot_refdata *rd, ot_agent agent, const char *system)
{
    for (size_t i = 0; rd && system && i < rd->nmed_codes; i++) {
        const ot_med_code *c = &rd->med_codes[i];
        if (c->preferred && !strcmp(c->system, system) &&
            (c->agent == agent || (c->iv_agent != OT_AGENT_NONE && c->iv_agent == agent)))
            return c;
    }
    return NULL;
}

const ot_route_code *ot_route_code_lookup(const ot_refdata *rd, const char *system,
                                          const char *code)
{
    for (size_t i = 0; rd && code && i < rd->nroute_codes; i++)
        if ((!system || !strcmp(rd->route_codes[i].system, system)) &&
            !strcmp(rd->route_codes[i].code, code))
            return &rd->route_codes[i];
    return NULL;
}

const ot_route_code *ot_route_for(const ot_refdata *rd, int intravenous)
{
    for (size_t i = 0; rd && i < rd->nroute_codes; i++)
        if (rd->route_codes[i].intravenous == (intravenous != 0))
            return &rd->route_codes[i];
    return NULL;
}

/* s without its dots into buf; 0 when it does not fit. */
static int undotted(char *buf, size_t size, const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (*s != '.') {
            if (n + 1 >= size)
                return 0;
            buf[n++] = *s;
        }
    buf[n] = '\0';
    return 1;
}

const ot_fx_code *ot_fx_code_lookup(const ot_refdata *rd, const char *system, const char *code)
{
    char want[64], have[OT_FHIR_CODE_MAX];
    const ot_fx_code *best = NULL;
    size_t bestlen = 0;
    if (!rd || !code || !undotted(want, sizeof want, code))
        return NULL;
    for (size_t i = 0; i < rd->nfx_codes; i++) {
        const ot_fx_code *c = &rd->fx_codes[i];
        if (system && strcmp(c->system, system))
            continue;
        if (!c->prefix) {
            if (!strcmp(c->code, code))
                return c;
            continue;
        }
        if (!undotted(have, sizeof have, c->code))
            continue;
        size_t n = strlen(have);
        if (!strncmp(want, have, n) && n > bestlen) {
            best = c;
            bestlen = n;
        }
    }
    return best;
}

const ot_fx_code *ot_fx_code_for(const ot_refdata *rd, ot_fracture_site site, const char *system)
{
    for (size_t i = 0; rd && system && i < rd->nfx_codes; i++)
        if (rd->fx_codes[i].preferred && rd->fx_codes[i].site == site &&
            !strcmp(rd->fx_codes[i].system, system))
            return &rd->fx_codes[i];
    return NULL;
}

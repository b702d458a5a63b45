/* In vivo cross-calibrations between two devices, from a facility
 * configuration: "cross_calibration": [{"from_device", "to_device", "site",
 * "slope", "intercept", "lsc_g_cm2", "source"}], meaning
 * BMD on to_device = intercept + slope x BMD on from_device. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const entry_keys[] = {"from_device", "to_device", "site",  "slope",
                                         "intercept",   "lsc_g_cm2", "source", NULL};

static int entry_key(const char *k)
{
    for (const char *const *p = entry_keys; *p; p++)
        if (strcmp(*p, k) == 0)
            return 1;
    return 0;
}

/* The same two devices (in either order) at the same site. */
static int same_pair(const ot_crosscal *a, const ot_crosscal *b)
{
    if (a->site != b->site)
        return 0;
    return (!strcmp(a->from, b->from) && !strcmp(a->to, b->to)) ||
           (!strcmp(a->from, b->to) && !strcmp(a->to, b->from));
}

static int device(char *dst, const cJSON *e, const char *key, const char *name,
                  const char *where, ot_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return ot_err_set(err, OT_EDATA, "%s: %s.%s: expected the device's name (a non-empty "
                          "string, as the scans give it)", name, where, key);
    if (strlen(v->valuestring) >= OT_DEVICE_MAX)
        return ot_err_set(err, OT_EDATA, "%s: %s.%s: longer than %d characters", name, where,
                          key, OT_DEVICE_MAX - 1);
    ot_strlcpy(dst, v->valuestring, OT_DEVICE_MAX);
    return OT_OK;
}

/* The equation's numbers: slope 0.5-2, intercept -0.5..0.5 g/cm2, LSC (0, 0.5] g/cm2. */
static int numbers(ot_crosscal *c, const cJSON *e, const char *name, const char *where,
                   ot_error *err)
{
    int rc = ot_json_number(&c->slope, e, "slope", 1, 0.5, 2.0, name, where, err);
    if (rc == OT_OK)
        rc = ot_json_number(&c->intercept, e, "intercept", 1, -0.5, 0.5, name, where, err);
    if (rc == OT_OK)
        rc = ot_json_number(&c->lsc, e, "lsc_g_cm2", 1, -HUGE_VAL, HUGE_VAL, name, where, err);
    if (rc == OT_OK && !(c->lsc > 0.0 && c->lsc <= 0.5))
        rc = ot_err_set(err, OT_EDATA, "%s: %s.lsc_g_cm2: %g is out of range (0, 0.5]", name,
                        where, c->lsc);
    return rc;
}

static int parse_entry(ot_crosscal *c, const cJSON *e, const char *name, const char *facility,
                       const char *where, ot_error *err)
{
    if (!cJSON_IsObject(e))
        return ot_err_set(err, OT_EDATA, "%s: %s: expected {\"from_device\", \"to_device\", "
                          "\"site\", \"slope\", \"intercept\", \"lsc_g_cm2\", \"source\"}",
                          name, where);
    for (const cJSON *k = e->child; k; k = k->next)
        if (!entry_key(k->string))
            return ot_err_set(err, OT_EDATA, "%s: %s.%s: unknown key (expected from_device, "
                              "to_device, site, slope, intercept, lsc_g_cm2, source)",
                              name, where, k->string);
    int rc = device(c->from, e, "from_device", name, where, err);
    if (rc == OT_OK)
        rc = device(c->to, e, "to_device", name, where, err);
    if (rc == OT_OK && strcmp(c->from, c->to) == 0)
        rc = ot_err_set(err, OT_EDATA, "%s: %s.to_device: the same device as from_device (%s)",
                        name, where, c->from);
    const cJSON *site = cJSON_GetObjectItemCaseSensitive(e, "site");
    if (rc == OT_OK && (!cJSON_IsString(site) || ot_site_parse(&c->site, site->valuestring)))
        rc = ot_err_set(err, OT_EDATA, "%s: %s.site: expected lumbar_spine, total_hip, "
                        "femoral_neck or radius_33", name, where);
    if (rc == OT_OK)
        rc = numbers(c, e, name, where, err);
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(e, "source");
    if (rc == OT_OK && src && !cJSON_IsString(src))
        rc = ot_err_set(err, OT_EDATA, "%s: %s.source: expected a string", name, where);
    if (rc != OT_OK)
        return rc;
    if (src && src->valuestring[0])
        snprintf(c->source, sizeof c->source, "%s (%s)", src->valuestring, name);
    else
        snprintf(c->source, sizeof c->source, "in vivo cross-calibration %s -> %s: %s (%s)",
                 c->from, c->to, facility, name);
    return OT_OK;
}

/* Parses the list into fresh[0..n): every entry valid, no pair twice. */
static int parse_list(ot_crosscal *fresh, const cJSON *list, const char *name,
                      const char *facility, ot_error *err)
{
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        char where[48];
        snprintf(where, sizeof where, "cross_calibration[%zu]", i);
        int rc = parse_entry(&fresh[i], e, name, facility, where, err);
        if (rc != OT_OK)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (same_pair(&fresh[j], &fresh[i]))
                return ot_err_set(err, OT_EDATA, "%s: %s: %s and %s at %s are already "
                                  "calibrated in cross_calibration[%zu]", name, where,
                                  fresh[i].from, fresh[i].to, ot_site_name(fresh[i].site), j);
        i++;
    }
    return OT_OK;
}

int ot_crosscal_parse(ot_crosscal **out, size_t *nout, const ot_refdata *rd, const cJSON *list,
                      const char *name, const char *facility, ot_error *err)
{
    *out = NULL;
    *nout = 0;
    if (!cJSON_IsArray(list))
        return ot_err_set(err, OT_EDATA, "%s: cross_calibration: expected a list of "
                          "{\"from_device\", \"to_device\", \"site\", \"slope\", "
                          "\"intercept\", \"lsc_g_cm2\", \"source\"}", name);
    size_t n = (size_t)cJSON_GetArraySize(list);
    ot_crosscal *all = calloc(rd->ncrosscal + n + 1, sizeof *all);
    if (!all)
        return ot_err_set(err, OT_ENOMEM, "%s: out of memory", name);
    ot_crosscal *fresh = all + rd->ncrosscal; /* room for them all; compacted below */
    int rc = parse_list(fresh, list, name, facility, err);
    if (rc != OT_OK) {
        free(all);
        return rc;
    }
    /* Earlier calibrations stay unless this file gives the same pair again. */
    size_t kept = 0;
    for (size_t i = 0; i < rd->ncrosscal; i++) {
        int replaced = 0;
        for (size_t j = 0; j < n && !replaced; j++)
            replaced = same_pair(&rd->crosscal[i], &fresh[j]);
        if (!replaced)
            all[kept++] = rd->crosscal[i];
    }
    if (kept < rd->ncrosscal)
        memmove(all + kept, fresh, n * sizeof *all);
    *out = all;
    *nout = kept + n;
    return OT_OK;
}

const ot_crosscal *ot_crosscal_find(const ot_refdata *rd, ot_site site, const char *a,
                                    const char *b, int *inverted)
{
    *inverted = 0;
    if (!a || !b || !a[0] || !b[0])
        return NULL;
    for (size_t i = 0; i < rd->ncrosscal; i++) {
        const ot_crosscal *c = &rd->crosscal[i];
        if (c->site != site)
            continue;
        if (!strcmp(c->from, a) && !strcmp(c->to, b))
            return c;
        if (!strcmp(c->from, b) && !strcmp(c->to, a)) {
            *inverted = 1;
            return c;
        }
    }
    return NULL;
}

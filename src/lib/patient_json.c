/* A patient document (osteotrack(1) "JSON and NDJSON") into an ot_patient. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct doc_ctx {
    ot_patient *p;
    const ot_refdata *rd;
    ot_reject_fn reject;
    void *ctx;
    char where[64];
    char reason[sizeof(((ot_error *)0)->message)];
    ot_unknown_key_fn unknown;
    int strict;
} doc_ctx;

static int reject(doc_ctx *d, const char *fmt, ...) OT_PRINTF(2, 3);

/* The keys of each object of a patient document (osteotrack(1) "JSON and
 * NDJSON"); any other is unknown: a typo ("observation", "valeu") would
 * otherwise vanish with what it holds. */
typedef struct keyset {
    const char *what;               /* its kind, for messages and ot_unknown_key_fn */
    const char *const *keys;
    const char *expected;           /* the keys, for messages */
} keyset;

static const char *const doc_keys[] = {"patient_id", "sex", "birth_date", "menopausal_status",
                                       "therapies", "observations", "fractures", NULL};
static const char *const obs_keys[] = {"date", "analyte", "site", "value", "unit", "tscore",
                                       "zscore", "device", "manufacturer", "side", "region", NULL};
static const char *const therapy_keys[] = {"agent", "start", "end", "doses", NULL};
static const char *const fracture_keys[] = {"date", "site", NULL};

static const keyset DOC_KEYS = {"document", doc_keys, "patient_id, sex, birth_date, "
                                "menopausal_status, therapies, observations or fractures"};
static const keyset OBS_KEYS = {"observation", obs_keys, "date, analyte, site, value, unit, "
                                "tscore, zscore, device, manufacturer, side or region"};
static const keyset THERAPY_KEYS = {"therapy", therapy_keys, "agent, start, end or doses"};
static const keyset FRACTURE_KEYS = {"fracture", fracture_keys, "date or site"};

static int known_key(const keyset *ks, const char *key)
{
    for (const char *const *k = ks->keys; *k; k++)
        if (!strcmp(*k, key))
            return 1;
    return 0;
}

/* The keys of o that are not its kind's, in `list` ('a', 'b', cut to fit):
 * their number. Each goes to d->unknown (which names it once a file) unless
 * d->strict, where the caller rejects what holds them. */
static size_t unknown_keys(doc_ctx *d, const cJSON *o, const keyset *ks, char *list,
                           size_t size)
{
    size_t n = 0, used = 0;
    list[0] = '\0';
    for (const cJSON *c = o->child; c; c = c->next) {
        if (!c->string || known_key(ks, c->string))
            continue;
        char b[64], msg[300];
        ot_text_shown(b, sizeof b, c->string, strlen(c->string));
        if (!d->strict && d->unknown) {
            snprintf(msg, sizeof msg, "unknown key '%s'%s: ignored (expected %s)", b,
                     d->where[0] ? "" : " in the patient document", ks->expected);
            d->unknown(d->ctx, d->where, ks->what, c->string, msg);
        }
        if (used < size) {
            int k = snprintf(list + used, size - used, "%s'%s'", n ? ", " : "", b);
            used = k < 0 || (size_t)k >= size - used ? size : used + (size_t)k;
        }
        n++;
    }
    if (used >= size && size > 4)
        memcpy(list + size - 4, "...", 4); /* cut: said so */
    return n;
}

/* An item's unknown keys: named (once a file), or with strict the item is
 * rejected naming them. */
static int check_keys(doc_ctx *d, const cJSON *o, const keyset *ks)
{
    char list[200];
    size_t n = unknown_keys(d, o, ks, list, sizeof list);
    if (n && d->strict)
        return reject(d, "unknown key%s %s (expected %s): the %s is rejected (--strict)",
                      n > 1 ? "s" : "", list, ks->expected, ks->what);
    return 0;
}

/* Records a rejected item and returns -1. */
static int reject(doc_ctx *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->reason, sizeof d->reason, fmt, ap);
    va_end(ap);
    if (d->reject)
        d->reject(d->ctx, d->where, d->reason);
    return -1;
}

static const char *str_field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A value for a message: short, one line, valid UTF-8. */
#define SHOWN(buf, s) ot_text_shown(buf, sizeof buf, s, strlen(s))

static int has_field(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return v && !cJSON_IsNull(v);
}

/* A required or optional date; OT_DATE_NONE when absent and optional. */
static int date_field(doc_ctx *d, ot_date *out, const cJSON *o, const char *key, int required)
{
    *out = OT_DATE_NONE;
    if (!has_field(o, key))
        return required ? reject(d, "%s: missing (expected YYYY-MM-DD)", key) : 0;
    const char *s = str_field(o, key);
    char b[40];
    if (!s)
        return reject(d, "%s: expected a date as a string, \"YYYY-MM-DD\"", key);
    if (ot_date_parse(out, s) != OT_OK)
        return reject(d, "%s: '%s' is not a valid date (expected YYYY-MM-DD, 1900-2199)", key,
                      SHOWN(b, s));
    return 0;
}

static int number_field(doc_ctx *d, double *out, const cJSON *o, const char *key, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NAN;
    if (!v || cJSON_IsNull(v))
        return required ? reject(d, "%s: missing (expected a number)", key) : 0;
    if (!cJSON_IsNumber(v))
        return reject(d, "%s: expected a number", key);
    if (!isfinite(v->valuedouble))
        return reject(d, "%s: the number overflows (expected a finite number)", key);
    *out = v->valuedouble;
    return 0;
}

static int unit_field(doc_ctx *d, ot_unit *out, const cJSON *o, ot_analyte a)
{
    *out = a == OT_ANALYTE_BMD ? OT_UNIT_G_CM2 : OT_UNIT_CANONICAL;
    if (!has_field(o, "unit"))
        return 0;
    const char *s = str_field(o, "unit");
    char b[40];
    if (!s)
        return reject(d, "unit: expected a unit name (a string)");
    if (ot_unit_parse(out, s) != OT_OK)
        return reject(d, "unit: unknown unit '%s'", SHOWN(b, s));
    return 0;
}

static int add_bmd(doc_ctx *d, const cJSON *o, ot_date date)
{
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    double tscore;
    const char *site = str_field(o, "site"), *mfr = str_field(o, "manufacturer"), *why;
    char b[40];
    size_t at;
    m.date = date;
    if (!site || ot_site_parse_label(d->rd, &m.site, site, strlen(site)) != OT_OK)
        return reject(d, "site: %s%s%s (expected lumbar_spine, total_hip, femoral_neck or "
                      "radius_33)", site ? "unknown site '" : "missing", site ? SHOWN(b, site) : "",
                      site ? "'" : "");
    double zscore;
    if (number_field(d, &m.value, o, "value", 1) || unit_field(d, &m.unit, o, OT_ANALYTE_BMD) ||
        number_field(d, &tscore, o, "tscore", 0) || number_field(d, &zscore, o, "zscore", 0))
        return -1;
    if (has_field(o, "manufacturer") && (!mfr || ot_manufacturer_parse(&m.manufacturer, mfr)))
        return reject(d, "manufacturer: unknown '%s' (expected hologic, ge_lunar, norland or "
                      "other)", mfr ? SHOWN(b, mfr) : "(not a string)");
    m.device = str_field(o, "device");
    if (has_field(o, "device") && !m.device)
        return reject(d, "device: expected a string");
    if (m.device && ot_text_check(m.device, strlen(m.device), &why, &at))
        return reject(d, "device: '%s' %s (at byte %zu)", SHOWN(b, m.device), why, at + 1);
    /* where the scan was taken: "side" (hips, radius), "region" (spine) */
    const char *side_s = str_field(o, "side"), *region_s = str_field(o, "region");
    ot_side side = OT_SIDE_NONE;
    ot_spine_region region = OT_REGION_NONE;
    if (has_field(o, "side") && (!side_s || ot_side_parse(&side, side_s) != OT_OK))
        return reject(d, "side: unknown '%s' (expected left or right; also L or R)",
                      side_s ? SHOWN(b, side_s) : "(not a string)");
    if (has_field(o, "region") && (!region_s || ot_spine_region_parse(&region, region_s) != OT_OK))
        return reject(d, "region: unknown '%s' (expected a range or a single vertebra of L1-L4: "
                      "L1-L4, L1-L3, L2-L4, L1-L2, L2-L3, L3-L4, L1, L2, L3 or L4)",
                      region_s ? SHOWN(b, region_s) : "(not a string)");
    char where_why[200]; /* a scanner's label ("Left Total Hip", "L2-L4") says where, too */
    if (ot_site_label_where(d->rd, site, strlen(site), &side, &region, where_why, sizeof where_why))
        return reject(d, "%s", where_why);
    ot_error err;
    if (ot_patient_add_scan_sided(d->p, d->rd, &m, tscore, zscore, side, region, 0, &err) !=
        OT_OK)
        return reject(d, "%s", err.message);
    return 0;
}

static int add_observation(doc_ctx *d, const cJSON *o)
{
    ot_analyte a;
    ot_date date;
    const char *an = str_field(o, "analyte");
    char b[40];
    if (!cJSON_IsObject(o))
        return reject(d, "expected an object");
    if (check_keys(d, o, &OBS_KEYS))
        return -1;
    if (!an || ot_analyte_parse(&a, an) != OT_OK)
        return reject(d, "analyte: %s%s%s (expected bmd, p1np, ctx or fracture)",
                      an ? "unknown '" : "missing", an ? SHOWN(b, an) : "", an ? "'" : "");
    if (date_field(d, &date, o, "date", 1))
        return -1;
    if (a == OT_ANALYTE_BMD)
        return add_bmd(d, o, date);
    if (a == OT_ANALYTE_DOSE)
        return reject(d, "analyte: a dose goes in its therapy's \"doses\" list");
    if (a == OT_ANALYTE_FRACTURE) {
        ot_fracture_site fs;
        const char *site = str_field(o, "site");
        if (!site || ot_fracture_site_parse(&fs, site) != OT_OK)
            return reject(d, "site: '%s' is not a fracture site (expected vertebral, hip, wrist, "
                          "humerus, pelvis, other, skull_face, hand_finger, foot_toe or ankle)", site ? SHOWN(b, site) : "");
        ot_error err;
        if (ot_patient_add_fracture(d->p, fs, date, &err) != OT_OK)
            return reject(d, "%s", err.message);
        return 0;
    }
    ot_marker_measure m = OT_MARKER_MEASURE_INIT;
    m.analyte = a;
    m.date = date;
    if (number_field(d, &m.value, o, "value", 1) || unit_field(d, &m.unit, o, a))
        return -1;
    ot_error err;
    if (ot_patient_add_marker(d->p, d->rd, &m, 0, &err) != OT_OK)
        return reject(d, "%s", err.message);
    return 0;
}

/* "doses": ["YYYY-MM-DD", ...]: each checked before any is added, so a
 * therapy is used whole or rejected whole. *first receives the earliest. */
static int dose_list(doc_ctx *d, const cJSON *o, ot_agent agent, ot_date *first)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "doses"), *it;
    *first = OT_DATE_NONE;
    if (!list || cJSON_IsNull(list))
        return 0;
    if (!cJSON_IsArray(list))
        return reject(d, "doses: expected a list of dates (\"YYYY-MM-DD\")");
    if (isnan(d->rd->dosing[agent].interval.value))
        return reject(d, "doses: %s has no dosing interval (doses are recorded for denosumab, "
                      "zoledronate and ibandronate_iv); give its course's start and end",
                      ot_agent_name(agent));
    size_t i = 0;
    char b[40];
    cJSON_ArrayForEach(it, list)
    {
        ot_date x;
        if (!cJSON_IsString(it) || ot_date_parse(&x, it->valuestring) != OT_OK)
            return reject(d, "doses[%zu]: %s%s%s is not a valid date (expected YYYY-MM-DD)", i,
                          cJSON_IsString(it) ? "'" : "",
                          cJSON_IsString(it) ? SHOWN(b, it->valuestring) : "the value",
                          cJSON_IsString(it) ? "'" : "");
        if (*first == OT_DATE_NONE || x < *first)
            *first = x;
        const cJSON *y;
        size_t k = 0;
        cJSON_ArrayForEach(y, list)
        {
            if (k++ >= i)
                break;
            if (!strcmp(y->valuestring, it->valuestring))
                return reject(d, "doses[%zu]: %s is given twice", i, it->valuestring);
        }
        i++;
    }
    return 0;
}

static int add_therapy(doc_ctx *d, const cJSON *o)
{
    ot_agent agent;
    ot_date start, end, first;
    const char *ag = str_field(o, "agent");
    char b[40];
    if (!cJSON_IsObject(o))
        return reject(d, "expected an object");
    if (check_keys(d, o, &THERAPY_KEYS))
        return -1;
    if (!ag || ot_agent_parse(&agent, ag) != OT_OK)
        return reject(d, "agent: %s%s%s", ag ? "unknown agent '" : "missing",
                      ag ? SHOWN(b, ag) : "", ag ? "'" : "");
    if (dose_list(d, o, agent, &first) ||
        date_field(d, &start, o, "start", first == OT_DATE_NONE) ||
        date_field(d, &end, o, "end", 0))
        return -1;
    if (start == OT_DATE_NONE)
        start = first; /* doses alone: the course starts at the first */
    if (first != OT_DATE_NONE && first < start)
        return reject(d, "doses: a dose is dated before the course's start");
    if (first != OT_DATE_NONE && end != OT_DATE_NONE) {
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "doses"))
        {
            ot_date x;
            if (ot_date_parse(&x, it->valuestring) == OT_OK && x > end)
                return reject(d, "doses: a dose is dated after the course's end");
        }
    }
    ot_error err;
    if (ot_patient_add_therapy(d->p, agent, start, end, &err) != OT_OK)
        return reject(d, "%s", err.message);
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "doses"))
    {
        ot_date x; /* checked above: valid, distinct, of an agent with doses */
        if (ot_date_parse(&x, it->valuestring) == OT_OK &&
            ot_patient_add_dose(d->p, d->rd, agent, x, &err) == OT_ENOMEM)
            return reject(d, "%s", err.message);
    }
    return 0;
}

/* "sex", "birth_date", "menopausal_status" at the top of the document: one
 * item, used whole or rejected whole. Returns the items seen (0 or 1). */
static size_t add_demographics(doc_ctx *d, const cJSON *doc)
{
    ot_sex sex = OT_SEX_UNKNOWN;
    ot_menopause m = OT_MENOPAUSE_UNKNOWN;
    ot_date birth = OT_DATE_NONE;
    const char *sx = str_field(doc, "sex"), *ms = str_field(doc, "menopausal_status");
    char b[40];
    int any = has_field(doc, "sex") || has_field(doc, "birth_date") ||
              has_field(doc, "menopausal_status");
    if (!any)
        return 0;
    snprintf(d->where, sizeof d->where, "demographics");
    if (has_field(doc, "sex") && (!sx || ot_sex_parse(&sex, sx)))
        reject(d, "sex: '%s' is not a sex (expected F, M, female or male)",
               sx ? SHOWN(b, sx) : "(not a string)");
    else if (has_field(doc, "menopausal_status") && (!ms || ot_menopause_parse(&m, ms)))
        reject(d, "menopausal_status: '%s' is not a menopausal status (expected pre, peri or "
               "post)", ms ? SHOWN(b, ms) : "(not a string)");
    else if (date_field(d, &birth, doc, "birth_date", 0) == 0) {
        ot_error err;
        if (ot_patient_set_demographics(d->p, sex, birth, m, &err) != OT_OK)
            reject(d, "%s", err.message); /* a man with a menopausal status */
    }
    return 1;
}

static int add_fracture(doc_ctx *d, const cJSON *o)
{
    ot_fracture_site fs;
    ot_date date;
    const char *site = str_field(o, "site");
    char b[40];
    if (!cJSON_IsObject(o))
        return reject(d, "expected an object");
    if (check_keys(d, o, &FRACTURE_KEYS))
        return -1;
    if (!site || ot_fracture_site_parse(&fs, site) != OT_OK)
        return reject(d, "site: %s%s%s (expected vertebral, hip, wrist, humerus, pelvis, "
                      "other, skull_face, hand_finger, foot_toe or ankle)", site ? "unknown fracture site '" : "missing",
                      site ? SHOWN(b, site) : "", site ? "'" : "");
    if (date_field(d, &date, o, "date", 1))
        return -1;
    ot_error err;
    if (ot_patient_add_fracture(d->p, fs, date, &err) != OT_OK)
        return reject(d, "%s", err.message);
    return 0;
}

typedef int (*item_fn)(doc_ctx *, const cJSON *);

static size_t each(doc_ctx *d, const cJSON *doc, const char *key, item_fn fn)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, key);
    size_t n = 0;
    if (!arr || cJSON_IsNull(arr))
        return 0;
    if (!cJSON_IsArray(arr)) {
        snprintf(d->where, sizeof d->where, "%s", key);
        reject(d, "expected a list");
        return 1;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        snprintf(d->where, sizeof d->where, "%s[%zu]", key, n);
        fn(d, it);
        n++;
    }
    return n;
}

/*
 * What cJSON would not say clearly, or would hide: a document too large or
 * nested too deeply (cJSON stops at CJSON_NESTING_LIMIT with "malformed"), a
 * NUL byte or \u0000 escape (cJSON's strings end there: "A\u0000B" would be
 * patient "A").
 */
static int prescan(const char *s, size_t n, ot_error *err)
{
    if (n > OT_JSON_MAX_DOCUMENT)
        return ot_err_set(err, OT_ELIMIT, "document of %zu bytes, over the limit of %u bytes", n,
                          (unsigned)OT_JSON_MAX_DOCUMENT);
    if (memchr(s, '\0', n))
        return ot_err_set(err, OT_EPARSE, "a NUL byte at byte %zu (not a text file?)",
                          (size_t)((const char *)memchr(s, '\0', n) - s) + 1);
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '"') {
                in_str = 0;
            } else if (c == '\\' && i + 1 < n) {
                if (s[i + 1] == 'u' && i + 5 < n && !memcmp(s + i + 2, "0000", 4))
                    return ot_err_set(err, OT_EPARSE, "a NUL character (\\u0000) in a string "
                                      "at byte %zu", i + 1);
                i++;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if ((c == '{' || c == '[') && ++depth > OT_JSON_MAX_DEPTH) {
            return ot_err_set(err, OT_ELIMIT, "nested deeper than %d levels (the limit) at byte "
                              "%zu", OT_JSON_MAX_DEPTH, i + 1);
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return OT_OK;
}

/* A key given twice in any object of the document (cJSON keeps both and
 * reads the first, so the second would vanish): 1 with the key (shown) in
 * buf. */
static int duplicate_key(const cJSON *o, char *buf, size_t size)
{
    for (const cJSON *c = o ? o->child : NULL; c; c = c->next) {
        if (cJSON_IsObject(o) && c->string)
            for (const cJSON *d = c->next; d; d = d->next)
                if (d->string && !strcmp(c->string, d->string)) {
                    ot_text_shown(buf, size, c->string, strlen(c->string));
                    return 1;
                }
        if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && duplicate_key(c, buf, size))
            return 1;
    }
    return 0;
}

int ot_patient_from_json(ot_patient *p, const ot_refdata *rd, const char *json, size_t len,
                         ot_reject_fn rej, void *ctx, size_t *nitems, ot_error *err)
{
    return ot_patient_from_json_keys(p, rd, json, len, rej, NULL, 0, ctx, nitems, NULL, err);
}

/* A report of osteotrack given back as input (data/examples holds one beside
 * the documents it was made from): it has a patient_id but no data, and
 * would make an empty patient. */
static int looks_like_report(const cJSON *doc)
{
    return cJSON_IsObject(doc) && cJSON_GetObjectItemCaseSensitive(doc, "assessment") &&
           !cJSON_GetObjectItemCaseSensitive(doc, "observations");
}

/* A parsed document (ot_patient_from_json_keys after its text checks; the
 * FHIR reader's documents are built as trees, never printed and parsed). */
int ot_patient_from_json_tree(ot_patient *p, const ot_refdata *rd, const cJSON *doc,
                              ot_reject_fn rej, ot_unknown_key_fn unknown, int strict,
                              void *ctx, size_t *nitems, int *named, ot_error *err)
{
    if (nitems)
        *nitems = 0;
    if (named)
        *named = 0;
    if (looks_like_report(doc))
        return ot_err_set(err, OT_EPARSE, "an osteotrack report, not a patient document (it has "
                          "\"assessment\" and no \"observations\"): a report is output, "
                          "not input");
    const cJSON *idv = cJSON_GetObjectItemCaseSensitive(doc, "patient_id");
    char idbuf[32];
    const char *id = cJSON_IsString(idv) ? idv->valuestring : NULL;
    if (cJSON_IsNumber(idv) && idv->valuedouble == floor(idv->valuedouble) &&
        fabs(idv->valuedouble) < 1e15) {
        snprintf(idbuf, sizeof idbuf, "%.0f", idv->valuedouble);
        id = idbuf;
    }
    int rc = OT_OK;
    const char *why;
    size_t at;
    char b[40];
    if (!cJSON_IsObject(doc) || !id || !id[0])
        rc = ot_err_set(err, OT_EPARSE, "not a patient document: expected an object with a "
                        "non-empty patient_id");
    else if (ot_text_check(id, strlen(id), &why, &at))
        rc = ot_err_set(err, OT_EPARSE, "patient_id: '%s' %s (at byte %zu)", SHOWN(b, id), why,
                        at + 1);
    else
        rc = ot_patient_reset(p, id);
    doc_ctx d = {p, rd, rej, ctx, "", "", unknown, strict};
    if (rc == OT_OK && named)
        *named = 1; /* p is the patient's: its id names a refusal from here on */
    char list[200];
    size_t nk = rc == OT_OK ? unknown_keys(&d, doc, &DOC_KEYS, list, sizeof list) : 0;
    if (nk && strict) /* its data may be under the unknown key: the whole is rejected */
        rc = ot_err_set(err, OT_EPARSE, "unknown key%s %s in the patient document (expected "
                        "%s): the document is rejected (--strict)", nk > 1 ? "s" : "", list,
                        DOC_KEYS.expected);
    if (rc == OT_OK) {
        size_t n = add_demographics(&d, doc);
        n += each(&d, doc, "therapies", add_therapy);
        n += each(&d, doc, "observations", add_observation);
        n += each(&d, doc, "fractures", add_fracture);
        if (nitems)
            *nitems = n;
    }
    return rc;
}

int ot_patient_from_json_keys(ot_patient *p, const ot_refdata *rd, const char *json,
                              size_t len, ot_reject_fn rej, ot_unknown_key_fn unknown,
                              int strict, void *ctx, size_t *nitems, int *named,
                              ot_error *err)
{
    if (nitems)
        *nitems = 0;
    if (named)
        *named = 0;
    if (!p || !rd || !json)
        return ot_err_set(err, OT_EINVAL, "ot_patient_from_json: NULL argument");
    int prc = prescan(json, len, err);
    if (prc != OT_OK)
        return prc;
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!doc)
        return ot_err_set(err, OT_EPARSE, "malformed JSON");
    size_t used = end ? (size_t)(end - json) : len;
    while (used < len && (json[used] == ' ' || json[used] == '\t' || json[used] == '\n' ||
                          json[used] == '\r'))
        used++;
    if (used < len) { /* a second document, or anything after the first: never dropped */
        cJSON_Delete(doc);
        return ot_err_set(err, OT_EPARSE, "data after the document at byte %zu (one document "
                          "a line, or a list): the line is rejected whole", used + 1);
    }
    char dupkey[40];
    if (duplicate_key(doc, dupkey, sizeof dupkey)) {
        cJSON_Delete(doc);
        return ot_err_set(err, OT_EPARSE, "the key \"%s\" is given twice in one object: one "
                          "of them would be lost, so the document is rejected", dupkey);
    }
    int rc = ot_patient_from_json_tree(p, rd, doc, rej, unknown, strict, ctx, nitems, named,
                                       err);
    cJSON_Delete(doc);
    return rc;
}

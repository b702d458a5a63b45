/* Reading a precision study file: CSV (RFC 4180, csv.h) or JSON. */
#include "csv.h"
#include "precision_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_PATIENT, C_SITE, C_VALUE, C_UNIT, C_DEVICE, C_TECH, C_DATE, C_COUNT };
static const char *const columns[C_COUNT] = {"patient_id", "site",         "value", "unit",
                                             "device",     "technologist", "date"};
#define ID_MAX 256 /* longest patient_id, device or technologist, in bytes */

/* Copies s[0, len) without blanks around it; -1 if it does not fit. */
static int trim_copy(char *dst, size_t size, const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len >= size)
        return -1;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

/* A decimal number with a point (ot_parse_number). */
static int parse_number(double *out, const char *s)
{
    return ot_parse_number(out, s, strlen(s)) == OT_OK ? 0 : -1;
}

/* The text fields of a row, trimmed. */
typedef struct fields {
    char patient[ID_MAX], site[64], value[64], unit[32], device[ID_MAX], tech[ID_MAX],
        date[32];
} fields;

/* Fills sc from text fields; 0, or -1 with the reason in why. */
static int scan_from_text(ot_precision_scan *sc, const fields *t, char *why, size_t whysz)
{
    if (!t->site[0])
        snprintf(why, whysz, "site is empty");
    else if (ot_site_parse(&sc->site, t->site) != OT_OK)
        snprintf(why, whysz, "unknown site '%s' (expected lumbar_spine, total_hip, "
                 "femoral_neck or radius_33)", t->site);
    else if (!t->value[0])
        snprintf(why, whysz, "value is missing");
    else if (parse_number(&sc->value, t->value) != 0)
        snprintf(why, whysz, "value '%s' is not a number%s", t->value,
                 strchr(t->value, ',') ? " (the decimal separator is a point)" : "");
    else if (t->unit[0] && ot_unit_parse(&sc->unit, t->unit) != OT_OK)
        snprintf(why, whysz, "unit '%s' is not a BMD unit (expected g/cm2 or mg/cm2)", t->unit);
    else if (t->date[0] && ot_date_parse(&sc->date, t->date) != OT_OK)
        snprintf(why, whysz, "date '%s' is not a valid date (expected YYYY-MM-DD)", t->date);
    else {
        sc->patient_id = t->patient;
        sc->device = t->device;
        sc->technologist = t->tech;
        return 0;
    }
    return -1;
}

/* ---- CSV ------------------------------------------------------------ */

static int csv_row(ot_pstudy *s, const ot_csv_row *row, const int *idx, size_t ncols,
                   ot_error *err)
{
    static const size_t sizes[C_COUNT] = {ID_MAX, 64, 64, 32, ID_MAX, ID_MAX, 32};
    if (row->nfields != ncols)
        return ot_pstudy_reject(s, row->line, "%zu fields where the header has %zu",
                                row->nfields, ncols);
    fields t;
    char *dst[C_COUNT] = {t.patient, t.site, t.value, t.unit, t.device, t.tech, t.date};
    for (int i = 0; i < C_COUNT; i++) {
        dst[i][0] = '\0';
        if (idx[i] >= 0 && trim_copy(dst[i], sizes[i], row->fields[idx[i]],
                                     row->lengths[idx[i]]) != 0)
            return ot_pstudy_reject(s, row->line, "%s is longer than %zu characters",
                                    columns[i], sizes[i] - 1);
    }
    ot_precision_scan sc = OT_PRECISION_SCAN_INIT;
    char why[OT_FLAG_MESSAGE_MAX];
    sc.line = row->line;
    if (scan_from_text(&sc, &t, why, sizeof why) != 0)
        return ot_pstudy_reject(s, row->line, "%s", why);
    return ot_pstudy_add(s, &sc, err);
}

/* The header: columns found, unknown ones noted. */
static int csv_header(ot_pstudy *s, ot_csv *c, int *idx, size_t *ncols, ot_error *err)
{
    ot_csv_row row;
    int rc = ot_csv_next(c, &row, err);
    if (rc == 0)
        return ot_err_set(err, OT_EPARSE, "%s: empty: expected a header row naming "
                          "patient_id, site and value", ot_csv_name(c));
    if (rc < 0)
        return rc;
    rc = ot_csv_header_map(idx, c, &row, columns, C_COUNT, err);
    for (int i = 0; rc == OT_OK && i <= C_VALUE; i++)
        if (idx[i] < 0)
            rc = ot_err_set(err, OT_EPARSE, "%s:%ld: no '%s' column: the header must name "
                            "patient_id, site and value", ot_csv_name(c), row.line, columns[i]);
    for (size_t col = 0; rc == OT_OK && col < row.nfields; col++)
        if (!ot_csv_header_is_mapped(idx, C_COUNT, col) &&
            ot_pstudy_note(s, row.line, "column '%s' is not used: ignored", row.fields[col]))
            rc = ot_err_set(err, OT_ENOMEM, "out of memory");
    *ncols = row.nfields;
    return rc;
}

/* The reason of a tokenizer error, without its "NAME:LINE: ". */
static const char *csv_reason(const char *msg, const char *name, long line)
{
    char prefix[64];
    size_t n = strlen(name);
    int k = snprintf(prefix, sizeof prefix, ":%ld: ", line);
    if (strncmp(msg, name, n) == 0 && k > 0 && strncmp(msg + n, prefix, (size_t)k) == 0)
        return msg + n + (size_t)k;
    return msg;
}

static int read_csv(ot_pstudy *s, FILE *f, const char *name, ot_error *err)
{
    ot_csv *c = NULL;
    int idx[C_COUNT];
    size_t ncols = 0;
    int rc = ot_csv_open(&c, f, name, err);
    if (rc == OT_OK)
        rc = csv_header(s, c, idx, &ncols, err);
    while (rc == OT_OK) {
        ot_csv_row row;
        ot_error e = {0, ""};
        int r = ot_csv_next(c, &row, &e);
        if (r == 0)
            break;
        if (r == 1)
            rc = csv_row(s, &row, idx, ncols, err);
        else if (r == OT_EPARSE)
            rc = ot_pstudy_reject(s, row.line, "%s", csv_reason(e.message, name, row.line));
        else
            rc = ot_err_set(err, r, "%s", e.message);
    }
    ot_csv_close(c);
    return rc;
}

/* ---- JSON ----------------------------------------------------------- */

/* cJSON keeps no positions: a light scan finds where each scan starts. */
typedef struct jpos {
    const char *s;
    size_t i, n;
    long line;
} jpos;

static void js_ws(jpos *j)
{
    for (; j->i < j->n && strchr(" \t\r\n", j->s[j->i]) && j->s[j->i]; j->i++)
        j->line += j->s[j->i] == '\n';
}

static void js_string(jpos *j)
{
    for (j->i++; j->i < j->n && j->s[j->i] != '"'; j->i++)
        j->i += j->s[j->i] == '\\';
    j->i++;
}

static void js_value(jpos *j)
{
    int depth = 0;
    do {
        if (j->i >= j->n)
            return;
        char ch = j->s[j->i];
        if (ch == '"') {
            js_string(j);
            continue;
        }
        if (depth == 0 && ch != '{' && ch != '[') {
            while (j->i < j->n && !strchr(",]}", j->s[j->i]) && !strchr(" \t\r\n", j->s[j->i]))
                j->i++;
            return;
        }
        depth += (ch == '{' || ch == '[') - (ch == '}' || ch == ']');
        j->line += ch == '\n';
        j->i++;
    } while (depth > 0);
}

/* Moves to the '[' of the scans: the document, or its "scans" member. */
static int js_find_scans(jpos *j)
{
    js_ws(j);
    if (j->i < j->n && j->s[j->i] == '[')
        return 0;
    for (j->i++; j->i < j->n;) {
        js_ws(j);
        if (j->i >= j->n || j->s[j->i] != '"')
            return -1;
        size_t k = j->i + 1;
        js_string(j);
        int is_scans = j->i - k == 6 && strncmp(j->s + k, "scans", 5) == 0;
        js_ws(j);
        j->i++; /* : */
        js_ws(j);
        if (is_scans)
            return 0;
        js_value(j);
        js_ws(j);
        j->i++; /* , or } */
    }
    return -1;
}

/* lines[k] = the line where element k of the scans array starts (0: unknown). */
static void js_element_lines(long *lines, size_t count, const char *text, size_t len)
{
    jpos j = {text, 0, len, 1};
    memset(lines, 0, count * sizeof *lines);
    if (js_find_scans(&j) != 0)
        return;
    j.i++;
    for (size_t k = 0; k < count && j.i < j.n; k++) {
        js_ws(&j);
        lines[k] = j.line;
        js_value(&j);
        js_ws(&j);
        j.i++; /* , */
    }
}

/* A member as text: a string, or an integer (patient numbers). */
static int json_text(char *dst, size_t size, const cJSON *v, int allow_number)
{
    dst[0] = '\0';
    if (!v || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsString(v))
        return trim_copy(dst, size, v->valuestring, strlen(v->valuestring));
    if (allow_number && cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
        fabs(v->valuedouble) < 1e15) {
        snprintf(dst, size, "%.0f", v->valuedouble);
        return 0;
    }
    return -1;
}

/* Notes each key not used, once a key. */
static int json_keys(ot_pstudy *s, const cJSON *e, long line, char ***seen, size_t *nseen)
{
    for (const cJSON *m = e->child; m; m = m->next) {
        int known = 0;
        for (int i = 0; i < C_COUNT && !known; i++)
            known = cJSON_GetObjectItem(e, columns[i]) == m;
        for (size_t i = 0; i < *nseen && !known; i++)
            known = strcmp((*seen)[i], m->string) == 0;
        if (known)
            continue;
        char **ns = realloc(*seen, (*nseen + 1) * sizeof *ns);
        char *copy = malloc(strlen(m->string) + 1);
        if (ns)
            *seen = ns;
        if (!ns || !copy) {
            free(copy);
            return OT_ENOMEM;
        }
        memcpy(copy, m->string, strlen(m->string) + 1);
        (*seen)[(*nseen)++] = copy;
        if (ot_pstudy_note(s, line, "key '%s' is not used: ignored", m->string))
            return OT_ENOMEM;
    }
    return OT_OK;
}

static int json_scan(ot_pstudy *s, const cJSON *e, long line, ot_error *err)
{
    if (!cJSON_IsObject(e))
        return ot_pstudy_reject(s, line, "expected an object with patient_id, site and value");
    static const size_t sizes[C_COUNT] = {ID_MAX, 64, 64, 32, ID_MAX, ID_MAX, 32};
    fields t;
    char *dst[C_COUNT] = {t.patient, t.site, t.value, t.unit, t.device, t.tech, t.date};
    for (int i = 0; i < C_COUNT; i++) {
        const cJSON *v = cJSON_GetObjectItem(e, columns[i]);
        if (i == C_VALUE) {
            dst[i][0] = '\0';
            if (v && !cJSON_IsNull(v) && !cJSON_IsNumber(v))
                return ot_pstudy_reject(s, line, "value: expected a number");
            if (cJSON_IsNumber(v))
                snprintf(t.value, sizeof t.value, "%.17g", v->valuedouble);
        } else if (json_text(dst[i], sizes[i], v, i == C_PATIENT) != 0) {
            return ot_pstudy_reject(s, line, "%s: expected a string of at most %zu characters",
                                    columns[i], sizes[i] - 1);
        }
    }
    ot_precision_scan sc = OT_PRECISION_SCAN_INIT;
    char why[OT_FLAG_MESSAGE_MAX];
    sc.line = line;
    if (scan_from_text(&sc, &t, why, sizeof why) != 0)
        return ot_pstudy_reject(s, line, "%s", why);
    return ot_pstudy_add(s, &sc, err);
}

static int json_scans(ot_pstudy *s, const cJSON *arr, const char *text, size_t len,
                      ot_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(arr), k = 0, nseen = 0;
    long *lines = malloc((n ? n : 1) * sizeof *lines);
    char **seen = NULL;
    if (!lines)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    js_element_lines(lines, n, text, len);
    int rc = OT_OK;
    for (const cJSON *e = arr->child; rc == OT_OK && e; e = e->next, k++) {
        if (cJSON_IsObject(e) && json_keys(s, e, lines[k], &seen, &nseen) != OT_OK)
            rc = ot_err_set(err, OT_ENOMEM, "out of memory");
        if (rc == OT_OK)
            rc = json_scan(s, e, lines[k], err);
    }
    for (size_t i = 0; i < nseen; i++)
        free(seen[i]);
    free(seen);
    free(lines);
    return rc;
}

static int read_json(ot_pstudy *s, FILE *f, const char *name, ot_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = ot_read_all(&text, &len, f, OT_JSON_MAX_DOCUMENT);
    if (rc == OT_ELIMIT)
        return ot_err_set(err, rc, "%s: larger than the limit of %u bytes for a JSON study (CSV "
                          "has none)", name, (unsigned)OT_JSON_MAX_DOCUMENT);
    if (rc != OT_OK)
        return ot_err_set(err, rc, "%s: %s", name, rc == OT_EIO ? "read error" : "out of memory");
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!doc) {
        long line = 1;
        for (const char *p = text; end && p < end; p++)
            line += *p == '\n';
        free(text);
        return ot_err_set(err, OT_EPARSE, "%s:%ld: malformed JSON", name, line);
    }
    const cJSON *arr = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "scans");
    if (!cJSON_IsArray(arr))
        rc = ot_err_set(err, OT_EPARSE, "%s: expected an array of scans, or {\"scans\": [...]}",
                        name);
    for (const cJSON *m = doc->child; rc == OT_OK && arr != doc && m; m = m->next)
        if (m != arr && ot_pstudy_note(s, 0, "key '%s' is not used: ignored", m->string))
            rc = ot_err_set(err, OT_ENOMEM, "out of memory");
    if (rc == OT_OK)
        rc = json_scans(s, arr, text, len, err);
    cJSON_Delete(doc);
    free(text);
    return rc;
}

/* ---- the entry point ------------------------------------------------ */

static int is_json_name(const char *path)
{
    size_t n = strlen(path);
    if (n < 5)
        return 0;
    const char *e = path + n - 5;
    for (size_t i = 0; i < 5; i++)
        if ((e[i] >= 'A' && e[i] <= 'Z' ? e[i] + 32 : e[i]) != ".json"[i])
            return 0;
    return 1;
}

int ot_precision_read_file(ot_precision_result **out, const ot_refdata *rd, const char *path,
                           const ot_precision_options *opts, ot_error *err)
{
    if (!out || !rd || !path)
        return ot_err_set(err, OT_EINVAL, "ot_precision_read_file: NULL argument");
    *out = NULL;
    ot_pstudy *s = NULL;
    int rc = ot_pstudy_new(&s, rd, path, opts, err);
    if (rc != OT_OK)
        return rc;
    FILE *f = fopen(path, "rb");
    if (!f) {
        ot_pstudy_free(s);
        return ot_err_set(err, OT_EIO, "%s: cannot open: %s", path, strerror(errno));
    }
    ot_precision_input in = opts ? opts->input : OT_PRECISION_INPUT_AUTO;
    if (in == OT_PRECISION_INPUT_AUTO)
        in = is_json_name(path) ? OT_PRECISION_INPUT_JSON : OT_PRECISION_INPUT_CSV;
    rc = in == OT_PRECISION_INPUT_JSON ? read_json(s, f, path, err) : read_csv(s, f, path, err);
    fclose(f);
    if (rc != OT_OK) {
        ot_pstudy_free(s);
        return rc;
    }
    return ot_pstudy_finish(out, s, err);
}

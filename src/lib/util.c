/* Status codes, error messages and small helpers shared by the library. */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ot_version(void) { return OT_VERSION_STRING; }

void ot_free(void *p) { free(p); }

const char *ot_strerror(int status)
{
    switch (status) {
    case OT_OK: return "success";
    case OT_EINVAL: return "invalid argument";
    case OT_ENOMEM: return "out of memory";
    case OT_EIO: return "cannot open or read a file";
    case OT_EPARSE: return "malformed input";
    case OT_EVOCAB: return "value outside the vocabulary";
    case OT_EUNIT: return "unknown or mismatched unit";
    case OT_ERANGE: return "implausible value";
    case OT_EDATE: return "invalid date or dates out of order";
    case OT_EDATA: return "invalid reference data or configuration";
    case OT_ENUMERIC: return "numerical routine failed";
    case OT_EDUPLICATE: return "duplicate observation";
    case OT_ELIMIT: return "a limit is exceeded";
    case OT_ECONFLICT: return "conflicts with a value on record";
    default: return "unknown status";
    }
}

void ot_strlcpy(char *dst, const char *src, size_t size)
{
    if (size == 0)
        return;
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int ot_err_set(ot_error *err, int status, const char *fmt, ...)
{
    if (err) {
        /* formatted whole (a path may be long), then shown as one line of
         * text safe for a terminal, cut in the middle if it must be so that
         * the reason at its end is kept */
        char small[1024], *msg = small;
        va_list ap, again;
        va_start(ap, fmt);
        va_copy(again, ap);
        int len = vsnprintf(small, sizeof small, fmt, ap);
        va_end(ap);
        if (len >= (int)sizeof small && (msg = malloc((size_t)len + 1)) != NULL)
            vsnprintf(msg, (size_t)len + 1, fmt, again);
        va_end(again);
        if (!msg || len < 0) {
            msg = small;
            len = len < 0 ? 0 : (int)sizeof small - 1;
        }
        ot_text_fit(err->message, sizeof err->message, msg, (size_t)len);
        if (msg != small)
            free(msg);
        err->status = status;
    }
    return status;
}

long long ot_micro(double x) { return llround(x * 1e6); }

void ot_flag_vadd(ot_flag *flags, size_t *n, size_t cap, ot_flag_code code, ot_severity sev,
                  int site, int analyte, const char *fmt, va_list ap)
{
    if (*n >= cap)
        return;
    /* each field set, and the message written once: no memset of the 400
     * bytes, no vsnprintf (a report makes thousands of flags a second) */
    ot_flag *f = &flags[(*n)++];
    f->code = code;
    f->severity = sev;
    f->has_site = site >= 0;
    f->site = site >= 0 ? (ot_site)site : OT_SITE_LUMBAR_SPINE;
    f->has_analyte = analyte >= 0;
    f->analyte = analyte >= 0 ? (ot_analyte)analyte : OT_ANALYTE_BMD;
    ot_vfmt(f->message, sizeof f->message, fmt, ap);
}

void ot_flag_add(ot_flag *flags, size_t *n, size_t cap, ot_flag_code code,
                 ot_severity sev, int site, int analyte, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ot_flag_vadd(flags, n, cap, code, sev, site, analyte, fmt, ap);
    va_end(ap);
}

cJSON *ot_json_add_num(cJSON *obj, const char *key, double v)
{
    if (isnan(v) || isinf(v))
        return cJSON_AddNullToObject(obj, key);
    return cJSON_AddNumberToObject(obj, key, v);
}

int ot_read_all(char **out, size_t *len, FILE *f, size_t max)
{
    *out = NULL;
    *len = 0;
    size_t cap = 65536, n = 0, r;
    char *buf = malloc(cap + 1);
    /* never more than max + 1 bytes: /dev/zero ends at the limit too */
    while (buf && n <= max && (r = fread(buf + n, 1, (cap <= max ? cap : max + 1) - n, f)) > 0) {
        n += r;
        if (n == cap && cap <= max) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    if (!buf)
        return OT_ENOMEM;
    if (n > max || ferror(f)) {
        free(buf);
        return n > max ? OT_ELIMIT : OT_EIO;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return OT_OK;
}

int ot_read_file(char **out, size_t *len, const char *path, ot_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ot_err_set(err, OT_EIO, "%s: cannot open: %s", path, strerror(errno));
    int rc = ot_read_all(out, len, f, OT_CONFIG_MAX_FILE);
    fclose(f);
    if (rc == OT_ELIMIT)
        return ot_err_set(err, rc, "%s: larger than the limit of %u bytes", path,
                          (unsigned)OT_CONFIG_MAX_FILE);
    if (rc != OT_OK)
        return ot_err_set(err, rc, "%s: %s", path, rc == OT_EIO ? "read error" : "out of memory");
    return OT_OK;
}

const char *ot_trim_blanks(const char *s, size_t *n)
{
    while (*n && (*s == ' ' || *s == '\t'))
        s++, (*n)--;
    while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
        (*n)--;
    return s;
}

int ot_json_parse_file(cJSON **out, const char *path, char hex[65], ot_error *err)
{
    *out = NULL;
    char *buf;
    size_t len;
    int rc = ot_read_file(&buf, &len, path, err);
    if (rc != OT_OK)
        return rc;
    if (hex) {
        ot_sha256 sha;
        ot_sha256_init(&sha);
        ot_sha256_update(&sha, buf, len);
        ot_sha256_hex(&sha, hex);
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (!root) {
        size_t off = end ? (size_t)(end - buf) : 0;
        long line = 1;
        for (size_t i = 0; i < off && i < len; i++)
            line += buf[i] == '\n';
        free(buf);
        return ot_err_set(err, OT_EPARSE, "%s:%ld: malformed JSON", path, line);
    }
    free(buf);
    *out = root;
    return OT_OK;
}

int ot_json_number(double *out, const cJSON *obj, const char *key,
                   int required, double lo, double hi, const char *file,
                   const char *where, ot_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) {
        *out = NAN;
        if (required)
            return ot_err_set(err, OT_EDATA, "%s: %s.%s: missing; expected a number",
                              file, where, key);
        return OT_OK;
    }
    if (!cJSON_IsNumber(v))
        return ot_err_set(err, OT_EDATA, "%s: %s.%s: expected a number", file,
                          where, key);
    double d = v->valuedouble;
    if (!(d >= lo && d <= hi))
        return ot_err_set(err, OT_EDATA, "%s: %s.%s: %g is out of range [%g, %g]",
                          file, where, key, d, lo, hi);
    *out = d;
    return OT_OK;
}

int ot_json_sourced(ot_sourced *out, const cJSON *obj, const char *file,
                    const char *where, ot_error *err)
{
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(obj, "source");
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(obj, "confirmed");
    if (!cJSON_IsString(src) || src->valuestring[0] == '\0')
        return ot_err_set(err, OT_EDATA, "%s: %s.source: missing; every figure names its source",
                          file, where);
    if (!cJSON_IsBool(conf))
        return ot_err_set(err, OT_EDATA, "%s: %s.confirmed: expected true or false",
                          file, where);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "source_id");
    if (!cJSON_IsString(id)) /* (registered and checked when the file was loaded) */
        return ot_err_set(err, OT_EDATA, "%s: %s.source_id: missing", file, where);
    ot_strlcpy(out->source, id->valuestring, sizeof out->source); /* the id, not the text */
    out->confirmed = cJSON_IsTrue(conf);
    return OT_OK;
}

double ot_round(double x, int decimals)
{
    if (isnan(x) || isinf(x))
        return x;
    double scale = pow(10.0, decimals);
    double r = round(x * scale) / scale;
    return r == 0.0 ? 0.0 : r; /* no -0 */
}

void ot_json_add_date(cJSON *obj, const char *key, ot_date d)
{
    char buf[11];
    if (d == OT_DATE_NONE) {
        cJSON_AddNullToObject(obj, key);
        return;
    }
    ot_date_format(buf, d);
    cJSON_AddStringToObject(obj, key, buf);
}

int ot_json_finish(char **out, cJSON *root, int pretty)
{
    *out = NULL;
    if (!root)
        return OT_ENOMEM;
    char *text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        return OT_ENOMEM;
    /* The library never installs cJSON hooks, so this is malloc'd: ot_free(). */
    *out = text;
    return OT_OK;
}

/* {"value": X, "source": "...", "confirmed": bool} with X in [lo, hi]. */
int ot_json_sourced_value(ot_sourced *out, const cJSON *parent, const char *key, double lo,
                          double hi, const char *path, const char *where, ot_error *err)
{
    char w[96];
    snprintf(w, sizeof w, "%s.%s", where, key);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(parent, key);
    if (!cJSON_IsObject(e))
        return ot_err_set(err, OT_EDATA, "%s: %s: missing; expected {value, source, confirmed}",
                          path, w);
    int rc = ot_json_number(&out->value, e, "value", 1, lo, hi, path, w, err);
    return rc == OT_OK ? ot_json_sourced(out, e, path, w, err) : rc;
}

/* Decimal with '.': the exact fast path for up to 15 digits, else strtod. */
int ot_parse_number(double *out, const char *s, size_t n)
{
    static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16};
    if (!out || !s)
        return OT_EINVAL;
    size_t i = 0;
    int neg = 0, digits = 0, frac = 0, dot = 0;
    unsigned long long m = 0;
    if (n && (s[0] == '-' || s[0] == '+'))
        neg = s[i++] == '-';
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            m = m * 10 + (unsigned)(c - '0');
            digits++;
            frac += dot;
        } else if (c == '.' && !dot) {
            dot = 1;
        } else {
            break;
        }
    }
    if (i == n && digits > 0 && digits <= 15) {
        double v = (double)m / p10[frac];
        *out = neg ? -v : v;
        return OT_OK;
    }
    if (digits == 0 && i == n)
        return OT_EPARSE;
    /* strtod would take hex, "nan", "inf" and the locale's decimal mark: only
     * [+-]digits[.digits][e[+-]digits] reaches it */
    if (digits == 0 || (i < n && s[i] != 'e' && s[i] != 'E'))
        return OT_EPARSE;
    size_t k = i + 1;
    if (k < n && (s[k] == '+' || s[k] == '-'))
        k++;
    if (k == n)
        return OT_EPARSE;
    for (; k < n; k++)
        if (s[k] < '0' || s[k] > '9')
            return OT_EPARSE;
    char buf[64], *end;
    if (n >= sizeof buf)
        return OT_EPARSE;
    memcpy(buf, s, n);
    buf[n] = '\0';
    double v = strtod(buf, &end);
    if (end != buf + n)
        return OT_EPARSE;
    if (!isfinite(v))
        return OT_ERANGE; /* overflows */
    *out = v;
    return OT_OK;
}

/* No strlen of `name` first: a lookup over a table (the site labels, for
 * every scan read) mostly differs at the first byte. */
int ot_ascii_casecmp(const char *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        int a = (unsigned char)s[i], b = (unsigned char)name[i];
        if (!b || (a >= 'A' && a <= 'Z' ? a + 32 : a) != (b >= 'A' && b <= 'Z' ? b + 32 : b))
            return 1;
    }
    return name[n] != '\0';
}

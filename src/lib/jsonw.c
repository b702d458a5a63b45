/* A small, fast JSON writer (see jsonw.h). */
#include "jsonw.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void jw_init(jw *w, int pretty)
{
    memset(w, 0, sizeof *w);
    w->pretty = pretty;
    w->first = 1;
    for (size_t i = 0; i < sizeof w->dates / sizeof w->dates[0]; i++)
        w->dates[i] = OT_DATE_NONE;
}

static int grow(jw *w, size_t n);

static inline int reserve(jw *w, size_t n)
{
    if (w->len + n + 1 <= w->cap && !w->failed)
        return 0;
    return grow(w, n);
}

static int grow(jw *w, size_t n)
{
    if (w->failed)
        return -1;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + n + 1)
        cap *= 2;
    char *b = realloc(w->buf, cap);
    if (!b) {
        w->failed = 1;
        return -1;
    }
    w->buf = b;
    w->cap = cap;
    return 0;
}

static void raw(jw *w, const char *s, size_t n)
{
    if (reserve(w, n) == 0) {
        memcpy(w->buf + w->len, s, n);
        w->len += n;
    }
}

static void indent(jw *w)
{
    if (!w->pretty || reserve(w, (size_t)w->depth * 2 + 1))
        return;
    w->buf[w->len++] = '\n';
    memset(w->buf + w->len, ' ', (size_t)w->depth * 2);
    w->len += (size_t)w->depth * 2;
}

/* Bytes that need escaping in a JSON string (1), or checking as UTF-8 (2). */
#define U8 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2
static const unsigned char needs_escape[256] = {
    [0] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, ['"'] = 1, ['\\'] = 1, [0x80] = U8, U8, U8, U8, U8, U8, U8, U8};
#undef U8

/* Whether any of 8 bytes is a control byte, '"', '\\' or above 0x7f. */
static inline uint64_t plain8_not(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t ctl = (x - ones * 0x20) & ~x & highs; /* a byte below 0x20 */
    uint64_t quote = (q - ones) & ~q & highs;      /* a '"' */
    uint64_t bslash = (b - ones) & ~b & highs;     /* a '\\' */
    return ctl | quote | bslash | (x & highs);
}

/* The rest of a string, the n bytes at s (its opening quote written), escaped. */
static void string_rest(jw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (reserve(w, n * 6 + 2))
        return;
    char *o = w->buf + w->len;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        const unsigned char *run = p;
        /* eight bytes at a time while none is a control byte, '"' or '\\' */
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            if (plain8_not(x))
                break; /* the byte loop below finds which (or checks UTF-8) */
            p += 8;
        }
        while (p < end && !needs_escape[*p])
            p++;
        memcpy(o, run, (size_t)(p - run));
        o += p - run;
        if (p == end)
            break;
        if (*p >= 0x80) { /* valid UTF-8 as it is; an invalid byte as U+FFFD */
            size_t k = ot_utf8_seq(p, (size_t)(end - p));
            if (k) {
                memcpy(o, p, k);
                o += k;
                p += k;
            } else {
                memcpy(o, "\\ufffd", 6);
                o += 6;
                p++;
            }
            continue;
        }
        unsigned char c = *p++;
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    w->len = (size_t)(o - w->buf);
}

/* The n bytes at s as a string at o, with room for n + 2 bytes there. A plain
 * string (nearly all are) is checked and copied 8 bytes at a time, its last
 * bytes as the 8 that end it (overlapping the block before); from the first
 * block that needs escaping (or checking as UTF-8) on, the general way. */
static inline void string_at(jw *w, char *o, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    *o++ = '"';
    if (n >= 8) {
        uint64_t x;
        for (; i + 8 <= n; i += 8) {
            memcpy(&x, p + i, 8);
            if (plain8_not(x))
                goto rest;
            memcpy(o + i, &x, 8);
        }
        if (i < n) {
            memcpy(&x, p + n - 8, 8);
            if (plain8_not(x))
                goto rest;
            memcpy(o + n - 8, &x, 8);
        }
    } else {
        for (; i < n; i++) {
            if (needs_escape[p[i]])
                goto rest;
            o[i] = (char)p[i];
        }
    }
    o[n] = '"';
    w->len = (size_t)(o + n + 1 - w->buf);
    return;
rest:
    w->len = (size_t)(o + i - w->buf);
    string_rest(w, s + i, n - i);
}

static inline void byte(jw *w, char c)
{
    if (reserve(w, 1) == 0)
        w->buf[w->len++] = c;
}

/* Makes room for an item's comma, indentation and key and `extra` bytes more,
 * writes the first three and returns where the value goes (NULL when out of
 * memory); the caller sets w->len past what it writes. */
static inline char *item(jw *w, jw_key key, size_t extra)
{
    size_t ind = w->pretty ? (size_t)w->depth * 2 + 2 : 0; /* '\n', spaces, ' ' after ':' */
    if (reserve(w, 1 + ind + ((key.len + 15) & ~(size_t)15) + extra))
        return NULL;
    char *o = w->buf + w->len;
    unsigned long long bit = 1ull << (w->depth & 63);
    if (w->first & bit)
        w->first &= ~bit;
    else
        *o++ = ',';
    if (ind && w->depth > 0) {
        *o++ = '\n';
        memset(o, ' ', (size_t)w->depth * 2);
        o += (size_t)w->depth * 2;
    }
    if (key.text) {
        for (size_t i = 0; i < key.len; i += 16) /* whole blocks: see jw_key */
            memcpy(o + i, key.text + i, 16);
        o += key.len;
        if (w->pretty)
            *o++ = ' ';
    }
    return o;
}

/* An item whose value is the n bytes at s. */
static inline void item_raw(jw *w, jw_key key, const char *s, size_t n)
{
    char *o = item(w, key, n);
    if (o) {
        memcpy(o, s, n);
        w->len = (size_t)(o + n - w->buf);
    }
}

/* Opens an object or array at o (from item; NULL when out of memory). */
static void open_at(jw *w, char *o, char c)
{
    if (o) {
        *o++ = c;
        w->len = (size_t)(o - w->buf);
    }
    w->depth++;
    w->first |= 1ull << (w->depth & 63);
}

static void close_(jw *w, char c)
{
    int empty = (w->first >> (w->depth & 63)) & 1;
    w->depth--;
    if (!empty)
        indent(w);
    byte(w, c);
}

void jw_object(jw *w, jw_key key) { open_at(w, item(w, key, 1), '{'); }
void jw_array(jw *w, jw_key key) { open_at(w, item(w, key, 1), '['); }
void jw_end_object(jw *w) { close_(w, '}'); }
void jw_end_array(jw *w) { close_(w, ']'); }

void jw_object_named(jw *w, const char *key)
{
    size_t n = strlen(key);
    char *o = item(w, JW_NOKEY, n + 2);
    if (o) {
        string_at(w, o, key, n);
        raw(w, w->pretty ? ": {" : ":{", w->pretty ? 3 : 2);
    }
    w->depth++;
    w->first |= 1ull << (w->depth & 63);
}

void jw_str(jw *w, jw_key key, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    char *o = item(w, key, n + 2);
    if (o)
        string_at(w, o, s, n);
}

void jw_null(jw *w, jw_key key) { item_raw(w, key, "null", 4); }

void jw_bool(jw *w, jw_key key, int b)
{
    item_raw(w, key, b ? "true" : "false", b ? 4 : 5);
}

/* Rounded half away from zero as llround does, for |x| < 9e15 (the cast and
 * the difference are exact there). */
static inline long long round_ll(double x)
{
    long long v = (long long)x;
    double rest = x - (double)v;
    if (rest >= 0.5)
        v++;
    else if (rest <= -0.5)
        v--;
    return v;
}

static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

int jw_num_same(double a, double b, int decimals)
{
    if (!isfinite(a) || !isfinite(b))
        return !isfinite(a) && !isfinite(b);
    double x = a * p10[decimals], y = b * p10[decimals];
    if (!(fabs(x) < 9e15 && fabs(y) < 9e15))
        return a == b;
    return round_ll(x) == round_ll(y);
}

void jw_num(jw *w, jw_key key, double x, int decimals)
{
    if (!isfinite(x)) {
        jw_null(w, key);
        return;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    double scaled = x * p10[decimals];
    if (!(fabs(scaled) < 9e15)) { /* too large for the integer path */
        char tmp[40];
        int n = snprintf(tmp, sizeof tmp, "%.17g", x);
        item_raw(w, key, tmp, n > 0 ? (size_t)n : 0);
        return;
    }
    long long v = round_ll(scaled);
    /* digits backwards from e, two at a time: the `decimals` digits of the
     * fraction, the '.', the integer part; then the fraction's trailing
     * zeros (and a '.' with none left) are dropped. v < 0 is at least one
     * unit of the last decimal, so never a -0. */
    static const char d2[] = "00010203040506070809101112131415161718192021222324"
                             "25262728293031323334353637383940414243444546474849"
                             "50515253545556575859606162636465666768697071727374"
                             "75767778798081828384858687888990919293949596979899";
    char tmp[64], *e = tmp + 32, *p = e;
    memset(e, 0, 32); /* copied as whole blocks below */
    unsigned long long u = v < 0 ? (unsigned long long)(-(v + 1)) + 1 : (unsigned long long)v;
    int k = decimals;
    for (; k >= 2; k -= 2) {
        p -= 2;
        memcpy(p, d2 + 2 * (u % 100), 2);
        u /= 100;
    }
    if (k) {
        *--p = (char)('0' + u % 10);
        u /= 10;
    }
    char *dot = p, *end = e;
    while (end > dot && end[-1] == '0')
        end--;
    if (decimals) {
        *--p = '.';
        if (end == dot)
            end = p;
    }
    while (u >= 100) {
        p -= 2;
        memcpy(p, d2 + 2 * (u % 100), 2);
        u /= 100;
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, d2 + 2 * u, 2);
    } else {
        *--p = (char)('0' + u);
    }
    if (v < 0)
        *--p = '-';
    /* at most 1 + 16 + 1 digits and signs (|scaled| < 9e15): two blocks */
    char *o = item(w, key, 32);
    if (o) {
        memcpy(o, p, 16);
        memcpy(o + 16, p + 16, 16);
        w->len = (size_t)(o + (end - p) - w->buf);
    }
}

void jw_date(jw *w, jw_key key, ot_date d)
{
    if (d == OT_DATE_NONE) {
        jw_null(w, key);
        return;
    }
    /* a report repeats its dates (a scan's, its baseline's) across entries */
    unsigned slot = (unsigned)d & 7;
    char *text = w->date_text[slot];
    if (w->dates[slot] != d) {
        ot_date_format(text + 1, d);
        text[0] = text[11] = '"';
        w->dates[slot] = d;
    }
    item_raw(w, key, text, 12);
}

int jw_finish(jw *w, char **out)
{
    *out = NULL;
    if (reserve(w, 1)) {
        free(w->buf);
        return OT_ENOMEM;
    }
    w->buf[w->len] = '\0';
    *out = w->buf;
    return OT_OK;
}

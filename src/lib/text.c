/* Text checks shared by the readers and the JSON writer: UTF-8, control
 * characters, and values shown in messages. */
#include "internal.h"

#include <string.h>

size_t ot_utf8_seq(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* the second byte's range */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

int ot_text_check(const char *s, size_t n, const char **why, size_t *at)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (u[i] < 0x20 || u[i] == 0x7F) {
            *why = u[i] ? "holds a control character" : "holds a NUL byte";
            *at = i;
            return -1;
        }
        size_t k = ot_utf8_seq(u + i, n - i);
        if (k == 0) {
            *why = "is not valid UTF-8";
            *at = i;
            return -1;
        }
        i += k;
    }
    return 0;
}

/* How the character at u[0, n) is shown: *k bytes of input, written as an
 * escape in esc (its length returned) or as they are (0 returned). */
static size_t escape_one(char esc[7], const unsigned char *u, size_t n, size_t *k)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = ot_utf8_seq(u, n);
    if (len == 0) { /* a byte that is not UTF-8: \xHH */
        *k = 1;
        esc[0] = '\\', esc[1] = 'x', esc[2] = hex[u[0] >> 4], esc[3] = hex[u[0] & 15];
        return 4;
    }
    *k = len;
    unsigned cp = len == 1 ? u[0]
                : len == 2 ? (u[0] & 0x1Fu) << 6 | (u[1] & 0x3Fu)
                : len == 3 ? (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 | (u[2] & 0x3Fu)
                           : 0x10000; /* 4 bytes: nothing to escape */
    int control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    int bidi = cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
               (cp >= 0x2066 && cp <= 0x2069);
    if (!control && !bidi)
        return 0;
    esc[0] = '\\', esc[1] = 'u';
    for (int d = 0; d < 4; d++)
        esc[2 + d] = hex[(cp >> (12 - 4 * d)) & 15];
    return 6;
}

size_t ot_text_escape(char *buf, size_t size, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t w = 0, total = 0;
    int full = size == 0 || !buf;
    for (size_t i = 0; s && i < n;) {
        if (u[i] >= 0x20 && u[i] < 0x7F) { /* a run of printable ASCII: as it is */
            size_t run = i + 1;
            while (run < n && u[run] >= 0x20 && u[run] < 0x7F)
                run++;
            size_t len = run - i;
            if (!full) {
                size_t room = size - 1 - w; /* w < size: full is set before */
                size_t c = len < room ? len : room;
                memcpy(buf + w, s + i, c);
                w += c;
                full = c < len;
            }
            total += len;
            i = run;
            continue;
        }
        char esc[7];
        size_t k, e = escape_one(esc, u + i, n - i, &k), len = e ? e : k;
        if (!full && w + len < size) {
            memcpy(buf + w, e ? esc : s + i, len);
            w += len;
        } else {
            full = 1; /* never a part of a character or an escape */
        }
        total += len;
        i += k;
    }
    if (buf && size)
        buf[w] = '\0';
    return total;
}

const char *ot_text_shown(char *buf, size_t size, const char *s, size_t n)
{
    ot_text_escape(buf, size, s, n);
    return size ? buf : "";
}

const char *ot_text_fit(char *buf, size_t size, const char *s, size_t n)
{
    size_t total = ot_text_escape(buf, size, s, n);
    if (total < size || size < 64)
        return size ? buf : "";
    /* Too long: a message starts with its place (a path, which may be long)
     * and ends with its reason. Keep a fifth of the room for the start, then
     * "...", then as much of the end as fits. */
    const unsigned char *u = (const unsigned char *)s;
    size_t head = (size - 1) / 5, w = 0, i = 0, k, len;
    char esc[7];
    for (; i < n; i += k) {
        size_t e = escape_one(esc, u + i, n - i, &k);
        len = e ? e : k;
        if (w + len > head)
            break;
        memcpy(buf + w, e ? esc : s + i, len);
        w += len;
    }
    size_t rest = total - w; /* the width of s[i, n) shown */
    memcpy(buf + w, "...", 3);
    w += 3;
    for (; i < n && rest > size - 1 - w; i += k) {
        size_t e = escape_one(esc, u + i, n - i, &k);
        rest -= e ? e : k;
    }
    ot_text_escape(buf + w, size - w, s + i, n - i);
    return buf;
}

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

const char *ot_text_shown(char *buf, size_t size, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t w = 0;
    if (size == 0)
        return "";
    for (size_t i = 0; i < n && w + 1 < size;) {
        size_t k = ot_utf8_seq(u + i, n - i);
        if (k <= 1 || w + k >= size) { /* one byte, invalid, or no room for all */
            buf[w++] = k == 1 && u[i] >= 0x20 && u[i] != 0x7F ? (char)u[i] : '?';
            i += k ? k : 1;
            continue;
        }
        memcpy(buf + w, s + i, k);
        w += k;
        i += k;
    }
    buf[w] = '\0';
    return buf;
}

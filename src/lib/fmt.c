/* ot_vfmt: snprintf for the conversions the library's messages use, byte for
 * byte as the C library (in the "C" locale) writes them, without the cost of
 * vsnprintf on the report's hot path (a flag, a summary sentence, an action).
 *
 * Written here: %% %s %.Ns %c %d %u %ld %lu %zu, %.Nf and %+.Nf (N <= 9), and
 * %g and %+g (precision 6). A double is rounded as printf rounds it: its exact
 * binary value, half to even on an exact tie. Anything else (another flag, a
 * width, NaN, a %g that takes the exponent style, a value too large for the
 * exact integer path, a NULL %s) is handed whole to vsnprintf, so the output
 * is always printf's. */
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct sink {
    char *buf;
    size_t size, len; /* len: the full length, written or not */
} sink;

static void put(sink *s, const char *p, size_t n)
{
    if (s->size && s->len < s->size - 1) {
        size_t room = s->size - 1 - s->len;
        memcpy(s->buf + s->len, p, n < room ? n : room);
    }
    s->len += n;
}

static void put_c(sink *s, char c)
{
    if (s->size && s->len < s->size - 1)
        s->buf[s->len] = c;
    s->len++;
}

/* The decimal digits of u, without leading zeros (at least "0"), at least
 * min digits (zero padded); returns the start inside tmp[0, 24). */
static char *digits(char tmp[24], uint64_t u, int min)
{
    char *p = tmp + 24;
    int n = 0;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
        n++;
    } while (u || n < min);
    return p;
}

static void put_u(sink *s, uint64_t u)
{
    char tmp[24], *p = digits(tmp, u, 1);
    put(s, p, (size_t)(tmp + 24 - p));
}

static void put_i(sink *s, long long v)
{
    if (v < 0) {
        put_c(s, '-');
        put_u(s, (uint64_t)(-(v + 1)) + 1);
    } else {
        put_u(s, (uint64_t)v);
    }
}

static const uint64_t p10[] = {1ull,
                               10ull,
                               100ull,
                               1000ull,
                               10000ull,
                               100000ull,
                               1000000ull,
                               10000000ull,
                               100000000ull,
                               1000000000ull,
                               10000000000ull};

/* |x| * 10^prec rounded to an integer the way printf rounds: the exact value
 * of the double, half to even. 0 when it does not fit (or there is no 128-bit
 * arithmetic), and then the caller leaves it to vsnprintf. */
static int scaled(double x, int prec, uint64_t *out)
{
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128;
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int be = (int)((bits >> 52) & 0x7FF);
    uint64_t m = bits & ((1ull << 52) - 1);
    if (be == 0x7FF)
        return 0; /* NaN, infinity */
    int e;
    if (be == 0) {
        e = -1074; /* zero, subnormal */
    } else {
        m |= 1ull << 52;
        e = be - 1075;
    }
    u128 p = (u128)m * p10[prec]; /* < 2^53 * 10^10 < 2^87 */
    u128 q;
    if (e >= 0) {
        if (e > 20)
            return 0;
        q = p << e;
    } else if (-e >= 100) {
        q = 0; /* p < 2^87 is below half of 2^100: rounds down to 0 */
    } else {
        int k = -e;
        q = p >> k;
        u128 rem = p & (((u128)1 << k) - 1), half = (u128)1 << (k - 1);
        if (rem > half || (rem == half && (q & 1)))
            q++;
    }
    if (q >> 63)
        return 0;
    *out = (uint64_t)q;
    return 1;
#else
    (void)x, (void)prec, (void)out;
    return 0;
#endif
}

/* The integer r as r / 10^prec with prec decimals (trailing zeros dropped,
 * and the point with them, when trim). */
static void put_fixed(sink *s, uint64_t r, int prec, int trim)
{
    char tmp[24];
    uint64_t ip = r / p10[prec], fp = r % p10[prec];
    put_u(s, ip);
    if (prec == 0)
        return;
    char *f = digits(tmp, fp, prec), *end = tmp + 24;
    if (trim) {
        while (end > f && end[-1] == '0')
            end--;
        if (end == f)
            return;
    }
    put_c(s, '.');
    put(s, f, (size_t)(end - f));
}

static void put_sign(sink *s, double x, int plus)
{
    if (signbit(x))
        put_c(s, '-');
    else if (plus)
        put_c(s, '+');
}

/* %.Nf; 0 if left to vsnprintf */
static int fmt_f(sink *s, double x, int prec, int plus)
{
    uint64_t r;
    if (prec > 9 || !scaled(x, prec, &r))
        return 0;
    put_sign(s, x, plus);
    put_fixed(s, r, prec, 0);
    return 1;
}

/* %g (precision 6): the fixed style when the exponent X of the value rounded
 * to 6 significant digits is in [-4, 6), trailing zeros dropped; 0 if left
 * to vsnprintf (the exponent style). */
static int fmt_g(sink *s, double x, int plus)
{
    static const double lim[] = {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    double a = x < 0 ? -x : x;
    if (a == 0) {
        put_sign(s, x, plus);
        put_c(s, '0');
        return 1;
    }
    if (!(a >= 1e-5 && a < 1e6))
        return 0; /* NaN, the exponent style (or a rounding into [1e-4, 1e6)) */
    int x0 = -5; /* a guess at floor(log10(a)), made exact below */
    while (x0 < 5 && a >= lim[x0 + 6])
        x0++;
    uint64_t r = 0;
    int settled = 0;
    for (int tries = 0; tries < 4 && !settled; tries++) {
        int prec = 5 - x0;
        if (prec < 0 || prec > 10 || !scaled(a, prec, &r))
            return 0;
        if (r < 100000)
            x0--;
        else if (r > 1000000)
            x0++;
        else
            settled = 1;
    }
    if (!settled)
        return 0;
    int prec = 5 - x0;
    if (r == 1000000) { /* rounded up to the next power of ten */
        x0++;
        prec--;
        r = 100000;
    }
    if (x0 < -4 || x0 >= 6)
        return 0;
    put_sign(s, x, plus);
    put_fixed(s, r, prec, 1);
    return 1;
}

/* Writes the whole text into s: 1, or 0 when it is left to vsnprintf. */
static int format(sink *s, const char *fmt, va_list ap)
{
    const char *p = fmt;
    while (*p) {
        const char *lit = p;
        p = strchr(p, '%'); /* the long literal text: scanned by the C library's */
        if (!p)
            p = lit + strlen(lit);
        if (p > lit)
            put(s, lit, (size_t)(p - lit));
        if (!*p)
            break;
        p++; /* '%' */
        int plus = 0, prec = -1;
        if (*p == '+') {
            plus = 1;
            p++;
        }
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return 0;
            prec = 0;
            while (*p >= '0' && *p <= '9' && prec < 1000)
                prec = prec * 10 + (*p++ - '0');
        }
        char len = 0;
        if (*p == 'l' || *p == 'z') {
            len = *p++;
            if (*p == 'l')
                return 0;
        }
        char conv = *p;
        if (!conv)
            return 0; /* a '%' at the end */
        p++;
        if (len && conv != 'd' && conv != 'u')
            return 0;
        if (plus && conv != 'f' && conv != 'g')
            return 0;
        switch (conv) {
        case '%':
            if (prec >= 0)
                return 0;
            put_c(s, '%');
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                return 0;
            const char *nul = prec >= 0 ? memchr(str, 0, (size_t)prec) : NULL;
            size_t n = prec < 0 ? strlen(str) : nul ? (size_t)(nul - str) : (size_t)prec;
            put(s, str, n);
            break;
        }
        case 'c':
            if (prec >= 0)
                return 0;
            put_c(s, (char)va_arg(ap, int));
            break;
        case 'd':
            if (prec >= 0)
                return 0;
            if (len == 'l')
                put_i(s, va_arg(ap, long));
            else if (len == 'z')
                return 0; /* %zd: not used */
            else
                put_i(s, va_arg(ap, int));
            break;
        case 'u':
            if (prec >= 0)
                return 0;
            if (len == 'l')
                put_u(s, va_arg(ap, unsigned long));
            else if (len == 'z')
                put_u(s, va_arg(ap, size_t));
            else
                put_u(s, va_arg(ap, unsigned));
            break;
        case 'f':
            if (!fmt_f(s, va_arg(ap, double), prec < 0 ? 6 : prec, plus))
                return 0;
            break;
        case 'g':
            if (prec >= 0 || !fmt_g(s, va_arg(ap, double), plus))
                return 0;
            break;
        default:
            return 0;
        }
    }
    return 1;
}

static int finish(sink *s)
{
    if (s->size)
        s->buf[s->len < s->size ? s->len : s->size - 1] = '\0';
    return s->len > INT32_MAX ? -1 : (int)s->len;
}

int ot_vfmt(char *buf, size_t size, const char *fmt, va_list ap)
{
    sink s = {buf, size, 0};
    va_list again;
    va_copy(again, ap);
    int n = format(&s, fmt, ap) ? finish(&s) : vsnprintf(buf, size, fmt, again);
    va_end(again);
    return n;
}

int ot_fmt_fast(char *buf, size_t size, const char *fmt, ...)
{
    sink s = {buf, size, 0};
    va_list ap;
    va_start(ap, fmt);
    int n = format(&s, fmt, ap) ? finish(&s) : -2;
    va_end(ap);
    return n;
}

int ot_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = ot_vfmt(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

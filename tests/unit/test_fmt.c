/* ot_fmt (src/lib/fmt.c) against the C library's snprintf, byte for byte,
 * for every conversion the library's messages use: millions of random values
 * and the edges (exact ties such as 0.125 and 2.5, values just beside them,
 * 2.675, 1e-7, negative zero, carries such as 9.9999996 and 999999.5,
 * subnormals, huge values, NaN and infinities), with truncation. */
#include "suites.h"

#include "internal.h"

#include <float.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* the formats are data here: the point is to run every one through both */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Compares ot_fmt with snprintf for one argument list; both into a buffer
 * of the given size (the rest of the buffer is compared too). */
#define SAME(size, ...)                                                                         \
    do {                                                                                        \
        char want_[512], got_[512];                                                             \
        memset(want_, 'x', sizeof want_);                                                       \
        memset(got_, 'x', sizeof got_);                                                         \
        int nw_ = snprintf(want_, (size), __VA_ARGS__);                                         \
        int ng_ = ot_fmt(got_, (size), __VA_ARGS__);                                            \
        if (nw_ != ng_ || memcmp(want_, got_, sizeof want_) != 0)                                \
            ck_abort_msg("%s (size %zu): snprintf '%.60s' (%d), ot_fmt '%.60s' (%d)", #__VA_ARGS__, \
                      (size_t)(size), want_, nw_, got_, ng_);                                   \
    } while (0)

static const char *const dfmt[] = {"%.0f", "%.1f", "%.2f",  "%.3f",  "%.4f", "%.6f", "%f",
                                   "%+.0f", "%+.1f", "%+.3f", "%+.4f", "%g",   "%+g"};
#define NDFMT (sizeof dfmt / sizeof dfmt[0])

/* Every double format; returns how many the fast path wrote itself. */
static int check_double(double x)
{
    int fast = 0;
    for (size_t i = 0; i < NDFMT; i++) {
        char want[400], got[400];
        int nw = snprintf(want, sizeof want, dfmt[i], x);
        int ng = ot_fmt(got, sizeof got, dfmt[i], x);
        if (nw != ng || strcmp(want, got) != 0) /* (ck_assert per value is slow: a pipe write) */
            ck_abort_msg("%s of %a: snprintf '%s', ot_fmt '%s'", dfmt[i], x, want, got);
        char f[400];
        int nf = ot_fmt_fast(f, sizeof f, dfmt[i], x);
        if (nf != -2) {
            if (nf != nw || strcmp(f, want) != 0)
                ck_abort_msg("fast %s of %a: '%s', want '%s'", dfmt[i], x, f, want);
            fast++;
        }
    }
    return fast;
}

/* A random double of any exponent, sign and mantissa (NaN and infinity
 * included). */
static double any_bits(void)
{
    uint64_t b = next();
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* A value like those in a report: a random decimal with up to 7 decimals
 * (most are not exact in binary: 2.675 is 2.67499999...), scaled into
 * [1e-6, 1e7), either sign. */
static double decimal_like(void)
{
    static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7};
    uint64_t r = next();
    double v = (double)(r % 100000000) / p10[(r >> 32) % 8];
    v /= p10[(r >> 40) % 7];
    return (r >> 63) ? -v : v;
}

/* An exact binary fraction i / 2^j: ties at every precision (0.125, 2.5,
 * 0.0625, ...), and the doubles either side of it. */
static double tie_like(void)
{
    uint64_t r = next();
    double v = (double)(r % 2000000) / (double)(1ull << ((r >> 24) % 24));
    switch ((r >> 40) % 3) {
    case 1: v = nextafter(v, INFINITY); break;
    case 2: v = nextafter(v, -INFINITY); break;
    }
    return (r >> 63) ? -v : v;
}

START_TEST(test_fmt_double_edges)
{
    static const double edge[] = {
        0.0, 1.0, 0.5, 1.5, 2.5, 0.125, 0.375, 2.675, 1.005, 1.0005, 0.05, 0.15, 0.25, 0.35,
        1e-7, 1e-6, 1e-5, 9.99999e-5, 9.999995e-5, 9.9999949e-5, 1e-4, 0.0001000005, 0.001,
        9.9999996, 9.9999995, 99999.95, 999999.4, 999999.5, 999999.6, 1e6, 1e7, 123456.5,
        1234567.0, 1e15, 9e15, 1e16, 1e17, 1.8446744073709552e19, 1e22, 1e300, DBL_MAX,
        DBL_MIN, DBL_TRUE_MIN, 5e-324, 0.1, 0.2, 0.3, 0.7, 1.1, 2.05, 1.45, 0.045, 4.35,
        0.000123456, 0.00012345650000000001, 100.0, 0.9999995, 0.99999949999999994,
        0.99999950000000006, 12.3456789, 4503599627370496.5, 4503599627370497.0,
        9007199254740993.0, 0.049999999999999996, 1.25, 1.35, 0.0000005, 0.00000049999999999999994,
    };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        check_double(edge[i]);
        check_double(-edge[i]);
        check_double(nextafter(edge[i], INFINITY));
        check_double(nextafter(edge[i], -INFINITY));
    }
    check_double(-0.0);
    check_double(NAN);
    check_double(-NAN);
    check_double(INFINITY);
    check_double(-INFINITY);
    /* the fast path does write the usual values itself */
    ck_assert_int_eq(check_double(2.675), (int)NDFMT);
    ck_assert_int_eq(check_double(-0.0), (int)NDFMT);
    ck_assert_int_eq(check_double(0.125), (int)NDFMT);
    ck_assert_int_eq(check_double(999999.4), (int)NDFMT);
}
END_TEST

START_TEST(test_fmt_double_random)
{
    /* 3 x 100,000 values x 13 formats: 3.9 million comparisons */
    long fast = 0, total = 0;
    for (int i = 0; i < 100000; i++) {
        fast += check_double(any_bits());
        fast += check_double(decimal_like());
        fast += check_double(tie_like());
        total += 3 * (long)NDFMT;
    }
    /* random bits are mostly outside the fast range; report-like values are not */
    ck_assert_msg(fast > total / 2, "the fast path wrote only %ld of %ld", fast, total);
    fast = 0;
    for (int i = 0; i < 20000; i++)
        fast += check_double(decimal_like());
    ck_assert_msg(fast > 20000L * (long)NDFMT * 9 / 10, "decimals: fast for %ld", fast);
}
END_TEST

START_TEST(test_fmt_integers_and_text)
{
    static const int ints[] = {0, 1, -1, 9, 10, -10, 99, 100, 12345, INT_MAX, INT_MIN, INT_MIN + 1};
    static const long longs[] = {0, 1, -1, 1234567890L, LONG_MAX, LONG_MIN, LONG_MIN + 1};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        SAME(64, "%d", ints[i]);
        SAME(64, "%u", (unsigned)ints[i]);
        SAME(64, "[%d|%u]", ints[i], (unsigned)ints[i]);
    }
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        SAME(64, "%ld", longs[i]);
        SAME(64, "%lu", (unsigned long)longs[i]);
        SAME(64, "%zu", (size_t)longs[i]);
    }
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next();
        SAME(64, "%d %u %ld %lu %zu", (int)r, (unsigned)(r >> 7), (long)r, (unsigned long)(r >> 3),
             (size_t)(r >> 11));
    }
    char s[300];
    for (int i = 0; i < 20000; i++) {
        size_t n = next() % sizeof s;
        for (size_t k = 0; k < n; k++)
            s[k] = (char)(1 + next() % 255);
        s[n] = '\0';
        SAME(512, "%s", s);
        SAME(512, "<%.40s>", s);
        SAME(512, "%.0s|%.3s|%c%%", s, s, s[0] ? s[0] : 'z');
    }
    SAME(64, "%s", "");
    SAME(64, "%%");
    SAME(64, "100%% of %.1f%%", 12.25);
    SAME(64, "%c", 'A');
}
END_TEST

/* As the library calls it: several conversions in one message, cut short by
 * the buffer anywhere (in a number, in a string, at the end). */
START_TEST(test_fmt_messages_truncated)
{
    static const char *const fmts[] = {
        "%s: change of %+.3f g/cm2 (%+.1f%%) is within the LSC of %.4f g/cm2: no %s",
        "%s fell by %.1f%%, not more than the LSC of %g%%, and %g %s (%.0f months)",
    };
    for (int i = 0; i < 20000; i++) {
        double a = decimal_like(), b = tie_like(), c = decimal_like();
        size_t size = (size_t)(next() % 140);
        SAME(size, fmts[0], "lumbar_spine", a, b, c, "significant change");
        SAME(size, fmts[1], "CTX", a, b, c, "ng/L", b);
    }
    char one[1] = {'x'};
    ck_assert_int_eq(ot_fmt(one, 1, "%s %g", "abc", 1.5), 7);
    ck_assert_int_eq(one[0], '\0');
    ck_assert_int_eq(ot_fmt(NULL, 0, "%.2f", 2.675), 4);
    /* what it does not write itself it leaves to vsnprintf, and still right */
    SAME(64, "%5d|%-8s|%e|%x", 42, "ab", 2.5, 255u);
    SAME(64, "%.3g %lld %+d", 2.5, 7LL, 3);
}
END_TEST

Suite *suite_fmt(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("printf");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_fmt_double_edges);
    tcase_add_test(tc, test_fmt_double_random);
    tcase_add_test(tc, test_fmt_integers_and_text);
    tcase_add_test(tc, test_fmt_messages_truncated);
    suite_add_tcase(s, tc);
    return s;
}

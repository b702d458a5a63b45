/* Civil dates as day numbers (Howard Hinnant's days_from_civil algorithm). */
#include "internal.h"

#include <math.h>
#include <string.h>

/* What the arithmetic below takes: the days YYYY-MM-DD can write, 0000-01-01
 * to 9999-12-31, a superset of OT_DATE_MIN..OT_DATE_MAX (a date computed
 * from an accepted one, a DXA due date, may pass 2199). No sum or product
 * of such days overflows a long, even of 32 bits. */
#define CALC_MIN (-719528L)
#define CALC_MAX 2932896L

static int calc_ok(ot_date d) { return d >= CALC_MIN && d <= CALC_MAX; }

static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(long y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

static int digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 1;
}

int ot_date_parse(ot_date *out, const char *s)
{
    unsigned y, m, d;
    if (!out || !s)
        return OT_EINVAL;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || s[10] != '\0')
        return OT_EDATE;
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return OT_EDATE;
    *out = days_from_civil(y, m, d);
    return OT_OK;
}

void ot_date_format(char buf[11], ot_date dt)
{
    long y;
    unsigned m, d;
    if (!buf)
        return;
    if (!calc_ok(dt)) { /* OT_DATE_NONE among them */
        buf[0] = '\0';
        return;
    }
    civil_from_days(dt, &y, &m, &d);
    /* two digits at a time (y is in 0..9999 here) */
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    unsigned yy = (unsigned)y;
    memcpy(buf, pairs + 2 * (yy / 100), 2);
    memcpy(buf + 2, pairs + 2 * (yy % 100), 2);
    buf[4] = '-';
    memcpy(buf + 5, pairs + 2 * m, 2);
    buf[7] = '-';
    memcpy(buf + 8, pairs + 2 * d, 2);
    buf[10] = '\0';
}

double ot_date_months_between(ot_date a, ot_date b)
{
    long ya, yb;
    unsigned ma, mb, da, db;
    if (!calc_ok(a) || !calc_ok(b))
        return NAN;
    civil_from_days(a, &ya, &ma, &da);
    civil_from_days(b, &yb, &mb, &db);
    return (double)((yb - ya) * 12 + ((long)mb - (long)ma)) +
           ((double)db - (double)da) / 30.4375;
}

ot_date ot_date_add_months(ot_date a, int n)
{
    long y;
    unsigned m, d;
    if (!calc_ok(a))
        return OT_DATE_NONE;
    civil_from_days(a, &y, &m, &d);
    long long total = (long long)y * 12 + (long long)(m - 1) + n; /* y in 0..9999 */
    if (total < 0 || total >= 10000 * 12LL)
        return OT_DATE_NONE;
    long ny = (long)(total / 12);
    unsigned nm = (unsigned)(total - ny * 12LL) + 1;
    unsigned dim = days_in_month(ny, nm);
    return days_from_civil(ny, nm, d > dim ? dim : d);
}

int ot_date_age(ot_date birth, ot_date d)
{
    long yb, yd;
    unsigned mb, md, db, dd;
    if (!calc_ok(birth) || !calc_ok(d) || d < birth)
        return -1;
    civil_from_days(birth, &yb, &mb, &db);
    civil_from_days(d, &yd, &md, &dd);
    return (int)(yd - yb) - (md < mb || (md == mb && dd < db));
}

/* gen: a deterministic generator of realistic osteotrack input.
 *   gen PATIENTS FORMAT ORDER [SEED] > file
 * FORMAT long-csv | wide-csv | json | ndjson; ORDER grouped | shuffled
 * (shuffled: every row in a random place; CSV only).
 * Each patient has 2-6 DXA visits 1-3 years apart at three sites (lumbar
 * spine, total hip, femoral neck), sometimes on a new scanner; a therapy
 * course (alendronate, risedronate, zoledronate, denosumab, teriparatide, or
 * none) with P1NP and CTX at baseline and about 3 months; and sometimes a
 * fracture. The same arguments give the same bytes.
 *   gen --rows ANALYTE:N PATIENTS long-csv grouped > file
 * gives instead patients of N rows of one analyte each (bmd: a scan of one
 * site a row, the three sites in turn, a day apart from 1930; ctx: one a day
 * from 1990), all on alendronate: the few huge patients a bounded memory
 * must hold (N up to 100,000, the limit of a patient). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static uint64_t rnd(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}
static double unif(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }
static int pick(int n) { return (int)(unif() * n); }

/* days since 1970 <-> y-m-d */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}
static void fmt_date(char *b, long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    long y = (long)yoe + era * 400 + (m <= 2);
    sprintf(b, "%04ld-%02u-%02u", y, m, d);
}

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void put(buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap ? b->cap * 2 : 1 << 20;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            perror("gen");
            exit(1);
        }
    }
}

static const char *const sites[3] = {"lumbar_spine", "total_hip", "femoral_neck"};
static const double base_bmd[3] = {0.85, 0.75, 0.65};
static const double tsd[3] = {0.11, 0.12, 0.12}, tmean[3] = {1.05, 0.94, 0.86};
static const char *const agents[6] = {"alendronate", "risedronate", "zoledronate", "denosumab",
                                      "teriparatide", ""};
static const double gain[6] = {0.02, 0.018, 0.025, 0.035, 0.05, -0.01}; /* per year */

typedef struct visit {
    long date;
    int device;
} visit;

enum { LONG, WIDE, JSON, NDJSON };

/* One patient's rows: CSV lines appended to `rows` (offsets in `off`), or
 * one JSON document appended to `out`. */
static void patient(long id, int format, buf *out, buf *rows, size_t **off, size_t *noff,
                    size_t *capoff)
{
    char pid[32], d[16], s[16], e[16];
    snprintf(pid, sizeof pid, "P%07ld", id);
    int nv = 2 + pick(5), a = pick(6), mfr = pick(3);
    long t = days_from_civil(2008 + pick(12), 1 + (unsigned)pick(12), 1 + (unsigned)pick(28));
    visit v[6];
    int dev = 1 + pick(5);
    for (int i = 0; i < nv; i++) {
        if (i > 0) {
            t += 365 + pick(730);
            if (unif() < 0.1)
                dev = 1 + pick(5);
        }
        v[i].date = t;
        v[i].device = dev;
    }
    long start = v[0].date + 7 + pick(30), end = -1;
    if (a == 3 && unif() < 0.3)
        end = start + 365 * (1 + pick(3));
    if (a == 4)
        end = start + 540 + pick(200);
    fmt_date(s, start);
    if (end > 0)
        fmt_date(e, end);
    double b0[3], tb = -2.8 + unif() * 1.6;
    for (int k = 0; k < 3; k++)
        b0[k] = base_bmd[k] * (0.85 + 0.3 * unif());
    double p1np = 30 + unif() * 50, ctx = 250 + unif() * 450;
    double fall = a == 4 ? 1.6 + unif() : a < 5 ? 0.3 + unif() * 0.6 : 1.0;
    long mdate = start + 80 + pick(30), fxdate = unif() < 0.1 ? v[0].date + pick(900) : -1;
    const char *mf = mfr == 0 ? "hologic" : mfr == 1 ? "ge_lunar" : "norland";
    const char *ag = agents[a];
    if (format == JSON || format == NDJSON) {
        put(out, "{\"patient_id\":\"%s\",\"therapies\":[", pid);
        if (*ag)
            put(out, "{\"agent\":\"%s\",\"start\":\"%s\",\"end\":%s%s%s}", ag, s,
                end > 0 ? "\"" : "", end > 0 ? e : "null", end > 0 ? "\"" : "");
        put(out, "],\"observations\":[");
    }
    int first = 1;
#define ROW_BEGIN()                                                                  \
    do {                                                                             \
        if (*noff == *capoff) {                                                      \
            *capoff = *capoff ? *capoff * 2 : 1 << 16;                               \
            *off = realloc(*off, *capoff * sizeof **off);                            \
        }                                                                            \
        (*off)[(*noff)++] = rows->len;                                               \
    } while (0)
    for (int i = 0; i < nv; i++) {
        fmt_date(d, v[i].date);
        double yrs = (double)(v[i].date - start) / 365.25;
        const char *th = v[i].date >= start && (end < 0 || v[i].date < end) ? ag : "";
        double val[3], ts[3];
        for (int k = 0; k < 3; k++) {
            val[k] = b0[k] * (1 + (yrs > 0 ? gain[a] * yrs : 0) + (unif() - 0.5) * 0.03);
            ts[k] = (val[k] - tmean[k]) / tsd[k] + (tb + 2.0) * 0.3;
        }
        if (format == WIDE) {
            ROW_BEGIN();
            put(rows, "%s,%s,%.3f,%.3f,%.3f,%.1f,%.1f,%.1f,,,DXA-%d,%s,%s,%s\n", pid, d, val[0],
                val[1], val[2], ts[0], ts[1], ts[2], v[i].device, mf, th, *th ? s : "");
            continue;
        }
        for (int k = 0; k < 3; k++) {
            if (format == LONG) {
                ROW_BEGIN();
                put(rows, "%s,%s,bmd,%s,%.3f,g/cm2,%.1f,DXA-%d,%s,%s,%s\n", pid, d, sites[k],
                    val[k], ts[k], v[i].device, mf, th, *th ? s : "");
            } else {
                put(out, "%s{\"date\":\"%s\",\"analyte\":\"bmd\",\"site\":\"%s\",\"value\":%.3f,"
                    "\"tscore\":%.1f,\"device\":\"DXA-%d\",\"manufacturer\":\"%s\"}",
                    first ? "" : ",", d, sites[k], val[k], ts[k], v[i].device, mf);
                first = 0;
            }
        }
    }
    if (*ag) { /* markers: baseline a few days before the start, follow-up ~3 months */
        long md[2] = {start - 3, mdate};
        for (int j = 0; j < 2; j++) {
            double pv = j ? (a == 4 ? p1np * fall : p1np * (1 - fall * 0.6)) : p1np;
            double cv = j ? (a == 4 ? ctx * 1.1 : ctx * (1 - fall * 0.75)) : ctx;
            pv = pv < 5 ? 5 : pv;
            cv = cv < 20 ? 20 : cv;
            fmt_date(d, md[j]);
            const char *th = j ? ag : "";
            if (format == LONG) {
                ROW_BEGIN();
                put(rows, "%s,%s,p1np,,%.1f,ug/L,,,,%s,%s\n", pid, d, pv, th, *th ? s : "");
                ROW_BEGIN();
                put(rows, "%s,%s,ctx,,%.0f,ng/L,,,,%s,%s\n", pid, d, cv, th, *th ? s : "");
            } else if (format == WIDE) {
                ROW_BEGIN();
                put(rows, "%s,%s,,,,,,,%.1f,%.0f,,,%s,%s\n", pid, d, pv, cv, th, *th ? s : "");
            } else {
                put(out, "%s{\"date\":\"%s\",\"analyte\":\"p1np\",\"value\":%.1f},{\"date\":\"%s\","
                    "\"analyte\":\"ctx\",\"value\":%.0f}", first ? "" : ",", d, pv, d, cv);
                first = 0;
            }
        }
    }
    if (fxdate > 0) {
        fmt_date(d, fxdate);
        const char *fs = unif() < 0.5 ? "vertebral" : "wrist";
        if (format == LONG) {
            ROW_BEGIN();
            put(rows, "%s,%s,fracture,%s,,,,,,,\n", pid, d, fs);
        } else if (format == JSON || format == NDJSON) {
            put(out, "],\"fractures\":[{\"date\":\"%s\",\"site\":\"%s\"}", d, fs);
        }
    }
    if (format == JSON || format == NDJSON)
        put(out, "]}");
#undef ROW_BEGIN
}

/* --rows: patient `id` as `n` rows of one analyte (bmd or ctx), long CSV. */
static void heavy(long id, int bmd, long n, buf *rows)
{
    char pid[32], d[16], s[16];
    snprintf(pid, sizeof pid, "P%07ld", id);
    long t0 = days_from_civil(bmd ? 1930 : 1990, 1, 1);
    double b0 = 0.7 + 0.2 * unif(), c0 = 250 + unif() * 450;
    fmt_date(s, t0);
    for (long i = 0; i < n; i++) {
        long t = t0 + (bmd ? i / 3 : i);
        fmt_date(d, t);
        if (bmd) {
            int k = (int)(i % 3);
            double v = b0 * base_bmd[k] / base_bmd[0] * (1 + (unif() - 0.5) * 0.03);
            put(rows, "%s,%s,bmd,%s,%.3f,g/cm2,%.1f,DXA-1,hologic,alendronate,%s\n", pid, d,
                sites[k], v, (v - tmean[k]) / tsd[k], s);
        } else {
            put(rows, "%s,%s,ctx,,%.0f,ng/L,,,,alendronate,%s\n", pid, d,
                c0 * (0.8 + 0.4 * unif()), s);
        }
    }
}

int main(int argc, char **argv)
{
    int bmd = -1;
    long nrows = 0;
    if (argc > 2 && !strcmp(argv[1], "--rows")) {
        char *colon = strchr(argv[2], ':');
        bmd = colon && !strncmp(argv[2], "bmd:", 4) ? 1 : colon && !strncmp(argv[2], "ctx:", 4) ? 0 : -2;
        nrows = colon ? atol(colon + 1) : 0;
        argv += 2;
        argc -= 2;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: gen PATIENTS long-csv|wide-csv|json|ndjson grouped|shuffled "
                        "[SEED]\n       gen --rows bmd:N|ctx:N PATIENTS long-csv grouped\n");
        return 2;
    }
    long n = atol(argv[1]);
    int format = !strcmp(argv[2], "long-csv") ? LONG : !strcmp(argv[2], "wide-csv") ? WIDE
                 : !strcmp(argv[2], "json")   ? JSON : !strcmp(argv[2], "ndjson") ? NDJSON : -1;
    int shuffled = !strcmp(argv[3], "shuffled");
    rng_state = argc > 4 ? strtoull(argv[4], NULL, 10) * 0x9E3779B97F4A7C15ull + 1 : 88172645463325252ull;
    if (format < 0 || n < 1 || (!shuffled && strcmp(argv[3], "grouped")) || bmd == -2 ||
        (bmd >= 0 && (nrows < 1 || format != LONG || shuffled))) {
        fprintf(stderr, "gen: bad arguments\n");
        return 2;
    }
    static char obuf[1 << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    buf out = {0}, rows = {0};
    size_t *off = NULL, noff = 0, capoff = 0;
    if (format == LONG)
        puts("patient_id,date,analyte,site,value,unit,tscore,device,manufacturer,therapy,"
             "therapy_start");
    if (format == WIDE)
        puts("patient_id,date,lumbar_spine_bmd,total_hip_bmd,femoral_neck_bmd,"
             "lumbar_spine_tscore,total_hip_tscore,femoral_neck_tscore,p1np,ctx,device,"
             "manufacturer,therapy,therapy_start");
    if (format == JSON)
        fputs("[\n", stdout);
    for (long i = 0; i < n; i++) {
        size_t before = rows.len;
        if (bmd >= 0)
            heavy(i + 1, bmd, nrows, &rows);
        else
            patient(i + 1, format, &out, &rows, &off, &noff, &capoff);
        if (format == JSON || format == NDJSON) {
            fwrite(out.p, 1, out.len, stdout);
            fputs(format == JSON ? (i + 1 < n ? ",\n" : "\n]\n") : "\n", stdout);
            out.len = 0;
        } else if (!shuffled) {
            fwrite(rows.p + before, 1, rows.len - before, stdout);
            rows.len = 0;
            noff = 0;
        }
    }
    if (shuffled && (format == LONG || format == WIDE)) {
        for (size_t i = noff; i > 1; i--) { /* Fisher-Yates */
            size_t j = (size_t)(rnd() % i), t = off[i - 1];
            off[i - 1] = off[j];
            off[j] = t;
        }
        for (size_t i = 0; i < noff; i++) {
            const char *r = rows.p + off[i];
            fwrite(r, 1, (size_t)(strchr(r, '\n') - r) + 1, stdout);
        }
    }
    free(out.p);
    free(rows.p);
    free(off);
    return ferror(stdout) ? 1 : 0;
}

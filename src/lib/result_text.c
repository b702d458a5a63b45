/* Results and reports as short text for a terminal or a letter (--format
 * text): the verdict first, then the figures, the flags (alerts first), what
 * is due and the sources. Every number comes from the field the JSON writes,
 * rounded first as the JSON rounds it, then shown with fewer decimals where a
 * unit's usual precision is less (g/cm2 to 3, % to 1). Text from the input
 * (patient id, device names) and from the data (citations) is shown through
 * ot_text_escape. Lines are wrapped at OT_TEXT_WIDTH columns. */
#include "result_json.h"
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OT_TEXT_WIDTH 100

#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_OFF "\033[0m"

/* A growing buffer: a failed allocation is remembered (tb_finish says it). */
typedef struct tb {
    char *buf;
    size_t len, cap;
    int failed;
} tb;

static void tb_raw(tb *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (t->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(t->buf, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->buf = p;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void tb_str(tb *t, const char *s) { tb_raw(t, s, strlen(s)); }

static void tb_printf(tb *t, const char *fmt, ...) OT_PRINTF(2, 3);
static void tb_printf(tb *t, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        tb_raw(t, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        t->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    tb_raw(t, big, (size_t)n);
    free(big);
}

/* Input text, shown safe for a terminal. */
static void tb_shown(tb *t, const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s), len = ot_text_escape(NULL, 0, s, n);
    char *b = malloc(len + 1);
    if (!b) {
        t->failed = 1;
        return;
    }
    ot_text_escape(b, len + 1, s, n);
    tb_raw(t, b, len);
    free(b);
}

static void tb_reset(tb *t)
{
    t->len = 0;
    if (t->buf)
        t->buf[0] = '\0';
}

/* The width of s[0, n) on a terminal: characters, not bytes; colour codes
 * (ESC [ ... m) take none. */
static size_t width_of(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1B) {
            while (i < n && s[i] != 'm')
                i++;
            continue;
        }
        if ((c & 0xC0) != 0x80)
            w++;
    }
    return w;
}

/* Bytes of s[0, n) that fit in `cols` columns (at least one character). */
static size_t fit_bytes(const char *s, size_t n, size_t cols)
{
    size_t w = 0, i = 0;
    while (i < n) {
        size_t k = 1;
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1B) {
            while (i + k < n && s[i + k - 1] != 'm')
                k++;
            i += k;
            continue;
        }
        while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
            k++;
        if (w + 1 > cols && w > 0)
            break;
        w++;
        i += k;
    }
    return i;
}

/* Appends one logical line `line` to t, wrapped at spaces to OT_TEXT_WIDTH
 * columns: its first line indented by `first` spaces, the rest by `rest`. A
 * word longer than a line is cut. */
static void tb_wrapped(tb *t, const char *line, int first, int rest)
{
    const char *s = line;
    size_t n = strlen(line);
    int indent = first;
    for (;;) {
        size_t room = OT_TEXT_WIDTH - (size_t)indent;
        tb_printf(t, "%*s", indent, "");
        if (width_of(s, n) <= room) {
            tb_raw(t, s, n);
            tb_raw(t, "\n", 1);
            return;
        }
        size_t fit = fit_bytes(s, n, room), cut = fit;
        while (cut > 0 && s[cut] != ' ')
            cut--;
        if (cut == 0)
            cut = fit; /* no space: the word is cut */
        tb_raw(t, s, cut);
        tb_raw(t, "\n", 1);
        s += cut;
        n -= cut;
        while (n > 0 && *s == ' ')
            s++, n--;
        if (n == 0)
            return;
        indent = rest;
    }
}

/* Rounded as jw_num rounds (half away from zero at `json` decimals). */
static double as_json(double x, int json)
{
    static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    double s = x * p10[json];
    if (!(fabs(s) < 9e15))
        return x;
    double v = trunc(s), rest = s - v;
    if (rest >= 0.5)
        v += 1;
    else if (rest <= -0.5)
        v -= 1;
    return v / p10[json];
}

/* x as the JSON rounds it (`json` decimals), shown with `shown` decimals
 * (-1: as the JSON writes it, without trailing zeros); a sign when `sign`;
 * "n/a" for NaN. */
static const char *num(char buf[48], double x, int json, int shown, int sign)
{
    if (!isfinite(x))
        return "n/a";
    double v = as_json(x, json);
    if (shown < 0) {
        snprintf(buf, 48, sign ? "%+.*f" : "%.*f", json, v);
        char *dot = strchr(buf, '.');
        if (dot) {
            char *e = buf + strlen(buf);
            while (e > dot + 1 && e[-1] == '0')
                *--e = '\0';
            if (e == dot + 1)
                *dot = '\0';
        }
    } else {
        /* the shown rounding of the JSON's value: half away from zero too */
        double r = as_json(v + (v > 0 ? 1e-9 : v < 0 ? -1e-9 : 0), shown);
        snprintf(buf, 48, sign ? "%+.*f" : "%.*f", shown, r);
    }
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1)) { /* never a -0 */
        if (sign)
            buf[0] = '+';
        else
            memmove(buf, buf + 1, strlen(buf));
    }
    return buf;
}

static const char *site_label(ot_site s)
{
    switch (s) {
    case OT_SITE_LUMBAR_SPINE: return "Lumbar spine";
    case OT_SITE_TOTAL_HIP: return "Total hip";
    case OT_SITE_FEMORAL_NECK: return "Femoral neck";
    case OT_SITE_RADIUS_33: return "Radius 33 %";
    default: return "Unknown site";
    }
}

static const char *analyte_label(ot_analyte a)
{
    return a == OT_ANALYTE_P1NP ? "P1NP" : a == OT_ANALYTE_CTX ? "CTX" : ot_analyte_name(a);
}

static void date_text(char d[11], ot_date x)
{
    if (x == OT_DATE_NONE)
        snprintf(d, 11, "no date");
    else
        ot_date_format(d, x);
}

/* A number of months: whole when the JSON's value is whole. */
static const char *months_text(char buf[48], double m)
{
    return num(buf, m, 2, -1, 0);
}

/* "Lumbar spine (left, L1-L4): +0.040 g/cm2 (+5.0 %) in 24 months: within
 * the LSC of 0.042 g/cm2, no significant change" */
static void bmd_verdict(tb *t, const ot_bmd_result *r, int color)
{
    char a[48], b[48], c[48];
    tb_str(t, site_label(r->site));
    int side = r->side != OT_SIDE_NONE;
    int region = r->baseline_region != OT_REGION_NONE || r->region != OT_REGION_NONE;
    if (side || region) {
        tb_str(t, " (");
        if (side)
            tb_str(t, ot_side_name(r->side));
        if (region)
            tb_printf(t, "%s%s", side ? ", " : "",
                      ot_spine_region_name(ot_region_or_default(r->region)));
        tb_str(t, ")");
    }
    tb_printf(t, ": %s g/cm2 (%s %%)", num(a, r->change_g_cm2, 6, 3, 1),
              num(b, r->change_pct, 4, 1, 1));
    if (isfinite(r->months))
        tb_printf(t, " in %s months", months_text(c, r->months));
    tb_str(t, ": ");
    if (color)
        tb_str(t, r->significance == OT_SIG_DECREASE ? C_BOLD C_RED : C_BOLD);
    switch (r->significance) {
    case OT_SIG_INCREASE:
        tb_printf(t, "at least the LSC of %s g/cm2, a significant increase",
                  num(a, r->lsc_g_cm2, 6, 3, 0));
        break;
    case OT_SIG_DECREASE:
        tb_printf(t, "at least the LSC of %s g/cm2, a significant decrease",
                  num(a, r->lsc_g_cm2, 6, 3, 0));
        break;
    case OT_SIG_STABLE:
        tb_printf(t, "within the LSC of %s g/cm2, no significant change",
                  num(a, r->lsc_g_cm2, 6, 3, 0));
        break;
    default:
        tb_str(t, r->region_changed ? "not comparable (the spine region changed)"
                  : r->device_changed ? "not comparable (the scanner changed)"
                  : isnan(r->lsc_g_cm2) ? "not comparable (no LSC is known for this site)"
                                        : "not comparable");
        break;
    }
    if (color)
        tb_str(t, C_OFF);
}

static const char *severity_label(ot_severity s, int color)
{
    if (!color)
        return s == OT_SEV_ALERT ? "ALERT  " : s == OT_SEV_WARNING ? "WARNING" : "INFO   ";
    return s == OT_SEV_ALERT     ? C_BOLD C_RED "ALERT  " C_OFF
           : s == OT_SEV_WARNING ? C_YELLOW "WARNING" C_OFF
                                 : "INFO   ";
}

/* Flags, alerts first, then warnings, then info; otherwise in order. */
static void flag_lines(tb *t, tb *line, const ot_flag *f, size_t n, int color, int indent)
{
    if (n == 0)
        return;
    tb_printf(t, "%*sFlags:\n", indent, "");
    for (int sev = OT_SEV_ALERT; sev >= OT_SEV_INFO; sev--)
        for (size_t i = 0; i < n; i++) {
            if ((int)f[i].severity != sev)
                continue;
            tb_reset(line);
            tb_printf(line, "%s %s: %s", severity_label(f[i].severity, color),
                      ot_flag_code_name(f[i].code), f[i].message);
            tb_wrapped(t, line->buf, indent + 2, indent + 2 + 8);
        }
}


/* The sources used: each id with its citation (cite), or the ids alone. */
static void source_lines(tb *t, tb *line, const ot_refdata *rd, ot_srcs *u, int cite,
                         int indent)
{
    if (u->n == 0)
        return;
    ot_srcs_sort(u);
    if (!cite) {
        tb_reset(line);
        tb_str(line, "Sources:");
        for (size_t i = 0; i < u->n; i++) {
            const ot_source *s = rd ? ot_source_find(rd, u->ids[i]) : NULL;
            tb_str(line, i ? ", " : " ");
            tb_shown(line, u->ids[i]);
            if (s && !s->confirmed)
                tb_str(line, " (not confirmed)");
        }
        tb_wrapped(t, line->buf, indent, indent + 2);
        return;
    }
    tb_printf(t, "%*sSources:\n", indent, "");
    for (size_t i = 0; i < u->n; i++) {
        const ot_source *s = rd ? ot_source_find(rd, u->ids[i]) : NULL;
        tb_reset(line);
        tb_shown(line, u->ids[i]);
        tb_str(line, s && !s->confirmed ? " (not confirmed in its source): " : ": ");
        if (s)
            tb_shown(line, s->citation);
        else
            tb_str(line, "not in this reference data");
        tb_wrapped(t, line->buf, indent + 2, indent + 6);
    }
}

/* The ids a writer of result_json.c names, by writing into a scratch buffer. */
static void bmd_sources(ot_srcs *u, const ot_bmd_result *r)
{
    jw w;
    jw_init(&w, 0);
    jw_object(&w, JW_NOKEY);
    ot_bmd_result_write(&w, u, r, 0);
    jw_end_object(&w);
    free(w.buf);
}

static void marker_sources(ot_srcs *u, const ot_marker_result *r)
{
    jw w;
    jw_init(&w, 0);
    jw_object(&w, JW_NOKEY);
    ot_marker_result_write(&w, u, r, 0);
    jw_end_object(&w);
    free(w.buf);
}

static int finish(tb *t, tb *line, char **out)
{
    free(line->buf);
    if (t->failed || !t->buf) {
        free(t->buf);
        return OT_ENOMEM;
    }
    *out = t->buf;
    return OT_OK;
}

/* The figures of a comparison, indented. */
static void bmd_figures(tb *t, tb *line, const ot_bmd_result *r, int indent)
{
    char a[48], b[48], c[48], d[11];
    const char *dev[2] = {r->baseline_device, r->device};
    ot_date dates[2] = {r->baseline_date, r->date};
    double vals[2] = {r->baseline_g_cm2, r->value_g_cm2};
    static const char *const names[2] = {"Baseline:  ", "Follow-up: "};
    for (int i = 0; i < 2; i++) {
        tb_reset(line);
        date_text(d, dates[i]);
        tb_printf(line, "%s%-10s  %s g/cm2", names[i], d, num(a, vals[i], 6, 3, 0));
        if (dev[i][0]) {
            tb_str(line, " on ");
            tb_shown(line, dev[i]);
        }
        tb_wrapped(t, line->buf, indent, indent + 11);
    }
    if (r->cross_calibrated) {
        tb_reset(line);
        tb_printf(line, "Baseline on the follow-up scanner's scale: %s g/cm2 (cross-calibration, "
                  "its LSC %s g/cm2)", num(a, r->baseline_converted_g_cm2, 6, 3, 0),
                  num(b, r->crosscal_lsc_g_cm2, 6, 3, 0));
        tb_wrapped(t, line->buf, indent, indent + 2);
    }
    if (r->has_sbmd) {
        tb_reset(line);
        tb_printf(line, "Standardized BMD: %s mg/cm2 to %s mg/cm2 (for display only)",
                  num(a, r->sbmd_baseline_mg_cm2, 3, 0, 0), num(b, r->sbmd_value_mg_cm2, 3, 0, 0));
        tb_wrapped(t, line->buf, indent, indent + 2);
    }
    tb_reset(line);
    tb_printf(line, "Change:    %s g/cm2 (%s %%), %s %% a year", num(a, r->change_g_cm2, 6, 3, 1),
              num(b, r->change_pct, 4, 1, 1), num(c, r->annualized_pct, 4, 1, 1));
    tb_wrapped(t, line->buf, indent, indent + 11);
    tb_reset(line);
    tb_printf(line, "LSC:       %s g/cm2", num(a, r->lsc_g_cm2, 6, 3, 0));
    if (isfinite(r->lsc_pct))
        tb_printf(line, " (%s %%)", num(b, r->lsc_pct, 4, 1, 0));
    tb_str(line, r->lsc_is_default ? ", the ISCD-derived default" : ", the facility's figure");
    tb_wrapped(t, line->buf, indent, indent + 11);
    if (r->expected.found) {
        const ot_expected *x = &r->expected;
        tb_reset(line);
        tb_printf(line, "Expected:  %s %% to %s %% on %s", num(a, x->range_lo_pct, 4, 1, 1),
                  num(b, x->range_hi_pct, 4, 1, 1), ot_agent_name(x->agent));
        if (isfinite(x->months))
            tb_printf(line, " at %s months", months_text(c, x->months));
        tb_printf(line, " (%s): %s",
                  x->measure == OT_MEASURE_CHANGE_FROM_BASELINE ? "change from baseline"
                  : x->measure == OT_MEASURE_NOT_KNOWN          ? "measure not known"
                                                                : "difference from placebo",
                  ot_vs_expected_name(r->vs_expected));
        tb_wrapped(t, line->buf, indent, indent + 11);
    }
}

static int check_flags(char **out, const void *r, unsigned flags)
{
    if (out)
        *out = NULL;
    return !out || !r || (flags & ~(unsigned)(OT_TEXT_COLOR | OT_TEXT_SUMMARY)) ? OT_EINVAL : OT_OK;
}

int ot_bmd_result_to_text(char **out, const ot_bmd_result *r, unsigned flags)
{
    int rc = check_flags(out, r, flags);
    if (rc != OT_OK)
        return rc;
    int color = (flags & OT_TEXT_COLOR) != 0;
    tb t = {0}, line = {0};
    bmd_verdict(&line, r, color);
    tb_wrapped(&t, line.buf ? line.buf : "", 0, 2);
    bmd_figures(&t, &line, r, 2);
    flag_lines(&t, &line, r->flags, r->nflags, color, 0);
    ot_srcs u;
    ot_srcs_init(&u);
    bmd_sources(&u, r);
    source_lines(&t, &line, r->rd, &u, 1, 0);
    ot_srcs_free(&u);
    return finish(&t, &line, out);
}

/* "P1NP: 80 ug/L to 40 ug/L (-50 %): responding" */
static void marker_verdict(tb *t, const ot_marker_result *r, int color)
{
    char a[48], b[48], c[48];
    const char *unit = ot_unit_name(r->unit);
    tb_printf(t, "%s: %s %s to %s %s (%s %%): ", analyte_label(r->analyte),
              num(a, r->baseline, 4, -1, 0), unit, num(b, r->value, 4, -1, 0), unit,
              num(c, r->change_pct, 4, 1, 1));
    if (color)
        tb_str(t, r->response == OT_RESP_SUBOPTIMAL ? C_BOLD C_RED : C_BOLD);
    tb_str(t, r->response == OT_RESP_RESPONDING   ? "responding"
              : r->response == OT_RESP_SUBOPTIMAL ? "suboptimal response"
                                                  : "not assessable");
    if (color)
        tb_str(t, C_OFF);
}

static void marker_figures(tb *t, tb *line, const ot_marker_result *r, int indent)
{
    char a[48], b[48], c[48], d0[11], d1[11];
    const char *unit = ot_unit_name(r->unit);
    tb_reset(line);
    date_text(d0, r->baseline_date);
    date_text(d1, r->date);
    tb_printf(line, "Dates:     %s to %s", d0, d1);
    if (isfinite(r->months_from_start))
        tb_printf(line, ", %s months from the therapy's start",
                  months_text(a, r->months_from_start));
    tb_wrapped(t, line->buf, indent, indent + 11);
    tb_reset(line);
    tb_printf(line, "Change:    %s %s (%s %%)", num(a, r->change_abs, 4, -1, 1), unit,
              num(b, r->change_pct, 4, 1, 1));
    tb_wrapped(t, line->buf, indent, indent + 11);
    tb_reset(line);
    tb_printf(line, "Rule:      %s on %s", ot_marker_rule_name(r->rule), ot_agent_name(r->therapy));
    if (isfinite(r->window_lo_months))
        tb_printf(line, ", window %s to %s months", months_text(a, r->window_lo_months),
                  months_text(b, r->window_hi_months));
    tb_wrapped(t, line->buf, indent, indent + 11);
    if (isfinite(r->lsc_pct) || isfinite(r->target) || isfinite(r->rise_threshold)) {
        tb_reset(line);
        tb_str(line, "Thresholds:");
        const char *sep = " ";
        if (isfinite(r->lsc_pct)) {
            tb_printf(line, "%sLSC %s %%", sep, num(a, r->lsc_pct, 4, -1, 0));
            sep = "; ";
        }
        if (isfinite(r->target)) {
            tb_printf(line, "%starget %s %s", sep, num(b, r->target, 4, -1, 0), unit);
            sep = "; ";
        }
        if (isfinite(r->rise_threshold))
            tb_printf(line, "%srise of %s ug/L", sep, num(c, r->rise_threshold, 4, -1, 0));
        tb_wrapped(t, line->buf, indent, indent + 11);
    }
    tb_reset(line);
    tb_str(line, "Reason:    ");
    tb_str(line, r->reason);
    tb_wrapped(t, line->buf, indent, indent + 11);
}

int ot_marker_result_to_text(char **out, const ot_marker_result *r, unsigned flags)
{
    int rc = check_flags(out, r, flags);
    if (rc != OT_OK)
        return rc;
    int color = (flags & OT_TEXT_COLOR) != 0;
    tb t = {0}, line = {0};
    marker_verdict(&line, r, color);
    tb_wrapped(&t, line.buf ? line.buf : "", 0, 2);
    marker_figures(&t, &line, r, 2);
    flag_lines(&t, &line, r->flags, r->nflags, color, 0);
    ot_srcs u;
    ot_srcs_init(&u);
    marker_sources(&u, r);
    source_lines(&t, &line, r->rd, &u, 1, 0);
    ot_srcs_free(&u);
    return finish(&t, &line, out);
}

static int report_text(char **out, const ot_report *r, unsigned flags, ot_detail detail)
{
    int rc = check_flags(out, r, flags);
    if (rc != OT_OK)
        return rc;
    int color = (flags & OT_TEXT_COLOR) != 0, full = detail == OT_DETAIL_FULL;
    char a[48], b[48], e0[48], e1[48], d[11], d2[11];
    tb t = {0}, line = {0};
    /* the heading: who, as of when */
    tb_str(&line, color ? C_BOLD "Patient " : "Patient ");
    tb_shown(&line, r->id);
    if (color)
        tb_str(&line, C_OFF);
    int age = ot_date_age(r->birth, r->as_of);
    if (r->sex != OT_SEX_UNKNOWN || age >= 0) {
        tb_str(&line, " (");
        if (r->sex != OT_SEX_UNKNOWN)
            tb_printf(&line, "%s%s", ot_sex_name(r->sex), age >= 0 ? ", " : "");
        if (age >= 0)
            tb_printf(&line, "%d years", age);
        tb_str(&line, ")");
    }
    date_text(d, r->as_of);
    tb_printf(&line, ", as of %s", d);
    tb_wrapped(&t, line.buf, 0, 2);
    /* the verdict */
    tb_reset(&line);
    tb_printf(&line, "Assessment: %s%s%s. %s", color ? C_BOLD : "",
              ot_assessment_name(r->assessment), color ? C_OFF : "", r->summary);
    tb_wrapped(&t, line.buf, 0, 2);
    tb_reset(&line);
    if (r->current) {
        date_text(d, r->current->start);
        tb_printf(&line, "Therapy: %s since %s", ot_agent_name(r->current->agent), d);
    } else {
        tb_str(&line, "Therapy: none in effect");
    }
    tb_wrapped(&t, line.buf, 0, 2);
    /* the figures: each scan against its baseline (summary: the latest of each site) */
    if (r->nbmd)
        tb_str(&t, full ? "BMD against the baseline:\n" : "BMD, latest of each site against "
                                                          "the baseline:\n");
    size_t last[OT_SERIES_COUNT];
    for (int s = 0; s < OT_SERIES_COUNT; s++)
        last[s] = SIZE_MAX;
    for (size_t i = 0; i < r->nbmd; i++)
        last[ot_result_series(&r->bmd[i].base)] = i;
    for (size_t i = 0; i < r->nbmd; i++) {
        const ot_bmd_result *e = &r->bmd[i].base;
        if (!full && last[ot_result_series(e)] != i)
            continue;
        tb_reset(&line);
        date_text(d, e->baseline_date);
        date_text(d2, e->date);
        tb_printf(&line, "%s to %s, ", d, d2);
        bmd_verdict(&line, e, color);
        tb_wrapped(&t, line.buf, 2, 4);
    }
    if (full)
        for (size_t i = 0; i < r->ntrend; i++) {
            const ot_trend *tr = &r->trend[i];
            tb_reset(&line);
            tb_printf(&line, "Trend, %s%s%s: %s g/cm2 (%s %%) a year over %zu scans, 95 %% CI "
                      "%s to %s g/cm2 a year", site_label(tr->site),
                      tr->side != OT_SIDE_NONE ? " " : "",
                      tr->side != OT_SIDE_NONE ? ot_side_name(tr->side) : "",
                      num(a, tr->slope, 6, 3, 1), num(b, tr->slope_pct, 4, 1, 1), tr->n,
                      num(e0, tr->lo, 6, 3, 1), num(e1, tr->hi, 6, 3, 1));
            tb_wrapped(&t, line.buf, 2, 4);
        }
    /* the category of the latest scores, and a diagnosis apart: a diagnosis
     * made earlier stays although the latest T-score is higher */
    static const char *const cats[] = {"normal", "low bone mass", "osteoporosis"};
    static const char *const zcats[] = {"within the expected range for age",
                                        "below the expected range for age"};
    const ot_tscore_summary *ts = &r->ts;
    if (!ts->zref && isfinite(ts->lowest)) {
        tb_reset(&line);
        date_text(d, ts->date);
        tb_printf(&line, "Lowest latest T-score: %s (%s) on %s", num(a, ts->lowest, 2, -1, 0),
                  site_label(ts->lowest_site), d);
        if (ts->category >= 0 && ts->category <= 2)
            tb_printf(&line, ": %s", cats[ts->category]);
        tb_wrapped(&t, line.buf, 0, 2);
    } else if (ts->zref && isfinite(ts->zlowest)) {
        tb_reset(&line);
        date_text(d, ts->zdate);
        tb_printf(&line, "Lowest latest Z-score: %s (%s) on %s", num(a, ts->zlowest, 2, -1, 0),
                  site_label(ts->zsite), d);
        if (ts->zcategory >= 0 && ts->zcategory <= 1)
            tb_printf(&line, ": %s", zcats[ts->zcategory]);
        tb_wrapped(&t, line.buf, 0, 2);
    }
    if (ts->diagnosis) {
        tb_reset(&line);
        tb_printf(&line, "Osteoporosis diagnosed: %s", ts->basis);
        tb_wrapped(&t, line.buf, 0, 2);
    }
    const ot_course *c = r->current ? r->current : r->assessed;
    int nm = 0;
    for (size_t i = 0; i < r->nmarkers; i++) {
        const ot_marker_result *m = &r->markers[i];
        if (!full && !(c && m->therapy == c->agent && m->date != OT_DATE_NONE &&
                       m->date >= c->start))
            continue;
        if (!nm++)
            tb_str(&t, "Markers:\n");
        tb_reset(&line);
        date_text(d, m->baseline_date);
        date_text(d2, m->date);
        tb_printf(&line, "%s to %s, ", d, d2);
        marker_verdict(&line, m, color);
        tb_wrapped(&t, line.buf, 2, 4);
    }
    flag_lines(&t, &line, r->flags, r->nflags, color, 0);
    /* what is due: by date, then in rule order (ot_report_build sorted them) */
    if (r->nactions)
        tb_str(&t, "Due:\n");
    for (size_t i = 0; i < r->nactions; i++) {
        tb_reset(&line);
        date_text(d, r->actions[i].due);
        tb_printf(&line, "%-10s  %s", d, r->actions[i].action);
        tb_wrapped(&t, line.buf, 2, 14);
    }
    if (r->nafter) {
        tb_reset(&line);
        date_text(d, r->as_of);
        tb_printf(&line, "Left out: %zu observation(s), fracture(s), course(s) or dose(s) dated "
                  "after %s", r->nafter, d);
        tb_wrapped(&t, line.buf, 0, 2);
    }
    ot_srcs u;
    ot_srcs_init(&u);
    if (ot_report_source_ids(r, detail, &u) != OT_OK)
        t.failed = 1;
    source_lines(&t, &line, r->rd, &u, 0, 0);
    ot_srcs_free(&u);
    return finish(&t, &line, out);
}

int ot_report_to_text(char **out, const ot_report *r, unsigned flags)
{
    return report_text(out, r, flags, flags & OT_TEXT_SUMMARY ? OT_DETAIL_SUMMARY : OT_DETAIL_FULL);
}

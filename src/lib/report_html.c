/* The patient report as a self-contained HTML section with inline SVG charts
 * (osteotrack(1) batch --format html, osteotrack(3) ot_report_to_html). No
 * script, no external file or font. Every number shown is the report's, at
 * the rounding its JSON uses (jw_num), so the page and the JSON agree; every
 * text from the input is escaped. */
#include "result_json.h"
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing text buffer. */
typedef struct hb {
    char *buf;
    size_t len, cap;
    int failed;
} hb;

static void hb_raw(hb *h, const char *s, size_t n)
{
    if (h->failed)
        return;
    if (h->len + n + 1 > h->cap) {
        size_t cap = h->cap ? h->cap : 4096;
        while (cap < h->len + n + 1)
            cap *= 2;
        char *p = realloc(h->buf, cap);
        if (!p) {
            h->failed = 1;
            return;
        }
        h->buf = p;
        h->cap = cap;
    }
    memcpy(h->buf + h->len, s, n);
    h->len += n;
    h->buf[h->len] = '\0';
}

static void hb_s(hb *h, const char *s) { hb_raw(h, s, strlen(s)); }

static void hb_f(hb *h, const char *fmt, ...) OT_PRINTF(2, 3);
static void hb_f(hb *h, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        h->failed = 1;
        return;
    }
    hb_raw(h, tmp, (size_t)n);
}

/* Text or an attribute's value: & < > " ' as references. */
static void hb_esc(hb *h, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        hb_raw(h, run, (size_t)(s - run));
        hb_s(h, rep);
        run = s + 1;
    }
    hb_raw(h, run, (size_t)(s - run));
}

/* An enumeration's name for people: underscores as spaces. */
static void hb_name(hb *h, const char *s)
{
    for (; s && *s; s++)
        hb_raw(h, *s == '_' ? " " : s, 1);
}

/* A number as the report's JSON writes it (jw_num: rounded to `decimals`,
 * no trailing zeros); NaN as an en dash. */
static void hb_num(hb *h, double x, int decimals)
{
    if (!isfinite(x)) {
        hb_s(h, "\xe2\x80\x93");
        return;
    }
    jw w;
    jw_init(&w, 0);
    jw_num(&w, JW_NOKEY, x, decimals);
    char *s = NULL;
    if (jw_finish(&w, &s) != OT_OK) {
        h->failed = 1;
        return;
    }
    hb_s(h, s);
    free(s);
}

static void hb_date(hb *h, ot_date d)
{
    char buf[11];
    if (d == OT_DATE_NONE) {
        hb_s(h, "\xe2\x80\x93");
        return;
    }
    ot_date_format(buf, d);
    hb_raw(h, buf, 10);
}

static void td_num(hb *h, double x, int decimals)
{
    hb_s(h, "<td class=\"n\">");
    hb_num(h, x, decimals);
    hb_s(h, "</td>");
}

/* ------------------------------------------------------------------ */
/* The page around the sections. */

static const char page_css[] =
    "@page{size:auto;margin:12mm}"
    "*{box-sizing:border-box}"
    "body{margin:0 auto;padding:12px;max-width:180mm;font-family:sans-serif;font-size:10pt;"
    "color:#1a1a1a;background:#fff;line-height:1.35}"
    "section.patient{margin-bottom:24px;overflow-wrap:anywhere}"
    "section.patient+section.patient{break-before:page;page-break-before:always}"
    "h1{font-size:15pt;margin:0 0 4px}h2{font-size:12pt;margin:14px 0 4px}"
    "h3{font-size:10.5pt;margin:10px 0 4px}"
    ".meta{margin:0 0 6px;color:#3d3d3d}"
    ".assess{font-weight:bold;padding:1px 6px;border:1px solid currentColor;border-radius:3px}"
    ".a-responding{color:#1b5e20}.a-stable{color:#1f3f73}"
    ".a-inadequate_response,.a-possible_treatment_failure{color:#a4001d}"
    ".a-insufficient_data{color:#4a4a4a}"
    ".summary{font-size:10.5pt;margin:6px 0}"
    "ul.flags{margin:4px 0;padding-left:18px}"
    ".sev-alert{color:#a4001d}.sev-warning{color:#7a4100}.sev-info{color:#3d3d3d}"
    "figure.site{margin:8px 0 12px;break-inside:avoid;page-break-inside:avoid}"
    "svg.chart{display:block;width:100%;height:auto;max-width:100%}"
    "table{border-collapse:collapse;width:100%;table-layout:fixed;font-size:8.5pt;margin:4px 0}"
    "th,td{border-bottom:1px solid #b8b8b8;padding:2px 3px;text-align:left;vertical-align:top}"
    "th{background:#eef1f5}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".sig-increase{color:#1b5e20;font-weight:bold}.sig-decrease{color:#a4001d;font-weight:bold}"
    ".sig-not_comparable{color:#5b2a86}"
    ".legend{font-size:8.5pt;color:#3d3d3d;margin:2px 0}"
    ".sources li{font-size:8.5pt}";

int ot_html_page_begin(char **out, const char *title)
{
    if (!out)
        return OT_EINVAL;
    *out = NULL;
    hb h = {NULL, 0, 0, 0};
    hb_s(&h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
             "<meta name=\"generator\" content=\"osteotrack ");
    hb_esc(&h, ot_version());
    hb_s(&h, "\">\n<title>");
    hb_esc(&h, title && title[0] ? title : "osteotrack report");
    hb_s(&h, "</title>\n<style>");
    hb_s(&h, page_css);
    hb_s(&h, "</style>\n</head>\n<body>\n");
    if (h.failed) {
        free(h.buf);
        return OT_ENOMEM;
    }
    *out = h.buf;
    return OT_OK;
}

int ot_html_page_end(char **out)
{
    if (!out)
        return OT_EINVAL;
    hb h = {NULL, 0, 0, 0};
    hb_s(&h, "</body>\n</html>\n");
    *out = h.failed ? NULL : h.buf;
    if (h.failed)
        free(h.buf);
    return h.failed ? OT_ENOMEM : OT_OK;
}

/* ------------------------------------------------------------------ */
/* A site's chart. */

#define CW 640.0   /* the viewBox */
#define PL 70.0    /* the plot's left, right, top and bottom */
#define PR 624.0
#define PT 14.0
#define PB 196.0
#define LANE 14.0  /* a therapy course's row under the chart */

typedef struct scale {
    double d0, d1; /* days */
    double y0, y1; /* g/cm2 at PB and PT */
} scale;

static double sx(const scale *s, ot_date d)
{
    return PL + (PR - PL) * ((double)d - s->d0) / (s->d1 - s->d0);
}
static double sy(const scale *s, double v) { return PB - (PB - PT) * (v - s->y0) / (s->y1 - s->y0); }

static void grow(double *lo, double *hi, double v)
{
    if (!isfinite(v))
        return;
    if (v < *lo)
        *lo = v;
    if (v > *hi)
        *hi = v;
}

static double nice_step(double range)
{
    double raw = range / 5.0, p = pow(10.0, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static const ot_trend *trend_of(const ot_report *r, const ot_bmd_result *b)
{
    for (size_t i = 0; i < r->ntrend; i++)
        if (r->trend[i].site == b->site && r->trend[i].side == b->side)
            return &r->trend[i];
    return NULL;
}

/* Day number of 1 January of year y. */
static ot_date jan1(int y)
{
    char buf[32];
    ot_date d = OT_DATE_NONE;
    snprintf(buf, sizeof buf, "%04d-01-01", y < 0 ? 0 : y > 9999 ? 9999 : y);
    ot_date_parse(&d, buf);
    return d;
}

static int year_of(ot_date d)
{
    char buf[11];
    ot_date_format(buf, d);
    return atoi(buf);
}

static const char *sig_colour(ot_significance s)
{
    switch (s) {
    case OT_SIG_INCREASE: return "#1b5e20";
    case OT_SIG_DECREASE: return "#a4001d";
    case OT_SIG_NOT_COMPARABLE: return "#5b2a86";
    default: return "#1f3f73";
    }
}

static void chart(hb *h, const ot_report *r, const size_t *idx, size_t n)
{
    const ot_bmd_result *first = &r->bmd[idx[0]].base;
    const ot_trend *t = trend_of(r, first);
    /* the domain: every scan, every band, the trend and its band, the courses' starts */
    double dlo = (double)first->baseline_date, dhi = dlo, ylo = first->baseline_g_cm2,
           yhi = ylo;
    for (size_t k = 0; k < n; k++) {
        const ot_bmd_result *b = &r->bmd[idx[k]].base;
        grow(&dlo, &dhi, (double)b->date);
        grow(&dlo, &dhi, (double)b->baseline_date);
        grow(&ylo, &yhi, b->value_g_cm2);
        grow(&ylo, &yhi, b->baseline_g_cm2 + b->lsc_g_cm2);
        grow(&ylo, &yhi, b->baseline_g_cm2 - b->lsc_g_cm2);
    }
    if (t) { /* the line; its band may be wider than the plot, which clips it */
        double yrs = (double)(t->last - t->first) / 365.25;
        grow(&ylo, &yhi, t->intercept + t->slope * yrs);
        grow(&ylo, &yhi, t->intercept);
    }
    if (dhi - dlo < 60)
        dlo -= 180, dhi += 180;
    double pad = (dhi - dlo) * 0.04;
    scale s = {dlo - pad, dhi + pad, 0, 0};
    if (yhi - ylo < 0.01)
        ylo -= 0.02, yhi += 0.02;
    double step = nice_step(yhi - ylo);
    s.y0 = floor(ylo / step) * step;
    s.y1 = ceil(yhi / step) * step;
    if (s.y0 >= ylo - step * 0.1)
        s.y0 -= step * 0.5;
    if (s.y1 <= yhi + step * 0.1)
        s.y1 += step * 0.5;

    size_t nc = r->ncourses;
    double height = PB + 34.0 + (nc ? 16.0 + LANE * (double)nc : 0.0);
    char label[80];
    snprintf(label, sizeof label, "BMD of the %s over time", ot_site_name(first->site));
    hb_f(h, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
            "role=\"img\" data-plot-left=\"%.2f\" data-plot-right=\"%.2f\" "
            "data-plot-top=\"%.2f\" data-plot-bottom=\"%.2f\" data-y-min=\"%.6f\" "
            "data-y-max=\"%.6f\" data-points=\"%zu\">",
         CW, height, PL, PR, PT, PB, s.y0, s.y1, n + 1);
    hb_s(h, "<title>");
    hb_name(h, label);
    hb_s(h, "</title>");
    hb_f(h, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#fff\" "
            "stroke=\"#6b6b6b\"/>", PL, PT, PR - PL, PB - PT);
    /* y grid and labels */
    for (double v = ceil(s.y0 / step - 1e-9) * step; v <= s.y1 + 1e-9; v += step) {
        double y = sy(&s, v);
        hb_f(h, "<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%.2f\" y2=\"%.2f\" stroke=\"#d9d9d9\"/>"
                "<text x=\"%.2f\" y=\"%.2f\" font-size=\"10\" text-anchor=\"end\" "
                "fill=\"#3d3d3d\">%.3f</text>",
             PL, PR, y, y, PL - 4, y + 3.5, v);
    }
    hb_f(h, "<text transform=\"translate(14 %.2f) rotate(-90)\" font-size=\"10.5\" "
            "text-anchor=\"middle\" fill=\"#1a1a1a\">BMD (g/cm\xc2\xb2)</text>",
         (PT + PB) / 2);
    /* x ticks: 1 January of each year (every 2nd, 5th past 8 years) */
    int y0 = year_of((ot_date)s.d0), y1 = year_of((ot_date)s.d1);
    int every = y1 - y0 > 16 ? 5 : y1 - y0 > 8 ? 2 : 1;
    for (int y = y0 + 1; y <= y1; y++) {
        if (y % every)
            continue;
        double x = sx(&s, jan1(y));
        if (x < PL || x > PR)
            continue;
        hb_f(h, "<line x1=\"%.2f\" x2=\"%.2f\" y1=\"%.2f\" y2=\"%.2f\" stroke=\"#d9d9d9\"/>"
                "<text x=\"%.2f\" y=\"%.2f\" font-size=\"10\" text-anchor=\"middle\" "
                "fill=\"#3d3d3d\">%d</text>",
             x, x, PT, PB, x, PB + 13, y);
    }
    hb_f(h, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"10.5\" text-anchor=\"middle\" "
            "fill=\"#1a1a1a\">Scan date (year)</text>",
         (PL + PR) / 2, PB + 27);
    /* the LSC band of each baseline: from the baseline to its last follow-up;
     * a scan that starts a new baseline is compared across the scanner
     * change, not within a band, so it draws none */
    for (size_t k = 0; k < n;) {
        const ot_bmd_result *b = &r->bmd[idx[k]].base;
        if (r->bmd[idx[k]].new_baseline) {
            k++;
            continue;
        }
        ot_date end = b->date;
        size_t j = k + 1;
        for (; j < n && !r->bmd[idx[j]].new_baseline &&
               r->bmd[idx[j]].base.baseline_date == b->baseline_date;
             j++)
            end = r->bmd[idx[j]].base.date;
        if (isfinite(b->lsc_g_cm2) && isfinite(b->baseline_g_cm2)) {
            double x0 = sx(&s, b->baseline_date), x1 = sx(&s, end);
            double top = sy(&s, b->baseline_g_cm2 + b->lsc_g_cm2);
            double bot = sy(&s, b->baseline_g_cm2 - b->lsc_g_cm2);
            hb_f(h, "<rect class=\"lsc-band\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                    "height=\"%.2f\" fill=\"#dbe5f1\" stroke=\"#4a6a96\" "
                    "stroke-dasharray=\"3 2\" data-baseline=\"",
                 x0, top, x1 - x0 < 1 ? 1 : x1 - x0, bot - top);
            hb_num(h, b->baseline_g_cm2, 6);
            hb_s(h, "\" data-lsc=\"");
            hb_num(h, b->lsc_g_cm2, 6);
            hb_f(h, "\"/><line class=\"baseline\" x1=\"%.2f\" x2=\"%.2f\" y1=\"%.2f\" "
                    "y2=\"%.2f\" stroke=\"#1f3f73\" stroke-width=\"1.2\"/>",
                 x0, x1 < x0 + 1 ? x0 + 1 : x1, sy(&s, b->baseline_g_cm2),
                 sy(&s, b->baseline_g_cm2));
        }
        k = j;
    }
    /* the trend line and the band of its slope's 95% CI */
    if (t) {
        double yrs = (double)(t->last - t->first) / 365.25;
        double xa = sx(&s, t->first), xb = sx(&s, t->last), ya = sy(&s, t->intercept);
        /* a nested viewport clips the band to the plot (no id needed) */
        hb_f(h, "<svg x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                "viewBox=\"%.2f %.2f %.2f %.2f\" overflow=\"hidden\">",
             PL, PT, PR - PL, PB - PT, PL, PT, PR - PL, PB - PT);
        hb_f(h, "<polygon class=\"trend-band\" points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f\" "
                "fill=\"#f1e3c8\" fill-opacity=\"0.7\"/>",
             xa, ya, xb, sy(&s, t->intercept + t->hi * yrs), xb,
             sy(&s, t->intercept + t->lo * yrs));
        hb_s(h, "</svg>");
        hb_f(h, "<line class=\"trend\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
                "stroke=\"#7a4100\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>",
             xa, ya, xb, sy(&s, t->intercept + t->slope * yrs));
    }
    /* the scans joined; a scanner change or a new baseline breaks the line */
    hb_f(h, "<path class=\"scans\" fill=\"none\" stroke=\"#1a1a1a\" stroke-width=\"1.5\" "
            "d=\"M%.2f %.2f",
         sx(&s, first->baseline_date), sy(&s, first->baseline_g_cm2));
    for (size_t k = 0; k < n; k++) {
        const ot_bmd_entry *e = &r->bmd[idx[k]];
        int brk = e->new_baseline || e->device_step;
        hb_f(h, " %c%.2f %.2f", brk ? 'M' : 'L', sx(&s, e->base.date),
             sy(&s, e->base.value_g_cm2));
    }
    hb_s(h, "\"/>");
    for (size_t k = 0; k < n; k++) {
        const ot_bmd_entry *e = &r->bmd[idx[k]];
        if (e->new_baseline || e->device_step) {
            double x = k ? (sx(&s, r->bmd[idx[k - 1]].base.date) + sx(&s, e->base.date)) / 2
                         : (sx(&s, first->baseline_date) + sx(&s, e->base.date)) / 2;
            hb_f(h, "<line class=\"break\" x1=\"%.2f\" x2=\"%.2f\" y1=\"%.2f\" y2=\"%.2f\" "
                    "stroke=\"#5b2a86\" stroke-dasharray=\"2 3\"/><text x=\"%.2f\" y=\"%.2f\" "
                    "font-size=\"9\" text-anchor=\"middle\" fill=\"#5b2a86\">scanner "
                    "change</text>",
                 x, x, PT, PB, x, PT + 10);
        }
    }
    /* the points: the first scan, then each follow-up */
    hb_f(h, "<circle class=\"scan\" cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"#fff\" "
            "stroke=\"#1a1a1a\" stroke-width=\"1.5\" data-date=\"",
         sx(&s, first->baseline_date), sy(&s, first->baseline_g_cm2));
    hb_date(h, first->baseline_date);
    hb_s(h, "\" data-value=\"");
    hb_num(h, first->baseline_g_cm2, 6);
    hb_s(h, "\" data-significance=\"baseline\"><title>");
    hb_date(h, first->baseline_date);
    hb_s(h, ": ");
    hb_num(h, first->baseline_g_cm2, 6);
    hb_s(h, " g/cm\xc2\xb2 (baseline)</title></circle>");
    for (size_t k = 0; k < n; k++) {
        const ot_bmd_result *b = &r->bmd[idx[k]].base;
        int sig = b->significance == OT_SIG_INCREASE || b->significance == OT_SIG_DECREASE;
        double x = sx(&s, b->date), y = sy(&s, b->value_g_cm2);
        if (sig) /* significant: a filled diamond */
            hb_f(h, "<path class=\"scan significant\" d=\"M%.2f %.2fL%.2f %.2fL%.2f %.2fL%.2f "
                    "%.2fZ\" fill=\"%s\"",
                 x, y - 6, x + 6, y, x, y + 6, x - 6, y, sig_colour(b->significance));
        else
            hb_f(h, "<circle class=\"scan\" cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"#fff\" "
                    "stroke=\"%s\" stroke-width=\"1.5\"",
                 x, y, sig_colour(b->significance));
        hb_f(h, " data-x=\"%.2f\" data-y=\"%.2f\" data-date=\"", x, y);
        hb_date(h, b->date);
        hb_s(h, "\" data-value=\"");
        hb_num(h, b->value_g_cm2, 6);
        hb_f(h, "\" data-significance=\"%s\"><title>", ot_significance_name(b->significance));
        hb_date(h, b->date);
        hb_s(h, ": ");
        hb_num(h, b->value_g_cm2, 6);
        hb_s(h, " g/cm\xc2\xb2, ");
        hb_name(h, ot_significance_name(b->significance));
        hb_s(h, sig ? "</title></path>" : "</title></circle>");
    }
    /* the therapy courses, one row each, under the chart */
    if (nc) {
        double ty = PB + 40;
        hb_f(h, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"10\" fill=\"#1a1a1a\">Therapy</text>",
             4.0, ty - 4);
        for (size_t i = 0; i < nc; i++) {
            const ot_course *c = &r->courses[i];
            ot_date end = c->until != OT_DATE_NONE ? c->until : r->as_of;
            double xa = sx(&s, c->start), xb = sx(&s, end);
            xa = xa < PL ? PL : xa > PR ? PR : xa;
            xb = xb < PL ? PL : xb > PR ? PR : xb;
            double y = ty + LANE * (double)i;
            hb_f(h, "<rect class=\"course\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                    "height=\"%.2f\" fill=\"#c9d8c5\" stroke=\"#1b5e20\"/>"
                    "<text x=\"%.2f\" y=\"%.2f\" font-size=\"9\" fill=\"#1a1a1a\">",
                 xa, y, xb - xa < 1 ? 1 : xb - xa, LANE - 4, PL - 66, y + 8);
            hb_name(h, ot_agent_name(c->agent));
            hb_s(h, "</text>");
        }
    }
    hb_s(h, "</svg>");
}

/* ------------------------------------------------------------------ */
/* The section. */

static void site_title(hb *h, const ot_bmd_result *b)
{
    hb_name(h, ot_site_name(b->site));
    if (b->side != OT_SIDE_NONE) {
        hb_s(h, " (");
        hb_name(h, ot_side_name(b->side));
        hb_s(h, ")");
    }
}

static void sig_cell(hb *h, ot_significance s)
{
    hb_f(h, "<td class=\"sig-%s\">", ot_significance_name(s));
    hb_name(h, ot_significance_name(s));
    hb_s(h, "</td>");
}

static void scans_table(hb *h, const ot_report *r, const size_t *idx, size_t n)
{
    const ot_bmd_result *first = &r->bmd[idx[0]].base;
    hb_s(h, "<table class=\"scans\"><thead><tr><th>Date</th><th>Device</th><th>BMD "
            "(g/cm\xc2\xb2)</th><th>Baseline</th><th>Change vs baseline (g/cm\xc2\xb2)</th>"
            "<th>Change vs baseline (%)</th><th>Change vs previous (%)</th><th>LSC "
            "(g/cm\xc2\xb2)</th><th>vs baseline</th><th>vs previous</th></tr></thead><tbody>");
    hb_s(h, "<tr class=\"baseline\"><td>");
    hb_date(h, first->baseline_date);
    hb_s(h, "</td><td>");
    hb_esc(h, first->baseline_device);
    hb_s(h, "</td>");
    td_num(h, first->baseline_g_cm2, 6);
    hb_s(h, "<td>first scan</td><td></td><td></td><td></td><td></td><td></td><td></td></tr>");
    for (size_t k = 0; k < n; k++) {
        const ot_bmd_entry *e = &r->bmd[idx[k]];
        const ot_bmd_result *b = &e->base;
        hb_s(h, "<tr><td>");
        hb_date(h, b->date);
        if (b->region != OT_REGION_NONE) {
            hb_s(h, " (");
            hb_esc(h, ot_spine_region_name(b->region));
            hb_s(h, ")");
        }
        hb_s(h, "</td><td>");
        hb_esc(h, b->device);
        if (e->new_baseline)
            hb_s(h, " (new baseline)");
        hb_s(h, "</td>");
        td_num(h, b->value_g_cm2, 6);
        hb_s(h, "<td>");
        hb_date(h, b->baseline_date);
        hb_s(h, "</td>");
        td_num(h, b->change_g_cm2, 6);
        td_num(h, b->change_pct, 4);
        td_num(h, e->prev.change_pct, 4);
        td_num(h, b->lsc_g_cm2, 6);
        sig_cell(h, b->significance);
        sig_cell(h, e->prev.significance);
        hb_s(h, "</tr>");
    }
    hb_s(h, "</tbody></table>");
}

static void markers_table(hb *h, const ot_report *r)
{
    hb_s(h, "<h2>Bone turnover markers</h2>");
    if (!r->nmarkers) {
        hb_s(h, "<p>No marker follow-up in the report.</p>");
        return;
    }
    hb_s(h, "<table class=\"markers\"><thead><tr><th>Marker</th><th>Baseline</th>"
            "<th>Follow-up</th><th>Change (%)</th><th>LSC (%)</th><th>Target</th>"
            "<th>Response</th><th>Why</th></tr></thead><tbody>");
    for (size_t i = 0; i < r->nmarkers; i++) {
        const ot_marker_result *m = &r->markers[i];
        hb_s(h, "<tr><td>");
        hb_esc(h, ot_analyte_name(m->analyte));
        hb_s(h, " (");
        hb_esc(h, ot_unit_name(m->unit));
        hb_s(h, ")</td><td class=\"n\">");
        hb_num(h, m->baseline, 4);
        hb_s(h, "<br>");
        hb_date(h, m->baseline_date);
        hb_s(h, "</td><td class=\"n\">");
        hb_num(h, m->value, 4);
        hb_s(h, "<br>");
        hb_date(h, m->date);
        hb_s(h, "</td>");
        td_num(h, m->change_pct, 4);
        td_num(h, m->lsc_pct, 4);
        td_num(h, m->target, 4);
        hb_s(h, "<td>");
        hb_name(h, ot_response_name(m->response));
        hb_s(h, "</td><td>");
        hb_esc(h, m->reason);
        hb_s(h, "</td></tr>");
    }
    hb_s(h, "</tbody></table>");
}

/* By due date, then in rule order (ot_report_build sorted them), as the JSON. */
static void due(hb *h, const ot_report *r)
{
    hb_s(h, "<h2>What is due</h2>");
    if (!r->nactions) {
        hb_s(h, "<p>Nothing is due.</p>");
        return;
    }
    hb_s(h, "<ul class=\"due\">");
    for (size_t i = 0; i < r->nactions; i++) {
        hb_s(h, "<li><strong>");
        hb_date(h, r->actions[i].due);
        hb_s(h, "</strong>: ");
        hb_esc(h, r->actions[i].action);
        hb_s(h, "</li>");
    }
    hb_s(h, "</ul>");
}

static void add_src(ot_srcs *u, hb *h, const char *id)
{
    if (id && ot_srcs_add(u, id) != OT_OK)
        h->failed = 1;
}

/* The sources of the thresholds the report used, as its JSON's "sources". */
static void sources(hb *h, const ot_report *r)
{
    ot_srcs u;
    ot_srcs_init(&u);
    for (size_t i = 0; i < r->nbmd; i++) {
        const ot_bmd_result *b = &r->bmd[i].base;
        add_src(&u, h, b->lsc_source);
        add_src(&u, h, b->crosscal_source);
        add_src(&u, h, b->sbmd_source);
        if (b->expected.found)
            add_src(&u, h, b->expected.source);
    }
    for (size_t i = 0; i < r->nmarkers; i++) {
        const ot_marker_result *m = &r->markers[i];
        if (isfinite(m->lsc_pct))
            add_src(&u, h, m->lsc_source);
        if (isfinite(m->target))
            add_src(&u, h, m->target_source);
        if (isfinite(m->rise_threshold))
            add_src(&u, h, m->rise_source);
    }
    if (!isnan(r->ts.lowest) && r->ts.computed)
        add_src(&u, h, r->ts.computed_source);
    if (r->review.active)
        add_src(&u, h, r->review.source);
    if (r->failure[0] && r->rd)
        add_src(&u, h, r->rd->mon.failure_min.source);
    for (size_t i = 1; i < u.n; i++) { /* sorted by id, as in the JSON */
        const char *x = u.ids[i];
        size_t j = i;
        for (; j > 0 && strcmp(u.ids[j - 1], x) > 0; j--)
            u.ids[j] = u.ids[j - 1];
        u.ids[j] = x;
    }
    hb_s(h, "<h2>Sources of the thresholds</h2><ul class=\"sources\">");
    for (size_t k = 0; k < u.n; k++) {
        const ot_source *src = r->rd ? ot_source_find(r->rd, u.ids[k]) : NULL;
        hb_s(h, "<li><code>");
        hb_esc(h, u.ids[k]);
        hb_s(h, "</code>: ");
        if (src) {
            hb_esc(h, src->citation);
            if (!src->confirmed)
                hb_s(h, " (not confirmed)");
        } else {
            hb_s(h, "not in this reference data");
        }
        hb_s(h, "</li>");
    }
    hb_s(h, "</ul><p class=\"legend\">osteotrack ");
    hb_esc(h, ot_version());
    if (r->rd) {
        hb_s(h, ", reference data ");
        hb_esc(h, ot_refdata_version(r->rd));
    }
    hb_s(h, ".</p>");
    ot_srcs_free(&u);
}

static void header(hb *h, const ot_report *r)
{
    hb_s(h, "<header><h1>Patient ");
    hb_esc(h, r->id);
    hb_s(h, "</h1><p class=\"meta\">As of ");
    hb_date(h, r->as_of);
    if (r->sex != OT_SEX_UNKNOWN) {
        hb_s(h, " \xc2\xb7 ");
        hb_esc(h, ot_sex_name(r->sex));
    }
    int age = ot_date_age(r->birth, r->as_of);
    if (age >= 0)
        hb_f(h, " \xc2\xb7 age %d", age);
    hb_s(h, " \xc2\xb7 therapy: ");
    if (r->current) {
        hb_name(h, ot_agent_name(r->current->agent));
        hb_s(h, " since ");
        hb_date(h, r->current->start);
    } else {
        hb_s(h, "none current");
    }
    const char *a = ot_assessment_name(r->assessment);
    hb_f(h, "</p><p class=\"meta\">Assessment: <span class=\"assess a-%s\">", a);
    hb_name(h, a);
    hb_s(h, "</span>");
    if (!isnan(r->ts.lowest)) {
        hb_s(h, r->ts.zref ? " \xc2\xb7 lowest Z-score " : " \xc2\xb7 lowest T-score ");
        hb_num(h, r->ts.zref ? r->ts.zlowest : r->ts.lowest, 2);
        hb_s(h, " (");
        hb_name(h, ot_site_name(r->ts.zref ? r->ts.zsite : r->ts.lowest_site));
        hb_s(h, ", ");
        hb_date(h, r->ts.zref ? r->ts.zdate : r->ts.date);
        hb_s(h, ")");
    }
    hb_s(h, "</p></header>");
}

int ot_report_to_html(char **out, const ot_report *r)
{
    if (!out || !r)
        return OT_EINVAL;
    *out = NULL;
    hb h = {NULL, 0, 0, 0};
    size_t *idx = r->nbmd ? malloc(r->nbmd * sizeof *idx) : NULL;
    if (r->nbmd && !idx)
        return OT_ENOMEM;
    hb_s(&h, "<section class=\"patient\" data-patient-id=\"");
    hb_esc(&h, r->id);
    hb_s(&h, "\">");
    header(&h, r);
    hb_s(&h, "<p class=\"summary\">");
    hb_esc(&h, r->summary);
    hb_s(&h, "</p>");
    hb_s(&h, "<h2>Alerts</h2>");
    if (!r->nflags)
        hb_s(&h, "<p>None.</p>");
    else
        hb_s(&h, "<ul class=\"flags\">");
    for (int sev = OT_SEV_ALERT; sev >= OT_SEV_INFO; sev--)
        for (size_t i = 0; i < r->nflags; i++) {
            const ot_flag *f = &r->flags[i];
            if ((int)f->severity != sev)
                continue;
            hb_f(&h, "<li class=\"sev-%s\"><strong>", ot_severity_name(f->severity));
            hb_esc(&h, ot_severity_name(f->severity));
            hb_s(&h, "</strong> ");
            hb_esc(&h, f->message);
            hb_s(&h, "</li>");
        }
    if (r->nflags)
        hb_s(&h, "</ul>");
    /* one chart a series (site and side), in the order the report lists them */
    int seen[OT_SERIES_COUNT] = {0};
    for (size_t i = 0; i < r->nbmd; i++) {
        int s = ot_result_series(&r->bmd[i].base);
        if (seen[s])
            continue;
        seen[s] = 1;
        size_t n = 0;
        for (size_t j = i; j < r->nbmd; j++)
            if (ot_result_series(&r->bmd[j].base) == s)
                idx[n++] = j;
        const ot_bmd_result *b = &r->bmd[i].base;
        hb_f(&h, "<figure class=\"site\" data-site=\"%s\" data-side=\"%s\"><h2>",
             ot_site_name(b->site), b->side != OT_SIDE_NONE ? ot_side_name(b->side) : "");
        site_title(&h, b);
        hb_s(&h, "</h2>");
        chart(&h, r, idx, n);
        hb_s(&h, "<figcaption class=\"legend\">Shaded: the baseline \xc2\xb1 the least "
                 "significant change (LSC). Filled diamonds: a significant change from the "
                 "baseline; open circles: within the LSC. A gap in the line: a scanner change "
                 "or a new baseline.");
        const ot_trend *t = trend_of(r, b);
        if (t) {
            hb_s(&h, " Dashed: the trend, ");
            hb_num(&h, t->slope_pct, 4);
            hb_s(&h, " %/year (95% CI ");
            hb_num(&h, t->lo_pct, 4);
            hb_s(&h, " to ");
            hb_num(&h, t->hi_pct, 4);
            hb_s(&h, "), with the band of its slope's confidence interval.");
        }
        hb_s(&h, "</figcaption>");
        scans_table(&h, r, idx, n);
        hb_s(&h, "</figure>");
    }
    free(idx);
    if (!r->nbmd)
        hb_s(&h, "<h2>Bone mineral density</h2><p>No follow-up scan in the report.</p>");
    markers_table(&h, r);
    due(&h, r);
    sources(&h, r);
    hb_s(&h, "</section>\n");
    if (h.failed) {
        free(h.buf);
        return OT_ENOMEM;
    }
    *out = h.buf;
    return OT_OK;
}

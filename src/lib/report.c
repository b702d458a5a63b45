/* The patient report: BMD per site, trend, markers; rules in report_rules.c. */
#include "report.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

static int cmp_obs(const void *a, const void *b)
{
    const ot_obs *x = *(const ot_obs *const *)a, *y = *(const ot_obs *const *)b;
    if (x->analyte != y->analyte)
        return x->analyte < y->analyte ? -1 : 1;
    if (x->analyte == OT_ANALYTE_BMD && x->site != y->site)
        return x->site < y->site ? -1 : 1;
    if (x->analyte == OT_ANALYTE_BMD && x->side != y->side)
        return x->side < y->side ? -1 : 1; /* each side its own series */
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1; /* input order, where lines are known */
    /* the same day and line (JSON): by device and value, never by input order */
    int d = strcmp(x->device, y->device);
    if (d)
        return d;
    if (x->manufacturer != y->manufacturer)
        return (int)x->manufacturer - (int)y->manufacturer;
    return x->value < y->value ? -1 : x->value > y->value;
}

static int cmp_course(const void *a, const void *b)
{
    const ot_course *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (int)x->agent - (int)y->agent;
}

static int cmp_fx(const void *a, const void *b)
{
    const ot_fx *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (int)x->site - (int)y->site;
}

static ot_bmd_measure measure_of(const ot_obs *o)
{
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    m.site = o->site;
    m.value = o->value;
    m.date = o->date;
    m.device = o->device;
    m.manufacturer = o->manufacturer;
    return m;
}

/* Where the two scans were taken: the side of their series, each one's region. */
static void where(ot_bmd_options *o, const ot_obs *a, const ot_obs *b)
{
    o->side = b->side;
    o->from_region = a->region;
    o->to_region = b->region;
}

/* Spine scans of other vertebrae: never compared, a new baseline. */
static int region_differs(const ot_obs *a, const ot_obs *b)
{
    return ot_region_or_default(a->region) != ot_region_or_default(b->region);
}

/* Options for comparing `base` with `scan`: the therapy in effect at the scan,
 * with an expected range only when the baseline is near the therapy start. */
static ot_bmd_options options_for(const ot_report *r, const ot_obs *base, const ot_obs *scan,
                                  ot_agent *therapy)
{
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    const ot_course *c = ot_course_at(r, scan->date);
    *therapy = c ? c->agent : OT_AGENT_NONE;
    double tol = r->rd->expected_baseline_tolerance.value;
    if (c && fabs(ot_date_months_between(c->start, base->date)) <= tol) {
        o.therapy = c->agent;
        o.months_on_therapy = ot_date_months_between(c->start, scan->date);
    }
    where(&o, base, scan);
    return o;
}

static int devices_differ(const ot_obs *a, const ot_obs *b)
{
    if (a->device[0] && b->device[0] && strcmp(a->device, b->device))
        return 1;
    return a->manufacturer != OT_MFR_UNKNOWN && b->manufacturer != OT_MFR_UNKNOWN &&
           a->manufacturer != b->manufacturer;
}

/* Least squares over one segment of comparable scans (GSL), 95% CI from t. */
static int add_trend(ot_report *r, const ot_obs *const *s, size_t n)
{
    double x[64], y[64];
    if (n < 3)
        return OT_OK;
    if (n > 64) /* the most recent 64 scans are plenty */
        s += n - 64, n = 64;
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)(s[i]->date - s[0]->date) / 365.25;
        y[i] = s[i]->value;
    }
    if (x[n - 1] <= 0.0)
        return OT_OK; /* all on one day: no slope */
    double c0, c1, cov00, cov01, cov11, sumsq;
    if (gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) != GSL_SUCCESS ||
        !isfinite(c1) || !isfinite(cov11))
        return OT_ENUMERIC;
    void *a = r->trend;
    if (ot_grow(&a, &r->captrend, r->ntrend + 1, sizeof *r->trend) != OT_OK)
        return OT_ENOMEM;
    r->trend = a;
    ot_trend *t = &r->trend[r->ntrend++];
    t->site = s[0]->site;
    t->side = s[0]->side;
    t->region = s[0]->region;
    t->n = n;
    t->first = s[0]->date;
    t->last = s[n - 1]->date;
    t->dof = (double)(n - 2);
    double tq = gsl_cdf_tdist_Pinv(0.975, t->dof);
    double half = tq * sqrt(cov11);
    t->slope = c1;
    t->intercept = c0;
    t->lo = c1 - half;
    t->hi = c1 + half;
    t->slope_pct = 100.0 * c1 / c0;
    t->lo_pct = 100.0 * t->lo / c0;
    t->hi_pct = 100.0 * t->hi / c0;
    t->excludes_zero = t->lo > 0.0 || t->hi < 0.0;
    return OT_OK;
}

/* A scan on another scanner than its baseline's keeps that baseline when the
 * facility cross-calibrated the two at this site; `crossed` says the segment
 * already went through such a change (a scan back on the baseline's own
 * scanner then keeps it too). */
static int keeps_baseline(const ot_report *r, const ot_obs *base, const ot_obs *scan, int crossed)
{
    int inverted;
    if (region_differs(base, scan))
        return 0;
    if (!devices_differ(base, scan))
        return crossed;
    return ot_crosscal_find(r->rd, scan->site, base->device, scan->device, &inverted) != NULL;
}

/* Flags are made for the comparisons whose flags the report shows: at a
 * scanner change (DEVICE_CHANGED) and the site's latest. */
static int add_bmd_entry(ot_report *r, const ot_obs *base, const ot_obs *prev, const ot_obs *scan,
                         int new_baseline, int device_step, int latest)
{
    void *a = r->bmd;
    if (ot_grow(&a, &r->capbmd, r->nbmd + 1, sizeof *r->bmd) != OT_OK)
        return OT_ENOMEM;
    r->bmd = a;
    ot_bmd_entry *e = &r->bmd[r->nbmd];
    ot_bmd_measure mb = measure_of(base), mp = measure_of(prev), ms = measure_of(scan);
    ot_bmd_options o = options_for(r, base, scan, &e->therapy);
    ot_error err;
    int rc = ot_bmd_compare_ex(&e->base, r->rd, &mb, &ms, &o,
                               new_baseline || device_step || latest, &err);
    ot_bmd_options op = o;
    where(&op, prev, scan);
    if (rc == OT_OK)
        rc = prev == base ? (e->prev = e->base, OT_OK)
                          : ot_bmd_compare_ex(&e->prev, r->rd, &mp, &ms, &op, 0, &err);
    if (rc != OT_OK)
        return rc;
    e->new_baseline = new_baseline;
    e->device_step = device_step;
    e->period = ot_period_at(r, scan->date);
    r->nbmd++;
    return OT_OK;
}

/* The comparison the failure rules need when the site has scans before its
 * treatment baseline `tb` (its last scan on or before the current course's
 * start): from tb to a later scan of the same segment. A decrease marks a loss
 * on treatment. */
static int treatment_compare(ot_report *r, const ot_obs *tb, const ot_obs *scan, ot_bmd_result *out)
{
    ot_bmd_measure mb = measure_of(tb), ms = measure_of(scan);
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    where(&o, tb, scan);
    ot_error err;
    int rc = ot_bmd_compare_ex(out, r->rd, &mb, &ms, &o, 0, &err);
    if (rc == OT_OK && out->significance == OT_SIG_DECREASE)
        r->loss_on_treatment = 1;
    return rc;
}

/* Options for a comparison within course c: its agent and time on it, for
 * the expected range, when the baseline is near its start. */
static ot_bmd_options course_options(const ot_report *r, const ot_course *c, const ot_obs *base,
                                     const ot_obs *scan)
{
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    if (fabs(ot_date_months_between(c->start, base->date)) <=
        r->rd->expected_baseline_tolerance.value) {
        o.therapy = c->agent;
        o.months_on_therapy = ot_date_months_between(c->start, scan->date);
    }
    return o;
}

static int compare(const ot_report *r, const ot_obs *a, const ot_obs *b, const ot_bmd_options *o,
                   ot_bmd_result *out)
{
    ot_bmd_measure ma = measure_of(a), mb = measure_of(b);
    ot_bmd_options w = *o;
    where(&w, a, b);
    ot_error err;
    return ot_bmd_compare_ex(out, r->rd, &ma, &mb, &w, 0, &err);
}

/* The site's change on the assessed course (ot_course_change). */
static int course_change(ot_report *r, const ot_obs *const *s, size_t n)
{
    const ot_course *c = r->assessed;
    size_t tb = n, first = n, last = n;
    if (!c || n == 0)
        return OT_OK;
    for (size_t k = 0; k < n; k++) {
        if (s[k]->date <= c->start)
            tb = k;
        else if (c->until == OT_DATE_NONE || s[k]->date < c->until)
            last = k, first = first == n ? k : first;
    }
    if (last == n)
        return OT_OK; /* no scan on the course */
    int site = ot_series(s[last]->site, s[last]->side);
    ot_course_change *cc = &r->cc[site];
    /* the latest scan on the course that a baseline (the treatment
     * baseline, else the earliest scan on the course) is comparable with:
     * a scanner change without a cross-calibration starts again */
    size_t b = n;
    for (size_t l = last + 1; l-- > first && b == n;)
        for (size_t k = tb < n ? tb : first; k < l; k++) {
            ot_bmd_options o = course_options(r, c, s[k], s[l]);
            int rc = compare(r, s[k], s[l], &o, &cc->cmp);
            if (rc != OT_OK)
                return rc;
            if (cc->cmp.significance != OT_SIG_NOT_COMPARABLE) {
                b = k, last = l;
                break;
            }
        }
    if (b == n)
        return OT_OK;
    r->has_cc[site] = 1;
    cc->prev = cc->cmp;
    if (last - 1 > b) {
        ot_bmd_options o = OT_BMD_OPTIONS_INIT;
        ot_bmd_result pr;
        int rc = compare(r, s[last - 1], s[last], &o, &pr);
        if (rc != OT_OK)
            return rc;
        if (pr.significance != OT_SIG_NOT_COMPARABLE)
            cc->prev = pr;
    }
    return OT_OK;
}

/* A loss at the site's latest scan when no course is in effect there, after
 * one stopped: from the last scan before it stopped (ot_off_loss). */
static int off_loss(ot_report *r, const ot_obs *const *s, size_t n)
{
    const ot_obs *l = s[n - 1];
    const ot_course *c = NULL;
    if (ot_period_at(r, l->date) != OT_PERIOD_OFF)
        return OT_OK;
    for (size_t i = 0; i < r->ncourses; i++) {
        const ot_course *x = &r->courses[i];
        if (ot_is_therapy(x->agent) && x->until != OT_DATE_NONE && x->until <= l->date &&
            (!c || x->until > c->until))
            c = x;
    }
    size_t k = n - 1;
    while (c && k-- > 0)
        if (s[k]->date < c->until)
            break;
    if (!c || k >= n - 1)
        return OT_OK;
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    int series = ot_series(l->site, l->side);
    ot_off_loss *x = &r->off[series];
    int rc = compare(r, s[k], l, &o, &x->cmp);
    x->course = c;
    r->has_off[series] = rc == OT_OK && x->cmp.significance == OT_SIG_DECREASE;
    return rc;
}

/* A significant loss measured before any treatment: context, not a response.
 * With a course begun since, information; with none, an alert without the
 * adherence advice. */
static void loss_context(const ot_report *r, ot_flag *f, const ot_bmd_result *b)
{
    char d0[11], d1[11], s[11], label[48];
    const char *site = ot_result_site_label(label, sizeof label, b);
    const ot_course *first = NULL;
    for (size_t i = 0; i < r->ncourses && !first; i++)
        if (ot_is_therapy(r->courses[i].agent) && r->courses[i].start >= b->date)
            first = &r->courses[i];
    ot_date_format(d0, b->baseline_date);
    ot_date_format(d1, b->date);
    if (first) {
        ot_date_format(s, first->start);
        f->severity = OT_SEV_INFO;
        ot_fmt(f->message, sizeof f->message, "%s: loss of %.3f g/cm2 (%.1f%%) from %s to %s, "
                 "before %s began on %s: it equals or exceeds the LSC; a reason for treatment, "
                 "not a response to it", site, -b->change_g_cm2,
                 -b->change_pct, d0, d1, ot_agent_name(first->agent), s);
    } else {
        f->severity = OT_SEV_ALERT;
        ot_fmt(f->message, sizeof f->message, "%s: loss of %.3f g/cm2 (%.1f%%) from %s to %s "
                 "equals or exceeds the LSC, with no osteoporosis therapy on record; check "
                 "calcium and vitamin D intake and secondary causes, and consider treatment",
                 site, -b->change_g_cm2, -b->change_pct, d0, d1);
    }
}

/* BMD_LOSS_OFF_TREATMENT: after denosumab the rebound, an alert. */
static int off_flag(ot_report *r, const ot_off_loss *x)
{
    char d0[11], d1[11], u[11], label[48];
    const ot_course *c = x->course;
    int dmab = ot_agent_class_of(c->agent) == OT_CLASS_DENOSUMAB;
    ot_date_format(d0, x->cmp.baseline_date);
    ot_date_format(d1, x->cmp.date);
    ot_date_format(u, c->until);
    return ot_report_add_flag(
        r, OT_FLAG_BMD_LOSS_OFF_TREATMENT, dmab ? OT_SEV_ALERT : OT_SEV_WARNING,
        (int)x->cmp.site, -1, "%s: loss of %.3f g/cm2 (%.1f%%) from %s to %s, after %s stopped "
        "(in effect until %s): it equals or exceeds the LSC. %s", ot_result_site_label(label, sizeof label, &x->cmp),
        -x->cmp.change_g_cm2, -x->cmp.change_pct, d0, d1, ot_agent_name(c->agent), u,
        dmab ? "This is the rebound bone loss that follows stopping denosumab (ECTS 2021): start "
               "a bisphosphonate now if none is planned"
             : "Treatment effects are not permanent: reassess the fracture risk and consider "
               "restarting treatment");
}

/* A loss on treatment: from the treatment baseline, else since the previous scan. */
static int on_loss_flag(ot_report *r, const ot_bmd_result *b, const char *since)
{
    char d0[11], d1[11], label[48];
    ot_date_format(d0, b->baseline_date);
    ot_date_format(d1, b->date);
    return ot_report_add_flag(r, OT_FLAG_SIGNIFICANT_BMD_LOSS, OT_SEV_ALERT, (int)b->site, -1,
                              "%s: loss of %.3f g/cm2 (%.1f%%) from %s to %s%s equals or exceeds "
                              "the LSC of %.4f g/cm2; check adherence, calcium and vitamin D "
                              "intake and secondary causes (%s)",
                              ot_result_site_label(label, sizeof label, b), -b->change_g_cm2,
                              -b->change_pct, d0, d1, since, b->lsc_g_cm2, r->rd->mon.causes_text);
}

/* The flags of a site's latest comparison go into the report, with its loss
 * told by when it happened: on treatment (from the treatment baseline of the
 * course the assessment judges, else since the previous scan), before any
 * (context), or after a course stopped (BMD_LOSS_OFF_TREATMENT). */
static int site_flags(ot_report *r, size_t first_entry)
{
    if (r->nbmd == first_entry)
        return OT_OK;
    for (size_t i = first_entry; i < r->nbmd; i++) {
        const ot_bmd_result *b = &r->bmd[i].base;
        if (b->cross_calibrated && !r->bmd[i].device_step)
            continue; /* flagged at the scan where the scanner changed */
        for (size_t k = 0; k < b->nflags; k++)
            if ((b->flags[k].code == OT_FLAG_DEVICE_CHANGED ||
                 b->flags[k].code == OT_FLAG_REGION_CHANGED) &&
                ot_report_flag_add(r, &b->flags[k]))
                return OT_ENOMEM;
    }
    const ot_bmd_entry *e = &r->bmd[r->nbmd - 1];
    int site = ot_result_series(&e->base);
    /* after a course stopped, a change from a baseline taken on treatment
     * spans both periods: "no significant change" would contradict the loss
     * off treatment that BMD_LOSS_OFF_TREATMENT tells */
    int spans = e->period == OT_PERIOD_OFF && r->has_off[site];
    for (size_t k = 0; k < e->base.nflags; k++) {
        ot_flag_code code = e->base.flags[k].code;
        if (code != OT_FLAG_DEVICE_CHANGED && code != OT_FLAG_REGION_CHANGED &&
            code != OT_FLAG_SIGNIFICANT_BMD_LOSS &&
            !(spans && code == OT_FLAG_CHANGE_WITHIN_LSC) &&
            ot_report_flag_add(r, &e->base.flags[k]))
            return OT_ENOMEM;
    }
    const ot_bmd_result *loss = e->base.significance == OT_SIG_DECREASE   ? &e->base
                                : e->prev.significance == OT_SIG_DECREASE ? &e->prev
                                                                          : NULL;
    if (e->period == OT_PERIOD_OFF)
        return r->has_off[site] ? off_flag(r, &r->off[site]) : OT_OK;
    if (e->period != OT_PERIOD_ON) {
        if (!loss)
            return OT_OK;
        ot_flag f;
        size_t nf = 0;
        ot_flag_add(&f, &nf, 1, OT_FLAG_SIGNIFICANT_BMD_LOSS, OT_SEV_ALERT, (int)e->base.site, -1,
                    "-");
        loss_context(r, &f, loss);
        return ot_report_flag_add(r, &f);
    }
    if (r->has_cc[site] && r->cc[site].cmp.date == e->base.date) {
        const ot_course_change *cc = &r->cc[site];
        char since[96], s[11];
        ot_date_format(s, r->assessed->start);
        if (cc->cmp.significance == OT_SIG_DECREASE) {
            ot_fmt(since, sizeof since, " on %s (begun on %s)",
                     ot_agent_name(r->assessed->agent), s);
            return on_loss_flag(r, &cc->cmp, since);
        }
        if (cc->prev.significance == OT_SIG_DECREASE) {
            ot_fmt(since, sizeof since, " on %s (since the previous scan)",
                     ot_agent_name(r->assessed->agent));
            return on_loss_flag(r, &cc->prev, since);
        }
        return OT_OK;
    }
    return loss ? on_loss_flag(r, loss, loss == &e->prev ? " (since the previous scan)" : "")
                : OT_OK;
}

/* One site's scans s[0..n): later scans against the baseline and the
 * previous one, then the trend. A scanner change starts a new baseline unless
 * it is cross-calibrated; a trend never mixes two scanners' scales. */
static int site_bmd(ot_report *r, const ot_obs *const *s, size_t n)
{
    size_t first_entry = r->nbmd, seg = 0, tseg = 0, tb = n;
    int crossed = 0, rc = OT_OK, has_tl = 0;
    ot_bmd_result tl;
    for (size_t k = 0; r->current && k < n && s[k]->date <= r->current->start; k++)
        tb = k; /* the treatment baseline, if any */
    for (size_t k = 1; k < n && rc == OT_OK; k++) {
        int dstep = devices_differ(s[k - 1], s[k]), latest = k + 1 == n;
        int step = dstep || region_differs(s[k - 1], s[k]);
        if (step) {
            rc = add_trend(r, s + tseg, k - tseg);
            tseg = k;
        }
        if (rc != OT_OK)
            break;
        if (step && !keeps_baseline(r, s[seg], s[k], crossed)) {
            rc = add_bmd_entry(r, s[k - 1], s[k - 1], s[k], 1, dstep, latest);
            seg = k;
            crossed = 0;
        } else {
            crossed |= dstep;
            rc = add_bmd_entry(r, s[seg], s[k - 1], s[k], 0, dstep, latest);
        }
        has_tl = tb < n && seg < tb && k > tb + 1; /* neither base nor prev is from tb */
        if (rc == OT_OK && has_tl)
            rc = treatment_compare(r, s[tb], s[k], &tl);
    }
    if (rc == OT_OK)
        rc = add_trend(r, s + tseg, n - tseg);
    if (rc == OT_OK)
        rc = course_change(r, s, n);
    if (rc == OT_OK)
        rc = off_loss(r, s, n);
    if (rc == OT_OK)
        rc = site_flags(r, first_entry);
    return rc;
}

/* Each series in turn (the scans are sorted by site, side, then date): each
 * side of a hip is its own series, never compared with the other. */
static int build_bmd(ot_report *r, const ot_obs *const *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j]->site == s[i]->site && s[j]->side == s[i]->side)
            j++;
        int rc = site_bmd(r, s + i, j - i);
        if (rc != OT_OK)
            return rc;
        i = j;
    }
    return OT_OK;
}

static int add_marker_entry(ot_report *r, const ot_course *c, ot_marker_result *m)
{
    void *a = r->markers, *b = (void *)r->marker_course;
    size_t cap = r->capmarkers;
    if (ot_grow(&a, &r->capmarkers, r->nmarkers + 1, sizeof *r->markers) != OT_OK)
        return OT_ENOMEM;
    r->markers = a;
    if (ot_grow(&b, &cap, r->nmarkers + 1, sizeof *r->marker_course) != OT_OK)
        return OT_ENOMEM;
    r->marker_course = b;
    r->markers[r->nmarkers] = *m;
    r->marker_course[r->nmarkers++] = c;
    return OT_OK;
}

/* One analyte's series against one course: baseline = last value on or
 * before the start; follow-up = first value in the rule's window, else the
 * first after the start (then judged out of window). */
static int course_markers(ot_report *r, const ot_course *c, const ot_obs *const *s, size_t n)
{
    const ot_obs *base = NULL, *first_after = NULL, *in_window = NULL;
    ot_agent_class k = ot_agent_class_of(c->agent);
    const ot_window *w = k == OT_CLASS_ANABOLIC ? &r->rd->window_anabolic
                                                : &r->rd->window_antiresorptive;
    for (size_t i = 0; i < n; i++) {
        const ot_obs *o = s[i];
        if (o->date <= c->start) {
            base = o;
            continue;
        }
        if (c->until != OT_DATE_NONE && o->date >= c->until)
            break;
        if (!first_after)
            first_after = o;
        double m = ot_date_months_between(c->start, o->date);
        if (!in_window && m >= w->lo && m <= w->hi)
            in_window = o;
    }
    const ot_obs *f = in_window ? in_window : first_after;
    if (!f)
        return OT_OK;
    ot_marker_result res;
    if (!base) {
        memset(&res, 0, sizeof res);
        res.analyte = f->analyte;
        res.unit = ot_unit_canonical(f->analyte);
        res.baseline_date = OT_DATE_NONE;
        res.date = f->date;
        res.baseline = res.change_abs = res.change_pct = NAN;
        res.value = f->value;
        res.therapy = c->agent;
        res.months_from_start = ot_date_months_between(c->start, f->date);
        res.window_lo_months = res.window_hi_months = NAN;
        res.lsc_pct = res.target = res.rise_threshold = NAN;
        res.response = OT_RESP_NOT_ASSESSABLE;
        ot_fmt(res.reason, sizeof res.reason, "no baseline value on or before the start of %s",
                 ot_agent_name(c->agent));
        return add_marker_entry(r, c, &res);
    }
    ot_marker_measure mb = OT_MARKER_MEASURE_INIT, mf = OT_MARKER_MEASURE_INIT;
    mb.analyte = mf.analyte = f->analyte;
    mb.value = base->value;
    mb.date = base->date;
    mf.value = f->value;
    mf.date = f->date;
    ot_marker_options o = OT_MARKER_OPTIONS_INIT;
    o.therapy = c->agent;
    o.therapy_start = c->start;
    int rc = ot_marker_assess(&res, r->rd, &mb, &mf, &o, NULL);
    if (rc != OT_OK)
        return rc;
    if (c == r->current)
        for (size_t i = 0; i < res.nflags; i++)
            if (ot_report_flag_add(r, &res.flags[i]))
                return OT_ENOMEM;
    return add_marker_entry(r, c, &res);
}

static int build_markers(ot_report *r, const ot_obs *const *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j]->analyte == s[i]->analyte)
            j++;
        for (size_t c = 0; c < r->ncourses; c++) {
            if (!ot_is_therapy(r->courses[c].agent))
                continue;
            int rc = course_markers(r, &r->courses[c], s + i, j - i);
            if (rc != OT_OK)
                return rc;
        }
        i = j;
    }
    return OT_OK;
}

/* An observation, fracture or course dated after as_of: left out, and said. */
static void left_out(ot_report *r, ot_date d)
{
    if (r->nafter++ == 0 || d < r->first_after)
        r->first_after = d;
}

/* Later of two ends; OT_DATE_NONE (ongoing) is the latest. */
static ot_date later(ot_date a, ot_date b)
{
    return a == OT_DATE_NONE || b == OT_DATE_NONE ? OT_DATE_NONE : a > b ? a : b;
}

/* Courses of one agent that follow on without a gap (annual infusions
 * recorded one by one, a prescription renewed) are one course: it starts
 * with the first and lasts as long as the last. Sorted by start. */
static void merge_courses(ot_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ncourses; i++) {
        ot_course *c = &r->courses[i], *m = NULL;
        for (size_t k = n; k-- > 0 && !m;)
            if (r->courses[k].agent == c->agent)
                m = &r->courses[k]; /* the latest course of this agent so far */
        if (m && (m->until == OT_DATE_NONE || c->start <= m->until)) {
            int last = later(m->until, c->until) == c->until; /* c ends last */
            if (last) {
                m->stopped = c->stopped;
                m->end_named = c->end_named;
            }
            m->end = later(m->end, c->end);
            m->until = later(m->until, c->until);
            m->ndoses += c->ndoses;
            continue;
        }
        r->courses[n++] = *c;
    }
    r->ncourses = n;
}

static int copy_patient(ot_report *r, const ot_patient *p)
{
    size_t idlen = strlen(p->id) + 1;
    r->id = malloc(idlen);
    r->fx = malloc((p->nfx + 1) * sizeof *r->fx);
    if (!r->id || !r->fx || ot_patient_courses(p, r->rd, r->as_of, &r->courses, &r->ncourses) != OT_OK)
        return OT_ENOMEM;
    memcpy(r->id, p->id, idlen);
    r->sex = p->sex;
    r->birth = p->birth;
    r->menopause = p->menopause;
    r->nfx = 0; /* as of a date: later fractures and courses are not yet known */
    for (size_t i = 0; i < p->nfx; i++)
        if (p->fx[i].date <= r->as_of)
            r->fx[r->nfx++] = p->fx[i];
    size_t kept = 0;
    for (size_t i = 0; i < r->ncourses; i++) {
        if (r->courses[i].start <= r->as_of)
            r->courses[kept++] = r->courses[i];
        else
            left_out(r, r->courses[i].start);
    }
    r->ncourses = kept;
    qsort(r->courses, r->ncourses, sizeof *r->courses, cmp_course);
    merge_courses(r);
    qsort(r->fx, r->nfx, sizeof *r->fx, cmp_fx);
    r->current = ot_course_at(r, r->as_of);
    r->assessed = r->current ? r->current : ot_last_course(r);
    for (size_t i = 0; i < p->ndoses; i++) /* not yet given */
        if (p->doses[i].date > r->as_of)
            left_out(r, p->doses[i].date);
    return OT_OK;
}

/* What is due, in the order every writer lists it: by due date, then in
 * rule order (a stable insertion sort of a few actions). */
static void actions_by_due(ot_report *r)
{
    for (size_t i = 1; i < r->nactions; i++) {
        ot_action x = r->actions[i];
        size_t j = i;
        for (; j > 0 && r->actions[j - 1].due > x.due; j--)
            r->actions[j] = r->actions[j - 1];
        r->actions[j] = x;
    }
}

static int build(ot_report *r, const ot_patient *p)
{
    int rc = copy_patient(r, p);
    const ot_obs **s = malloc((p->nobs + 1) * sizeof *s);
    if (rc != OT_OK || !s) {
        free(s);
        return OT_ENOMEM;
    }
    size_t n = 0;
    r->last_dxa = OT_DATE_NONE;
    for (size_t i = 0; i < p->nobs + p->nfx; i++) { /* later data is left out, and said */
        ot_date d = i < p->nobs ? p->obs[i].date : p->fx[i - p->nobs].date;
        if (d > r->as_of)
            left_out(r, d);
    }
    for (size_t i = 0; i < p->nobs; i++) {
        if (p->obs[i].date > r->as_of)
            continue; /* the report is as of a date: later data is not yet known */
        s[n++] = &p->obs[i];
        if (p->obs[i].analyte == OT_ANALYTE_BMD &&
            (r->last_dxa == OT_DATE_NONE || p->obs[i].date > r->last_dxa))
            r->last_dxa = p->obs[i].date;
    }
    qsort(s, n, sizeof *s, cmp_obs);
    r->obs = s;
    r->nobs = n;
    size_t nbmd = 0;
    while (nbmd < n && s[nbmd]->analyte == OT_ANALYTE_BMD)
        nbmd++;
    rc = build_bmd(r, s, nbmd);
    if (rc == OT_OK)
        rc = build_markers(r, s + nbmd, n - nbmd);
    if (rc == OT_OK)
        rc = ot_report_tscore(r);
    if (rc == OT_OK)
        rc = ot_report_failure(r);
    if (rc == OT_OK)
        rc = ot_report_due(r);
    if (rc == OT_OK)
        actions_by_due(r);
    free(s);
    r->obs = NULL; /* the snapshot points into the patient: only while building */
    r->nobs = 0;
    if (rc == OT_OK) {
        ot_report_assess(r);
        ot_report_summarise(r);
    }
    return rc;
}

_Static_assert(offsetof(ot_report, off) + sizeof(((ot_report *)0)->off) == sizeof(ot_report) &&
                   offsetof(ot_report, cc) < offsetof(ot_report, off),
               "cc and off are the end of ot_report");

int ot_report_build(ot_report **out, const ot_refdata *rd, const ot_patient *p, ot_date as_of,
                    ot_error *err)
{
    if (!out || !rd || !p)
        return ot_err_set(err, OT_EINVAL, "ot_report_build: NULL argument");
    *out = NULL;
    if (as_of == OT_DATE_NONE)
        return ot_err_set(err, OT_EDATE, "ot_report_build: as_of is required");
    if (ot_check_date(as_of, "ot_report_build: as_of", err) != OT_OK)
        return OT_EDATE;
    ot_report *r = malloc(sizeof *r);
    if (r)
        memset(r, 0, offsetof(ot_report, cc)); /* cc and off are written before read */
    if (!r)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    r->rd = rd;
    r->as_of = as_of;
    int rc = build(r, p);
    if (rc != OT_OK) {
        ot_report_free(r);
        return ot_err_set(err, rc, "patient %s: %s", p->id, ot_strerror(rc));
    }
    *out = r;
    return OT_OK;
}

void ot_report_free(ot_report *r)
{
    if (!r)
        return;
    free(r->id);
    free(r->courses);
    free(r->fx);
    free(r->bmd);
    free(r->trend);
    free(r->markers);
    free((void *)r->marker_course);
    free(r->flags);
    free(r->actions);
    free(r);
}

ot_assessment ot_report_assessment(const ot_report *r)
{
    return r ? r->assessment : OT_ASSESS_INSUFFICIENT_DATA;
}

const char *ot_report_summary(const ot_report *r) { return r ? r->summary : NULL; }

size_t ot_report_flag_count(const ot_report *r) { return r ? r->nflags : 0; }

const ot_flag *ot_report_flag(const ot_report *r, size_t i)
{
    return r && i < r->nflags ? &r->flags[i] : NULL;
}

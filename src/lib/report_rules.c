/* The patient report's rules: T-score, treatment failure, what is due,
 * the assessment and its summary sentence. Figures come from data/. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *site_label(ot_site s)
{
    static const char *const labels[] = {"lumbar spine", "total hip", "femoral neck",
                                         "one-third radius"};
    return (unsigned)s < OT_SITE_COUNT ? labels[s] : "unknown site";
}

/* A scanner-reported T-score, else one computed from a listed reference. */
static double tscore_of(const ot_report *r, const ot_obs *o, const char **computed)
{
    *computed = NULL;
    if (!isnan(o->tscore))
        return o->tscore;
    for (size_t i = 0; i < r->rd->ntscore_refs; i++) {
        const ot_tscore_ref *t = &r->rd->tscore_refs[i];
        if (t->site == o->site && t->manufacturer == o->manufacturer) {
            *computed = t->source;
            /* to one decimal, as scanners report it and as it is categorised */
            return ot_round((o->value - t->mean) / t->sd, 1);
        }
    }
    return NAN;
}

int ot_report_tscore(ot_report *r, const ot_patient *p)
{
    ot_tscore_summary *ts = &r->ts;
    const ot_obs *latest[OT_SITE_COUNT] = {NULL};
    double latest_t[OT_SITE_COUNT] = {NAN, NAN, NAN, NAN};
    const char *latest_src[OT_SITE_COUNT] = {NULL};
    const ot_obs *ever[2] = {NULL, NULL}; /* central sites, one-third radius */
    double ever_t[2] = {NAN, NAN};
    ts->lowest = ts->hip_latest = NAN;
    ts->category = -1;
    for (size_t i = 0; i < p->nobs; i++) {
        const ot_obs *o = &p->obs[i];
        const char *src;
        if (o->analyte != OT_ANALYTE_BMD || o->date > r->as_of || (unsigned)o->site >= OT_SITE_COUNT)
            continue;
        double t = tscore_of(r, o, &src);
        if (isnan(t))
            continue;
        int k = o->site == OT_SITE_RADIUS_33;
        if (!ever[k] || t < ever_t[k] || (t == ever_t[k] && o->date < ever[k]->date))
            ever[k] = o, ever_t[k] = t;
        const ot_obs *l = latest[o->site];
        if (!l || o->date > l->date || (o->date == l->date && o->line > l->line))
            latest[o->site] = o, latest_t[o->site] = t, latest_src[o->site] = src;
    }
    /* DOMAIN.md 7: the one-third radius only when no central site can be used */
    int central = ever[0] != NULL;
    const ot_obs *worst = ever[!central];
    double worst_t = ever_t[!central];
    for (int s = central ? 0 : OT_SITE_RADIUS_33; s < (central ? OT_SITE_RADIUS_33 : OT_SITE_COUNT);
         s++) {
        if (!latest[s])
            continue;
        if (isnan(ts->lowest) || latest_t[s] < ts->lowest) {
            ts->lowest = latest_t[s];
            ts->lowest_site = (ot_site)s;
            ts->date = latest[s]->date;
            ts->computed = latest_src[s] != NULL;
            ts->computed_source = latest_src[s];
        }
        if ((s == OT_SITE_TOTAL_HIP || s == OT_SITE_FEMORAL_NECK) &&
            (isnan(ts->hip_latest) || latest_t[s] < ts->hip_latest))
            ts->hip_latest = latest_t[s];
    }
    long long osteo = ot_micro(r->rd->tscore_osteoporosis.value);
    if (!isnan(ts->lowest))
        ts->category = ot_micro(ts->lowest) <= osteo                               ? 2
                       : ot_micro(ts->lowest) >= ot_micro(r->rd->tscore_normal.value) ? 0
                                                                                    : 1;
    char d[11];
    if (worst && ot_micro(worst_t) <= osteo) {
        ts->diagnosis = 1;
        ot_date_format(d, worst->date);
        snprintf(ts->basis, sizeof ts->basis, "T-score %.1f at the %s on %s", worst_t,
                 site_label(worst->site), d);
    }
    for (size_t i = 0; !ts->diagnosis && i < r->nfx; i++)
        if (r->fx[i].date <= r->as_of &&
            (r->fx[i].site == OT_FX_HIP || r->fx[i].site == OT_FX_VERTEBRAL)) {
            ts->diagnosis = 1;
            ot_date_format(d, r->fx[i].date);
            snprintf(ts->basis, sizeof ts->basis, "%s fragility fracture on %s",
                     ot_fracture_site_name(r->fx[i].site), d);
        }
    if (ts->diagnosis && !isnan(ts->lowest) && ot_micro(ts->lowest) > osteo)
        return ot_report_add_flag(r, OT_FLAG_DIAGNOSIS_PERSISTS, OT_SEV_INFO, -1, -1,
                                  "osteoporosis (%s) remains the diagnosis although the lowest "
                                  "latest T-score is %.1f (%s): treatment effects are not "
                                  "permanent and the fracture risk remains",
                                  ts->basis, ts->lowest, site_label(ts->lowest_site));
    return OT_OK;
}

int ot_report_failure(ot_report *r)
{
    const ot_course *c = r->current;
    if (!c)
        return OT_OK;
    double on = ot_date_months_between(c->start, r->as_of);
    if (on < r->rd->mon.failure_min.value)
        return OT_OK;
    size_t nfx = 0;
    int loss = r->loss_on_treatment, no_marker = 0;
    for (size_t i = 0; i < r->nfx; i++)
        nfx += r->fx[i].date > c->start && r->fx[i].date <= r->as_of;
    /* A loss on treatment: a decrease measured from a scan taken no earlier
     * than the site's last scan on or before the start (its treatment
     * baseline; report.c compares from it when base and prev do not); a loss
     * before treatment is why treatment began. */
    ot_date tb = OT_DATE_NONE;
    for (size_t i = 0; i < r->nbmd; i++) {
        const ot_bmd_entry *e = &r->bmd[i];
        if (i == 0 || e->base.site != r->bmd[i - 1].base.site)
            tb = e->base.baseline_date;
        if (e->base.date <= c->start) {
            tb = e->base.date > tb ? e->base.date : tb;
            continue;
        }
        loss |= (e->base.significance == OT_SIG_DECREASE && e->base.baseline_date >= tb) ||
                (e->prev.significance == OT_SIG_DECREASE && e->prev.baseline_date >= tb);
    }
    for (size_t i = 0; i < r->nmarkers; i++)
        no_marker |= r->marker_course[i] == c && r->markers[i].response == OT_RESP_SUBOPTIMAL;
    if (nfx >= 2)
        snprintf(r->failure, sizeof r->failure, "%zu incident fragility fractures on treatment",
                 nfx);
    else if (nfx == 1 && (loss || no_marker))
        snprintf(r->failure, sizeof r->failure, "an incident fragility fracture with %s",
                 loss ? "a significant BMD loss" : "no significant bone turnover marker response");
    else if (loss && no_marker)
        snprintf(r->failure, sizeof r->failure, "a significant BMD loss with no significant bone "
                 "turnover marker response");
    else
        return OT_OK;
    return ot_report_add_flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE, OT_SEV_ALERT, -1, -1,
                              "possible treatment failure after %.0f months on %s: %s (IOF "
                              "criteria, Diez-Perez 2012). Check adherence and secondary causes "
                              "(%s), and consider a change of treatment",
                              on, ot_agent_name(c->agent), r->failure, r->rd->mon.causes_text);
}

static int is_antiresorptive(ot_agent a)
{
    ot_agent_class k = ot_agent_class_of(a);
    return k == OT_CLASS_ORAL_BISPHOSPHONATE || k == OT_CLASS_IV_BISPHOSPHONATE ||
           k == OT_CLASS_DENOSUMAB;
}

/* An antiresorptive (other than `c` itself) that carries on from c: started
 * no later than `grace` months after c ended, and either running past c's end
 * or given on or after it (a one-day zoledronate infusion on the day
 * denosumab stopped counts). A course that started and ended during c, or
 * ended on the day c ended, is no follow-on. */
static int has_followon(const ot_report *r, const ot_course *c)
{
    ot_date limit = ot_date_add_months(c->end, (int)r->rd->mon.followon_grace.value);
    for (size_t i = 0; i < r->ncourses; i++) {
        const ot_course *x = &r->courses[i];
        if (x != c && is_antiresorptive(x->agent) && x->start <= limit &&
            (x->end == OT_DATE_NONE || x->end > c->end || x->start >= c->end))
            return 1;
    }
    return 0;
}

static int due_dxa(ot_report *r)
{
    const ot_course *c = r->current;
    const ot_monitoring *m = &r->rd->mon;
    char d[11], s[11];
    if (!c)
        return OT_OK;
    ot_date due = r->last_dxa == OT_DATE_NONE
                      ? c->start
                      : ot_date_add_months(r->last_dxa, (int)m->dxa_interval.value);
    int rc = ot_report_action(r, OT_FLAG_DXA_DUE, due, "DXA scan (every %g months during "
                              "treatment)", m->dxa_interval.value);
    if (rc != OT_OK || due > r->as_of)
        return rc;
    ot_date_format(s, c->start);
    if (r->last_dxa == OT_DATE_NONE)
        return ot_report_add_flag(r, OT_FLAG_DXA_DUE, OT_SEV_WARNING, -1, -1, "no DXA on record "
                                  "although %s began on %s: a baseline scan is due",
                                  ot_agent_name(c->agent), s);
    ot_date_format(d, r->last_dxa);
    return ot_report_add_flag(r, OT_FLAG_DXA_DUE, OT_SEV_WARNING, -1, -1, "last DXA on %s, %.0f "
                              "months ago; during treatment a scan is due every %g months",
                              d, ot_date_months_between(r->last_dxa, r->as_of),
                              m->dxa_interval.value);
}

static int due_markers(ot_report *r, const ot_patient *p)
{
    const ot_course *c = r->current;
    if (!c || !(is_antiresorptive(c->agent) || ot_agent_class_of(c->agent) == OT_CLASS_ANABOLIC))
        return OT_OK;
    const ot_window *w = ot_agent_class_of(c->agent) == OT_CLASS_ANABOLIC
                             ? &r->rd->window_anabolic
                             : &r->rd->window_antiresorptive;
    /* Due until a follow-up value is on record: one taken once the rule's
     * window has opened (a value a week after the start is no follow-up).
     * Overdue it stays a warning through the first year on treatment; after
     * that the failure rules and the DXA judge the response. */
    double on = ot_date_months_between(c->start, r->as_of);
    if (on > fmax(w->hi, r->rd->mon.failure_min.value))
        return OT_OK;
    int before = 0, after = 0, anabolic = ot_agent_class_of(c->agent) == OT_CLASS_ANABOLIC;
    for (size_t i = 0; i < p->nobs; i++) {
        const ot_obs *o = &p->obs[i];
        if (o->analyte == OT_ANALYTE_BMD || o->date > r->as_of ||
            (anabolic && o->analyte != OT_ANALYTE_P1NP)) /* the anabolic rule is on P1NP */
            continue;
        before |= o->date <= c->start;
        after |= o->date > c->start && ot_date_months_between(c->start, o->date) >= w->lo;
    }
    if (after)
        return OT_OK;
    const char *which = anabolic ? "P1NP" : "P1NP and CTX";
    ot_date due = ot_date_add_months(c->start, (int)r->rd->mon.marker_followup.value);
    char d[11], s[11];
    ot_date_format(d, due);
    ot_date_format(s, c->start);
    int rc = ot_report_action(r, OT_FLAG_MARKER_FOLLOWUP_DUE, due, "%s follow-up, %g months "
                              "after the start of %s", which, r->rd->mon.marker_followup.value,
                              ot_agent_name(c->agent));
    if (rc != OT_OK)
        return rc;
    return ot_report_add_flag(r, OT_FLAG_MARKER_FOLLOWUP_DUE,
                              due <= r->as_of ? OT_SEV_WARNING : OT_SEV_INFO, -1, -1,
                              "%s follow-up due on %s, %g months after %s began (%s)%s%s",
                              which, d, r->rd->mon.marker_followup.value,
                              ot_agent_name(c->agent), s,
                              on > w->hi ? "; the rule's window has closed: a late value is "
                                           "not judged by the rule, though it shows whether "
                                           "turnover is suppressed" : "",
                              before ? "" : "; no baseline value on record, so only the target "
                                            "can be judged");
}

static int due_holiday(ot_report *r)
{
    const ot_course *c = r->current;
    const ot_monitoring *m = &r->rd->mon;
    ot_agent_class k = c ? ot_agent_class_of(c->agent) : OT_CLASS_NONE;
    if (k != OT_CLASS_ORAL_BISPHOSPHONATE && k != OT_CLASS_IV_BISPHOSPHONATE)
        return OT_OK;
    ot_date chain = c->start; /* back through contiguous bisphosphonate courses */
    for (size_t i = (size_t)(c - r->courses); i-- > 0;) {
        const ot_course *x = &r->courses[i];
        ot_agent_class xk = ot_agent_class_of(x->agent);
        if ((xk == OT_CLASS_ORAL_BISPHOSPHONATE || xk == OT_CLASS_IV_BISPHOSPHONATE) &&
            (x->end == OT_DATE_NONE ||
             ot_date_add_months(x->end, (int)m->followon_grace.value) >= chain))
            chain = x->start;
    }
    double limit = k == OT_CLASS_IV_BISPHOSPHONATE ? m->holiday_iv.value : m->holiday_oral.value;
    ot_date due = ot_date_add_months(chain, (int)limit);
    int rc = ot_report_action(r, OT_FLAG_DRUG_HOLIDAY_REVIEW, due, "review the bisphosphonate "
                              "after %g months: continue, change, or a drug holiday", limit);
    if (rc != OT_OK || due > r->as_of)
        return rc;
    size_t nfx = 0;
    for (size_t i = 0; i < r->nfx; i++)
        nfx += r->fx[i].date > chain && r->fx[i].date <= r->as_of;
    int hip_low = !isnan(r->ts.hip_latest) &&
                  ot_micro(r->ts.hip_latest) <= ot_micro(m->holiday_tscore.value);
    char s[11], why[120] = "";
    ot_date_format(s, chain);
    if (hip_low || nfx)
        snprintf(why, sizeof why, "%s%s%s", hip_low ? "hip T-score at or below -2.5" : "",
                 hip_low && nfx ? " and " : "", nfx ? "a fracture on treatment" : "");
    return ot_report_add_flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW, OT_SEV_INFO, -1, -1,
                              "bisphosphonate since %s (%.1f years): reassess (ASBMR 2016); %s%s",
                              s, ot_date_months_between(chain, r->as_of) / 12.0,
                              why[0] ? "continuing or changing is favoured: " :
                                       "no hip T-score at or below -2.5 and no fracture on "
                                       "treatment: a drug holiday may be considered",
                              why);
}

static int due_sequential(ot_report *r)
{
    const ot_monitoring *m = &r->rd->mon;
    int rc = OT_OK;
    for (size_t i = 0; rc == OT_OK && i < r->ncourses; i++) {
        const ot_course *c = &r->courses[i];
        ot_agent_class k = ot_agent_class_of(c->agent);
        const char *a = ot_agent_name(c->agent);
        char e[11], s[11];
        ot_date_format(s, c->start);
        int ended = c->end != OT_DATE_NONE && c->end <= r->as_of;
        if (ended)
            ot_date_format(e, c->end);
        if (k == OT_CLASS_DENOSUMAB && ended && !has_followon(r, c)) {
            rc = ot_report_action(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK, c->end,
                                  "start a follow-on antiresorptive after denosumab");
            if (rc == OT_OK)
                rc = ot_report_add_flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK, OT_SEV_ALERT,
                                        -1, -1, "denosumab stopped on %s with no follow-on "
                                        "antiresorptive started within %g month(s): rapid bone "
                                        "loss and multiple vertebral fractures can follow; plan a "
                                        "bisphosphonate (for example zoledronate) now", e,
                                        m->followon_grace.value);
        }
        if (k != OT_CLASS_ANABOLIC && k != OT_CLASS_ROMOSOZUMAB)
            continue;
        double max = m->anabolic_course[c->agent].value;
        if (ended) {
            if (has_followon(r, c))
                continue;
            rc = ot_report_action(r, OT_FLAG_SEQUENTIAL_THERAPY_NEEDED, c->end,
                                  "start an antiresorptive after %s", a);
            if (rc == OT_OK)
                rc = ot_report_add_flag(r, OT_FLAG_SEQUENTIAL_THERAPY_NEEDED, OT_SEV_WARNING, -1,
                                        -1, "%s ended on %s without a follow-on antiresorptive: "
                                        "the bone gained is lost unless one follows", a, e);
            continue;
        }
        if (c->start > r->as_of || isnan(max))
            continue;
        ot_date planned = ot_date_add_months(c->start, (int)max);
        rc = ot_report_action(r, OT_FLAG_SEQUENTIAL_THERAPY_NEEDED, planned, "end of the %g-month "
                              "%s course: follow with an antiresorptive", max, a);
        if (rc == OT_OK && planned <= r->as_of)
            rc = ot_report_add_flag(r, OT_FLAG_SEQUENTIAL_THERAPY_NEEDED, OT_SEV_WARNING, -1, -1,
                                    "%s since %s has reached its %g-month course: stop it and "
                                    "follow with an antiresorptive", a, s, max);
    }
    return rc;
}

static int due_untreated(ot_report *r)
{
    if (r->current || (!r->ts.diagnosis && r->nfx == 0))
        return OT_OK;
    char d[11], why[200];
    if (r->ts.diagnosis) {
        snprintf(why, sizeof why, "%s", r->ts.basis);
    } else {
        ot_date_format(d, r->fx[r->nfx - 1].date);
        snprintf(why, sizeof why, "%s fragility fracture on %s",
                 ot_fracture_site_name(r->fx[r->nfx - 1].site), d);
    }
    int holiday = 0;
    for (size_t i = 0; i < r->ncourses; i++) {
        ot_agent_class k = ot_agent_class_of(r->courses[i].agent);
        holiday |= k == OT_CLASS_ORAL_BISPHOSPHONATE || k == OT_CLASS_IV_BISPHOSPHONATE;
    }
    ot_date_format(d, r->as_of);
    int rc = ot_report_action(r, OT_FLAG_UNTREATED_OSTEOPOROSIS, r->as_of,
                              "consider osteoporosis treatment");
    if (rc != OT_OK)
        return rc;
    return ot_report_add_flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS, OT_SEV_ALERT, -1, -1,
                              "%s, and no osteoporosis therapy in effect on %s%s: consider "
                              "treatment (many high-risk patients, especially after a fracture, "
                              "go untreated)", why, d,
                              holiday ? " (unless on a planned bisphosphonate holiday)" : "");
}

int ot_report_due(ot_report *r, const ot_patient *p)
{
    int rc = due_dxa(r);
    if (rc == OT_OK)
        rc = due_markers(r, p);
    if (rc == OT_OK)
        rc = due_holiday(r);
    if (rc == OT_OK)
        rc = due_sequential(r);
    if (rc == OT_OK)
        rc = due_untreated(r);
    return rc;
}

/* The latest entry of the site that entry i belongs to, if i is it. */
static int site_last(const ot_report *r, size_t i)
{
    return i + 1 >= r->nbmd || r->bmd[i + 1].base.site != r->bmd[i].base.site;
}

/* The site's latest comparable entry at or before entry i (its latest), or NULL. */
static const ot_bmd_entry *latest_comparable(const ot_report *r, size_t i)
{
    for (size_t k = i + 1; k-- > 0 && r->bmd[k].base.site == r->bmd[i].base.site;)
        if (r->bmd[k].base.significance != OT_SIG_NOT_COMPARABLE)
            return &r->bmd[k];
    return NULL;
}

/* The markers of the course that counts: the current one, else the latest
 * course that has marker entries. */
static const ot_course *marker_course(const ot_report *r)
{
    const ot_course *c = NULL;
    for (size_t i = 0; i < r->nmarkers; i++) {
        if (r->marker_course[i] == r->current)
            return r->current;
        if (!c || r->marker_course[i]->start > c->start)
            c = r->marker_course[i];
    }
    return c;
}

/* The therapy course that ended last (latest end; ongoing ones count as
 * latest), or NULL when no therapy is on record ("none" entries are not
 * therapy). */
static const ot_course *last_course(const ot_report *r)
{
    const ot_course *l = NULL;
    for (size_t i = 0; i < r->ncourses; i++) {
        const ot_course *c = &r->courses[i];
        if (c->agent == OT_AGENT_NONE)
            continue;
        if (!l || c->end == OT_DATE_NONE || (l->end != OT_DATE_NONE && c->end >= l->end))
            l = c;
    }
    return l;
}

/* Order of precedence (README "Reading a patient report"):
 * 1 possible_treatment_failure; 2 insufficient_data when no therapy is on
 * record; 3 inadequate_response when a site's latest comparable scan shows
 * a significant loss (against its baseline or the previous scan) or the
 * markers are suboptimal; 4 responding when a site's latest comparable scan
 * shows a significant gain or the markers respond; 5 stable when a site's
 * latest comparable scan is within the LSC; 6 insufficient_data. The
 * markers are those of the current course, else of the latest course that
 * has any. */
void ot_report_assess(ot_report *r)
{
    int loss = 0, gain = 0, stable = 0, msub = 0, mresp = 0;
    for (size_t i = 0; i < r->nflags; i++)
        if (r->flags[i].code == OT_FLAG_POSSIBLE_TREATMENT_FAILURE) {
            r->assessment = OT_ASSESS_POSSIBLE_TREATMENT_FAILURE;
            return;
        }
    if (!last_course(r)) {
        r->assessment = OT_ASSESS_INSUFFICIENT_DATA;
        return;
    }
    for (size_t i = 0; i < r->nbmd; i++) {
        if (!site_last(r, i))
            continue;
        const ot_bmd_entry *e = latest_comparable(r, i);
        if (!e)
            continue;
        loss |= e->base.significance == OT_SIG_DECREASE || e->prev.significance == OT_SIG_DECREASE;
        gain |= e->base.significance == OT_SIG_INCREASE;
        stable |= e->base.significance == OT_SIG_STABLE;
    }
    const ot_course *mc = marker_course(r);
    for (size_t i = 0; i < r->nmarkers; i++) {
        if (r->marker_course[i] != mc)
            continue;
        msub |= r->markers[i].response == OT_RESP_SUBOPTIMAL;
        mresp |= r->markers[i].response == OT_RESP_RESPONDING;
    }
    r->assessment = (loss || msub)    ? OT_ASSESS_INADEQUATE_RESPONSE
                    : (gain || mresp) ? OT_ASSESS_RESPONDING
                    : stable          ? OT_ASSESS_STABLE
                                      : OT_ASSESS_INSUFFICIENT_DATA;
}

typedef struct text {
    char *buf;
    size_t cap, len;
} text;

static void say(text *t, const char *fmt, ...) OT_PRINTF(2, 3);
static void say(text *t, const char *fmt, ...)
{
    if (t->len + 1 >= t->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len = t->len + (size_t)n < t->cap ? t->len + (size_t)n : t->cap - 1;
}

static const char *sig_words(ot_significance s)
{
    switch (s) {
    case OT_SIG_INCREASE: return "significant gain";
    case OT_SIG_DECREASE: return "significant loss";
    case OT_SIG_STABLE: return "within the LSC";
    case OT_SIG_NOT_COMPARABLE: break;
    }
    return "not comparable";
}

static const char *alert_words(ot_flag_code c)
{
    switch (c) {
    case OT_FLAG_SIGNIFICANT_BMD_LOSS: return "significant BMD loss";
    case OT_FLAG_POSSIBLE_TREATMENT_FAILURE: return "possible treatment failure";
    case OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK:
        return "denosumab stopped without a follow-on antiresorptive";
    case OT_FLAG_UNTREATED_OSTEOPOROSIS: return "osteoporosis without treatment";
    default: return ot_flag_code_name(c);
    }
}

void ot_report_summarise(ot_report *r)
{
    text t = {r->summary, sizeof r->summary, 0};
    char d[11], e[11];
    const ot_course *c = r->current;
    r->summary[0] = '\0';
    if (c) {
        ot_date_format(d, c->start);
        say(&t, "On %s since %s (%.1f years).", ot_agent_name(c->agent), d,
            ot_date_months_between(c->start, r->as_of) / 12.0);
    } else if (last_course(r)) {
        const ot_course *l = last_course(r);
        ot_date_format(d, l->start);
        ot_date_format(e, l->end);
        say(&t, "No osteoporosis therapy in effect (last: %s from %s%s%s).",
            ot_agent_name(l->agent), d, l->end != OT_DATE_NONE ? " to " : "", e);
    } else {
        say(&t, "No osteoporosis therapy on record.");
    }
    int first = 1;
    for (size_t i = 0; i < r->nbmd; i++) {
        if (!site_last(r, i))
            continue;
        const ot_bmd_entry *x = latest_comparable(r, i), *last = &r->bmd[i];
        const char *label = site_label(last->base.site);
        char start = (char)(first ? label[0] - 32 : label[0]); /* capital after a full stop */
        say(&t, "%s%c%s BMD", first ? " " : "; ", start, label + 1);
        if (x) {
            ot_date_format(d, x->base.baseline_date);
            ot_date_format(e, x->base.date);
            say(&t, " %+.1f%% from %s to %s (%s%s)", x->base.change_pct, d, e,
                sig_words(x->base.significance),
                x->base.cross_calibrated ? "; scanner change, cross-calibrated" : "");
        }
        if (x != last) {
            ot_date_format(d, last->base.date);
            say(&t, "%s%s on %s", x ? ", then " : " ",
                last->base.device_changed ? "a new baseline: scanner changed"
                                          : "not comparable: no LSC for this site", d);
        }
        first = 0;
    }
    if (!first)
        say(&t, ".");
    const ot_course *mc = marker_course(r);
    for (size_t i = 0; i < r->nmarkers; i++) {
        const ot_marker_result *m = &r->markers[i];
        if (r->marker_course[i] != mc)
            continue;
        const char *resp = m->response == OT_RESP_NOT_ASSESSABLE ? "not assessable"
                                                                 : ot_response_name(m->response);
        if (isnan(m->change_pct))
            say(&t, " %s %s.", m->analyte == OT_ANALYTE_P1NP ? "P1NP" : "CTX", resp);
        else
            say(&t, " %s %+.0f%% on %s (%s).", m->analyte == OT_ANALYTE_P1NP ? "P1NP" : "CTX",
                m->change_pct, ot_agent_name(m->therapy), resp);
    }
    char word[32]; /* the assessment in words: possible treatment failure */
    ot_strlcpy(word, ot_assessment_name(r->assessment), sizeof word);
    for (char *p = word; *p; p++)
        *p = *p == '_' ? ' ' : *p;
    say(&t, " Assessment%s: %s.", !c && last_course(r) ? " while treated" : "", word);
    unsigned said = 0; /* one mention per alert code */
    for (size_t i = 0; i < r->nflags; i++) {
        ot_flag_code code = r->flags[i].code;
        if (r->flags[i].severity != OT_SEV_ALERT || (said & (1u << code)))
            continue;
        say(&t, "%s%s", said ? "; " : " Needs attention: ", alert_words(code));
        if (code == OT_FLAG_POSSIBLE_TREATMENT_FAILURE)
            say(&t, " (%s)", r->failure);
        said |= 1u << code;
    }
    if (said)
        say(&t, ".");
}

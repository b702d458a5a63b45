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

/* What had to be assumed to pick a scan's reference (DEMOGRAPHICS_ASSUMED). */
enum { ASSUMED_WHO = 1, ASSUMED_PRE = 2, ASSUMED_POST = 4 };

/* Which reference judges a scan on date d: 0 the T-score (WHO), for
 * postmenopausal women and men aged 50 or over, 1 the Z-score otherwise. */
static int zref_at(const ot_report *r, ot_date d, unsigned *assumed, int *age_out)
{
    const ot_reference_rules *x = &r->rd->ref;
    int age = ot_date_age(r->birth, d);
    *age_out = age;
    if (r->sex == OT_SEX_FEMALE) { /* a given status decides, whatever the age */
        switch (r->menopause) {
        case OT_MENOPAUSE_POST: return 0;
        case OT_MENOPAUSE_PERI: return x->peri_t_score.value < 0.5;
        case OT_MENOPAUSE_PRE: return 1;
        case OT_MENOPAUSE_UNKNOWN: break;
        }
    }
    if (r->sex == OT_SEX_UNKNOWN || age < 0) {
        *assumed |= ASSUMED_WHO;
        return 0;
    }
    if (r->sex == OT_SEX_MALE)
        return age < (int)x->who_min_age.value;
    int pre = age < (int)x->premenopausal_below.value;
    *assumed |= pre ? ASSUMED_PRE : ASSUMED_POST;
    return pre;
}

/* The latest scan of each site with a score under one reference, and the
 * lowest ever: central sites, else the one-third radius (docs/clinical-rules.md). */
typedef struct scores {
    /* by series (ot_series): each side of a hip counts, so the lower one is seen */
    const ot_obs *latest[OT_SERIES_COUNT];
    double latest_v[OT_SERIES_COUNT];
    const char *latest_src[OT_SERIES_COUNT];
    const ot_obs *ever[2];  /* central sites, one-third radius */
    double ever_v[2];
} scores;

static void scores_add(scores *x, const ot_obs *o, double v, const char *src)
{
    int k = o->site == OT_SITE_RADIUS_33;
    if (isnan(v))
        return;
    if (!x->ever[k] || v < x->ever_v[k] || (v == x->ever_v[k] && o->date < x->ever[k]->date))
        x->ever[k] = o, x->ever_v[k] = v;
    int q = ot_series(o->site, o->side);
    const ot_obs *l = x->latest[q];
    if (!l || o->date > l->date || (o->date == l->date && o->line > l->line))
        x->latest[q] = o, x->latest_v[q] = v, x->latest_src[q] = src;
}

/* A series' latest scan counts only when it is of its site's latest exam:
 * both hips scanned that day count (the lower is seen), but a hip last seen
 * years ago, under another side or none, does not stand for the site now. */
static int current(const scores *x, int s)
{
    if (!x->latest[s])
        return 0;
    int first = s - s % (int)OT_SIDE_COUNT;
    for (int q = first; q < first + (int)OT_SIDE_COUNT; q++)
        if (x->latest[q] && x->latest[q]->date > x->latest[s]->date)
            return 0;
    return 1;
}

/* The lowest of the latest per site and side (central sites, else the
 * radius), of each site's latest exam: its series (ot_series), or -1. Ties
 * go to the first site of the vocabulary, then no side, left, right. */
static int scores_lowest(const scores *x)
{
    int central = x->ever[0] != NULL, best = -1;
    for (int s = ot_series(central ? OT_SITE_LUMBAR_SPINE : OT_SITE_RADIUS_33, OT_SIDE_NONE);
         s < ot_series(central ? OT_SITE_RADIUS_33 : OT_SITE_COUNT, OT_SIDE_NONE); s++)
        if (current(x, s) && (best < 0 || x->latest_v[s] < x->latest_v[best]))
            best = s;
    return best;
}

static const char *nbha_words(int zref)
{
    return zref ? "a Z-score of -2.0 or lower" : "low bone mass, a T-score below -1.0";
}

/* NBHA 2014: a hip fracture means osteoporosis at any BMD; a vertebral,
 * proximal humerus, pelvis or distal forearm fracture with low bone mass.
 * `low` is the lowest score that shows low bone mass, or NULL. */
static int fracture_diagnosis(ot_report *r, const ot_obs *low, double low_v, int zref)
{
    ot_tscore_summary *ts = &r->ts;
    const ot_fx *pending = NULL; /* a fracture that needs low bone mass, without it */
    char d[11], ld[11];
    for (size_t i = 0; !ts->diagnosis && i < r->nfx; i++) {
        const ot_fx *f = &r->fx[i];
        int nbha = r->rd->fx_class[f->site].nbha;
        ot_date_format(d, f->date);
        if (nbha == OT_NBHA_ANY_BMD) {
            ts->diagnosis = 1;
            ts->rule = 2;
            ot_fmt(ts->basis, sizeof ts->basis, "%s fragility fracture on %s",
                     ot_fracture_site_name(f->site), d);
        } else if (nbha == OT_NBHA_LOW_BONE_MASS && low) {
            ts->diagnosis = 1;
            ts->rule = 3;
            ot_date_format(ld, low->date);
            ot_fmt(ts->basis, sizeof ts->basis, "%s fragility fracture on %s with low bone mass "
                     "(%s %.1f at the %s on %s)", ot_fracture_site_name(f->site), d,
                     zref ? "Z-score" : "T-score", low_v, site_label(low->site), ld);
        } else if (nbha == OT_NBHA_LOW_BONE_MASS && !pending) {
            pending = f;
        }
    }
    if (ts->diagnosis || !pending)
        return OT_OK;
    ot_date_format(d, pending->date);
    char bmd[120];
    if (isnan(ts->lowest) && isnan(ts->zlowest))
        ot_fmt(bmd, sizeof bmd, "no %s is on record: a DXA scan would decide",
                 zref ? "Z-score" : "T-score");
    else
        ot_fmt(bmd, sizeof bmd, "the %s on record do not show it", zref ? "Z-scores" : "T-scores");
    return ot_report_add_flag(
        r, OT_FLAG_FRACTURE_WITHOUT_DIAGNOSIS, r->current ? OT_SEV_INFO : OT_SEV_WARNING, -1, -1,
        "%s fragility fracture on %s: by the NBHA criteria it means osteoporosis only with %s, "
        "and %s%s", ot_fracture_site_name(pending->site), d, nbha_words(zref), bmd,
        pending->site == OT_FX_VERTEBRAL ? "; some guidelines diagnose osteoporosis from any "
                                           "vertebral fragility fracture: judge clinically"
                                         : "");
}

static int assumed_flag(ot_report *r, unsigned assumed, int first_age, ot_date first)
{
    char d[11], msg[OT_FLAG_MESSAGE_MAX];
    ot_date_format(d, first);
    if (assumed & ASSUMED_WHO)
        ot_fmt(msg, sizeof msg, "%s not given: BMD is judged by the WHO T-score "
                 "classification, which applies to postmenopausal women and men aged 50 or over; "
                 "for a premenopausal woman or a man under 50 give sex and birth_date",
                 r->sex == OT_SEX_UNKNOWN && r->birth == OT_DATE_NONE ? "sex and birth date"
                 : r->sex == OT_SEX_UNKNOWN                           ? "sex"
                                                                      : "birth date");
    else
        ot_fmt(msg, sizeof msg, "menopausal status not given: taken as %s (aged %d on %s, %s "
                 "%g), so %s; give menopausal_status if it differs",
                 (assumed & ASSUMED_PRE) ? "premenopausal" : "postmenopausal", first_age, d,
                 (assumed & ASSUMED_PRE) ? "under" : "aged", r->rd->ref.premenopausal_below.value,
                 (assumed & ASSUMED_PRE) ? "Z-scores are used and osteoporosis is not diagnosed "
                                           "from BMD alone"
                                         : "the WHO T-score classification is used");
    return ot_report_add_flag(r, OT_FLAG_DEMOGRAPHICS_ASSUMED, OT_SEV_INFO, -1, -1, "%s", msg);
}

int ot_report_tscore(ot_report *r)
{
    ot_tscore_summary *ts = &r->ts;
    scores t, z;
    memset(&t, 0, sizeof t);
    memset(&z, 0, sizeof z);
    ts->lowest = ts->hip_latest = ts->zlowest = NAN;
    ts->category = ts->zcategory = -1;
    unsigned assumed = 0, a;
    int age, first_age = -1;
    ot_date latest = OT_DATE_NONE, first_assumed = OT_DATE_NONE;
    for (size_t i = 0; i < r->nobs; i++) {
        const ot_obs *o = r->obs[i];
        const char *src;
        if (o->analyte != OT_ANALYTE_BMD || (unsigned)o->site >= OT_SITE_COUNT)
            continue;
        a = 0;
        int zr = zref_at(r, o->date, &a, &age);
        if (a && (first_assumed == OT_DATE_NONE || o->date < first_assumed))
            first_assumed = o->date, first_age = age;
        assumed |= a;
        if (latest == OT_DATE_NONE || o->date > latest)
            latest = o->date, ts->zref = zr;
        if (zr) {
            scores_add(&z, o, o->zscore, NULL);
        } else {
            double v = tscore_of(r, o, &src);
            scores_add(&t, o, v, src);
        }
    }
    /* an assumption at the latest scan is the one that matters; say the first */
    if (assumed & ASSUMED_PRE && assumed & ASSUMED_POST)
        assumed &= ts->zref ? ~(unsigned)ASSUMED_POST : ~(unsigned)ASSUMED_PRE;
    int lt = scores_lowest(&t), lz = scores_lowest(&z);
    if (!ts->zref && lt >= 0) {
        ts->lowest = t.latest_v[lt];
        ts->lowest_site = t.latest[lt]->site;
        ts->lowest_side = t.latest[lt]->side;
        ts->date = t.latest[lt]->date;
        ts->computed = t.latest_src[lt] != NULL;
        ts->computed_source = t.latest_src[lt];
    }
    for (int s = ot_series(OT_SITE_TOTAL_HIP, OT_SIDE_NONE);
         s < ot_series(OT_SITE_RADIUS_33, OT_SIDE_NONE); s++)
        if (current(&t, s) && (isnan(ts->hip_latest) || t.latest_v[s] < ts->hip_latest))
            ts->hip_latest = t.latest_v[s];
    if (ts->zref && lz >= 0) {
        ts->zlowest = z.latest_v[lz];
        ts->zsite = z.latest[lz]->site;
        ts->zdate = z.latest[lz]->date;
        ts->zcategory = ot_micro(ts->zlowest) <= ot_micro(r->rd->ref.zscore_low.value);
    }
    long long osteo = ot_micro(r->rd->tscore_osteoporosis.value);
    if (!isnan(ts->lowest))
        ts->category = ot_micro(ts->lowest) <= osteo                               ? 2
                       : ot_micro(ts->lowest) >= ot_micro(r->rd->tscore_normal.value) ? 0
                                                                                    : 1;
    /* BMD alone diagnoses only where the WHO classification applies */
    int central = t.ever[0] != NULL;
    const ot_obs *worst = t.ever[!central];
    double worst_t = t.ever_v[!central];
    char d[11];
    if (worst && ot_micro(worst_t) <= osteo) {
        ts->diagnosis = 1;
        ts->rule = 1;
        ot_date_format(d, worst->date);
        ot_fmt(ts->basis, sizeof ts->basis, "T-score %.1f at the %s on %s", worst_t,
                 site_label(worst->site), d);
    }
    /* low bone mass for NBHA: a T-score below -1.0, or a Z-score at or below -2.0 */
    const ot_obs *low = NULL;
    double low_v = NAN;
    if (worst && ot_micro(worst_t) < ot_micro(r->rd->tscore_normal.value))
        low = worst, low_v = worst_t;
    const ot_obs *zw = z.ever[z.ever[0] == NULL];
    double zw_v = z.ever_v[z.ever[0] == NULL];
    if (!low && zw && ot_micro(zw_v) <= ot_micro(r->rd->ref.zscore_low.value))
        low = zw, low_v = zw_v;
    int rc = fracture_diagnosis(r, low, low_v, low == zw && zw != NULL);
    /* said as a flag: the WHO classification for want of sex or age, and a
     * young woman taken as premenopausal; a woman of 50 or over taken as
     * postmenopausal is said in the note */
    if (rc == OT_OK && (assumed & (ASSUMED_WHO | ASSUMED_PRE)) && latest != OT_DATE_NONE)
        rc = assumed_flag(r, assumed, first_age, first_assumed);
    if (ts->zref)
        ot_fmt(ts->note, sizeof ts->note, "Z-scores judge BMD in premenopausal women and men "
                 "under 50 (ISCD): %g or lower is below the expected range for age, and "
                 "osteoporosis is not diagnosed from BMD alone%s", r->rd->ref.zscore_low.value,
                 lz < 0 ? "; no Z-score is on record" : "");
    else if (r->sex == OT_SEX_MALE)
        ot_fmt(ts->note, sizeof ts->note, "T-scores of men are against the white-female "
                 "NHANES III reference, as ISCD recommends (Watts 2013)");
    else if (assumed & ASSUMED_POST)
        ot_fmt(ts->note, sizeof ts->note, "menopausal status not given: a woman aged %g or "
                 "over is taken as postmenopausal, so the WHO T-score classification applies",
                 r->rd->ref.premenopausal_below.value);
    if (rc == OT_OK && ts->diagnosis && !isnan(ts->lowest) && ot_micro(ts->lowest) > osteo)
        rc = ot_report_add_flag(r, OT_FLAG_DIAGNOSIS_PERSISTS, OT_SEV_INFO, -1, -1,
                                "osteoporosis (%s) %s the diagnosis although the lowest latest "
                                "T-score is %.1f (%s): %s", ts->basis,
                                ts->rule == 1 ? "remains" : "is", ts->lowest,
                                site_label(ts->lowest_site),
                                ts->rule == 1 ? "treatment effects are not permanent and the "
                                                "fracture risk remains"
                                              : "the NBHA criteria diagnose it from the fracture");
    return rc;
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
    for (size_t i = 0; i < r->nfx; i++) /* the fractures the IOF criteria count */
        nfx += r->fx[i].date > c->start && /* the snapshot holds no later ones */
               r->rd->fx_class[r->fx[i].site].iof_counts;
    /* A loss on treatment: a decrease measured from a scan taken no earlier
     * than the site's last scan on or before the start (its treatment
     * baseline; report.c compares from it when base and prev do not); a loss
     * before treatment is why treatment began. */
    ot_date tb = OT_DATE_NONE;
    for (size_t i = 0; i < r->nbmd; i++) {
        const ot_bmd_entry *e = &r->bmd[i];
        if (i == 0 || ot_result_series(&e->base) != ot_result_series(&r->bmd[i - 1].base))
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
        ot_fmt(r->failure, sizeof r->failure, "%zu incident fragility fractures on treatment",
                 nfx);
    else if (nfx == 1 && (loss || no_marker))
        ot_fmt(r->failure, sizeof r->failure, "an incident fragility fracture with %s",
                 loss ? "a significant BMD loss" : "no significant bone turnover marker response");
    else if (loss && no_marker)
        ot_fmt(r->failure, sizeof r->failure, "a significant BMD loss with no significant bone "
                 "turnover marker response");
    else
        return OT_OK;
    return ot_report_add_flag(r, OT_FLAG_POSSIBLE_TREATMENT_FAILURE, OT_SEV_ALERT, -1, -1,
                              "possible treatment failure after %.0f months on %s: %s (IOF "
                              "criteria, Diez-Perez 2012). Check adherence and secondary causes "
                              "(%s), and consider a change of treatment",
                              on, ot_agent_name(c->agent), r->failure, r->rd->mon.causes_text);
}

/* Agents that can follow denosumab or an anabolic to keep its gain:
 * bisphosphonates and denosumab (SERMs and hormone therapy are not counted:
 * osteotrack's choice, README "What is due"). */
static int is_antiresorptive(ot_agent a)
{
    ot_agent_class k = ot_agent_class_of(a);
    return k == OT_CLASS_ORAL_BISPHOSPHONATE || k == OT_CLASS_IV_BISPHOSPHONATE ||
           k == OT_CLASS_DENOSUMAB;
}

static int is_bisphosphonate(ot_agent a)
{
    ot_agent_class k = ot_agent_class_of(a);
    return k == OT_CLASS_ORAL_BISPHOSPHONATE || k == OT_CLASS_IV_BISPHOSPHONATE;
}

/* The last day a follow-on may start after course c: `followon_grace`
 * months after its end, and for an agent with a dosing interval (denosumab)
 * one interval more after its last dose (ECTS 2021: when the next injection
 * would have been due). */
static ot_date followon_limit(const ot_report *r, const ot_course *c)
{
    double iv = r->rd->dosing[c->agent].interval.value;
    return ot_date_add_months(c->end, (int)r->rd->mon.followon_grace.value +
                                          (isnan(iv) ? 0 : (int)iv));
}

/* An antiresorptive (other than c) that carries on from c: running past c's
 * end or given on or after it (a one-day zoledronate infusion on the day
 * denosumab stopped counts), started by followon_limit(); NULL if none, with
 * the first one started later in *late. A course that started and ended
 * during c, or ended on the day c ended, is no follow-on. */
static const ot_course *followon(const ot_report *r, const ot_course *c, const ot_course **late)
{
    ot_date limit = followon_limit(r, c);
    *late = NULL;
    for (size_t i = 0; i < r->ncourses; i++) {
        const ot_course *x = &r->courses[i];
        if (x == c || !is_antiresorptive(x->agent) ||
            !(x->end == OT_DATE_NONE || x->end > c->end || x->start >= c->end))
            continue;
        if (x->start <= limit)
            return x;
        if (!*late)
            *late = x;
    }
    return NULL;
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

static int due_markers(ot_report *r)
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
    for (size_t i = 0; i < r->nobs; i++) {
        const ot_obs *o = r->obs[i];
        if (o->analyte == OT_ANALYTE_BMD ||
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


/* ---- The bisphosphonate review (ASBMR 2016) ---- */

enum { R_HIP = 1, R_MAJOR = 2, R_OTHERS = 4, R_ON = 8, R_HOLIDAY = 16, R_COUNT = 5 };
static const char *const reason_codes[R_COUNT] = {
    "hip_tscore_at_or_below_-2.5", "major_fracture_before_or_on_treatment",
    "more_than_one_other_fracture", "fracture_on_treatment", "fracture_on_holiday"};
static const char *const reason_words[R_COUNT] = {
    "a hip T-score at or below -2.5", "a hip or vertebral fracture",
    "more than one other osteoporotic fracture", "a fracture on treatment",
    "a fracture during the holiday"};
static const char *const recommendation_names[] = {"continue", "consider_holiday",
                                                   "individual_decision"};

const char *ot_review_reason(unsigned i) { return i < R_COUNT ? reason_codes[i] : NULL; }
const char *ot_review_recommendation(int rec)
{
    return rec >= 0 && rec <= 2 ? recommendation_names[rec] : NULL;
}

/* Back from c through contiguous bisphosphonate courses: the first start. */
static ot_date bp_chain(const ot_report *r, const ot_course *c)
{
    ot_date chain = c->start;
    for (size_t i = (size_t)(c - r->courses); i-- > 0;) {
        const ot_course *x = &r->courses[i];
        if (is_bisphosphonate(x->agent) &&
            (x->until == OT_DATE_NONE ||
             ot_date_add_months(x->until, (int)r->rd->mon.followon_grace.value) >= chain) &&
            x->start < chain)
            chain = x->start;
    }
    return chain;
}

/* Why continuing is favoured (reason bits), as of as_of. */
static unsigned bp_reasons(const ot_report *r, ot_date chain, ot_date holiday)
{
    const ot_monitoring *m = &r->rd->mon;
    unsigned why = 0;
    size_t others = 0;
    if (!isnan(r->ts.hip_latest) && ot_micro(r->ts.hip_latest) <= ot_micro(m->holiday_tscore.value))
        why |= R_HIP;
    for (size_t i = 0; i < r->nfx; i++) {
        const ot_fx_class *k = &r->rd->fx_class[r->fx[i].site];
        ot_date d = r->fx[i].date;
        if (!k->iof_counts)
            continue; /* skull, face, hands, feet, ankle: not osteoporotic */
        if (holiday != OT_DATE_NONE && d >= holiday)
            why |= R_HOLIDAY; /* told as such, not as a fracture before or on treatment */
        else if (k->major)
            why |= R_MAJOR;
        else
            others++;
        if (d > chain && (holiday == OT_DATE_NONE || d < holiday))
            why |= R_ON;
    }
    if (others > 1)
        why |= R_OTHERS;
    return why;
}

/* Fills r->review: on a bisphosphonate now, or on a holiday from one after
 * a full course (5 years oral, 3 intravenous; infusions count by their
 * interval, so three annual infusions are 3 years). */
static void bp_review(ot_report *r)
{
    const ot_monitoring *m = &r->rd->mon;
    ot_bp_review *v = &r->review;
    const ot_course *c = r->current;
    int holiday = 0;
    if (!c || !is_bisphosphonate(c->agent)) {
        const ot_course *l = ot_last_course(r);
        if (c || !l || !is_bisphosphonate(l->agent) || l->until == OT_DATE_NONE ||
            l->until > r->as_of)
            return;
        c = l;
        holiday = 1;
    }
    int iv = ot_agent_class_of(c->agent) == OT_CLASS_IV_BISPHOSPHONATE;
    const ot_sourced *limit = iv ? &m->holiday_iv : &m->holiday_oral;
    const ot_sourced *max = iv ? &m->review_iv_max : &m->review_oral_max;
    ot_date chain = bp_chain(r, c);
    ot_date end = holiday                      ? c->until
                  : c->until == OT_DATE_NONE   ? r->as_of
                  : iv || c->until < r->as_of ? c->until
                                               : r->as_of;
    double months = ot_date_months_between(chain, end);
    if (holiday && ot_micro(months) < ot_micro(limit->value))
        return; /* stopped before a full course: no holiday */
    v->active = 1;
    v->holiday = holiday;
    v->years = months / 12.0;
    v->source = limit->source;
    v->reasons = bp_reasons(r, chain, holiday ? c->until : OT_DATE_NONE);
    if (holiday) {
        v->since = c->until;
        v->due = ot_date_add_months(c->until, (int)m->holiday_review.value);
        v->recommendation = v->reasons ? 0 : 1;
        v->source = m->holiday_review.source;
        return;
    }
    v->since = chain;
    v->due = ot_date_add_months(chain, (int)limit->value);
    v->recommendation = -1;
    if (ot_micro(months) < ot_micro(limit->value) && v->due > r->as_of)
        return; /* not yet due */
    if (!v->reasons) {
        v->recommendation = 1;
    } else if (ot_micro(months) < ot_micro(max->value)) {
        v->recommendation = 0;
        v->due = ot_date_add_months(chain, (int)max->value);
        v->source = max->source;
    } else {
        v->recommendation = 2;
        v->source = max->source;
    }
}

static void reasons_text(char *buf, size_t size, unsigned why, const ot_report *r)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < R_COUNT && n + 1 < size; i++) {
        if (!(why & (1u << i)))
            continue;
        int k = ot_fmt(buf + n, size - n, "%s%s", n ? "; " : "", reason_words[i]);
        if ((1u << i) == R_HIP && k > 0 && n + (size_t)k < size)
            k += ot_fmt(buf + n + (size_t)k, size - n - (size_t)k, " (%.1f)", r->ts.hip_latest);
        n = k > 0 && n + (size_t)k < size ? n + (size_t)k : size - 1;
    }
}

static int due_review(ot_report *r)
{
    bp_review(r);
    const ot_bp_review *v = &r->review;
    const ot_monitoring *m = &r->rd->mon;
    if (!v->active)
        return OT_OK;
    char s[11], d[11], why[240];
    ot_date_format(s, v->since);
    ot_date_format(d, v->due);
    reasons_text(why, sizeof why, v->reasons, r);
    int iv = r->current && ot_agent_class_of(r->current->agent) == OT_CLASS_IV_BISPHOSPHONATE;
    if (v->holiday) {
        int rc = ot_report_action(r, OT_FLAG_DRUG_HOLIDAY_REVIEW, v->due, "%s",
                                  v->recommendation == 0
                                      ? "end the bisphosphonate holiday: treatment is favoured"
                                      : "review the bisphosphonate holiday (2-3 years after it "
                                        "began)");
        if (rc != OT_OK)
            return rc;
        if (v->recommendation == 0)
            return ot_report_add_flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW,
                                      v->reasons & R_HOLIDAY ? OT_SEV_ALERT : OT_SEV_WARNING, -1,
                                      -1, "off bisphosphonate since %s after %.1f years of "
                                      "treatment, with %s: the ASBMR task force favours "
                                      "treatment in such patients: %s", s, v->years, why,
                                      v->reasons & R_HOLIDAY ? "end the holiday and restart "
                                                               "treatment"
                                                             : "reconsider the holiday");
        int lost = 0; /* a loss beyond the LSC since treatment stopped */
        for (size_t i = 0; i < r->nflags; i++)
            lost |= r->flags[i].code == OT_FLAG_BMD_LOSS_OFF_TREATMENT;
        return ot_report_add_flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW,
                                  v->due <= r->as_of || lost ? OT_SEV_WARNING : OT_SEV_INFO, -1,
                                  -1, "on a bisphosphonate holiday since %s after %.1f years of "
                                  "treatment: reassess it 2-3 years after it began (due %s%s): "
                                  "fractures, BMD and fracture risk (ASBMR 2016)%s", s, v->years,
                                  d, v->due <= r->as_of ? ", overdue" : "",
                                  lost ? "; BMD has fallen beyond the LSC since treatment "
                                         "stopped: reassess now, and consider restarting "
                                         "treatment (BMD_LOSS_OFF_TREATMENT)" : "");
    }
    if (v->recommendation < 0)
        return ot_report_action(r, OT_FLAG_DRUG_HOLIDAY_REVIEW, v->due, "review the "
                                "bisphosphonate after %g years: continue, or a drug holiday",
                                (iv ? m->holiday_iv.value : m->holiday_oral.value) / 12.0);
    int rc = ot_report_action(r, OT_FLAG_DRUG_HOLIDAY_REVIEW, v->due, "%s",
                              v->recommendation == 0 ? "review the bisphosphonate again: the "
                                                       "longest course studied ends"
                                                     : "review the bisphosphonate: continue, "
                                                       "or a drug holiday");
    if (rc != OT_OK)
        return rc;
    if (v->recommendation == 1)
        return ot_report_add_flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW, OT_SEV_INFO, -1, -1,
                                  "bisphosphonate since %s (%.1f years of treatment): reassess "
                                  "(ASBMR 2016): no hip T-score at or below -2.5, no hip or "
                                  "vertebral fracture, no more than one other osteoporotic "
                                  "fracture and none on treatment: a drug holiday of 2-3 years "
                                  "may be considered unless the fracture risk is high (osteotrack "
                                  "does not assess risk scores such as FRAX)", s, v->years);
    if (v->recommendation == 0)
        return ot_report_add_flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW, OT_SEV_INFO, -1, -1,
                                  "bisphosphonate since %s (%.1f years of treatment): reassess "
                                  "(ASBMR 2016): %s: continuing is favoured, up to %g years, "
                                  "rather than a drug holiday (next review %s)", s, v->years,
                                  why, (iv ? m->review_iv_max.value : m->review_oral_max.value) /
                                           12.0, d);
    return ot_report_add_flag(r, OT_FLAG_DRUG_HOLIDAY_REVIEW, OT_SEV_INFO, -1, -1,
                              "bisphosphonate since %s (%.1f years of treatment) and %s: longer "
                              "than the %g years the ASBMR task force considered; whether to "
                              "continue is an individual decision", s, v->years, why,
                              (iv ? m->review_iv_max.value : m->review_oral_max.value) / 12.0);
}

/* ---- Sequential therapy: after denosumab, after an anabolic ---- */

static int due_denosumab(ot_report *r, const ot_course *c)
{
    const ot_dosing *dz = &r->rd->dosing[c->agent];
    const ot_course *late, *fo;
    char e[11], next[11], lim[11], s[11];
    if (c->end == OT_DATE_NONE || c->end > r->as_of)
        return OT_OK; /* ongoing with no doses recorded: nothing to time */
    fo = followon(r, c, &late);
    if (fo)
        return OT_OK; /* correct sequencing */
    ot_date due = ot_date_add_months(c->end, (int)dz->interval.value);
    ot_date limit = followon_limit(r, c);
    ot_date overdue = ot_date_add_months(c->end, (int)dz->late.value);
    ot_date_format(e, c->end);
    ot_date_format(next, due);
    ot_date_format(lim, limit);
    if (!c->stopped) { /* doses, and no end recorded: the next injection is due */
        int rc = ot_report_action(r, OT_FLAG_DENOSUMAB_DOSE_OVERDUE, due, "next denosumab "
                                  "injection (every %g months)", dz->interval.value);
        if (rc != OT_OK || r->as_of <= overdue)
            return rc;
        return ot_report_add_flag(r, OT_FLAG_DENOSUMAB_DOSE_OVERDUE, OT_SEV_ALERT, -1, -1,
                                  "the last denosumab injection was on %s, %.1f months ago (the "
                                  "next was due on %s): more than %g months after the last, bone "
                                  "turnover rebounds, with rapid bone loss and a risk of multiple "
                                  "vertebral fractures: give it now, or a bisphosphonate if "
                                  "denosumab is to stop", e,
                                  ot_date_months_between(c->end, r->as_of), next,
                                  dz->late.value);
    }
    int started = late != NULL; /* the snapshot's courses began by as_of */
    int rc = started ? OT_OK
                     : ot_report_action(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK, due, "start a "
                                        "bisphosphonate after denosumab (when the next injection "
                                        "would have been due)");
    if (rc != OT_OK)
        return rc;
    if (r->as_of <= limit && !started)
        return ot_report_add_flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK, OT_SEV_WARNING, -1,
                                  -1, "denosumab stopped (last injection %s): start a "
                                  "bisphosphonate when the next injection would have been due, "
                                  "on %s, and no later than %s; without it bone loss rebounds "
                                  "and multiple vertebral fractures can follow (ECTS 2021)",
                                  e, next, lim);
    if (late) {
        ot_date_format(s, late->start);
        return ot_report_add_flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK, OT_SEV_ALERT, -1, -1,
                                  "denosumab stopped (last injection %s) and %s %s only on %s, "
                                  "%.1f months after it (it should start by %s): bone loss may "
                                  "have begun before it (ECTS 2021)", e,
                                  ot_agent_name(late->agent),
                                  late->agent == c->agent ? "was resumed" : "began", s,
                                  ot_date_months_between(c->end, late->start), lim);
    }
    return ot_report_add_flag(r, OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK, OT_SEV_ALERT, -1, -1,
                              "denosumab stopped (last injection %s) and no follow-on "
                              "antiresorptive began by %s: rapid bone loss and multiple "
                              "vertebral fractures can follow; start a bisphosphonate (for "
                              "example zoledronate) now", e, lim);
}

static int due_sequential(ot_report *r)
{
    const ot_monitoring *m = &r->rd->mon;
    int rc = OT_OK;
    for (size_t i = 0; rc == OT_OK && i < r->ncourses; i++) {
        const ot_course *c = &r->courses[i], *late;
        ot_agent_class k = ot_agent_class_of(c->agent);
        const char *a = ot_agent_name(c->agent);
        char e[11], s[11];
        if (k == OT_CLASS_DENOSUMAB) {
            rc = due_denosumab(r, c);
            continue;
        }
        if (k != OT_CLASS_ANABOLIC && k != OT_CLASS_ROMOSOZUMAB)
            continue;
        ot_date_format(s, c->start);
        int ended = c->end != OT_DATE_NONE && c->end <= r->as_of;
        double max = m->anabolic_course[c->agent].value;
        if (ended) {
            if (followon(r, c, &late))
                continue;
            ot_date_format(e, c->end);
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

/* Only where the diagnosis holds, so the report never contradicts itself;
 * not during a bisphosphonate holiday that the review accepts. */
static int due_untreated(ot_report *r)
{
    const ot_bp_review *v = &r->review;
    if (r->current || !r->ts.diagnosis || (v->active && v->holiday && v->recommendation == 1))
        return OT_OK;
    const ot_course *l = ot_last_course(r);
    if (l && ot_agent_class_of(l->agent) == OT_CLASS_DENOSUMAB && l->ndoses > 0 && !l->stopped &&
        !l->end_named)
        return OT_OK; /* on denosumab, the injection overdue: DENOSUMAB_DOSE_OVERDUE says so */
    char d[11];
    int supplement = 0;
    for (size_t i = 0; i < r->ncourses; i++) {
        const ot_course *c = &r->courses[i];
        supplement |= !ot_is_therapy(c->agent) && c->agent != OT_AGENT_NONE &&
                      (c->until == OT_DATE_NONE || c->until > r->as_of);
    }
    ot_date_format(d, r->as_of);
    int rc = ot_report_action(r, OT_FLAG_UNTREATED_OSTEOPOROSIS, r->as_of,
                              "consider osteoporosis treatment");
    if (rc != OT_OK)
        return rc;
    return ot_report_add_flag(r, OT_FLAG_UNTREATED_OSTEOPOROSIS, OT_SEV_ALERT, -1, -1,
                              "osteoporosis (%s), and no osteoporosis therapy in effect on %s%s%s: "
                              "consider treatment (many high-risk patients, especially after a "
                              "fracture, go untreated)", r->ts.basis, d,
                              supplement ? " (calcium and vitamin D are supplements, not "
                                           "osteoporosis therapy)" : "",
                              v->active && v->holiday ? " (a bisphosphonate holiday that the "
                                                        "ASBMR criteria do not favour)" : "");
}

int ot_report_due(ot_report *r)
{
    int rc = due_dxa(r);
    if (rc == OT_OK)
        rc = due_markers(r);
    if (rc == OT_OK)
        rc = due_review(r);
    if (rc == OT_OK)
        rc = due_sequential(r);
    if (rc == OT_OK)
        rc = due_untreated(r);
    return rc;
}

static int site_last(const ot_report *r, size_t i)
{
    return i + 1 >= r->nbmd ||
           ot_result_series(&r->bmd[i + 1].base) != ot_result_series(&r->bmd[i].base);
}

/* The site's latest comparable entry at or before entry i (its latest), or NULL. */
static const ot_bmd_entry *latest_comparable(const ot_report *r, size_t i)
{
    for (size_t k = i + 1;
         k-- > 0 && ot_result_series(&r->bmd[k].base) == ot_result_series(&r->bmd[i].base);)
        if (r->bmd[k].base.significance != OT_SIG_NOT_COMPARABLE)
            return &r->bmd[k];
    return NULL;
}

/* The markers of the course that counts: the current one, else the latest
 * course that has marker entries. */

/* Order of precedence (README "Reading a patient report"):
 * 1 possible_treatment_failure; 2 insufficient_data when no therapy is on
 * record; then the course the assessment judges (the current one, else the
 * one that stopped last), from its own period only: 3 inadequate_response
 * when a site's latest scan on it shows a significant loss (from the
 * course's treatment baseline, or since the previous scan on it) or its
 * markers are suboptimal; 4 responding when a site shows a significant gain
 * or its markers respond; 5 stable when a site's change is within the LSC;
 * 6 insufficient_data. A loss before the course is context; a loss after it
 * stopped is BMD_LOSS_OFF_TREATMENT. */
void ot_report_assess(ot_report *r)
{
    int loss = 0, gain = 0, stable = 0, msub = 0, mresp = 0;
    for (size_t i = 0; i < r->nflags; i++)
        if (r->flags[i].code == OT_FLAG_POSSIBLE_TREATMENT_FAILURE) {
            r->assessment = OT_ASSESS_POSSIBLE_TREATMENT_FAILURE;
            return;
        }
    if (!r->assessed) {
        r->assessment = OT_ASSESS_INSUFFICIENT_DATA;
        return;
    }
    for (int s = 0; s < OT_SERIES_COUNT; s++) {
        if (!r->has_cc[s])
            continue;
        const ot_course_change *cc = &r->cc[s];
        loss |= cc->cmp.significance == OT_SIG_DECREASE || cc->prev.significance == OT_SIG_DECREASE;
        gain |= cc->cmp.significance == OT_SIG_INCREASE;
        stable |= cc->cmp.significance == OT_SIG_STABLE;
    }
    for (size_t i = 0; i < r->nmarkers; i++) {
        if (r->marker_course[i] != r->assessed)
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
    int n = ot_vfmt(t->buf + t->len, t->cap - t->len, fmt, ap);
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
        return "denosumab stopped without a timely follow-on antiresorptive";
    case OT_FLAG_DENOSUMAB_DOSE_OVERDUE: return "denosumab injection overdue";
    case OT_FLAG_BMD_LOSS_OFF_TREATMENT: return "BMD loss off treatment";
    case OT_FLAG_UNTREATED_OSTEOPOROSIS: return "osteoporosis without treatment";
    case OT_FLAG_DRUG_HOLIDAY_REVIEW: return "a fracture during the bisphosphonate holiday";
    default: return ot_flag_code_name(c);
    }
}

/* "A 72-year-old woman", "A man", "A patient aged 45", or "" when unknown. */
static void who(char *buf, size_t size, const ot_report *r)
{
    int age = ot_date_age(r->birth, r->as_of);
    const char *sex = r->sex == OT_SEX_FEMALE ? "woman" : r->sex == OT_SEX_MALE ? "man" : NULL;
    /* "an" before eight, eleven, eighteen, eighty-... */
    int an = age == 8 || age == 11 || age == 18 || (age >= 80 && age <= 89);
    if (sex && age >= 0)
        ot_fmt(buf, size, "A%s %d-year-old %s", an ? "n" : "", age, sex);
    else if (sex)
        ot_fmt(buf, size, "A %s", sex);
    else if (age >= 0)
        ot_fmt(buf, size, "A patient aged %d", age);
    else
        buf[0] = '\0';
}

/* " before alendronate began", " after denosumab stopped", " on X", or "". */
static void period_words(char *buf, size_t size, const ot_report *r, ot_date d)
{
    const ot_course *c = NULL;
    buf[0] = '\0';
    switch (ot_period_at(r, d)) {
    case OT_PERIOD_BEFORE:
        for (size_t i = 0; i < r->ncourses && !c; i++)
            if (ot_is_therapy(r->courses[i].agent) && r->courses[i].start >= d)
                c = &r->courses[i];
        if (c)
            ot_fmt(buf, size, " before %s began", ot_agent_name(c->agent));
        break;
    case OT_PERIOD_OFF:
        for (size_t i = 0; i < r->ncourses; i++)
            if (ot_is_therapy(r->courses[i].agent) && r->courses[i].until != OT_DATE_NONE &&
                r->courses[i].until <= d && (!c || r->courses[i].until > c->until))
                c = &r->courses[i];
        if (c)
            ot_fmt(buf, size, " after %s stopped", ot_agent_name(c->agent));
        break;
    case OT_PERIOD_ON:
        c = ot_course_at(r, d);
        if (c)
            ot_fmt(buf, size, " on %s", ot_agent_name(c->agent));
        break;
    case OT_PERIOD_NO_TREATMENT: break;
    }
}

static void say_change(text *t, const ot_bmd_result *b, const char *when)
{
    char d[11], e[11];
    ot_date_format(d, b->baseline_date);
    ot_date_format(e, b->date);
    say(t, " %+.1f%% from %s to %s%s (%s%s)", b->change_pct, d, e, when,
        sig_words(b->significance), b->cross_calibrated ? "; scanner change, cross-calibrated" : "");
}


/* Why a scan was not compared with the one before, for the summary. */
static const char *why_not_compared(char *buf, size_t size, const ot_bmd_result *b)
{
    if (b->device_changed)
        return "a new baseline: scanner changed";
    if (b->region_changed) {
        ot_fmt(buf, size, "a new baseline: the spine region changed from %s to %s",
               ot_spine_region_name(ot_region_or_default(b->baseline_region)),
               ot_spine_region_name(ot_region_or_default(b->region)));
        return buf;
    }
    return "not comparable: no LSC for this site";
}

/* One site's sentence: its change on the assessed course, and any loss after
 * a course stopped; else its latest comparison, said with its period. */
static void say_site(text *t, const ot_report *r, size_t i, int first)
{
    const ot_bmd_entry *x = latest_comparable(r, i), *last = &r->bmd[i];
    int site = ot_result_series(&last->base);
    char sided[48];
    const char *label = site_label(last->base.site);
    if (last->base.side != OT_SIDE_NONE) {
        ot_fmt(sided, sizeof sided, "%s %s", ot_side_name(last->base.side), label);
        label = sided;
    }
    char start = (char)(first ? label[0] - 32 : label[0]); /* capital after a full stop */
    char when[64], d[11], reason[96];
    say(t, "%s%c%s BMD", first ? " " : "; ", start, label + 1);
    if (r->has_cc[site] || r->has_off[site]) {
        if (r->has_cc[site]) {
            ot_fmt(when, sizeof when, " on %s", ot_agent_name(r->assessed->agent));
            say_change(t, &r->cc[site].cmp, when);
            if (r->cc[site].cmp.date < last->base.date && last->new_baseline) {
                ot_date_format(d, last->base.date);
                say(t, ", then %s on %s", why_not_compared(reason, sizeof reason, &last->base), d);
            }
        }
        if (r->has_off[site]) {
            ot_fmt(when, sizeof when, " after %s stopped", ot_agent_name(r->off[site].course->agent));
            if (r->has_cc[site])
                say(t, ", then");
            say_change(t, &r->off[site].cmp, when);
        }
        return;
    }
    if (x) {
        period_words(when, sizeof when, r, x->base.date);
        say_change(t, &x->base, when);
    }
    if (x != last) {
        ot_date_format(d, last->base.date);
        say(t, "%s%s on %s", x ? ", then " : " ",
            why_not_compared(reason, sizeof reason, &last->base), d);
    }
}

void ot_report_summarise(ot_report *r)
{
    text t = {r->summary, sizeof r->summary, 0};
    char d[11], e[11], lead[48];
    const ot_course *c = r->current, *l = ot_last_course(r);
    r->summary[0] = '\0';
    who(lead, sizeof lead, r);
    if (c) {
        ot_date since = c->start;
        ot_date_format(d, since);
        say(&t, "%s%s %s since %s (%.1f years).", lead, lead[0] ? " on" : "On",
            ot_agent_name(c->agent), d, ot_date_months_between(since, r->as_of) / 12.0);
    } else if (l) {
        ot_date_format(d, l->start);
        ot_date_format(e, l->end);
        say(&t, "%s%s osteoporosis therapy in effect (last: %s from %s%s%s", lead,
            lead[0] ? " with no" : "No", ot_agent_name(l->agent), d,
            l->end != OT_DATE_NONE ? " to " : "", e);
        if (l->until != l->end) {
            ot_date_format(e, l->until);
            say(&t, ", in effect until %s", e);
        }
        say(&t, ").");
    } else {
        say(&t, "%s%s osteoporosis therapy on record.", lead, lead[0] ? " with no" : "No");
    }
    int first = 1;
    for (size_t i = 0; i < r->nbmd; i++) {
        if (!site_last(r, i))
            continue;
        say_site(&t, r, i, first);
        first = 0;
    }
    if (!first)
        say(&t, ".");
    if (r->ts.zref && !isnan(r->ts.zlowest))
        say(&t, " Z-score %.1f at the %s: %s the expected range for age.", r->ts.zlowest,
            site_label(r->ts.zsite), r->ts.zcategory == 1 ? "below" : "within");
    for (size_t i = 0; i < r->nmarkers; i++) {
        const ot_marker_result *m = &r->markers[i];
        if (r->marker_course[i] != r->assessed)
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
    say(&t, " Assessment%s: %s.", !c && l ? " while treated" : "", word);
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

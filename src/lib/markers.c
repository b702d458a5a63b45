/* Bone turnover markers: response to therapy against LSC, target, threshold. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *marker_label(ot_analyte a) { return a == OT_ANALYTE_P1NP ? "P1NP" : "CTX"; }

static int to_canonical(double *out, const ot_refdata *rd, const ot_marker_measure *m,
                        const char *which, ot_error *err)
{
    ot_unit unit = m->unit == OT_UNIT_CANONICAL ? ot_unit_canonical(m->analyte) : m->unit;
    if (m->analyte != OT_ANALYTE_P1NP && m->analyte != OT_ANALYTE_CTX)
        return ot_err_set(err, OT_EVOCAB, "%sanalyte %s is not a bone turnover marker "
                          "(expected p1np or ctx)", which, ot_analyte_name(m->analyte));
    if ((unsigned)unit >= OT_UNIT_COUNT ||
        ot_unit_to_canonical(out, m->analyte, unit, m->value) != OT_OK)
        return ot_err_set(err, OT_EUNIT, "%sunit %s is not a %s unit (expected %s)", which,
                          ot_unit_name(unit), marker_label(m->analyte),
                          m->analyte == OT_ANALYTE_P1NP ? "ug/L or ng/mL"
                                                        : "ng/L, pg/mL, ng/mL or ug/L");
    return ot_check_plausible(rd, m->analyte, *out, m->value, unit, which, err);
}

/* Which rule applies, or why none does (into r->reason). */
static ot_marker_rule pick_rule(ot_marker_result *r)
{
    const char *agent = ot_agent_name(r->therapy);
    switch (ot_agent_class_of(r->therapy)) {
    case OT_CLASS_NONE:
        ot_fmt(r->reason, sizeof r->reason, "no therapy in effect: the marker rules assess a "
                 "response to treatment");
        return OT_RULE_NONE;
    case OT_CLASS_ROMOSOZUMAB:
        ot_fmt(r->reason, sizeof r->reason, "romosozumab raises P1NP early and lowers CTX; no "
                 "validated marker response rule exists for it");
        return OT_RULE_NONE;
    case OT_CLASS_SERM:
    case OT_CLASS_HORMONE_THERAPY:
        ot_fmt(r->reason, sizeof r->reason, "no marker response rule is validated for %s (the "
                 "IOF/ECTS rule is for oral bisphosphonates; osteotrack extends it only to "
                 "intravenous bisphosphonates and denosumab)", agent);
        return OT_RULE_NONE;
    case OT_CLASS_SUPPLEMENT:
        ot_fmt(r->reason, sizeof r->reason, "%s is a supplement, not osteoporosis therapy: the "
                 "marker rules assess a response to treatment", agent);
        return OT_RULE_NONE;
    case OT_CLASS_ANABOLIC:
        if (r->analyte == OT_ANALYTE_CTX) {
            ot_fmt(r->reason, sizeof r->reason, "on %s the response is judged by P1NP; CTX "
                     "alone is not assessable", agent);
            return OT_RULE_NONE;
        }
        return OT_RULE_ANABOLIC;
    case OT_CLASS_ORAL_BISPHOSPHONATE:
    case OT_CLASS_IV_BISPHOSPHONATE:
    case OT_CLASS_DENOSUMAB: break;
    }
    return OT_RULE_ANTIRESORPTIVE;
}

/* Checks the baseline and follow-up timing against the rule's window. */
static int timing_ok(ot_marker_result *r, const ot_window *w, ot_date start)
{
    char s[11], b[11];
    r->window_lo_months = w->lo;
    r->window_hi_months = w->hi;
    if (start == OT_DATE_NONE || r->date == OT_DATE_NONE)
        return 1;
    ot_date_format(s, start);
    if (r->baseline_date != OT_DATE_NONE && r->baseline_date > start) {
        ot_date_format(b, r->baseline_date);
        ot_fmt(r->reason, sizeof r->reason, "the baseline (%s) was taken after %s began (%s): "
                 "it is not a pre-treatment value", b, ot_agent_name(r->therapy), s);
        return 0;
    }
    r->months_from_start = ot_date_months_between(start, r->date);
    if (r->months_from_start < w->lo || r->months_from_start > w->hi) {
        ot_fmt(r->reason, sizeof r->reason, "the follow-up is %.1f months after %s began (%s); "
                 "the rule was validated %g-%g months after the start", r->months_from_start,
                 ot_agent_name(r->therapy), s, w->lo, w->hi);
        return 0;
    }
    return 1;
}

static void assess_antiresorptive(ot_marker_result *r, const ot_marker_rules *m)
{
    const char *u = ot_unit_name(r->unit), *lab = marker_label(r->analyte);
    r->lsc_pct = m->lsc_pct.value;
    r->lsc_confirmed = m->lsc_pct.confirmed;
    r->lsc_source = m->lsc_pct.source;
    r->target = m->target.value;
    r->target_confirmed = m->target.confirmed;
    r->target_source = m->target.source;
    /* IOF/ECTS (Diez-Perez 2017): a fall of more than the LSC, or a fall into
     * the reference interval (below the target); a marker that rose or stayed
     * level is never a response */
    double fall = -r->change_pct;
    int fell = ot_micro(fall) > ot_micro(r->lsc_pct);
    int below = ot_micro(r->value) < ot_micro(r->target);
    int down = ot_micro(r->value) < ot_micro(r->baseline);
    if (fell || (below && down)) {
        r->response = OT_RESP_RESPONDING;
        ot_fmt(r->reason, sizeof r->reason, "%s fell by %.1f%% (%s the LSC of %g%%) to %g %s (%s "
                 "the target of %g %s)", lab, fall, fell ? "more than" : "not more than",
                 r->lsc_pct, r->value, u, below ? "below" : "not below", r->target, u);
        return;
    }
    r->response = OT_RESP_SUBOPTIMAL;
    if (!down)
        ot_fmt(r->reason, sizeof r->reason, "%s %s (%+.1f%%, to %g %s): a marker that does not "
                 "fall is no response, even below the target of %g %s", lab,
                 ot_micro(r->value) == ot_micro(r->baseline) ? "did not change" : "rose",
                 -fall, r->value, u, r->target, u);
    else
        ot_fmt(r->reason, sizeof r->reason, "%s fell by %.1f%%, not more than the LSC of %g%%, "
                 "and %g %s is not below the target of %g %s", lab, fall, r->lsc_pct, r->value,
                 u, r->target, u);
    int oral = ot_agent_class_of(r->therapy) == OT_CLASS_ORAL_BISPHOSPHONATE;
    ot_flag_add(r->flags, &r->nflags, OT_MARKER_MAX_FLAGS, OT_FLAG_SUBOPTIMAL_SUPPRESSION,
                OT_SEV_WARNING, -1, (int)r->analyte,
                "%s on %s: suboptimal suppression (%s). Check adherence%s, absorption, and "
                "secondary causes of high turnover (vitamin D deficiency, hyperparathyroidism, "
                "hypogonadism, others)",
                lab, ot_agent_name(r->therapy), r->reason,
                oral ? " and how the tablet is taken (fasting, plain water, upright for 30 "
                       "minutes)"
                     : "");
}

static void assess_anabolic(ot_marker_result *r, const ot_marker_rules *m)
{
    r->rise_threshold = m->rise.value;
    r->rise_confirmed = m->rise.confirmed;
    r->rise_source = m->rise.source;
    if (ot_micro(r->change_abs) > ot_micro(r->rise_threshold)) {
        r->response = OT_RESP_RESPONDING;
        ot_fmt(r->reason, sizeof r->reason, "P1NP rose by %g ug/L, more than the %g ug/L "
                 "that marks an anabolic response", r->change_abs, r->rise_threshold);
        return;
    }
    r->response = OT_RESP_SUBOPTIMAL;
    ot_fmt(r->reason, sizeof r->reason, "P1NP changed by %+g ug/L, not more than the %g ug/L "
             "rise that marks an anabolic response", r->change_abs, r->rise_threshold);
    ot_flag_add(r->flags, &r->nflags, OT_MARKER_MAX_FLAGS, OT_FLAG_INADEQUATE_ANABOLIC_RESPONSE,
                OT_SEV_WARNING, -1, (int)r->analyte,
                "P1NP on %s: inadequate anabolic response (%s). Check adherence, injection "
                "technique and storage of the pen, and secondary causes",
                ot_agent_name(r->therapy), r->reason);
}

int ot_marker_assess(ot_marker_result *out, const ot_refdata *rd,
                     const ot_marker_measure *baseline, const ot_marker_measure *followup,
                     const ot_marker_options *opts, ot_error *err)
{
    static const ot_marker_options defaults = OT_MARKER_OPTIONS_INIT;
    if (!out || !rd || !baseline || !followup)
        return ot_err_set(err, OT_EINVAL, "ot_marker_assess: NULL argument");
    const ot_marker_options *o = opts ? opts : &defaults;
    if (o->version != OT_MARKER_OPTIONS_VERSION || (unsigned)o->therapy >= OT_AGENT_COUNT)
        return ot_err_set(err, OT_EINVAL, "ot_marker_assess: bad options");
    memset(out, 0, sizeof *out);
    out->rd = rd;
    double b, v;
    int rc = to_canonical(&b, rd, baseline, "baseline ", err);
    if (rc == OT_OK)
        rc = to_canonical(&v, rd, followup, "follow-up ", err);
    if (rc != OT_OK)
        return rc;
    if (baseline->analyte != followup->analyte)
        return ot_err_set(err, OT_EVOCAB, "cannot compare %s with %s",
                          ot_analyte_name(baseline->analyte), ot_analyte_name(followup->analyte));
    if ((rc = ot_check_date(baseline->date, "baseline date", err)) != OT_OK ||
        (rc = ot_check_date(followup->date, "follow-up date", err)) != OT_OK ||
        (rc = ot_check_date(o->therapy_start, "therapy_start", err)) != OT_OK)
        return rc;
    if (baseline->date != OT_DATE_NONE && followup->date != OT_DATE_NONE &&
        followup->date < baseline->date)
        return ot_err_set(err, OT_EDATE, "the follow-up is dated before the baseline");

    ot_marker_result *r = out;
    r->analyte = baseline->analyte;
    r->unit = ot_unit_canonical(r->analyte);
    r->baseline_date = baseline->date;
    r->date = followup->date;
    r->baseline = b;
    r->value = v;
    r->change_abs = v - b;
    r->change_pct = 100.0 * (v - b) / b;
    r->therapy = o->therapy;
    r->months_from_start = r->window_lo_months = r->window_hi_months = NAN;
    r->lsc_pct = r->target = r->rise_threshold = NAN;
    r->response = OT_RESP_NOT_ASSESSABLE;
    r->rule = pick_rule(r);
    if (r->rule == OT_RULE_NONE)
        return OT_OK;
    ot_date start = o->therapy_start != OT_DATE_NONE ? o->therapy_start : baseline->date;
    const ot_window *w =
        r->rule == OT_RULE_ANABOLIC ? &rd->window_anabolic : &rd->window_antiresorptive;
    if (!timing_ok(r, w, start)) {
        r->rule = OT_RULE_NONE;
        return OT_OK;
    }
    if (r->rule == OT_RULE_ANABOLIC)
        assess_anabolic(r, &rd->markers[r->analyte]);
    else
        assess_antiresorptive(r, &rd->markers[r->analyte]);
    if (isnan(r->months_from_start)) {
        size_t n = strlen(r->reason);
        ot_fmt(r->reason + n, sizeof r->reason - n, "; timing not checked (no dates): the rule "
                 "holds %g-%g months after the start", w->lo, w->hi);
    }
    return OT_OK;
}


/* The patient report as JSON (CONTRACT.md "Report fields"), written with
 * the fast writer: a batch writes millions of these. */
#include "jsonw.h"
#include "report.h"

#include <math.h>
#include <stdio.h>

static void bmd_entry(jw *w, const ot_bmd_entry *e)
{
    jw_object(w, NULL);
    ot_bmd_result_write(w, &e->base, 0); /* the report lists flags once */
    jw_str(w, "therapy", ot_agent_name(e->therapy));
    jw_bool(w, "new_baseline", e->new_baseline);
    jw_object(w, "vs_previous");
    ot_bmd_change_write(w, &e->prev);
    jw_str(w, "significance", ot_significance_name(e->prev.significance));
    jw_end_object(w);
    jw_end_object(w);
}

static void pair(jw *w, const char *key, double a, double b, int decimals)
{
    jw_array(w, key);
    jw_num(w, NULL, a, decimals);
    jw_num(w, NULL, b, decimals);
    jw_end_array(w);
}

static void trend(jw *w, const ot_trend *t)
{
    jw_object(w, NULL);
    jw_str(w, "site", ot_site_name(t->site));
    jw_num(w, "n", (double)t->n, 0);
    jw_date(w, "first_date", t->first);
    jw_date(w, "last_date", t->last);
    jw_num(w, "slope_g_cm2_per_year", t->slope, 6);
    jw_num(w, "slope_pct_per_year", t->slope_pct, 4);
    pair(w, "ci95", t->lo, t->hi, 6);
    pair(w, "ci95_pct", t->lo_pct, t->hi_pct, 4);
    jw_num(w, "dof", t->dof, 0);
    jw_bool(w, "excludes_zero", t->excludes_zero);
    jw_end_object(w);
}

static void tscore(jw *w, const ot_report *r)
{
    static const char *const cats[] = {"normal", "low_bone_mass", "osteoporosis"};
    const ot_tscore_summary *ts = &r->ts;
    jw_object(w, "tscore");
    jw_num(w, "lowest", ts->lowest, 2);
    if (isnan(ts->lowest)) {
        jw_null(w, "lowest_site");
        jw_null(w, "date");
        jw_null(w, "category");
        jw_null(w, "source");
    } else {
        jw_str(w, "lowest_site", ot_site_name(ts->lowest_site));
        jw_date(w, "date", ts->date);
        jw_str(w, "category", cats[ts->category]);
        jw_str(w, "source", ts->computed ? ts->computed_source : "reported by the scanner");
    }
    jw_bool(w, "osteoporosis_diagnosis", ts->diagnosis);
    if (ts->diagnosis)
        jw_str(w, "diagnosis_basis", ts->basis);
    else
        jw_null(w, "diagnosis_basis");
    jw_end_object(w);
}

static void therapy(jw *w, const ot_report *r)
{
    jw_object(w, "therapy");
    if (r->current) {
        jw_str(w, "current", ot_agent_name(r->current->agent));
        jw_date(w, "since", r->current->start);
    } else {
        jw_null(w, "current");
        jw_null(w, "since");
    }
    jw_array(w, "courses");
    for (size_t i = 0; i < r->ncourses; i++) {
        jw_object(w, NULL);
        jw_str(w, "agent", ot_agent_name(r->courses[i].agent));
        jw_date(w, "start", r->courses[i].start);
        jw_date(w, "end", r->courses[i].end);
        jw_end_object(w);
    }
    jw_end_array(w);
    jw_end_object(w);
}

/* Flags, alerts first, then warnings, then info; otherwise in rule order. */
static void flags(jw *w, const ot_report *r)
{
    jw_array(w, "flags");
    for (int sev = OT_SEV_ALERT; sev >= OT_SEV_INFO; sev--)
        for (size_t i = 0; i < r->nflags; i++)
            if ((int)r->flags[i].severity == sev)
                ot_flag_write(w, &r->flags[i]);
    jw_end_array(w);
}

/* By due date, then in rule order. */
static void actions(jw *w, const ot_report *r)
{
    jw_array(w, "next_actions");
    ot_date last = OT_DATE_NONE;
    for (size_t done = 0; done < r->nactions;) {
        ot_date next = OT_DATE_NONE; /* the smallest due date after `last` */
        for (size_t i = 0; i < r->nactions; i++)
            if ((last == OT_DATE_NONE || r->actions[i].due > last) &&
                (next == OT_DATE_NONE || r->actions[i].due < next))
                next = r->actions[i].due;
        for (size_t i = 0; i < r->nactions; i++) {
            const ot_action *a = &r->actions[i];
            if (a->due != next)
                continue;
            jw_object(w, NULL);
            jw_str(w, "action", a->action);
            jw_date(w, "due", a->due);
            jw_str(w, "code", ot_flag_code_name(a->code));
            jw_end_object(w);
            done++;
        }
        last = next;
    }
    jw_end_array(w);
}

int ot_report_to_json(char **out, const ot_report *r, int pretty)
{
    if (!out || !r)
        return OT_EINVAL;
    jw w;
    jw_init(&w, pretty);
    jw_object(&w, NULL);
    jw_str(&w, "patient_id", r->id);
    jw_date(&w, "as_of", r->as_of);
    therapy(&w, r);
    jw_array(&w, "bmd");
    for (size_t i = 0; i < r->nbmd; i++)
        bmd_entry(&w, &r->bmd[i]);
    jw_end_array(&w);
    jw_array(&w, "trend");
    for (size_t i = 0; i < r->ntrend; i++)
        trend(&w, &r->trend[i]);
    jw_end_array(&w);
    jw_array(&w, "markers");
    for (size_t i = 0; i < r->nmarkers; i++) {
        jw_object(&w, NULL);
        ot_marker_result_write(&w, &r->markers[i], 0);
        jw_end_object(&w);
    }
    jw_end_array(&w);
    tscore(&w, r);
    if (r->failure[0]) {
        jw_object(&w, "treatment_failure");
        jw_str(&w, "criterion", r->failure);
        jw_str(&w, "source", r->rd->mon.failure_min.source);
        jw_end_object(&w);
    } else {
        jw_null(&w, "treatment_failure");
    }
    flags(&w, r);
    jw_str(&w, "assessment", ot_assessment_name(r->assessment));
    jw_str(&w, "summary", r->summary);
    actions(&w, r);
    if (r->nafter) { /* never silent: data dated after as_of is left out */
        char note[160], d[11];
        ot_date_format(d, r->as_of);
        snprintf(note, sizeof note, "%zu observation(s), fracture(s) or treatment course(s) dated "
                 "after %s (the as-of date) are left out of this report", r->nafter, d);
        jw_object(&w, "after_as_of");
        jw_num(&w, "count", (double)r->nafter, 0);
        jw_date(&w, "first_date", r->first_after);
        jw_str(&w, "note", note);
        jw_end_object(&w);
    }
    jw_end_object(&w);
    return jw_finish(&w, out);
}

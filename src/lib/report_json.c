/* The patient report as JSON (CONTRACT.md "Report fields"). */
#include "report.h"

#include <math.h>
#include <string.h>

static cJSON *pair(double a, double b)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, isnan(a) ? cJSON_CreateNull() : cJSON_CreateNumber(a));
    cJSON_AddItemToArray(arr, isnan(b) ? cJSON_CreateNull() : cJSON_CreateNumber(b));
    return arr;
}

static cJSON *bmd_json(const ot_bmd_entry *e)
{
    cJSON *o = ot_bmd_result_json(&e->base);
    if (!o)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(o, "flags"); /* the report lists them once */
    cJSON_AddStringToObject(o, "therapy", ot_agent_name(e->therapy));
    cJSON_AddBoolToObject(o, "new_baseline", e->new_baseline);
    const ot_bmd_result *p = &e->prev;
    cJSON *v = cJSON_AddObjectToObject(o, "vs_previous");
    ot_json_add_date(v, "baseline_date", p->baseline_date);
    ot_json_add_date(v, "date", p->date);
    ot_json_add_num(v, "baseline_g_cm2", ot_round(p->baseline_g_cm2, 6));
    ot_json_add_num(v, "value_g_cm2", ot_round(p->value_g_cm2, 6));
    ot_json_add_num(v, "change_g_cm2", ot_round(p->change_g_cm2, 6));
    ot_json_add_num(v, "change_pct", ot_round(p->change_pct, 4));
    ot_json_add_num(v, "months", ot_round(p->months, 2));
    ot_json_add_num(v, "annualized_pct", ot_round(p->annualized_pct, 4));
    ot_json_add_num(v, "lsc_g_cm2", ot_round(p->lsc_g_cm2, 6));
    cJSON_AddStringToObject(v, "significance", ot_significance_name(p->significance));
    return o;
}

static cJSON *trend_json(const ot_trend *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "site", ot_site_name(t->site));
    cJSON_AddNumberToObject(o, "n", (double)t->n);
    ot_json_add_date(o, "first_date", t->first);
    ot_json_add_date(o, "last_date", t->last);
    ot_json_add_num(o, "slope_g_cm2_per_year", ot_round(t->slope, 6));
    ot_json_add_num(o, "slope_pct_per_year", ot_round(t->slope_pct, 4));
    cJSON_AddItemToObject(o, "ci95", pair(ot_round(t->lo, 6), ot_round(t->hi, 6)));
    cJSON_AddItemToObject(o, "ci95_pct", pair(ot_round(t->lo_pct, 4), ot_round(t->hi_pct, 4)));
    cJSON_AddNumberToObject(o, "dof", t->dof);
    cJSON_AddBoolToObject(o, "excludes_zero", t->excludes_zero);
    return o;
}

static cJSON *tscore_json(const ot_report *r)
{
    static const char *const cats[] = {"normal", "low_bone_mass", "osteoporosis"};
    const ot_tscore_summary *ts = &r->ts;
    cJSON *o = cJSON_CreateObject();
    ot_json_add_num(o, "lowest", ot_round(ts->lowest, 2));
    if (isnan(ts->lowest)) {
        cJSON_AddNullToObject(o, "lowest_site");
        cJSON_AddNullToObject(o, "date");
        cJSON_AddNullToObject(o, "category");
        cJSON_AddNullToObject(o, "source");
    } else {
        cJSON_AddStringToObject(o, "lowest_site", ot_site_name(ts->lowest_site));
        ot_json_add_date(o, "date", ts->date);
        cJSON_AddStringToObject(o, "category", cats[ts->category]);
        cJSON_AddStringToObject(o, "source", ts->computed ? ts->computed_source
                                                          : "reported by the scanner");
    }
    cJSON_AddBoolToObject(o, "osteoporosis_diagnosis", ts->diagnosis);
    if (ts->diagnosis)
        cJSON_AddStringToObject(o, "diagnosis_basis", ts->basis);
    else
        cJSON_AddNullToObject(o, "diagnosis_basis");
    return o;
}

static cJSON *therapy_json(const ot_report *r)
{
    cJSON *o = cJSON_CreateObject();
    if (r->current) {
        cJSON_AddStringToObject(o, "current", ot_agent_name(r->current->agent));
        ot_json_add_date(o, "since", r->current->start);
    } else {
        cJSON_AddNullToObject(o, "current");
        cJSON_AddNullToObject(o, "since");
    }
    cJSON *courses = cJSON_AddArrayToObject(o, "courses");
    for (size_t i = 0; i < r->ncourses; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "agent", ot_agent_name(r->courses[i].agent));
        ot_json_add_date(c, "start", r->courses[i].start);
        ot_json_add_date(c, "end", r->courses[i].end);
        cJSON_AddItemToArray(courses, c);
    }
    return o;
}

/* Flags, alerts first, then warnings, then info; otherwise in rule order. */
static cJSON *flags_json(const ot_report *r)
{
    cJSON *arr = cJSON_CreateArray();
    for (int sev = OT_SEV_ALERT; sev >= OT_SEV_INFO; sev--)
        for (size_t i = 0; i < r->nflags; i++)
            if ((int)r->flags[i].severity == sev)
                cJSON_AddItemToArray(arr, ot_flag_json(&r->flags[i]));
    return arr;
}

static cJSON *actions_json(const ot_report *r)
{
    cJSON *arr = cJSON_CreateArray();
    /* by due date, then in rule order (a stable insertion order) */
    size_t idx[64], n = r->nactions < 64 ? r->nactions : 64;
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && r->actions[idx[j - 1]].due > r->actions[i].due) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    for (size_t i = 0; i < n; i++) {
        const ot_action *a = &r->actions[idx[i]];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "action", a->action);
        ot_json_add_date(o, "due", a->due);
        cJSON_AddStringToObject(o, "code", ot_flag_code_name(a->code));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *report_json(const ot_report *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "patient_id", r->id);
    ot_json_add_date(o, "as_of", r->as_of);
    cJSON_AddItemToObject(o, "therapy", therapy_json(r));
    cJSON *bmd = cJSON_AddArrayToObject(o, "bmd");
    for (size_t i = 0; i < r->nbmd; i++)
        cJSON_AddItemToArray(bmd, bmd_json(&r->bmd[i]));
    cJSON *trend = cJSON_AddArrayToObject(o, "trend");
    for (size_t i = 0; i < r->ntrend; i++)
        cJSON_AddItemToArray(trend, trend_json(&r->trend[i]));
    cJSON *markers = cJSON_AddArrayToObject(o, "markers");
    for (size_t i = 0; i < r->nmarkers; i++) {
        cJSON *m = ot_marker_result_json(&r->markers[i]);
        cJSON_DeleteItemFromObjectCaseSensitive(m, "flags");
        cJSON_AddItemToArray(markers, m);
    }
    cJSON_AddItemToObject(o, "tscore", tscore_json(r));
    if (r->failure[0]) {
        cJSON *f = cJSON_AddObjectToObject(o, "treatment_failure");
        cJSON_AddStringToObject(f, "criterion", r->failure);
        cJSON_AddStringToObject(f, "source", r->rd->mon.failure_min.source);
    } else {
        cJSON_AddNullToObject(o, "treatment_failure");
    }
    cJSON_AddItemToObject(o, "flags", flags_json(r));
    cJSON_AddStringToObject(o, "assessment", ot_assessment_name(r->assessment));
    cJSON_AddStringToObject(o, "summary", r->summary);
    cJSON_AddItemToObject(o, "next_actions", actions_json(r));
    return o;
}

int ot_report_to_json(char **out, const ot_report *r, int pretty)
{
    if (!out || !r)
        return OT_EINVAL;
    return ot_json_finish(out, report_json(r), pretty);
}

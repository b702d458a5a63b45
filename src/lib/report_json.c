/* The patient report as JSON (osteotrack(1), report.schema.json), written with
 * the fast writer: a batch writes millions of these. */
#include "result_json.h"
#include "report.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* vs_previous holds only what differs from the entry itself: {} when the
 * previous scan is the baseline. */
static void bmd_entry(jw *w, ot_srcs *u, const ot_bmd_entry *e)
{
    jw_object(w, JW_NOKEY);
    ot_bmd_result_write(w, u, &e->base, 0); /* the report lists flags once */
    jw_str(w, JW_KEY("therapy"), ot_agent_name(e->therapy));
    jw_str(w, JW_KEY("period"), ot_period_name(e->period));
    jw_bool(w, JW_KEY("new_baseline"), e->new_baseline);
    jw_object(w, JW_KEY("vs_previous"));
    ot_bmd_change_diff_write(w, &e->prev, &e->base);
    jw_end_object(w);
    jw_end_object(w);
}

static void pair(jw *w, jw_key key, double a, double b, int decimals)
{
    jw_array(w, key);
    jw_num(w, JW_NOKEY, a, decimals);
    jw_num(w, JW_NOKEY, b, decimals);
    jw_end_array(w);
}

static void trend(jw *w, const ot_trend *t)
{
    jw_object(w, JW_NOKEY);
    jw_str(w, JW_KEY("site"), ot_site_name(t->site));
    if (t->side != OT_SIDE_NONE)
        jw_str(w, JW_KEY("side"), ot_side_name(t->side));
    if (t->region != OT_REGION_NONE)
        jw_str(w, JW_KEY("region"), ot_spine_region_name(t->region));
    jw_num(w, JW_KEY("n"), (double)t->n, 0);
    jw_date(w, JW_KEY("first_date"), t->first);
    jw_date(w, JW_KEY("last_date"), t->last);
    jw_num(w, JW_KEY("slope_g_cm2_per_year"), t->slope, 6);
    jw_num(w, JW_KEY("slope_pct_per_year"), t->slope_pct, 4);
    pair(w, JW_KEY("ci95"), t->lo, t->hi, 6);
    pair(w, JW_KEY("ci95_pct"), t->lo_pct, t->hi_pct, 4);
    jw_num(w, JW_KEY("dof"), t->dof, 0);
    jw_bool(w, JW_KEY("excludes_zero"), t->excludes_zero);
    jw_end_object(w);
}

static void tscore(jw *w, ot_srcs *u, const ot_report *r)
{
    static const char *const cats[] = {"normal", "low_bone_mass", "osteoporosis"};
    static const char *const zcats[] = {"within_expected_range_for_age",
                                        "below_expected_range_for_age"};
    static const char *const rules[] = {"who_t_score", "nbha_fracture_any_bmd",
                                        "nbha_fracture_with_low_bone_mass"};
    const ot_tscore_summary *ts = &r->ts;
    jw_object(w, JW_KEY("tscore"));
    jw_str(w, JW_KEY("reference"), ts->zref ? "z_score" : "t_score");
    jw_num(w, JW_KEY("lowest"), ts->lowest, 2);
    if (isnan(ts->lowest)) {
        jw_null(w, JW_KEY("lowest_site"));
        jw_null(w, JW_KEY("date"));
        jw_null(w, JW_KEY("source"));
    } else {
        jw_str(w, JW_KEY("lowest_site"), ot_site_name(ts->lowest_site));
        if (ts->lowest_side != OT_SIDE_NONE)
            jw_str(w, JW_KEY("lowest_side"), ot_side_name(ts->lowest_side));
        jw_date(w, JW_KEY("date"), ts->date);
        ot_src_write(w, u, JW_KEY("source"), ts->computed ? ts->computed_source : "scanner-reported");
    }
    jw_num(w, JW_KEY("lowest_zscore"), ts->zlowest, 2);
    if (isnan(ts->zlowest)) {
        jw_null(w, JW_KEY("lowest_zscore_site"));
        jw_null(w, JW_KEY("lowest_zscore_date"));
    } else {
        jw_str(w, JW_KEY("lowest_zscore_site"), ot_site_name(ts->zsite));
        jw_date(w, JW_KEY("lowest_zscore_date"), ts->zdate);
    }
    if (ts->zref ? ts->zcategory < 0 : ts->category < 0)
        jw_null(w, JW_KEY("category"));
    else
        jw_str(w, JW_KEY("category"), ts->zref ? zcats[ts->zcategory] : cats[ts->category]);
    jw_bool(w, JW_KEY("osteoporosis_diagnosis"), ts->diagnosis);
    if (ts->diagnosis) {
        jw_str(w, JW_KEY("diagnosis_basis"), ts->basis);
        jw_str(w, JW_KEY("diagnosis_rule"), rules[ts->rule - 1]);
    } else {
        jw_null(w, JW_KEY("diagnosis_basis"));
        jw_null(w, JW_KEY("diagnosis_rule"));
    }
    if (ts->note[0])
        jw_str(w, JW_KEY("note"), ts->note);
    else
        jw_null(w, JW_KEY("note"));
    jw_end_object(w);
}

static void patient(jw *w, const ot_report *r)
{
    jw_object(w, JW_KEY("patient"));
    if (r->sex == OT_SEX_UNKNOWN)
        jw_null(w, JW_KEY("sex"));
    else
        jw_str(w, JW_KEY("sex"), ot_sex_name(r->sex));
    int age = ot_date_age(r->birth, r->as_of);
    jw_num(w, JW_KEY("age"), age < 0 ? NAN : (double)age, 0);
    if (r->menopause == OT_MENOPAUSE_UNKNOWN)
        jw_null(w, JW_KEY("menopausal_status"));
    else
        jw_str(w, JW_KEY("menopausal_status"), ot_menopause_name(r->menopause));
    jw_end_object(w);
}

static const char *class_name(ot_agent a)
{
    static const char *const names[] = {"none", "oral_bisphosphonate", "iv_bisphosphonate",
                                        "denosumab", "anabolic", "romosozumab", "serm",
                                        "hormone_therapy", "supplement"};
    unsigned k = (unsigned)ot_agent_class_of(a);
    return k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

static void therapy(jw *w, const ot_report *r, int courses)
{
    jw_object(w, JW_KEY("therapy"));
    if (r->current) {
        jw_str(w, JW_KEY("current"), ot_agent_name(r->current->agent));
        jw_date(w, JW_KEY("since"), r->current->start);
    } else {
        jw_null(w, JW_KEY("current"));
        jw_null(w, JW_KEY("since"));
    }
    if (!courses) {
        jw_end_object(w);
        return;
    }
    jw_array(w, JW_KEY("courses"));
    for (size_t i = 0; i < r->ncourses; i++) {
        const ot_course *c = &r->courses[i];
        jw_object(w, JW_NOKEY);
        jw_str(w, JW_KEY("agent"), ot_agent_name(c->agent));
        jw_str(w, JW_KEY("class"), class_name(c->agent));
        jw_date(w, JW_KEY("start"), c->start);
        jw_date(w, JW_KEY("end"), c->end);
        jw_date(w, JW_KEY("in_effect_until"), c->until);
        jw_num(w, JW_KEY("doses"), (double)c->ndoses, 0);
        jw_end_object(w);
    }
    jw_end_array(w);
    jw_end_object(w);
}

/* The course the assessment judges and each site's change on it. */
static void assessed(jw *w, const ot_report *r)
{
    const ot_course *c = r->assessed;
    if (!c) {
        jw_null(w, JW_KEY("assessed_course"));
        return;
    }
    jw_object(w, JW_KEY("assessed_course"));
    jw_str(w, JW_KEY("agent"), ot_agent_name(c->agent));
    jw_date(w, JW_KEY("start"), c->start);
    jw_date(w, JW_KEY("in_effect_until"), c->until);
    jw_bool(w, JW_KEY("current"), c == r->current);
    jw_array(w, JW_KEY("bmd"));
    for (int s = 0; s < OT_SERIES_COUNT; s++) {
        if (!r->has_cc[s])
            continue;
        const ot_course_change *cc = &r->cc[s];
        jw_object(w, JW_NOKEY);
        jw_str(w, JW_KEY("site"), ot_site_name(cc->cmp.site));
        if (cc->cmp.side != OT_SIDE_NONE)
            jw_str(w, JW_KEY("side"), ot_side_name(cc->cmp.side));
        ot_bmd_change_write(w, &cc->cmp);
        jw_str(w, JW_KEY("significance"), ot_significance_name(cc->cmp.significance));
        jw_date(w, JW_KEY("previous_date"), cc->prev.baseline_date);
        jw_str(w, JW_KEY("vs_previous"), ot_significance_name(cc->prev.significance));
        jw_end_object(w);
    }
    jw_end_array(w);
    jw_end_object(w);
}

static void review(jw *w, ot_srcs *u, const ot_report *r)
{
    const ot_bp_review *v = &r->review;
    if (!v->active) {
        jw_null(w, JW_KEY("bisphosphonate_review"));
        return;
    }
    jw_object(w, JW_KEY("bisphosphonate_review"));
    jw_str(w, JW_KEY("phase"), v->holiday ? "holiday" : "on_treatment");
    jw_date(w, JW_KEY("since"), v->since);
    jw_date(w, JW_KEY("due"), v->due);
    jw_num(w, JW_KEY("years_on_treatment"), v->years, 2);
    if (v->recommendation < 0)
        jw_null(w, JW_KEY("recommendation"));
    else
        jw_str(w, JW_KEY("recommendation"), ot_review_recommendation(v->recommendation));
    jw_array(w, JW_KEY("reasons"));
    for (unsigned i = 0; ot_review_reason(i); i++)
        if (v->reasons & (1u << i))
            jw_str(w, JW_NOKEY, ot_review_reason(i));
    jw_end_array(w);
    ot_src_write(w, u, JW_KEY("source"), v->source);
    jw_end_object(w);
}

static void failure(jw *w, ot_srcs *u, const ot_report *r)
{
    if (!r->failure[0]) {
        jw_null(w, JW_KEY("treatment_failure"));
        return;
    }
    jw_object(w, JW_KEY("treatment_failure"));
    jw_str(w, JW_KEY("criterion"), r->failure);
    ot_src_write(w, u, JW_KEY("source"), r->rd->mon.failure_min.source);
    jw_end_object(w);
}

/* Flags, alerts first, then warnings, then info; otherwise in rule order. */
static void flags(jw *w, const ot_report *r)
{
    jw_array(w, JW_KEY("flags"));
    for (int sev = OT_SEV_ALERT; sev >= OT_SEV_INFO; sev--)
        for (size_t i = 0; i < r->nflags; i++)
            if ((int)r->flags[i].severity == sev)
                ot_flag_write(w, &r->flags[i]);
    jw_end_array(w);
}

/* By due date, then in rule order (ot_report_build sorted them). */
static void actions(jw *w, const ot_report *r)
{
    jw_array(w, JW_KEY("next_actions"));
    for (size_t i = 0; i < r->nactions; i++) {
        const ot_action *a = &r->actions[i];
        jw_object(w, JW_NOKEY);
        jw_str(w, JW_KEY("action"), a->action);
        jw_date(w, JW_KEY("due"), a->due);
        jw_str(w, JW_KEY("code"), ot_flag_code_name(a->code));
        jw_end_object(w);
    }
    jw_end_array(w);
}

/* Summary: the latest entry of each site (against its baseline, and in
 * vs_previous against the scan before), in report order. */
static void latest_entries(jw *w, ot_srcs *u, const ot_report *r)
{
    size_t last[OT_SERIES_COUNT];
    for (int s = 0; s < OT_SERIES_COUNT; s++)
        last[s] = SIZE_MAX;
    for (size_t i = 0; i < r->nbmd; i++)
        last[ot_result_series(&r->bmd[i].base)] = i;
    for (size_t i = 0; i < r->nbmd; i++)
        if (last[ot_result_series(&r->bmd[i].base)] == i)
            bmd_entry(w, u, &r->bmd[i]);
}

/* Summary: the markers of the current course (else of the course assessed). */
static int of_course(const ot_report *r, const ot_marker_result *m)
{
    const ot_course *c = r->current ? r->current : r->assessed;
    return c && m->therapy == c->agent && m->date != OT_DATE_NONE && m->date >= c->start;
}

int ot_report_to_json(char **out, const ot_report *r, int pretty)
{
    return ot_report_to_json_detail(out, r, pretty, OT_DETAIL_FULL);
}

/* The report's fields up to its provenance (not the closing brace). */
static void report_body(jw *w, ot_srcs *u, const ot_report *r, int full)
{
    jw_object(w, JW_NOKEY);
    jw_str(w, JW_KEY("patient_id"), r->id);
    jw_date(w, JW_KEY("as_of"), r->as_of);
    if (!full)
        jw_str(w, JW_KEY("detail"), "summary");
    patient(w, r);
    therapy(w, r, full);
    jw_array(w, JW_KEY("bmd"));
    if (full)
        for (size_t i = 0; i < r->nbmd; i++)
            bmd_entry(w, u, &r->bmd[i]);
    else
        latest_entries(w, u, r);
    jw_end_array(w);
    jw_array(w, JW_KEY("trend"));
    for (size_t i = 0; i < r->ntrend; i++)
        trend(w, &r->trend[i]);
    jw_end_array(w);
    jw_array(w, JW_KEY("markers"));
    for (size_t i = 0; i < r->nmarkers; i++) {
        if (!full && !of_course(r, &r->markers[i]))
            continue;
        jw_object(w, JW_NOKEY);
        ot_marker_result_write(w, u, &r->markers[i], 0);
        jw_end_object(w);
    }
    jw_end_array(w);
    tscore(w, u, r);
    if (full) {
        assessed(w, r);
        review(w, u, r);
        failure(w, u, r);
    }
    flags(w, r);
    jw_str(w, JW_KEY("assessment"), ot_assessment_name(r->assessment));
    jw_str(w, JW_KEY("summary"), r->summary);
    actions(w, r);
    if (r->nafter) { /* never silent: data dated after as_of is left out */
        char note[160], d[11];
        ot_date_format(d, r->as_of);
        snprintf(note, sizeof note, "%zu observation(s), fracture(s), treatment course(s) or dose(s) dated "
                 "after %s (the as-of date) are left out of this report", r->nafter, d);
        jw_object(w, JW_KEY("after_as_of"));
        jw_num(w, JW_KEY("count"), (double)r->nafter, 0);
        jw_date(w, JW_KEY("first_date"), r->first_after);
        jw_str(w, JW_KEY("note"), note);
        jw_end_object(w);
    }
}

/* The source ids the JSON of the report at `detail` names (for its text). */
int ot_report_source_ids(const ot_report *r, ot_detail detail, ot_srcs *u)
{
    jw w;
    jw_init(&w, 0);
    report_body(&w, u, r, detail == OT_DETAIL_FULL);
    jw_end_object(&w);
    int failed = w.failed;
    free(w.buf);
    return failed ? OT_ENOMEM : OT_OK;
}

int ot_report_to_json_detail(char **out, const ot_report *r, int pretty, ot_detail detail)
{
    if (!out || !r || (detail != OT_DETAIL_FULL && detail != OT_DETAIL_SUMMARY))
        return OT_EINVAL;
    int full = detail == OT_DETAIL_FULL;
    jw w;
    jw_init(&w, pretty);
    ot_srcs u;
    ot_srcs_init(&u);
    report_body(&w, &u, r, full);
    ot_provenance_write(&w, r->rd, &u);
    jw_end_object(&w);
    ot_srcs_free(&u);
    return jw_finish(&w, out);
}

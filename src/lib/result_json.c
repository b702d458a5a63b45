/* Results as JSON with the fast writer (jsonw.h): BMD comparisons, marker
 * assessments and flags, shared by compare, markers and the report. */
#include "result_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ot_srcs_init(ot_srcs *u)
{
    u->ids = u->fixed;
    u->n = 0;
    u->cap = sizeof u->fixed / sizeof u->fixed[0];
}

void ot_srcs_free(ot_srcs *u)
{
    if (u->ids != u->fixed)
        free((void *)u->ids);
    ot_srcs_init(u);
}

int ot_srcs_add(ot_srcs *u, const char *id)
{
    for (size_t i = 0; i < u->n; i++) /* the same field again: the same pointer */
        if (u->ids[i] == id)
            return OT_OK;
    for (size_t i = 0; i < u->n; i++)
        if (strcmp(u->ids[i], id) == 0)
            return OT_OK;
    if (u->n == u->cap) {
        size_t cap = u->cap * 2;
        const char **p = malloc(cap * sizeof *p);
        if (!p)
            return OT_ENOMEM;
        memcpy(p, u->ids, u->n * sizeof *p);
        if (u->ids != u->fixed)
            free((void *)u->ids);
        u->ids = p;
        u->cap = cap;
    }
    u->ids[u->n++] = id;
    return OT_OK;
}

void ot_srcs_sort(ot_srcs *u)
{
    /* by id: a few, sorted in place by insertion */
    for (size_t i = 1; i < u->n; i++) {
        const char *x = u->ids[i];
        size_t j = i;
        for (; j > 0 && strcmp(u->ids[j - 1], x) > 0; j--)
            u->ids[j] = u->ids[j - 1];
        u->ids[j] = x;
    }
}

void ot_src_write(jw *w, ot_srcs *u, jw_key key, const char *id)
{
    if (!id) {
        jw_null(w, key);
        return;
    }
    jw_str(w, key, id);
    if (ot_srcs_add(u, id) != OT_OK)
        w->failed = 1; /* jw_finish reports OT_ENOMEM */
}

void ot_provenance_write(jw *w, const ot_refdata *rd, ot_srcs *u)
{
    jw_str(w, JW_KEY("osteotrack_version"), ot_version());
    if (!rd) {
        jw_null(w, JW_KEY("reference_data"));
        jw_null(w, JW_KEY("sources"));
        return;
    }
    jw_object(w, JW_KEY("reference_data"));
    jw_str(w, JW_KEY("version"), ot_refdata_version(rd));
    jw_str(w, JW_KEY("digest"), ot_refdata_digest(rd));
    jw_array(w, JW_KEY("config"));
    for (size_t i = 0; i < ot_refdata_config_count(rd); i++) {
        const char *name, *digest;
        ot_refdata_config(rd, i, &name, &digest);
        jw_object(w, JW_NOKEY);
        jw_str(w, JW_KEY("name"), name);
        jw_str(w, JW_KEY("digest"), digest);
        jw_end_object(w);
    }
    jw_end_array(w);
    jw_end_object(w);
    ot_srcs_sort(u);
    jw_object(w, JW_KEY("sources"));
    for (size_t k = 0; k < u->n; k++) {
        const char *next = u->ids[k];
        const ot_source *s = ot_source_find(rd, next);
        jw_object_named(w, next); /* an id: escaped */
        if (s) {
            jw_str(w, JW_KEY("citation"), s->citation);
            jw_bool(w, JW_KEY("confirmed"), s->confirmed);
        } else { /* not in this reference data: said, not guessed */
            jw_null(w, JW_KEY("citation"));
            jw_null(w, JW_KEY("confirmed"));
        }
        jw_end_object(w);
    }
    jw_end_object(w);
}

void ot_flag_write(jw *w, const ot_flag *f)
{
    jw_object(w, JW_NOKEY);
    jw_str(w, JW_KEY("code"), ot_flag_code_name(f->code));
    jw_str(w, JW_KEY("severity"), ot_severity_name(f->severity));
    jw_str(w, JW_KEY("message"), f->message);
    if (f->has_site)
        jw_str(w, JW_KEY("site"), ot_site_name(f->site));
    if (f->has_analyte)
        jw_str(w, JW_KEY("analyte"), ot_analyte_name(f->analyte));
    jw_end_object(w);
}

static void pair(jw *w, jw_key key, double a, double b, int decimals)
{
    jw_array(w, key);
    jw_num(w, JW_NOKEY, a, decimals);
    jw_num(w, JW_NOKEY, b, decimals);
    jw_end_array(w);
}

/* The change fields, shared by an entry and its vs_previous. */
void ot_bmd_change_write(jw *w, const ot_bmd_result *r)
{
    jw_date(w, JW_KEY("baseline_date"), r->baseline_date);
    jw_date(w, JW_KEY("date"), r->date);
    jw_num(w, JW_KEY("baseline_g_cm2"), r->baseline_g_cm2, 6);
    if (r->device_changed) /* null unless cross-calibrated */
        jw_num(w, JW_KEY("baseline_converted_g_cm2"), r->baseline_converted_g_cm2, 6);
    jw_num(w, JW_KEY("value_g_cm2"), r->value_g_cm2, 6);
    jw_num(w, JW_KEY("change_g_cm2"), r->change_g_cm2, 6);
    jw_num(w, JW_KEY("change_pct"), r->change_pct, 4);
    jw_num(w, JW_KEY("months"), r->months, 2);
    jw_num(w, JW_KEY("annualized_pct"), r->annualized_pct, 4);
    jw_num(w, JW_KEY("lsc_g_cm2"), r->lsc_g_cm2, 6);
}

/* Equal as written (jw_num rounds to `decimals`), or both null. */
static int same(double a, double b, int decimals)
{
    return jw_num_same(a, b, decimals);
}

void ot_bmd_change_diff_write(jw *w, const ot_bmd_result *r, const ot_bmd_result *own)
{
    if (r->baseline_date != own->baseline_date)
        jw_date(w, JW_KEY("baseline_date"), r->baseline_date);
    if (r->date != own->date)
        jw_date(w, JW_KEY("date"), r->date);
    if (!same(r->baseline_g_cm2, own->baseline_g_cm2, 6))
        jw_num(w, JW_KEY("baseline_g_cm2"), r->baseline_g_cm2, 6);
    /* the entry has it only after a scanner change; null here says the scan
     * before was compared without a conversion */
    double conv = r->device_changed ? r->baseline_converted_g_cm2 : NAN;
    if ((r->device_changed || own->device_changed) &&
        (r->device_changed != own->device_changed ||
         !same(conv, own->baseline_converted_g_cm2, 6)))
        jw_num(w, JW_KEY("baseline_converted_g_cm2"), conv, 6);
    if (!same(r->value_g_cm2, own->value_g_cm2, 6))
        jw_num(w, JW_KEY("value_g_cm2"), r->value_g_cm2, 6);
    if (!same(r->change_g_cm2, own->change_g_cm2, 6))
        jw_num(w, JW_KEY("change_g_cm2"), r->change_g_cm2, 6);
    if (!same(r->change_pct, own->change_pct, 4))
        jw_num(w, JW_KEY("change_pct"), r->change_pct, 4);
    if (!same(r->months, own->months, 2))
        jw_num(w, JW_KEY("months"), r->months, 2);
    if (!same(r->annualized_pct, own->annualized_pct, 4))
        jw_num(w, JW_KEY("annualized_pct"), r->annualized_pct, 4);
    if (!same(r->lsc_g_cm2, own->lsc_g_cm2, 6))
        jw_num(w, JW_KEY("lsc_g_cm2"), r->lsc_g_cm2, 6);
    if (r->significance != own->significance)
        jw_str(w, JW_KEY("significance"), ot_significance_name(r->significance));
}

/* After device_changed, when it is true: how the scanner change was handled. */
static void scanner_change(jw *w, ot_srcs *u, const ot_bmd_result *r)
{
    jw_bool(w, JW_KEY("cross_calibrated"), r->cross_calibrated);
    if (r->cross_calibrated) {
        int inv = r->crosscal_inverted;
        jw_object(w, JW_KEY("cross_calibration"));
        jw_str(w, JW_KEY("from_device"), inv ? r->device : r->baseline_device);
        jw_str(w, JW_KEY("to_device"), inv ? r->baseline_device : r->device);
        jw_num(w, JW_KEY("slope"), r->crosscal_slope, 6);
        jw_num(w, JW_KEY("intercept"), r->crosscal_intercept, 6);
        jw_num(w, JW_KEY("lsc_g_cm2"), r->crosscal_lsc_g_cm2, 6);
        jw_bool(w, JW_KEY("inverted"), inv);
        ot_src_write(w, u, JW_KEY("source"), r->crosscal_source);
        jw_end_object(w);
    } else {
        jw_null(w, JW_KEY("cross_calibration"));
    }
    if (r->has_sbmd) {
        jw_object(w, JW_KEY("sbmd"));
        jw_num(w, JW_KEY("baseline_mg_cm2"), r->sbmd_baseline_mg_cm2, 3);
        jw_num(w, JW_KEY("value_mg_cm2"), r->sbmd_value_mg_cm2, 3);
        ot_src_write(w, u, JW_KEY("source"), r->sbmd_source);
        jw_end_object(w);
    } else {
        jw_null(w, JW_KEY("sbmd"));
    }
}

/* The fields of a comparison, without the enclosing braces. */
void ot_bmd_result_write(jw *w, ot_srcs *u, const ot_bmd_result *r, int with_flags)
{
    jw_str(w, JW_KEY("site"), ot_site_name(r->site));
    if (r->side != OT_SIDE_NONE)
        jw_str(w, JW_KEY("side"), ot_side_name(r->side));
    ot_bmd_change_write(w, r);
    jw_num(w, JW_KEY("lsc_pct"), r->lsc_pct, 4);
    jw_bool(w, JW_KEY("lsc_default"), r->lsc_is_default);
    ot_src_write(w, u, JW_KEY("lsc_source"), r->lsc_source);
    jw_str(w, JW_KEY("significance"), ot_significance_name(r->significance));
    if (r->baseline_device[0])
        jw_str(w, JW_KEY("baseline_device"), r->baseline_device);
    if (r->device[0])
        jw_str(w, JW_KEY("device"), r->device);
    jw_bool(w, JW_KEY("device_changed"), r->device_changed);
    if (r->device_changed)
        scanner_change(w, u, r);
    if (r->baseline_region != OT_REGION_NONE || r->region != OT_REGION_NONE) {
        /* written only when a region is given: not given is L1-L4 */
        jw_str(w, JW_KEY("baseline_region"), ot_spine_region_name(ot_region_or_default(r->baseline_region)));
        jw_str(w, JW_KEY("region"), ot_spine_region_name(ot_region_or_default(r->region)));
        jw_bool(w, JW_KEY("region_changed"), r->region_changed);
    }
    if (r->expected.found) {
        const ot_expected *x = &r->expected;
        jw_object(w, JW_KEY("expected"));
        jw_str(w, JW_KEY("agent"), ot_agent_name(x->agent));
        pair(w, JW_KEY("range_pct"), x->range_lo_pct, x->range_hi_pct, 4);
        jw_str(w, JW_KEY("measure"), x->measure == OT_MEASURE_CHANGE_FROM_BASELINE ? "change_from_baseline"
                             : x->measure == OT_MEASURE_NOT_KNOWN    ? "not_known"
                                                                     : "difference_from_placebo");
        jw_num(w, JW_KEY("months"), x->months, 2);
        pair(w, JW_KEY("window_months"), x->window_lo_months, x->window_hi_months, 2);
        ot_src_write(w, u, JW_KEY("source"), x->source);
        jw_end_object(w);
    } else {
        jw_null(w, JW_KEY("expected"));
    }
    jw_str(w, JW_KEY("vs_expected"), ot_vs_expected_name(r->vs_expected));
    if (with_flags) {
        jw_array(w, JW_KEY("flags"));
        for (size_t i = 0; i < r->nflags; i++)
            ot_flag_write(w, &r->flags[i]);
        jw_end_array(w);
    }
}

static void sourced(jw *w, ot_srcs *u, jw_key key, double v, const char *source)
{
    if (isnan(v) || !source) {
        jw_null(w, key);
        return;
    }
    jw_object(w, key);
    jw_num(w, JW_KEY("value"), v, 4);
    ot_src_write(w, u, JW_KEY("source"), source);
    jw_end_object(w);
}

void ot_marker_result_write(jw *w, ot_srcs *u, const ot_marker_result *r, int with_flags)
{
    jw_str(w, JW_KEY("analyte"), ot_analyte_name(r->analyte));
    jw_str(w, JW_KEY("unit"), ot_unit_name(r->unit));
    jw_date(w, JW_KEY("baseline_date"), r->baseline_date);
    jw_date(w, JW_KEY("date"), r->date);
    jw_num(w, JW_KEY("baseline"), r->baseline, 4);
    jw_num(w, JW_KEY("value"), r->value, 4);
    jw_num(w, JW_KEY("change_abs"), r->change_abs, 4);
    jw_num(w, JW_KEY("change_pct"), r->change_pct, 4);
    jw_num(w, JW_KEY("lsc_pct"), r->lsc_pct, 4);
    jw_num(w, JW_KEY("target"), r->target, 4);
    jw_str(w, JW_KEY("therapy"), ot_agent_name(r->therapy));
    jw_str(w, JW_KEY("rule"), ot_marker_rule_name(r->rule));
    jw_num(w, JW_KEY("months_from_start"), r->months_from_start, 2);
    if (isnan(r->window_lo_months))
        jw_null(w, JW_KEY("window_months"));
    else
        pair(w, JW_KEY("window_months"), r->window_lo_months, r->window_hi_months, 2);
    jw_object(w, JW_KEY("thresholds"));
    sourced(w, u, JW_KEY("lsc_pct"), r->lsc_pct, r->lsc_source);
    sourced(w, u, JW_KEY("target"), r->target, r->target_source);
    sourced(w, u, JW_KEY("anabolic_rise"), r->rise_threshold, r->rise_source);
    jw_end_object(w);
    jw_str(w, JW_KEY("response"), ot_response_name(r->response));
    jw_str(w, JW_KEY("reason"), r->reason);
    if (with_flags) {
        jw_array(w, JW_KEY("flags"));
        for (size_t i = 0; i < r->nflags; i++)
            ot_flag_write(w, &r->flags[i]);
        jw_end_array(w);
    }
}

int ot_bmd_result_to_json(char **out, const ot_bmd_result *r, int pretty)
{
    if (!out || !r)
        return OT_EINVAL;
    jw w;
    jw_init(&w, pretty);
    ot_srcs u;
    ot_srcs_init(&u);
    jw_object(&w, JW_NOKEY);
    ot_bmd_result_write(&w, &u, r, 1);
    ot_provenance_write(&w, r->rd, &u);
    jw_end_object(&w);
    ot_srcs_free(&u);
    return jw_finish(&w, out);
}

int ot_marker_result_to_json(char **out, const ot_marker_result *r, int pretty)
{
    if (!out || !r)
        return OT_EINVAL;
    jw w;
    jw_init(&w, pretty);
    ot_srcs u;
    ot_srcs_init(&u);
    jw_object(&w, JW_NOKEY);
    ot_marker_result_write(&w, &u, r, 1);
    ot_provenance_write(&w, r->rd, &u);
    jw_end_object(&w);
    ot_srcs_free(&u);
    return jw_finish(&w, out);
}

int ot_refdata_sources_to_json(char **out, const ot_refdata *rd, int pretty)
{
    if (!out || !rd)
        return OT_EINVAL;
    jw w;
    jw_init(&w, pretty);
    ot_srcs u;
    ot_srcs_init(&u);
    for (size_t i = 0; i < rd->nsources; i++) /* every id, as if each were used */
        if (ot_srcs_add(&u, rd->sources[i].id) != OT_OK)
            w.failed = 1;
    jw_object(&w, JW_NOKEY);
    ot_provenance_write(&w, rd, &u);
    jw_end_object(&w);
    ot_srcs_free(&u);
    return jw_finish(&w, out);
}

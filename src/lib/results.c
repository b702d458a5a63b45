/* The stable part of the ABI: results the library allocates and reads out
 * through accessors, flags' parts, and the options' defaults by version.
 * (osteotrack.h, "ABI"). */
#include "internal.h"

#include <stddef.h>
#include <string.h>

#include <math.h>
#include <stdlib.h>

/* ---- flags ---- */

ot_flag_code ot_flag_get_code(const ot_flag *f) { return f ? f->code : OT_FLAG_COUNT; }
ot_severity ot_flag_get_severity(const ot_flag *f) { return f ? f->severity : OT_SEV_INFO; }
const char *ot_flag_get_message(const ot_flag *f) { return f ? f->message : NULL; }

int ot_flag_get_site(const ot_flag *f, ot_site *out)
{
    if (!f || !f->has_site)
        return 0;
    if (out)
        *out = f->site;
    return 1;
}

int ot_flag_get_analyte(const ot_flag *f, ot_analyte *out)
{
    if (!f || !f->has_analyte)
        return 0;
    if (out)
        *out = f->analyte;
    return 1;
}

/* ---- options ---- */

int ot_bmd_options_init(ot_bmd_options *opts, unsigned version)
{
    static const ot_bmd_options d = OT_BMD_OPTIONS_INIT;
    if (!opts || (version != 1u && version != OT_BMD_OPTIONS_VERSION))
        return OT_EINVAL;
    /* version 1 (a binding built before side and regions): its fields only */
    memcpy(opts, &d, version == 1u ? offsetof(ot_bmd_options, side) : sizeof d);
    opts->version = version;
    return OT_OK;
}

int ot_marker_options_init(ot_marker_options *opts, unsigned version)
{
    static const ot_marker_options d = OT_MARKER_OPTIONS_INIT;
    if (!opts || version != OT_MARKER_OPTIONS_VERSION)
        return OT_EINVAL;
    *opts = d;
    return OT_OK;
}

int ot_precision_options_init(ot_precision_options *opts, unsigned version)
{
    static const ot_precision_options d = OT_PRECISION_OPTIONS_INIT;
    if (!opts || version != OT_PRECISION_OPTIONS_VERSION)
        return OT_EINVAL;
    *opts = d;
    return OT_OK;
}

/* ---- a BMD comparison ---- */

int ot_bmd_compare_new(ot_bmd_result **out, const ot_refdata *rd, const ot_bmd_measure *from,
                       const ot_bmd_measure *to, const ot_bmd_options *opts, ot_error *err)
{
    if (!out)
        return ot_err_set(err, OT_EINVAL, "ot_bmd_compare_new: out is NULL");
    *out = malloc(sizeof **out);
    if (!*out)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    int rc = ot_bmd_compare(*out, rd, from, to, opts, err);
    if (rc != OT_OK) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

void ot_bmd_result_free(ot_bmd_result *r) { free(r); }

ot_significance ot_bmd_result_significance(const ot_bmd_result *r)
{
    return r ? r->significance : OT_SIG_NOT_COMPARABLE;
}
ot_vs_expected ot_bmd_result_vs_expected(const ot_bmd_result *r)
{
    return r ? r->vs_expected : OT_VS_UNKNOWN;
}
double ot_bmd_result_change_g_cm2(const ot_bmd_result *r) { return r ? r->change_g_cm2 : NAN; }
double ot_bmd_result_change_pct(const ot_bmd_result *r) { return r ? r->change_pct : NAN; }
double ot_bmd_result_lsc_g_cm2(const ot_bmd_result *r) { return r ? r->lsc_g_cm2 : NAN; }
double ot_bmd_result_months(const ot_bmd_result *r) { return r ? r->months : NAN; }
int ot_bmd_result_device_changed(const ot_bmd_result *r) { return r ? r->device_changed : 0; }
int ot_bmd_result_cross_calibrated(const ot_bmd_result *r) { return r ? r->cross_calibrated : 0; }
size_t ot_bmd_result_flag_count(const ot_bmd_result *r) { return r ? r->nflags : 0; }
const ot_flag *ot_bmd_result_flag(const ot_bmd_result *r, size_t i)
{
    return r && i < r->nflags ? &r->flags[i] : NULL;
}

/* ---- a marker assessment ---- */

int ot_marker_assess_new(ot_marker_result **out, const ot_refdata *rd,
                         const ot_marker_measure *baseline, const ot_marker_measure *followup,
                         const ot_marker_options *opts, ot_error *err)
{
    if (!out)
        return ot_err_set(err, OT_EINVAL, "ot_marker_assess_new: out is NULL");
    *out = malloc(sizeof **out);
    if (!*out)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    int rc = ot_marker_assess(*out, rd, baseline, followup, opts, err);
    if (rc != OT_OK) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

void ot_marker_result_free(ot_marker_result *r) { free(r); }

ot_response ot_marker_result_response(const ot_marker_result *r)
{
    return r ? r->response : OT_RESP_NOT_ASSESSABLE;
}
ot_marker_rule ot_marker_result_rule(const ot_marker_result *r) { return r ? r->rule : OT_RULE_NONE; }
double ot_marker_result_change_pct(const ot_marker_result *r) { return r ? r->change_pct : NAN; }
double ot_marker_result_change_abs(const ot_marker_result *r) { return r ? r->change_abs : NAN; }
const char *ot_marker_result_reason(const ot_marker_result *r) { return r ? r->reason : NULL; }
size_t ot_marker_result_flag_count(const ot_marker_result *r) { return r ? r->nflags : 0; }
const ot_flag *ot_marker_result_flag(const ot_marker_result *r, size_t i)
{
    return r && i < r->nflags ? &r->flags[i] : NULL;
}

/* Comparison of two BMD scans against the least significant change. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

static int to_g_cm2(double *out, const ot_refdata *rd, const ot_bmd_measure *m,
                    const char *which, ot_error *err)
{
    int rc = ot_check_device(m->device, which, err);
    if (rc != OT_OK)
        return rc;
    if ((unsigned)m->site >= OT_SITE_COUNT)
        return ot_err_set(err, OT_EVOCAB, "%sscan: unknown site", which);
    if (ot_unit_to_canonical(out, OT_ANALYTE_BMD, m->unit, m->value) != OT_OK)
        return ot_err_set(err, OT_EUNIT, "%sscan: unit %s is not a BMD unit (g/cm2, mg/cm2)",
                          which, ot_unit_name(m->unit));
    return ot_check_plausible(rd, OT_ANALYTE_BMD, *out, m->value, m->unit, which, err);
}

/* The LSC in g/cm2 for this comparison, and where it comes from: the one
 * given for the comparison, else a cross-calibration's own, else the
 * facility's, else the default. Percentages apply to the baseline `ref` (on
 * the follow-up device's scale when cross-calibrated). */
static void choose_lsc(ot_bmd_result *r, const ot_refdata *rd, const ot_bmd_options *o,
                       double ref)
{
    const ot_site_lsc *l = &rd->lsc[r->site];
    r->lsc_pct = NAN;
    r->lsc_is_default = 0;
    r->lsc_confirmed = 1;
    if (o->lsc_kind == OT_LSC_G_CM2 || o->lsc_kind == OT_LSC_PERCENT) {
        int pct = o->lsc_kind == OT_LSC_PERCENT;
        r->lsc_pct = pct ? o->lsc_value : NAN;
        r->lsc_g_cm2 = pct ? o->lsc_value / 100.0 * ref : o->lsc_value;
        r->lsc_source = "user-lsc"; /* data/sources.json */
    } else if (r->cross_calibrated) {
        r->lsc_g_cm2 = r->crosscal_lsc_g_cm2;
        r->lsc_source = r->crosscal_source;
    } else if (l->facility) {
        r->lsc_pct = l->facility_is_pct ? l->facility_value : NAN;
        r->lsc_g_cm2 = l->facility_is_pct ? l->facility_value / 100.0 * ref : l->facility_value;
        r->lsc_source = l->facility_source;
    } else {
        r->lsc_is_default = 1;
        r->lsc_pct = l->pct.value;
        r->lsc_g_cm2 = l->pct.value / 100.0 * ref; /* NaN stays NaN */
        r->lsc_confirmed = l->pct.confirmed;
        r->lsc_source = l->pct.source;
    }
}

/* When the devices differ and the facility calibrated them at this site:
 * the baseline on the follow-up device's scale, in *ref (else the baseline). */
static int cross_calibrate(ot_bmd_result *r, const ot_refdata *rd, const ot_bmd_measure *from,
                           const ot_bmd_measure *to, double *ref, ot_error *err)
{
    r->baseline_converted_g_cm2 = r->crosscal_slope = r->crosscal_intercept = NAN;
    r->crosscal_lsc_g_cm2 = NAN;
    *ref = r->baseline_g_cm2;
    int inv = 0;
    const ot_crosscal *c =
        r->device_changed ? ot_crosscal_find(rd, r->site, from->device, to->device, &inv) : NULL;
    if (!c)
        return OT_OK;
    double b = r->baseline_g_cm2;
    double conv = inv ? (b - c->intercept) / c->slope : c->intercept + c->slope * b;
    const ot_range *p = &rd->plausible[OT_ANALYTE_BMD];
    if (!(conv >= p->min && conv <= p->max))
        return ot_err_set(err, OT_ERANGE, "baseline %g g/cm2 on %s is %g g/cm2 on %s's scale "
                          "by the cross-calibration (%s), outside the plausible range %g-%g "
                          "g/cm2; check the calibration", b, r->baseline_device, conv,
                          r->device, c->source, p->min, p->max);
    r->cross_calibrated = 1;
    r->baseline_converted_g_cm2 = conv;
    r->crosscal_slope = c->slope;
    r->crosscal_intercept = c->intercept;
    r->crosscal_lsc_g_cm2 = c->lsc;
    r->crosscal_inverted = inv;
    r->crosscal_source = c->source;
    *ref = conv;
    return OT_OK;
}

/* The most specific expected-change entry for agent, site and time on it:
 * a change from baseline before a difference from placebo, then the entry
 * naming fewest agents, then the nearest time point. */
static void choose_expected(ot_expected *x, const ot_refdata *rd, ot_agent agent, ot_site site,
                            double months)
{
    const ot_expected_entry *best = NULL;
    memset(x, 0, sizeof *x);
    x->months = NAN;
    if (agent == OT_AGENT_NONE || isnan(months))
        return;
    for (size_t i = 0; i < rd->nexpected; i++) {
        const ot_expected_entry *e = &rd->expected[i];
        if (e->site != site || !(e->agents & (1u << agent)) || months < e->wlo ||
            months > e->whi)
            continue;
        double d = isnan(e->months) ? 1e9 : fabs(e->months - months);
        double bd = best ? (isnan(best->months) ? 1e9 : fabs(best->months - months)) : 0.0;
        int eb = e->measure == OT_MEASURE_CHANGE_FROM_BASELINE;
        int bb = best && best->measure == OT_MEASURE_CHANGE_FROM_BASELINE;
        if (!best || eb > bb || (eb == bb &&
             (e->nagents < best->nagents || (e->nagents == best->nagents && d < bd))))
            best = e;
    }
    if (!best)
        return;
    x->found = 1;
    x->agent = agent;
    x->site = site;
    x->range_lo_pct = best->lo;
    x->range_hi_pct = best->hi;
    x->months = best->months;
    x->window_lo_months = best->wlo;
    x->window_hi_months = best->whi;
    x->confirmed = best->confirmed;
    x->source = best->source;
    x->measure = best->measure;
}

static int devices_differ(const ot_bmd_measure *a, const ot_bmd_measure *b)
{
    if (a->device && b->device && a->device[0] && b->device[0] && strcmp(a->device, b->device))
        return 1;
    return a->manufacturer != OT_MFR_UNKNOWN && b->manufacturer != OT_MFR_UNKNOWN &&
           a->manufacturer != b->manufacturer;
}

/* Significance against the LSC, and the change against the expected range:
 * only for scans on one scanner, or on two cross-calibrated ones. */
static void judge(ot_bmd_result *r, const ot_refdata *rd, const ot_bmd_options *o)
{
    int comparable = (!r->device_changed || r->cross_calibrated) && !r->region_changed;
    if (!comparable || isnan(r->lsc_g_cm2))
        r->significance = OT_SIG_NOT_COMPARABLE;
    else if (ot_micro(fabs(r->change_g_cm2)) >= ot_micro(r->lsc_g_cm2))
        r->significance = r->change_g_cm2 > 0 ? OT_SIG_INCREASE : OT_SIG_DECREASE;
    else
        r->significance = OT_SIG_STABLE;
    double on_therapy = o->months_on_therapy >= 0.0 ? o->months_on_therapy : r->months;
    choose_expected(&r->expected, rd, o->therapy, r->site, on_therapy);
    r->vs_expected = OT_VS_UNKNOWN;
    if (r->expected.found && r->expected.measure != OT_MEASURE_CHANGE_FROM_BASELINE) {
        r->vs_expected = OT_VS_CONTEXT_ONLY; /* a placebo difference is no patient's change */
    } else if (r->expected.found && comparable) {
        long long c = ot_micro(r->change_pct);
        r->vs_expected = c < ot_micro(r->expected.range_lo_pct)   ? OT_VS_BELOW
                         : c > ot_micro(r->expected.range_hi_pct) ? OT_VS_ABOVE
                                                                  : OT_VS_WITHIN;
    }
}

_Static_assert(offsetof(ot_bmd_result, cross_calibrated) ==
                   offsetof(ot_bmd_result, flags) + sizeof(((ot_bmd_result *)0)->flags),
               "ot_bmd_compare_ex zeroes all but the flags: nothing lies between");

const char *ot_result_site_label(char *buf, size_t size, const ot_bmd_result *r)
{
    if (r->side == OT_SIDE_NONE)
        return ot_site_name(r->site);
    ot_fmt(buf, size, "%s (%s)", ot_site_name(r->site), ot_side_name(r->side));
    return buf;
}

static void add_flags(ot_bmd_result *r)
{
    char label[48];
    const char *site = ot_result_site_label(label, sizeof label, r);
    int s = (int)r->site;
#define FLAG(code, sev, ...) \
    ot_flag_add(r->flags, &r->nflags, OT_BMD_MAX_FLAGS, code, sev, s, -1, __VA_ARGS__)
    if (r->cross_calibrated)
        FLAG(OT_FLAG_DEVICE_CHANGED, OT_SEV_INFO,
             "%s: the scans come from different scanners (%s, %s); the facility's in vivo "
             "cross-calibration was applied: the baseline of %.4f g/cm2 is %.4f g/cm2 on %s's "
             "scale, and this scan is compared with it (no new baseline)",
             site, r->baseline_device, r->device, r->baseline_g_cm2,
             r->baseline_converted_g_cm2, r->device);
    else if (r->device_changed)
        FLAG(OT_FLAG_DEVICE_CHANGED, OT_SEV_WARNING,
             "%s: the scans come from different scanners (%s, %s); without an in vivo "
             "cross-calibration they cannot be compared, so this scan starts a new baseline",
             site, r->baseline_device[0] ? r->baseline_device : "unknown",
             r->device[0] ? r->device : "unknown");
    if (r->region_changed)
        FLAG(OT_FLAG_REGION_CHANGED, OT_SEV_WARNING,
             "%s: the baseline scan measured %s and this scan %s; ISCD compares the same "
             "vertebrae at follow-up, so they are not compared and this scan starts a new "
             "baseline",
             site, ot_spine_region_name(ot_region_or_default(r->baseline_region)),
             ot_spine_region_name(ot_region_or_default(r->region)));
    if (r->significance == OT_SIG_STABLE)
        FLAG(OT_FLAG_CHANGE_WITHIN_LSC, OT_SEV_INFO,
             "%s: change of %+.3f g/cm2 (%+.1f%%) is within the LSC of %.4f g/cm2: no "
             "significant change",
             site, r->change_g_cm2, r->change_pct, r->lsc_g_cm2);
    if (r->significance == OT_SIG_DECREASE)
        FLAG(OT_FLAG_SIGNIFICANT_BMD_LOSS, OT_SEV_ALERT,
             "%s: loss of %.3f g/cm2 (%.1f%%) equals or exceeds the LSC of %.4f g/cm2; check "
             "adherence, calcium and vitamin D intake and secondary causes of bone loss",
             site, -r->change_g_cm2, -r->change_pct, r->lsc_g_cm2);
    if (r->vs_expected == OT_VS_BELOW) {
        ot_agent_class k = ot_agent_class_of(r->expected.agent);
        FLAG(OT_FLAG_BELOW_EXPECTED_GAIN, OT_SEV_INFO,
             "%s: change of %+.1f%% is below the %.2f%% expected on %s; worth a look, not a "
             "failure: %s",
             site, r->change_pct, r->expected.range_lo_pct, ot_agent_name(r->expected.agent),
             k == OT_CLASS_ANABOLIC || k == OT_CLASS_ROMOSOZUMAB
                 ? "a bone-forming agent should raise BMD clearly, so check adherence and how "
                   "the injections are given and stored"
                 : "stable BMD on an antiresorptive is an acceptable response");
    }
    if (r->lsc_is_default && !isnan(r->lsc_g_cm2))
        FLAG(OT_FLAG_DEFAULT_LSC_USED, OT_SEV_INFO,
             "%s: no facility precision study given; used the ISCD-derived default LSC of "
             "%.1f%% (%.4f g/cm2 at this baseline)",
             site, r->lsc_pct, r->lsc_g_cm2);
    if (isnan(r->lsc_g_cm2))
        FLAG(OT_FLAG_DEFAULT_LSC_USED, OT_SEV_WARNING,
             "%s: no default LSC exists for this site; significance needs the facility's own "
             "precision study (osteotrack precision, then --config)",
             site);
#undef FLAG
}

int ot_bmd_compare(ot_bmd_result *out, const ot_refdata *rd, const ot_bmd_measure *from,
                   const ot_bmd_measure *to, const ot_bmd_options *opts, ot_error *err)
{
    return ot_bmd_compare_ex(out, rd, from, to, opts, 1, err);
}

int ot_bmd_compare_ex(ot_bmd_result *out, const ot_refdata *rd, const ot_bmd_measure *from,
                      const ot_bmd_measure *to, const ot_bmd_options *opts, int want_flags,
                      ot_error *err)
{
    static const ot_bmd_options defaults = OT_BMD_OPTIONS_INIT;
    if (!out || !rd || !from || !to)
        return ot_err_set(err, OT_EINVAL, "ot_bmd_compare: NULL argument");
    const ot_bmd_options *o = opts ? opts : &defaults;
    if (o->version != 1u && o->version != OT_BMD_OPTIONS_VERSION)
        return ot_err_set(err, OT_EINVAL, "ot_bmd_compare: options version %u, expected 1 to %u",
                          o->version, OT_BMD_OPTIONS_VERSION);
    /* version 1 options end before the side and regions: not read */
    ot_side side = o->version >= 2u ? o->side : OT_SIDE_NONE;
    ot_spine_region rfrom = o->version >= 2u ? o->from_region : OT_REGION_NONE;
    ot_spine_region rto = o->version >= 2u ? o->to_region : OT_REGION_NONE;
    /* all but the flags: only the first nflags of them are ever read, and
     * they are written whole when added (2.5 of the 3 KB of a result) */
    memset(out, 0, offsetof(ot_bmd_result, flags));
    memset(&out->cross_calibrated, 0, sizeof *out - offsetof(ot_bmd_result, cross_calibrated));
    out->rd = rd;
    double base, val;
    int rc = to_g_cm2(&base, rd, from, "baseline ", err);
    if (rc == OT_OK)
        rc = to_g_cm2(&val, rd, to, "follow-up ", err);
    if (rc != OT_OK)
        return rc;
    if (from->site != to->site)
        return ot_err_set(err, OT_EVOCAB, "cannot compare %s with %s: different sites",
                          ot_site_name(from->site), ot_site_name(to->site));
    if ((rc = ot_check_date(from->date, "baseline date", err)) != OT_OK ||
        (rc = ot_check_date(to->date, "follow-up date", err)) != OT_OK)
        return rc;
    if (from->date != OT_DATE_NONE && to->date != OT_DATE_NONE && to->date < from->date) {
        char a[11], b[11];
        ot_date_format(a, from->date);
        ot_date_format(b, to->date);
        return ot_err_set(err, OT_EDATE, "follow-up date %s is before baseline date %s", b, a);
    }
    if ((o->lsc_kind == OT_LSC_G_CM2 && !(o->lsc_value > 0.0 && o->lsc_value <= 0.5)) ||
        (o->lsc_kind == OT_LSC_PERCENT && !(o->lsc_value > 0.0 && o->lsc_value <= 50.0)))
        return ot_err_set(err, OT_ERANGE, "LSC %g is outside (0, 0.5] g/cm2 or (0, 50]%%",
                          o->lsc_value);
    if ((unsigned)o->therapy >= OT_AGENT_COUNT)
        return ot_err_set(err, OT_EVOCAB, "unknown therapy");
    if ((rc = ot_check_where(from->site, side, rfrom, err)) != OT_OK ||
        (rc = ot_check_where(to->site, side, rto, err)) != OT_OK)
        return rc;

    ot_bmd_result *r = out;
    r->site = from->site;
    r->baseline_date = from->date;
    r->date = to->date;
    ot_strlcpy(r->baseline_device, from->device ? from->device : "", sizeof r->baseline_device);
    ot_strlcpy(r->device, to->device ? to->device : "", sizeof r->device);
    r->baseline_g_cm2 = base;
    r->value_g_cm2 = val;
    r->device_changed = devices_differ(from, to);
    r->side = side;
    r->baseline_region = rfrom;
    r->region = rto;
    r->region_changed = ot_region_or_default(rfrom) != ot_region_or_default(rto);
    double ref; /* the baseline on the follow-up's scale */
    if ((rc = cross_calibrate(r, rd, from, to, &ref, err)) != OT_OK)
        return rc;
    ot_sbmd_fill(r, rd, from->manufacturer, to->manufacturer);
    r->change_g_cm2 = val - ref;
    r->change_pct = 100.0 * (val - ref) / ref;
    r->months = (from->date != OT_DATE_NONE && to->date != OT_DATE_NONE)
                    ? ot_date_months_between(from->date, to->date)
                    : NAN;
    r->annualized_pct = r->months > 0.0 ? r->change_pct * 12.0 / r->months : NAN;
    choose_lsc(r, rd, o, ref);
    judge(r, rd, o);
    if (want_flags)
        add_flags(r);
    return OT_OK;
}


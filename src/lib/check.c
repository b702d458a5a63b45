/* Checks of input values: plausible ranges (data/plausibility.json), the
 * device name limit and the dates accepted. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int ot_check_plausible(const ot_refdata *rd, ot_analyte a, double canonical, double given,
                       ot_unit unit, const char *what, ot_error *err)
{
    const ot_range *r = &rd->plausible[a];
    const char *name = a == OT_ANALYTE_BMD ? "BMD" : a == OT_ANALYTE_P1NP ? "P1NP" : "CTX";
    if (canonical < r->min && r->below_hint[0])
        return ot_err_set(err, OT_ERANGE, "%s%s %g %s is below %g %s, implausible: %s", what,
                          name, given, ot_unit_name(unit), r->min,
                          ot_unit_name(ot_unit_canonical(a)), r->below_hint);
    if (isnan(canonical) || !(canonical >= r->min && canonical <= r->max))
        return ot_err_set(err, OT_ERANGE,
                          "%s%s %g %s is outside the plausible range %g-%g %s; check the value "
                          "and its unit",
                          what, name, given, ot_unit_name(unit), r->min, r->max,
                          ot_unit_name(ot_unit_canonical(a)));
    return OT_OK;
}

int ot_check_device(const char *device, const char *what, ot_error *err)
{
    size_t n = device ? strlen(device) : 0;
    if (n < OT_DEVICE_MAX)
        return OT_OK;
    char shown[40];
    return ot_err_set(err, OT_ELIMIT, "%sdevice name '%s...' is %zu bytes, longer than the limit "
                      "of %d: it is refused rather than cut, so that two scanners are never taken "
                      "for one", what, ot_text_shown(shown, sizeof shown, device, 32), n,
                      OT_DEVICE_MAX - 1);
}

int ot_check_date(ot_date d, const char *what, ot_error *err)
{
    if (d == OT_DATE_NONE || (d >= OT_DATE_MIN && d <= OT_DATE_MAX))
        return OT_OK;
    return ot_err_set(err, OT_EDATE, "%s: day %ld (days since 1970-01-01) is outside the dates "
                      "accepted, 1900-01-01 to 2199-12-31", what, d);
}

// The public header from C++ (-std=c++11 -pedantic -Werror): extern "C"
// linkage, no C-only constructs, initialisers usable as aggregates.
#include <osteotrack.h>
#include <osteotrack.h>

int header_only_use();
int header_only_use()
{
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    ot_marker_measure mm = OT_MARKER_MEASURE_INIT;
    ot_marker_options mo = OT_MARKER_OPTIONS_INIT;
    ot_precision_scan s = OT_PRECISION_SCAN_INIT;
    ot_precision_options po = OT_PRECISION_OPTIONS_INIT;
    const char *(*version)(void) = &ot_version;
    return static_cast<int>(m.unit) + static_cast<int>(o.version + mo.version + po.version) +
           static_cast<int>(mm.unit) + static_cast<int>(s.site) + (version != nullptr);
}

/* The public header alone, twice (include guard), in strict C11: the test
 * compiles this with -std=c11 -pedantic -Werror and the project's warnings.
 * The initialisers must be valid constant initialisers. */
#include <osteotrack.h>
#include <osteotrack.h>

static const ot_bmd_measure measure = OT_BMD_MEASURE_INIT;
static const ot_bmd_options bmd_options = OT_BMD_OPTIONS_INIT;
static const ot_marker_measure marker = OT_MARKER_MEASURE_INIT;
static const ot_marker_options marker_options = OT_MARKER_OPTIONS_INIT;
static const ot_precision_scan scan = OT_PRECISION_SCAN_INIT;
static const ot_precision_options precision_options = OT_PRECISION_OPTIONS_INIT;

int header_only_use(void);
int header_only_use(void)
{
    const char *(*version)(void) = ot_version; /* a prototype, not K&R */
    return (int)(measure.unit + bmd_options.version + marker.unit + marker_options.version +
                 (unsigned)scan.site + precision_options.version) +
           (version != NULL) + OT_OK;
}

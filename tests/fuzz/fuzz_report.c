/*
 * The patient report over patients built from bytes: every 7 bytes add a
 * BMD scan (with T- and Z-scores), a marker value, a therapy course, a
 * therapy named on a row, a dose of an injectable, who the patient is, or a
 * fracture, with dates within a few years of each other so that the rules
 * (baselines, device changes, windows, courses, failure, what is due) meet.
 * Only plausible values are made; the patient may refuse duplicates.
 */
#include "fuzz.h"

#include <math.h>
#include <stdlib.h>

#define DAY0 16436 /* 2015-01-01 */

static const char *const devices[] = {NULL, "DXA-1", "DXA-2", "DXA-1"};

static ot_date date_of(const uint8_t *b) { return DAY0 + (ot_date)((b[0] | b[1] << 8) % 4000); }

static void add(ot_patient *p, const uint8_t *b)
{
    const ot_refdata *rd = fuzz_refdata();
    ot_date d = date_of(b + 2), d2 = date_of(b + 4);
    unsigned v = b[5] | (unsigned)b[6] << 8;
    int rc = OT_OK;
    switch (b[0] % 8) {
    case 0:
    case 1: {
        ot_bmd_measure m = OT_BMD_MEASURE_INIT;
        m.site = (ot_site)(b[1] % OT_SITE_COUNT);
        m.value = 0.4 + (v % 800) / 1000.0;
        m.date = d;
        m.device = devices[b[1] >> 6];
        m.manufacturer = (ot_manufacturer)((b[1] >> 3) % OT_MFR_COUNT);
        /* a side (hips, radius) or a region (spine), where they fit */
        int spine = m.site == OT_SITE_LUMBAR_SPINE;
        ot_side side = spine ? OT_SIDE_NONE : (ot_side)(b[6] % OT_SIDE_COUNT);
        ot_spine_region region =
            spine ? (ot_spine_region)((b[6] / OT_SIDE_COUNT) % OT_REGION_COUNT) : OT_REGION_NONE;
        rc = ot_patient_add_scan_sided(p, rd, &m, (b[1] & 4) ? -4.0 + (v % 60) / 10.0 : NAN,
                                       (b[1] & 2) ? -3.5 + (v % 50) / 10.0 : NAN, side, region,
                                       0, NULL);
        break;
    }
    case 2: {
        ot_marker_measure m = OT_MARKER_MEASURE_INIT;
        m.analyte = b[1] & 1 ? OT_ANALYTE_CTX : OT_ANALYTE_P1NP;
        m.value = m.analyte == OT_ANALYTE_CTX ? 20 + v % 1500 : 5 + v % 150;
        m.date = d;
        rc = ot_patient_add_marker(p, rd, &m, 0, NULL);
        break;
    }
    case 3:
        rc = ot_patient_add_therapy(p, (ot_agent)(b[1] % OT_AGENT_COUNT), d,
                                    b[6] & 1 ? (d2 >= d ? d2 : OT_DATE_NONE) : OT_DATE_NONE, NULL);
        break;
    case 4: {
        ot_record r = {OT_REC_THERAPY, d, OT_SITE_LUMBAR_SPINE, OT_FX_OTHER, OT_ANALYTE_BMD, 0,
                       NAN, OT_MFR_UNKNOWN, NULL, (ot_agent)(b[1] % OT_AGENT_COUNT),
                       b[6] & 1 ? d2 : OT_DATE_NONE, b[6] & 2 ? d2 : OT_DATE_NONE, NAN,
                       OT_SEX_UNKNOWN, OT_DATE_NONE, OT_MENOPAUSE_UNKNOWN, OT_SIDE_NONE,
                       OT_REGION_NONE};
        rc = ot_patient_add_record(p, rd, &r, 0, NULL);
        break;
    }
    case 5: { /* denosumab, zoledronate or intravenous ibandronate */
        static const ot_agent injectables[] = {OT_AGENT_DENOSUMAB, OT_AGENT_ZOLEDRONATE,
                                               OT_AGENT_IBANDRONATE_IV, OT_AGENT_DENOSUMAB};
        rc = ot_patient_add_dose(p, rd, injectables[b[1] & 3], d, NULL);
        break;
    }
    case 6: /* birth 1930-1995 */
        rc = ot_patient_set_demographics(p, (ot_sex)(b[1] % 3), d - 365 * (20 + v % 70),
                                         (ot_menopause)((b[1] >> 2) % 4), NULL);
        break;
    default:
        rc = ot_patient_add_fracture(p, (ot_fracture_site)(b[1] % OT_FX_COUNT), d, NULL);
        break;
    }
    if (rc != OT_OK && rc != OT_EDUPLICATE && rc != OT_ELIMIT && rc != OT_EDATE &&
        rc != OT_ECONFLICT)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ot_patient *p = NULL;
    if (ot_patient_new(&p, "R1") != OT_OK)
        abort();
    for (size_t i = 0; i + 7 <= size; i += 7)
        add(p, data + i);
    fuzz_report(p);
    ot_patient_free(p);
    return 0;
}

/*
 * Embedding libosteotrack: load the reference data, compare two BMD scans,
 * build one patient's report. Built against the installed library, with
 * pkg-config (Makefile) or find_package (CMakeLists.txt).
 *
 *   embed [DATA_DIR]    (default: $OSTEOTRACK_DATA_DIR, else the installed data)
 *
 * Exit status: 0, or 1 with the library's message on stderr.
 */
#include <osteotrack.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what, const ot_error *err)
{
    fprintf(stderr, "embed: %s: %s\n", what, err->message);
    return 1;
}

/* A woman on alendronate: spine and hip scans, CTX before and after. */
static int add_history(ot_patient *p, const ot_refdata *rd, ot_error *err)
{
    static const struct {
        const char *date;
        ot_site site;
        double g_cm2, tscore;
    } scans[] = {
        {"2019-01-10", OT_SITE_LUMBAR_SPINE, 0.812, -2.7},
        {"2019-01-10", OT_SITE_TOTAL_HIP, 0.701, -2.0},
        {"2021-01-20", OT_SITE_LUMBAR_SPINE, 0.858, -2.3},
        {"2021-01-20", OT_SITE_TOTAL_HIP, 0.722, -1.9},
    };
    static const struct {
        const char *date;
        double ng_l;
    } ctx[] = {{"2019-01-10", 540.0}, {"2019-04-15", 190.0}};
    ot_date start;
    int rc = ot_date_parse(&start, "2019-01-15");
    if (rc == OT_OK)
        rc = ot_patient_add_therapy(p, OT_AGENT_ALENDRONATE, start, OT_DATE_NONE, err);
    for (size_t i = 0; rc == OT_OK && i < sizeof scans / sizeof scans[0]; i++) {
        ot_bmd_measure m = OT_BMD_MEASURE_INIT;
        m.site = scans[i].site;
        m.value = scans[i].g_cm2;
        m.device = "DXA-1";
        m.manufacturer = OT_MFR_HOLOGIC;
        rc = ot_date_parse(&m.date, scans[i].date);
        if (rc == OT_OK)
            rc = ot_patient_add_bmd(p, rd, &m, scans[i].tscore, 0, err);
    }
    for (size_t i = 0; rc == OT_OK && i < sizeof ctx / sizeof ctx[0]; i++) {
        ot_marker_measure m = OT_MARKER_MEASURE_INIT;
        m.analyte = OT_ANALYTE_CTX;
        m.value = ctx[i].ng_l;
        rc = ot_date_parse(&m.date, ctx[i].date);
        if (rc == OT_OK)
            rc = ot_patient_add_marker(p, rd, &m, 0, err);
    }
    return rc;
}

int main(int argc, char **argv)
{
    ot_error err = {0, ""};
    ot_refdata *rd = NULL;
    if (ot_refdata_load(&rd, argc > 1 ? argv[1] : NULL, &err) != OT_OK)
        return fail("reference data", &err);
    printf("osteotrack %s, data from %s\n", ot_version(), ot_refdata_dir(rd));

    /* Two scans of the lumbar spine, the default (ISCD-derived) LSC. */
    ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
    a.value = 0.800;
    b.value = 0.840;
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.therapy = OT_AGENT_ALENDRONATE;
    /* The result is the library's: read through accessors, then freed (its
     * layout is not part of the ABI). */
    ot_bmd_result *r = NULL;
    int rc = ot_date_parse(&a.date, "2022-03-01");
    if (rc == OT_OK)
        rc = ot_date_parse(&b.date, "2024-03-01");
    if (rc != OT_OK || ot_bmd_compare_new(&r, rd, &a, &b, &o, &err) != OT_OK) {
        ot_refdata_free(rd);
        return fail("compare", &err);
    }
    printf("compare: %s %+.3f g/cm2 (%+.1f%%) in %.0f months, LSC %.4f g/cm2: %s\n",
           ot_site_name(a.site), ot_bmd_result_change_g_cm2(r), ot_bmd_result_change_pct(r),
           ot_bmd_result_months(r), ot_bmd_result_lsc_g_cm2(r),
           ot_significance_name(ot_bmd_result_significance(r)));
    ot_bmd_result_free(r);

    /* A patient report as of a fixed date. */
    ot_patient *p = NULL;
    ot_report *rep = NULL;
    ot_date as_of = OT_DATE_NONE;
    rc = ot_patient_new(&p, "EMBED-1");
    if (rc == OT_OK)
        rc = add_history(p, rd, &err);
    if (rc == OT_OK)
        rc = ot_date_parse(&as_of, "2024-06-01");
    if (rc == OT_OK)
        rc = ot_report_build(&rep, rd, p, as_of, &err);
    if (rc != OT_OK) {
        ot_patient_free(p);
        ot_refdata_free(rd);
        if (!err.message[0])
            snprintf(err.message, sizeof err.message, "%s", ot_strerror(rc));
        return fail("report", &err);
    }
    printf("report: %s: %s\n", ot_patient_id(p), ot_assessment_name(ot_report_assessment(rep)));
    printf("summary: %s\n", ot_report_summary(rep));
    for (size_t i = 0; i < ot_report_flag_count(rep); i++) {
        const ot_flag *f = ot_report_flag(rep, i);
        printf("flag: %s (%s)\n", ot_flag_code_name(ot_flag_get_code(f)),
               ot_severity_name(ot_flag_get_severity(f)));
    }
    char *json = NULL;
    rc = ot_report_to_json(&json, rep, 0);
    if (rc == OT_OK)
        printf("json: %zu bytes\n", strlen(json));
    ot_free(json);
    ot_report_free(rep);
    ot_patient_free(p);
    ot_refdata_free(rd);
    return rc == OT_OK ? 0 : 1;
}

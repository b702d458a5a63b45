/* Scanner changes: in vivo cross-calibration from the facility configuration,
 * and standardized BMD (sBMD) between manufacturers. Hand-worked. */
#include "suites.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* DXA-2 = -0.004 + 1.012 x DXA-1 at the lumbar spine, LSC 0.031 g/cm2. */
#define CAL_SPINE                                                                         \
    "{\"from_device\":\"DXA-1\",\"to_device\":\"DXA-2\",\"site\":\"lumbar_spine\","     \
    "\"slope\":1.012,\"intercept\":-0.004,\"lsc_g_cm2\":0.031,"                          \
    "\"source\":\"in vivo cross-calibration 2024, 30 patients\"}"
#define FACILITY(list) \
    "{\"kind\":\"osteotrack-facility\",\"facility\":\"Unit A\",\"cross_calibration\":[" list "]}"

static ot_refdata *rd;
static void setup(void)
{
    rd = test_refdata();
    ot_error err = {0, ""};
    ck_assert_msg(ot_refdata_apply_config_text(rd, FACILITY(CAL_SPINE), "facility.json", &err) ==
                      OT_OK,
                  "%s", err.message);
}
static void teardown(void) { ot_refdata_free(rd); }

static ot_bmd_measure scan(ot_site site, double v, const char *device, ot_manufacturer m)
{
    ot_bmd_measure x = OT_BMD_MEASURE_INIT;
    x.site = site;
    x.value = v;
    x.device = device;
    x.manufacturer = m;
    return x;
}

static ot_bmd_result spine(double from, const char *dev_from, double to, const char *dev_to)
{
    ot_bmd_measure a = scan(OT_SITE_LUMBAR_SPINE, from, dev_from, OT_MFR_UNKNOWN);
    ot_bmd_measure b = scan(OT_SITE_LUMBAR_SPINE, to, dev_to, OT_MFR_UNKNOWN);
    ot_bmd_result r;
    ot_error err = {0, ""};
    ck_assert_msg(ot_bmd_compare(&r, rd, &a, &b, NULL, &err) == OT_OK, "%s", err.message);
    return r;
}

static const ot_flag *flag_of(const ot_bmd_result *r, ot_flag_code c)
{
    for (size_t i = 0; i < r->nflags; i++)
        if (r->flags[i].code == c)
            return &r->flags[i];
    return NULL;
}

START_TEST(forward_calibration)
{
    /* baseline 0.800 on DXA-1, follow-up 0.850 on DXA-2:
     * on DXA-2's scale the baseline is -0.004 + 1.012 x 0.800 = 0.8056;
     * change 0.850 - 0.8056 = +0.0444 (100 x 0.0444 / 0.8056 = +5.5114 %)
     * >= the calibration's LSC of 0.031: increase */
    ot_bmd_result r = spine(0.800, "DXA-1", 0.850, "DXA-2");
    ck_assert_int_eq(r.device_changed, 1);
    ck_assert_int_eq(r.cross_calibrated, 1);
    ck_assert_int_eq(r.crosscal_inverted, 0);
    ck_assert_near(r.baseline_g_cm2, 0.800, 1e-12); /* as measured */
    ck_assert_near(r.baseline_converted_g_cm2, 0.8056, 1e-12);
    ck_assert_near(r.change_g_cm2, 0.0444, 1e-12);
    ck_assert_near(r.change_pct, 5.5114, 1e-4);
    ck_assert_near(r.lsc_g_cm2, 0.031, 1e-12);
    ck_assert(isnan(r.lsc_pct));
    ck_assert_int_eq(r.lsc_is_default, 0);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    /* the first calibration applied: id facility-crosscal-1; its citation
     * names the study and the file */
    ck_assert_str_eq(r.crosscal_source, "facility-crosscal-1");
    const char *citation = test_citation(rd, r.crosscal_source, NULL);
    ck_assert_msg(strstr(citation, "30 patients") && strstr(citation, "facility.json"), "%s",
                  citation);
    ck_assert_str_eq(r.lsc_source, r.crosscal_source);
    const ot_flag *f = flag_of(&r, OT_FLAG_DEVICE_CHANGED);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, OT_SEV_INFO);
    ck_assert(strstr(f->message, "cross-calibration was applied") && strstr(f->message, "0.8056"));
    ck_assert_ptr_null(flag_of(&r, OT_FLAG_DEFAULT_LSC_USED));
    ck_assert_int_eq(r.has_sbmd, 0); /* no manufacturers given */
}
END_TEST

START_TEST(forward_boundaries)
{
    /* 0.820 on DXA-2: 0.820 - 0.8056 = +0.0144 < 0.031: stable (raw +0.020) */
    ot_bmd_result r = spine(0.800, "DXA-1", 0.820, "DXA-2");
    ck_assert_near(r.change_g_cm2, 0.0144, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_STABLE);
    ck_assert_ptr_nonnull(flag_of(&r, OT_FLAG_CHANGE_WITHIN_LSC));
    /* 0.8366: +0.0310 equals the LSC: significant; 0.8365: +0.0309: not */
    ck_assert_int_eq(spine(0.800, "DXA-1", 0.8366, "DXA-2").significance, OT_SIG_INCREASE);
    ck_assert_int_eq(spine(0.800, "DXA-1", 0.8365, "DXA-2").significance, OT_SIG_STABLE);
}
END_TEST

START_TEST(reverse_calibration)
{
    /* baseline 0.850 on DXA-2, follow-up 0.800 on DXA-1: the equation is
     * inverted, DXA-1 = (DXA-2 + 0.004) / 1.012: (0.850 + 0.004) / 1.012 =
     * 0.854 / 1.012 = 0.843874; change 0.800 - 0.843874 = -0.043874, a loss
     * of more than 0.031: decrease */
    ot_bmd_result r = spine(0.850, "DXA-2", 0.800, "DXA-1");
    ck_assert_int_eq(r.cross_calibrated, 1);
    ck_assert_int_eq(r.crosscal_inverted, 1);
    ck_assert_near(r.baseline_converted_g_cm2, 0.854 / 1.012, 1e-12);
    ck_assert_near(r.baseline_converted_g_cm2, 0.843874, 1e-6);
    ck_assert_near(r.change_g_cm2, -0.043874, 1e-6);
    ck_assert_int_eq(r.significance, OT_SIG_DECREASE);
    ck_assert_ptr_nonnull(flag_of(&r, OT_FLAG_SIGNIFICANT_BMD_LOSS));
    /* the JSON names the equation as recorded: from DXA-1 to DXA-2 */
    char *s = NULL;
    ck_assert_int_eq(ot_bmd_result_to_json(&s, &r, 0), OT_OK);
    cJSON *j = cJSON_Parse(s);
    ot_free(s);
    const cJSON *c = cJSON_GetObjectItem(j, "cross_calibration");
    ck_assert_str_eq(cJSON_GetObjectItem(c, "from_device")->valuestring, "DXA-1");
    ck_assert_str_eq(cJSON_GetObjectItem(c, "to_device")->valuestring, "DXA-2");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(c, "inverted")));
    ck_assert_near(cJSON_GetObjectItem(c, "slope")->valuedouble, 1.012, 1e-12);
    cJSON_Delete(j);
}
END_TEST

START_TEST(options_lsc_still_wins)
{
    /* an LSC given for the comparison is used; a percent applies to the
     * converted baseline: 5 % of 0.8056 = 0.04028 <= 0.0444: increase */
    ot_bmd_measure a = scan(OT_SITE_LUMBAR_SPINE, 0.800, "DXA-1", OT_MFR_UNKNOWN);
    ot_bmd_measure b = scan(OT_SITE_LUMBAR_SPINE, 0.850, "DXA-2", OT_MFR_UNKNOWN);
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.lsc_kind = OT_LSC_PERCENT;
    o.lsc_value = 5.0;
    ot_bmd_result r;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    ck_assert_near(r.lsc_g_cm2, 0.04028, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    /* 0.050 g/cm2 > 0.0444: stable */
    o.lsc_kind = OT_LSC_G_CM2;
    o.lsc_value = 0.050;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    ck_assert_int_eq(r.significance, OT_SIG_STABLE);
    ck_assert_str_eq(r.lsc_source, "user-lsc");
    ck_assert(strstr(test_citation(rd, r.lsc_source, NULL), "the user gave for this comparison") !=
              NULL);
}
END_TEST

START_TEST(calibrated_change_meets_expected_range)
{
    /* alendronate for 24 months: the spine range is 4.39-5.2 %; the
     * calibrated change is +5.5114 % (of 0.8056): above. Uncalibrated scans
     * (DXA-3) are never set against the range: unknown */
    ot_bmd_measure a = scan(OT_SITE_LUMBAR_SPINE, 0.800, "DXA-1", OT_MFR_UNKNOWN);
    ot_bmd_measure b = scan(OT_SITE_LUMBAR_SPINE, 0.850, "DXA-2", OT_MFR_UNKNOWN);
    ck_assert_int_eq(ot_date_parse(&a.date, "2022-03-01"), OT_OK);
    ck_assert_int_eq(ot_date_parse(&b.date, "2024-03-01"), OT_OK);
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.therapy = OT_AGENT_ALENDRONATE;
    ot_bmd_result r;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    ck_assert_int_eq(r.expected.found, 1);
    ck_assert_int_eq(r.vs_expected, OT_VS_ABOVE);
    b.device = "DXA-3";
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, &o, NULL), OT_OK);
    ck_assert_int_eq(r.vs_expected, OT_VS_UNKNOWN);
}
END_TEST

START_TEST(no_calibration_not_comparable)
{
    /* DXA-1 -> DXA-3: no calibration: not_comparable, DEVICE_CHANGED warning */
    ot_bmd_result r = spine(0.800, "DXA-1", 0.850, "DXA-3");
    ck_assert_int_eq(r.device_changed, 1);
    ck_assert_int_eq(r.cross_calibrated, 0);
    ck_assert(isnan(r.baseline_converted_g_cm2));
    ck_assert_ptr_null(r.crosscal_source);
    ck_assert_int_eq(r.significance, OT_SIG_NOT_COMPARABLE);
    ck_assert_near(r.change_g_cm2, 0.050, 1e-12); /* raw, for display */
    const ot_flag *f = flag_of(&r, OT_FLAG_DEVICE_CHANGED);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, OT_SEV_WARNING);
    /* the spine calibration does not apply to the hip */
    ot_bmd_measure a = scan(OT_SITE_TOTAL_HIP, 0.700, "DXA-1", OT_MFR_UNKNOWN);
    ot_bmd_measure b = scan(OT_SITE_TOTAL_HIP, 0.760, "DXA-2", OT_MFR_UNKNOWN);
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, NULL), OT_OK);
    ck_assert_int_eq(r.significance, OT_SIG_NOT_COMPARABLE);
    /* nor to scans whose devices are not named (manufacturers differ) */
    a = scan(OT_SITE_LUMBAR_SPINE, 0.800, NULL, OT_MFR_HOLOGIC);
    b = scan(OT_SITE_LUMBAR_SPINE, 0.850, NULL, OT_MFR_GE_LUNAR);
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, NULL), OT_OK);
    ck_assert_int_eq(r.significance, OT_SIG_NOT_COMPARABLE);
    /* the same device: no conversion, and the JSON has no calibration keys */
    r = spine(0.800, "DXA-2", 0.850, "DXA-2");
    ck_assert_int_eq(r.cross_calibrated, 0);
    char *s = NULL;
    ck_assert_int_eq(ot_bmd_result_to_json(&s, &r, 0), OT_OK);
    ck_assert(!strstr(s, "cross_calibrat") && !strstr(s, "sbmd") && !strstr(s, "converted"));
    ot_free(s);
}
END_TEST

/* A configuration that must be refused with a message naming f.json and `what`. */
static void refused(ot_refdata *d, const char *json, const char *what)
{
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_refdata_apply_config_text(d, json, "f.json", &err), OT_EDATA);
    ck_assert_msg(strstr(err.message, "f.json") && strstr(err.message, what),
                  "'%s' should name f.json and '%s'", err.message, what);
}

#define ENTRY(from, to, site, slope, icpt, lsc)                                          \
    "{\"from_device\":" from ",\"to_device\":" to ",\"site\":" site ",\"slope\":" slope \
    ",\"intercept\":" icpt ",\"lsc_g_cm2\":" lsc "}"

START_TEST(malformed_calibration_names_field)
{
    ot_refdata *d = test_refdata();
    refused(d, FACILITY(ENTRY("\"A\"", "\"B\"", "\"spine\"", "3", "0", "0.03")),
            "cross_calibration[0].slope: 3 is out of range [0.5, 2]");
    refused(d, FACILITY(ENTRY("\"A\"", "\"B\"", "\"spine\"", "1", "0.6", "0.03")),
            "cross_calibration[0].intercept");
    refused(d, FACILITY(ENTRY("\"A\"", "\"B\"", "\"spine\"", "1", "0", "0")),
            "cross_calibration[0].lsc_g_cm2: 0 is out of range (0, 0.5]");
    refused(d, FACILITY(ENTRY("\"A\"", "\"B\"", "\"spine\"", "1", "0", "0.6")),
            "cross_calibration[0].lsc_g_cm2");
    refused(d, FACILITY(ENTRY("\"A\"", "\"B\"", "\"spine\"", "\"1\"", "0", "0.03")),
            "cross_calibration[0].slope: expected a number");
    refused(d, FACILITY(ENTRY("\"\"", "\"B\"", "\"spine\"", "1", "0", "0.03")),
            "cross_calibration[0].from_device");
    refused(d, FACILITY(ENTRY("\"A\"", "\"A\"", "\"spine\"", "1", "0", "0.03")),
            "cross_calibration[0].to_device: the same device");
    refused(d, FACILITY(ENTRY("\"A\"", "\"B\"", "\"knee\"", "1", "0", "0.03")),
            "cross_calibration[0].site");
    refused(d, FACILITY("{\"from_device\":\"A\",\"to_device\":\"B\",\"site\":\"hip\","
                        "\"slope\":1,\"intercept\":0}"),
            "cross_calibration[0].lsc_g_cm2: missing");
    refused(d, FACILITY("{\"from_device\":\"A\",\"to_device\":\"B\",\"site\":\"hip\","
                        "\"slope\":1,\"intercept\":0,\"lsc_g_cm2\":0.03,\"offset\":1}"),
            "cross_calibration[0].offset: unknown key");
    refused(d, "{\"kind\":\"osteotrack-facility\",\"cross_calibration\":{}}",
            "cross_calibration: expected a list");
    /* the second entry is the bad one; a pair given twice (reversed) is refused */
    refused(d, FACILITY(ENTRY("\"A\"", "\"B\"", "\"hip\"", "1", "0", "0.03") ","
                        ENTRY("\"A\"", "\"C\"", "\"hip\"", "0.4", "0", "0.03")),
            "cross_calibration[1].slope");
    refused(d, FACILITY(ENTRY("\"A\"", "\"B\"", "\"hip\"", "1", "0", "0.03") ","
                        ENTRY("\"B\"", "\"A\"", "\"total_hip\"", "1", "0", "0.03")),
            "cross_calibration[1]: B and A at total_hip are already calibrated");
    ot_refdata_free(d);
}
END_TEST

START_TEST(bad_file_changes_nothing)
{
    ot_refdata *d = test_refdata();
    /* a good LSC and a bad calibration: neither is applied */
    refused(d, "{\"kind\":\"osteotrack-facility\",\"lsc\":{\"spine\":{\"g_cm2\":0.028}},"
               "\"cross_calibration\":[" ENTRY("\"DXA-1\"", "\"DXA-2\"", "\"spine\"", "1.012",
                                               "-0.004", "-1") "]}",
            "cross_calibration[0].lsc_g_cm2");
    /* a good calibration and a bad LSC: neither is applied */
    refused(d, "{\"kind\":\"osteotrack-facility\",\"lsc\":{\"spine\":{\"g_cm2\":-1}},"
               "\"cross_calibration\":[" CAL_SPINE "]}",
            "lsc.lumbar_spine.g_cm2");
    ot_bmd_measure a = scan(OT_SITE_LUMBAR_SPINE, 0.800, "DXA-1", OT_MFR_UNKNOWN);
    ot_bmd_measure b = scan(OT_SITE_LUMBAR_SPINE, 0.850, "DXA-2", OT_MFR_UNKNOWN);
    ot_bmd_result r;
    ck_assert_int_eq(ot_bmd_compare(&r, d, &a, &b, NULL, NULL), OT_OK);
    ck_assert_int_eq(r.significance, OT_SIG_NOT_COMPARABLE);
    b.device = "DXA-1"; /* and the spine LSC is still the default 5.3 % x 0.800 */
    ck_assert_int_eq(ot_bmd_compare(&r, d, &a, &b, NULL, NULL), OT_OK);
    ck_assert_near(r.lsc_g_cm2, 0.0424, 1e-12);
    /* once applied, a later bad file leaves the calibration in place */
    ck_assert_int_eq(ot_refdata_apply_config_text(d, FACILITY(CAL_SPINE), "g.json", NULL), OT_OK);
    refused(d, FACILITY(ENTRY("\"DXA-1\"", "\"DXA-2\"", "\"spine\"", "9", "0", "0.03")),
            "slope");
    b.device = "DXA-2";
    ck_assert_int_eq(ot_bmd_compare(&r, d, &a, &b, NULL, NULL), OT_OK);
    ck_assert_int_eq(r.cross_calibrated, 1);
    ck_assert_near(r.crosscal_slope, 1.012, 1e-12);
    ot_refdata_free(d);
}
END_TEST

START_TEST(later_file_replaces_pair)
{
    /* setup() recorded DXA-1 -> DXA-2 at the spine; a second file gives the
     * same pair the other way round (DXA-1 = 0 + 1.0 x DXA-2, LSC 0.020) and
     * a hip calibration: the spine entry is replaced, nothing is added twice */
    ot_error err = {0, ""};
    ck_assert_msg(ot_refdata_apply_config_text(
                      rd, FACILITY(ENTRY("\"DXA-2\"", "\"DXA-1\"", "\"spine\"", "1.0", "0", "0.020")
                                   "," ENTRY("\"DXA-1\"", "\"DXA-2\"", "\"hip\"", "1.0", "0.01",
                                             "0.025")),
                      "second.json", &err) == OT_OK,
                  "%s", err.message);
    ot_bmd_result r = spine(0.800, "DXA-1", 0.850, "DXA-2");
    ck_assert_int_eq(r.crosscal_inverted, 1);
    ck_assert_near(r.baseline_converted_g_cm2, 0.800, 1e-12);
    ck_assert_near(r.lsc_g_cm2, 0.020, 1e-12);
    /* calibrations are counted over every file applied: setup()'s is 1,
     * second.json's spine entry 2 and its hip entry 3 */
    ck_assert_str_eq(r.crosscal_source, "facility-crosscal-2");
    ck_assert(strstr(test_citation(rd, r.crosscal_source, NULL), "second.json") != NULL);
    /* hip: 0.01 + 1.0 x 0.700 = 0.710; 0.760 - 0.710 = 0.050 >= 0.025 */
    ot_bmd_measure a = scan(OT_SITE_TOTAL_HIP, 0.700, "DXA-1", OT_MFR_UNKNOWN);
    ot_bmd_measure b = scan(OT_SITE_TOTAL_HIP, 0.760, "DXA-2", OT_MFR_UNKNOWN);
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, NULL), OT_OK);
    ck_assert_near(r.baseline_converted_g_cm2, 0.710, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    ck_assert_str_eq(r.crosscal_source, "facility-crosscal-3");
    ck_assert(strstr(test_citation(rd, r.crosscal_source, NULL),
                     "in vivo cross-calibration DXA-1 -> DXA-2: Unit A") != NULL);
}
END_TEST

static ot_bmd_result pair(ot_site site, double from, ot_manufacturer mf, double to,
                          ot_manufacturer mt)
{
    ot_bmd_measure a = scan(site, from, NULL, mf), b = scan(site, to, NULL, mt);
    ot_bmd_result r;
    ot_error err = {0, ""};
    ck_assert_msg(ot_bmd_compare(&r, rd, &a, &b, NULL, &err) == OT_OK, "%s", err.message);
    return r;
}

START_TEST(sbmd_by_hand)
{
    /* total hip, Hologic 0.700 -> GE Lunar 0.760 (Hanson 1997):
     * Hologic 1000 x (0.006 + 1.008 x 0.700) = 1000 x (0.006 + 0.7056) = 711.6
     * Lunar   1000 x (-0.031 + 0.979 x 0.760) = 1000 x (-0.031 + 0.74404) = 713.04
     * display only: the pair stays not_comparable */
    ot_bmd_result r = pair(OT_SITE_TOTAL_HIP, 0.700, OT_MFR_HOLOGIC, 0.760, OT_MFR_GE_LUNAR);
    ck_assert_int_eq(r.has_sbmd, 1);
    ck_assert_near(r.sbmd_baseline_mg_cm2, 711.6, 1e-9);
    ck_assert_near(r.sbmd_value_mg_cm2, 713.04, 1e-9);
    ck_assert_int_eq(r.sbmd_confirmed, 1);
    ck_assert_str_eq(r.sbmd_source, "hanson-1997-sbmd-hip");
    int confirmed = -1;
    ck_assert(strstr(test_citation(rd, r.sbmd_source, &confirmed), "Hanson") != NULL);
    ck_assert_int_eq(confirmed, 1);
    ck_assert_int_eq(r.significance, OT_SIG_NOT_COMPARABLE);
    /* lumbar spine, Hologic 0.880 -> Lunar 1.020 (Hui 1997, g/cm2 x 1000):
     * 1.0550 x (0.880 - 0.972) + 1.0436 = -0.09706 + 1.0436 = 0.94654 -> 946.54
     * 0.9683 x (1.020 - 1.100) + 1.0436 = -0.077464 + 1.0436 = 0.966136 -> 966.136 */
    r = pair(OT_SITE_LUMBAR_SPINE, 0.880, OT_MFR_HOLOGIC, 1.020, OT_MFR_GE_LUNAR);
    ck_assert_near(r.sbmd_baseline_mg_cm2, 946.54, 1e-9);
    ck_assert_near(r.sbmd_value_mg_cm2, 966.136, 1e-9);
    ck_assert_str_eq(r.sbmd_source, "hui-1997-sbmd-spine");
    ck_assert(strstr(test_citation(rd, r.sbmd_source, NULL), "Hui") != NULL);
    /* femoral neck, Lunar 0.650 -> Norland 0.640 (Lu 2001):
     * 1000 x (-0.023 + 0.939 x 0.650) = 587.35; 1000 x (0.006 + 0.985 x 0.640) = 636.4 */
    r = pair(OT_SITE_FEMORAL_NECK, 0.650, OT_MFR_GE_LUNAR, 0.640, OT_MFR_NORLAND);
    ck_assert_near(r.sbmd_baseline_mg_cm2, 587.35, 1e-9);
    ck_assert_near(r.sbmd_value_mg_cm2, 636.4, 1e-9);
    ck_assert_str_eq(r.sbmd_source, "lu-2001-sbmd-neck");
    ck_assert(strstr(test_citation(rd, r.sbmd_source, NULL), "Lu") != NULL);
    /* none: the radius; "other"; one make only; the same make */
    ck_assert_int_eq(pair(OT_SITE_RADIUS_33, 0.6, OT_MFR_HOLOGIC, 0.6, OT_MFR_NORLAND).has_sbmd, 0);
    ck_assert_int_eq(pair(OT_SITE_TOTAL_HIP, 0.7, OT_MFR_HOLOGIC, 0.7, OT_MFR_OTHER).has_sbmd, 0);
    ck_assert_int_eq(pair(OT_SITE_TOTAL_HIP, 0.7, OT_MFR_HOLOGIC, 0.7, OT_MFR_UNKNOWN).has_sbmd, 0);
    ck_assert_int_eq(pair(OT_SITE_TOTAL_HIP, 0.7, OT_MFR_HOLOGIC, 0.7, OT_MFR_HOLOGIC).has_sbmd, 0);
}
END_TEST

START_TEST(sbmd_json)
{
    ot_bmd_result r = pair(OT_SITE_TOTAL_HIP, 0.700, OT_MFR_HOLOGIC, 0.760, OT_MFR_GE_LUNAR);
    char *s = NULL;
    ck_assert_int_eq(ot_bmd_result_to_json(&s, &r, 0), OT_OK);
    cJSON *j = cJSON_Parse(s);
    ot_free(s);
    const cJSON *b = cJSON_GetObjectItem(j, "sbmd");
    ck_assert_near(cJSON_GetObjectItem(b, "baseline_mg_cm2")->valuedouble, 711.6, 1e-9);
    ck_assert_near(cJSON_GetObjectItem(b, "value_mg_cm2")->valuedouble, 713.04, 1e-9);
    /* the id, with its citation and confirmed mark in the sources object */
    const char *id = cJSON_GetObjectItem(b, "source")->valuestring;
    ck_assert_str_eq(id, "hanson-1997-sbmd-hip");
    const cJSON *src = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "sources"), id);
    ck_assert_ptr_nonnull(src);
    ck_assert(strstr(cJSON_GetObjectItem(src, "citation")->valuestring, "Hanson") != NULL);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(src, "confirmed")));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "cross_calibrated")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "cross_calibration")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "baseline_converted_g_cm2")));
    cJSON_Delete(j);
    /* radius of two makes: "sbmd": null */
    r = pair(OT_SITE_RADIUS_33, 0.6, OT_MFR_HOLOGIC, 0.6, OT_MFR_NORLAND);
    ck_assert_int_eq(ot_bmd_result_to_json(&s, &r, 0), OT_OK);
    ck_assert(strstr(s, "\"sbmd\":null") != NULL);
    ot_free(s);
}
END_TEST

/* The patient report: a calibrated scanner change keeps the baseline. */
static ot_patient *pt;

static ot_date D(const char *s)
{
    ot_date d;
    ck_assert_msg(ot_date_parse(&d, s) == OT_OK, "bad date %s", s);
    return d;
}

static void add(const char *date, double v, const char *device)
{
    ot_bmd_measure m = scan(OT_SITE_LUMBAR_SPINE, v, device, OT_MFR_UNKNOWN);
    m.date = D(date);
    ot_error err = {0, ""};
    ck_assert_msg(ot_patient_add_bmd(pt, rd, &m, NAN, 0, &err) == OT_OK, "%s", err.message);
}

static cJSON *report_json(const ot_refdata *d, ot_report **out)
{
    ot_error err = {0, ""};
    ck_assert_msg(ot_report_build(out, d, pt, D("2024-06-01"), &err) == OT_OK, "%s", err.message);
    char *s = NULL;
    ck_assert_int_eq(ot_report_to_json(&s, *out, 0), OT_OK);
    cJSON *j = cJSON_Parse(s);
    ot_free(s);
    ck_assert_ptr_nonnull(j);
    return j;
}

static const cJSON *entry(const cJSON *j, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(j, "bmd"), i);
}
static double num(const cJSON *o, const char *k) { return cJSON_GetObjectItem(o, k)->valuedouble; }
static const char *str(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItem(o, k)->valuestring;
}

static size_t count_flags(const ot_report *r, ot_flag_code c, ot_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < ot_report_flag_count(r); i++)
        n += ot_report_flag(r, i)->code == c && ot_report_flag(r, i)->severity == sev;
    return n;
}

static void report_setup(void)
{
    setup();
    ck_assert_int_eq(ot_patient_new(&pt, "X1"), OT_OK);
    ck_assert_int_eq(ot_patient_add_therapy(pt, OT_AGENT_ALENDRONATE, D("2019-01-15"),
                                            OT_DATE_NONE, NULL),
                     OT_OK);
}
static void report_teardown(void)
{
    ot_patient_free(pt);
    teardown();
}

START_TEST(report_keeps_one_baseline)
{
    add("2019-01-10", 0.800, "DXA-1");
    add("2021-01-12", 0.815, "DXA-1");
    add("2023-01-16", 0.850, "DXA-2");
    add("2024-01-20", 0.852, "DXA-2");
    ot_report *r = NULL;
    cJSON *j = report_json(rd, &r);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "bmd")), 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_str_eq(str(entry(j, i), "baseline_date"), "2019-01-10");
        ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(entry(j, i), "new_baseline")));
    }
    /* 2023 on DXA-2: 0.850 - 0.8056 = +0.0444 >= 0.031: increase */
    const cJSON *e = entry(j, 1);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(e, "cross_calibrated")));
    ck_assert_near(num(e, "baseline_converted_g_cm2"), 0.8056, 1e-9);
    ck_assert_near(num(e, "change_g_cm2"), 0.0444, 1e-9);
    ck_assert_str_eq(str(e, "significance"), "increase");
    /* against the previous scan (0.815 on DXA-1): -0.004 + 1.012 x 0.815 =
     * 0.82078; 0.850 - 0.82078 = +0.02922 < 0.031: stable */
    const cJSON *v = cJSON_GetObjectItem(e, "vs_previous");
    ck_assert_near(num(v, "baseline_converted_g_cm2"), 0.82078, 1e-9);
    ck_assert_near(num(v, "change_g_cm2"), 0.02922, 1e-9);
    ck_assert_str_eq(str(v, "significance"), "stable");
    /* 2024, still against 2019: 0.852 - 0.8056 = +0.0464 */
    e = entry(j, 2);
    ck_assert_near(num(e, "change_g_cm2"), 0.0464, 1e-9);
    ck_assert_str_eq(str(e, "significance"), "increase");
    ck_assert_near(num(cJSON_GetObjectItem(e, "vs_previous"), "change_g_cm2"), 0.002, 1e-9);
    /* one DEVICE_CHANGED, as information; the assessment counts the change */
    ck_assert_uint_eq(count_flags(r, OT_FLAG_DEVICE_CHANGED, OT_SEV_INFO), 1);
    ck_assert_uint_eq(count_flags(r, OT_FLAG_DEVICE_CHANGED, OT_SEV_WARNING), 0);
    ck_assert_int_eq(ot_report_assessment(r), OT_ASSESS_RESPONDING);
    ck_assert(strstr(ot_report_summary(r), "+5.8% from 2019-01-10 to 2024-01-20") &&
              strstr(ot_report_summary(r), "cross-calibrated"));
    cJSON_Delete(j);
    ot_report_free(r);
    /* without the calibration the change to DXA-2 starts a new baseline */
    ot_refdata *plain = test_refdata();
    j = report_json(plain, &r);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(entry(j, 1), "new_baseline")));
    ck_assert_str_eq(str(entry(j, 1), "significance"), "not_comparable");
    ck_assert_str_eq(str(entry(j, 2), "baseline_date"), "2023-01-16");
    ck_assert_uint_eq(count_flags(r, OT_FLAG_DEVICE_CHANGED, OT_SEV_WARNING), 1);
    cJSON_Delete(j);
    ot_report_free(r);
    ot_refdata_free(plain);
}
END_TEST

START_TEST(report_back_to_first_scanner_and_trend)
{
    /* DXA-1 three times, DXA-2, then DXA-1 again: one baseline throughout;
     * the trend fits the first three DXA-1 scans only (never two scales) */
    add("2018-01-10", 0.790, "DXA-1");
    add("2019-01-10", 0.800, "DXA-1");
    add("2020-01-10", 0.810, "DXA-1");
    add("2022-01-10", 0.850, "DXA-2");
    add("2023-01-10", 0.830, "DXA-1");
    ot_report *r = NULL;
    cJSON *j = report_json(rd, &r);
    const cJSON *e = entry(j, 3);
    ck_assert_str_eq(str(e, "baseline_date"), "2018-01-10");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(e, "device_changed"))); /* DXA-1 vs DXA-1 */
    ck_assert_near(num(e, "change_g_cm2"), 0.040, 1e-9);
    /* previous: 0.850 on DXA-2 is (0.850 + 0.004) / 1.012 = 0.843874 on
     * DXA-1's scale; 0.830 - 0.843874 = -0.013874 */
    ck_assert_near(num(cJSON_GetObjectItem(e, "vs_previous"), "change_g_cm2"),
                   0.830 - 0.854 / 1.012, 1e-6);
    const cJSON *t = cJSON_GetObjectItem(j, "trend");
    ck_assert_int_eq(cJSON_GetArraySize(t), 1);
    ck_assert_int_eq((int)num(cJSON_GetArrayItem(t, 0), "n"), 3);
    ck_assert_str_eq(str(cJSON_GetArrayItem(t, 0), "last_date"), "2020-01-10");
    ck_assert_uint_eq(count_flags(r, OT_FLAG_DEVICE_CHANGED, OT_SEV_INFO), 1);
    cJSON_Delete(j);
    ot_report_free(r);
}
END_TEST

Suite *suite_crosscal(void)
{
    Suite *s = suite_create("crosscal");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, forward_calibration);
    tcase_add_test(tc, forward_boundaries);
    tcase_add_test(tc, reverse_calibration);
    tcase_add_test(tc, options_lsc_still_wins);
    tcase_add_test(tc, calibrated_change_meets_expected_range);
    tcase_add_test(tc, no_calibration_not_comparable);
    tcase_add_test(tc, malformed_calibration_names_field);
    tcase_add_test(tc, bad_file_changes_nothing);
    tcase_add_test(tc, later_file_replaces_pair);
    tcase_add_test(tc, sbmd_by_hand);
    tcase_add_test(tc, sbmd_json);
    suite_add_tcase(s, tc);
    tc = tcase_create("report");
    tcase_add_checked_fixture(tc, report_setup, report_teardown);
    tcase_add_test(tc, report_keeps_one_baseline);
    tcase_add_test(tc, report_back_to_first_scanner_and_trend);
    suite_add_tcase(s, tc);
    return s;
}

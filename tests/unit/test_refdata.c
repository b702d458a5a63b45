/* Reference data and facility configuration: loading, validation, override. */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const data_files[] = {"lsc.json", "plausibility.json", "expected_bmd.json",
                                         "markers.json", "monitoring.json", "tscore.json",
                                         "sbmd.json", "agents.json", "fractures.json"};

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    ck_assert_msg(in && out, "copy %s -> %s", from, to);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* A temporary copy of data/ that a test may spoil. */
static char *temp_data_dir(void)
{
    char *dir = strdup("/tmp/ot-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (size_t i = 0; i < sizeof data_files / sizeof data_files[0]; i++) {
        char from[512], to[512];
        snprintf(from, sizeof from, "%s/%s", OT_TEST_DATA_DIR, data_files[i]);
        snprintf(to, sizeof to, "%s/%s", dir, data_files[i]);
        copy_file(from, to);
    }
    return dir;
}

static void remove_dir(char *dir)
{
    char path[512];
    for (size_t i = 0; i < sizeof data_files / sizeof data_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, data_files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/facility.json", dir);
    unlink(path);
    rmdir(dir);
    free(dir);
}

static void expect_load_error(const char *file, const char *text, int status, const char *what)
{
    char *dir = temp_data_dir();
    write_file(dir, file, text);
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_refdata_load(&rd, dir, &err), status);
    ck_assert_ptr_null(rd);
    ck_assert_msg(strstr(err.message, file) && strstr(err.message, what),
                  "message '%s' should name %s and %s", err.message, file, what);
    remove_dir(dir);
}

START_TEST(shipped_data_loads)
{
    ot_refdata *rd = test_refdata();
    ck_assert_str_eq(ot_refdata_dir(rd), OT_TEST_DATA_DIR);
    ot_refdata_free(rd);
    ot_refdata_free(NULL); /* NULL-safe */
}
END_TEST

START_TEST(missing_dir_is_io_error)
{
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_refdata_load(&rd, "/nonexistent/osteotrack", &err), OT_EIO);
    ck_assert(strstr(err.message, "/nonexistent/osteotrack/lsc.json") != NULL);
}
END_TEST

START_TEST(invalid_data_names_file_and_field)
{
    expect_load_error("lsc.json", "{\"kind\": \"osteotrack-lsc\",", OT_EPARSE, "malformed JSON");
    expect_load_error("lsc.json", "{\"kind\": \"something-else\"}", OT_EDATA, "kind");
    expect_load_error("lsc.json",
                      "{\"kind\":\"osteotrack-lsc\",\"lsc_multiplier_95\":{\"value\":2.77,"
                      "\"source\":\"x\",\"confirmed\":true},\"min_study_dof\":{\"value\":30,"
                      "\"source\":\"x\",\"confirmed\":true},\"sites\":{\"lumbar_spine\":"
                      "{\"lsc_pct\":-1,\"source\":\"x\",\"confirmed\":true}}}",
                      OT_EDATA, "sites.lumbar_spine.lsc_pct");
    expect_load_error("lsc.json",
                      "{\"kind\":\"osteotrack-lsc\",\"lsc_multiplier_95\":{\"value\":2.77,"
                      "\"confirmed\":true},\"sites\":{}}",
                      OT_EDATA, "lsc_multiplier_95.source");
    expect_load_error("expected_bmd.json",
                      "{\"kind\":\"osteotrack-expected-bmd\",\"baseline_tolerance_months\":"
                      "{\"value\":6,\"source\":\"x\",\"confirmed\":false},\"entries\":[{\"agents\":"
                      "[\"aspirin\"],\"site\":\"lumbar_spine\"}]}",
                      OT_EDATA, "entries[0].agents");
    expect_load_error("plausibility.json",
                      "{\"kind\":\"osteotrack-plausibility\",\"ranges\":{\"bmd\":{\"min\":3,"
                      "\"max\":1,\"source\":\"x\",\"confirmed\":false}}}",
                      OT_EDATA, "ranges.bmd.max");
    expect_load_error("monitoring.json", "{\"kind\":\"osteotrack-monitoring\"}", OT_EDATA,
                      "dxa_interval_months");
    expect_load_error("tscore.json",
                      "{\"kind\":\"osteotrack-tscore\",\"osteoporosis_max\":{\"value\":-2.5,"
                      "\"source\":\"x\",\"confirmed\":true},\"normal_min\":{\"value\":-3,"
                      "\"source\":\"x\",\"confirmed\":true}}",
                      OT_EDATA, "normal_min.value");
    /* sbmd.json: an equation out of range; a site left out */
    expect_load_error("sbmd.json",
                      "{\"kind\":\"osteotrack-sbmd\",\"percent_change\":{\"source\":\"x\","
                      "\"confirmed\":true},\"sites\":{\"lumbar_spine\":null,\"radius_33\":null,"
                      "\"femoral_neck\":null,\"total_hip\":{\"equations\":{\"hologic\":"
                      "{\"intercept\":0.006,\"slope\":9}},\"source\":\"x\",\"confirmed\":true}}}",
                      OT_EDATA, "sites.total_hip.equations.hologic.slope");
    expect_load_error("sbmd.json",
                      "{\"kind\":\"osteotrack-sbmd\",\"percent_change\":{\"source\":\"x\","
                      "\"confirmed\":true},\"sites\":{\"lumbar_spine\":null}}",
                      OT_EDATA, "sites.total_hip: missing");
}
END_TEST

START_TEST(env_var_selects_data_dir)
{
    char *dir = temp_data_dir();
    setenv("OSTEOTRACK_DATA_DIR", dir, 1);
    ot_refdata *rd = NULL;
    ck_assert_int_eq(ot_refdata_load(&rd, NULL, NULL), OT_OK);
    ck_assert_str_eq(ot_refdata_dir(rd), dir);
    ot_refdata_free(rd);
    unsetenv("OSTEOTRACK_DATA_DIR");
    remove_dir(dir);
}
END_TEST

static ot_bmd_result spine(const ot_refdata *rd, double from, double to)
{
    ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
    a.value = from;
    b.value = to;
    ot_bmd_result r;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, NULL), OT_OK);
    return r;
}

START_TEST(facility_config_overrides_default)
{
    ot_refdata *rd = test_refdata();
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_refdata_apply_config_text(
                         rd,
                         "{\"kind\":\"osteotrack-facility\",\"facility\":\"Unit A\","
                         "\"lsc\":{\"spine\":{\"g_cm2\":0.028},\"total_hip\":{\"pct\":3.0}}}",
                         "facility.json", &err),
                     OT_OK);
    /* 0.800 -> 0.830: +0.030 >= facility LSC 0.028 (default 0.0424 would say stable) */
    ot_bmd_result r = spine(rd, 0.800, 0.830);
    ck_assert_int_eq(r.lsc_is_default, 0);
    ck_assert_near(r.lsc_g_cm2, 0.028, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    ck_assert(strstr(r.lsc_source, "Unit A") && strstr(r.lsc_source, "facility.json"));
    /* total hip in percent: 3.0 % of 0.700 = 0.021 */
    ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
    a.site = b.site = OT_SITE_TOTAL_HIP;
    a.value = 0.700;
    b.value = 0.721;
    ck_assert_int_eq(ot_bmd_compare(&r, rd, &a, &b, NULL, NULL), OT_OK);
    ck_assert_near(r.lsc_g_cm2, 0.021, 1e-12);
    ck_assert_int_eq(r.significance, OT_SIG_INCREASE);
    ot_refdata_free(rd);
}
END_TEST

START_TEST(bad_config_changes_nothing)
{
    ot_refdata *rd = test_refdata();
    ot_error err = {0, ""};
    struct {
        const char *json, *what;
        int status;
    } bad[] = {
        {"{\"kind\":\"osteotrack-facility\",\"lsc\":{\"spine\":{\"g_cm2\":0.02},"
         "\"knee\":{\"g_cm2\":0.02}}}", "lsc.knee: unknown site", OT_EDATA},
        {"{\"kind\":\"osteotrack-facility\",\"lsc\":{\"spine\":{\"g_cm2\":0.02,\"pct\":2}}}",
         "exactly one", OT_EDATA},
        {"{\"kind\":\"osteotrack-facility\",\"lsc\":{\"spine\":{\"g_cm2\":-0.02}}}",
         "lsc.lumbar_spine.g_cm2", OT_EDATA},
        {"{\"kind\":\"osteotrack-facility\",\"lcs\":{}}", "lcs: unknown key", OT_EDATA},
        {"{\"lsc\":{}}", "kind", OT_EDATA},
        {"[1,2", "malformed JSON", OT_EPARSE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(ot_refdata_apply_config_text(rd, bad[i].json, "f.json", &err),
                         bad[i].status);
        ck_assert_msg(strstr(err.message, bad[i].what) && strstr(err.message, "f.json"),
                      "'%s' should say '%s'", err.message, bad[i].what);
    }
    /* still the default: 0.0424 at a 0.800 baseline */
    ot_bmd_result r = spine(rd, 0.800, 0.830);
    ck_assert_int_eq(r.lsc_is_default, 1);
    ck_assert_near(r.lsc_g_cm2, 0.0424, 1e-12);
    ck_assert_int_eq(ot_refdata_apply_config(rd, "/nonexistent/f.json", &err), OT_EIO);
    ot_refdata_free(rd);
}
END_TEST

Suite *suite_refdata(void)
{
    Suite *s = suite_create("refdata");
    TCase *tc = tcase_create("refdata");
    tcase_add_test(tc, shipped_data_loads);
    tcase_add_test(tc, missing_dir_is_io_error);
    tcase_add_test(tc, invalid_data_names_file_and_field);
    tcase_add_test(tc, env_var_selects_data_dir);
    tcase_add_test(tc, facility_config_overrides_default);
    tcase_add_test(tc, bad_config_changes_nothing);
    suite_add_tcase(s, tc);
    return s;
}

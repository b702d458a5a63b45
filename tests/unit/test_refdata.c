/* Reference data and facility configuration: loading, validation, override. */
#include "suites.h"

#include "internal.h" /* ot_sha256 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const data_files[] = {"sources.json", "lsc.json",    "plausibility.json",
                                         "expected_bmd.json", "markers.json", "monitoring.json",
                                         "tscore.json",  "sbmd.json",   "agents.json",
                                         "fractures.json", "site_labels.json", "loinc.json",
                                         "fhir/medications.json", "fhir/fractures.json"};

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
    char sub[512];
    snprintf(sub, sizeof sub, "%s/fhir", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
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
    snprintf(path, sizeof path, "%s/fhir", dir);
    rmdir(path);
    rmdir(dir);
    free(dir);
}

/* The bytes of <dir>/<name>, NUL-terminated; free() them. */
static char *read_data_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert(n >= 0);
    rewind(f);
    char *text = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    return text;
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
    /* the first file loaded is sources.json (the data's version) */
    ck_assert_msg(strstr(err.message, "/nonexistent/osteotrack/sources.json") != NULL, "%s",
                  err.message);
}
END_TEST

START_TEST(invalid_data_names_file_and_field)
{
    /* SRC: a figure's source, named by id beside its text */
#define SRC "\"source_id\":\"x\",\"source\":\"x\""
    expect_load_error("lsc.json", "{\"kind\": \"osteotrack-lsc\",", OT_EPARSE, "malformed JSON");
    expect_load_error("lsc.json", "{\"kind\": \"something-else\"}", OT_EDATA, "kind");
    expect_load_error("lsc.json",
                      "{\"kind\":\"osteotrack-lsc\",\"lsc_multiplier_95\":{\"value\":2.77,"
                      SRC ",\"confirmed\":true},\"min_study_dof\":{\"value\":30,"
                      SRC ",\"confirmed\":true},\"sites\":{\"lumbar_spine\":"
                      "{\"lsc_pct\":-1," SRC ",\"confirmed\":true}}}",
                      OT_EDATA, "sites.lumbar_spine.lsc_pct");
    expect_load_error("lsc.json",
                      "{\"kind\":\"osteotrack-lsc\",\"lsc_multiplier_95\":{\"value\":2.77,"
                      "\"confirmed\":true},\"sites\":{}}",
                      OT_EDATA, "lsc_multiplier_95.source");
    expect_load_error("expected_bmd.json",
                      "{\"kind\":\"osteotrack-expected-bmd\",\"baseline_tolerance_months\":"
                      "{\"value\":6," SRC ",\"confirmed\":false},\"entries\":[{\"agents\":"
                      "[\"aspirin\"],\"site\":\"lumbar_spine\"}]}",
                      OT_EDATA, "entries[0].agents");
    expect_load_error("plausibility.json",
                      "{\"kind\":\"osteotrack-plausibility\",\"ranges\":{\"bmd\":{\"min\":3,"
                      "\"max\":1," SRC ",\"confirmed\":false}}}",
                      OT_EDATA, "ranges.bmd.max");
    expect_load_error("monitoring.json", "{\"kind\":\"osteotrack-monitoring\"}", OT_EDATA,
                      "dxa_interval_months");
    expect_load_error("tscore.json",
                      "{\"kind\":\"osteotrack-tscore\",\"osteoporosis_max\":{\"value\":-2.5,"
                      SRC ",\"confirmed\":true},\"normal_min\":{\"value\":-3,"
                      SRC ",\"confirmed\":true}}",
                      OT_EDATA, "normal_min.value");
    /* sbmd.json: an equation out of range; a site left out */
    expect_load_error("sbmd.json",
                      "{\"kind\":\"osteotrack-sbmd\",\"percent_change\":{" SRC ","
                      "\"confirmed\":true},\"sites\":{\"lumbar_spine\":null,\"radius_33\":null,"
                      "\"femoral_neck\":null,\"total_hip\":{\"equations\":{\"hologic\":"
                      "{\"intercept\":0.006,\"slope\":9}}," SRC ",\"confirmed\":true}}}",
                      OT_EDATA, "sites.total_hip.equations.hologic.slope");
    expect_load_error("sbmd.json",
                      "{\"kind\":\"osteotrack-sbmd\",\"percent_change\":{" SRC ","
                      "\"confirmed\":true},\"sites\":{\"lumbar_spine\":null}}",
                      OT_EDATA, "sites.total_hip: missing");
#undef SRC
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
    /* the facility's figure: id facility-lsc-SITE, its citation naming the study and file */
    ck_assert_str_eq(r.lsc_source, "facility-lsc-lumbar_spine");
    const char *citation = test_citation(rd, r.lsc_source, NULL);
    ck_assert_msg(strstr(citation, "Unit A") && strstr(citation, "facility.json"), "%s", citation);
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

/* ---- provenance: source ids and the digest of the data ---- */

/* The first "source_id": "..." member of text and its value. */
static char *first_source_id(char *text, char **value, char **value_end)
{
    char *k = strstr(text, "\"source_id\"");
    ck_assert_ptr_nonnull(k);
    char *colon = strchr(k + strlen("\"source_id\""), ':');
    ck_assert_ptr_nonnull(colon);
    char *v = strchr(colon, '"');
    ck_assert_ptr_nonnull(v);
    char *e = strchr(v + 1, '"');
    ck_assert_ptr_nonnull(e);
    *value = v + 1;
    *value_end = e;
    return k;
}

START_TEST(figure_without_source_id_is_refused)
{
    /* a figure with its source text but no source_id: the file is refused,
     * not loaded with the figure unnamed */
    expect_load_error("lsc.json",
                      "{\"kind\":\"osteotrack-lsc\",\"lsc_multiplier_95\":{\"value\":2.77,"
                      "\"source\":\"x\",\"confirmed\":true},\"sites\":{}}",
                      OT_EDATA, "source_id");
    /* the shipped markers.json with the source_id of its first figure taken
     * out (the member and its comma): everything else as shipped */
    char *dir = temp_data_dir();
    char *text = read_data_file(dir, "markers.json");
    char *v, *e;
    char *k = first_source_id(text, &v, &e);
    e++;
    while (*e == ' ' || *e == '\n' || *e == '\r' || *e == '\t')
        e++;
    ck_assert_int_eq(*e, ',');
    memmove(k, e + 1, strlen(e + 1) + 1);
    ck_assert_ptr_nonnull(strstr(text, "\"source\"")); /* the text is still there */
    write_file(dir, "markers.json", text);
    free(text);
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_refdata_load(&rd, dir, &err), OT_EDATA);
    ck_assert_ptr_null(rd);
    ck_assert_msg(strstr(err.message, "markers.json") && strstr(err.message, "source_id"),
                  "message '%s' should name markers.json and source_id", err.message);
    remove_dir(dir);
}
END_TEST

START_TEST(one_source_id_names_one_citation)
{
    /* two figures of one file with the same id and different citations */
    expect_load_error("lsc.json",
                      "{\"kind\":\"osteotrack-lsc\",\"lsc_multiplier_95\":{\"value\":2.77,"
                      "\"source_id\":\"x\",\"source\":\"first study\",\"confirmed\":true},"
                      "\"min_study_dof\":{\"value\":30,\"source_id\":\"x\","
                      "\"source\":\"second study\",\"confirmed\":true},\"sites\":{}}",
                      OT_EDATA, "\"x\"");
    /* across files: the first figure of markers.json takes the id of a figure
     * of lsc.json (loaded before it) while keeping its own citation */
    char *dir = temp_data_dir();
    char *lsc = read_data_file(dir, "lsc.json");
    char *lv, *le;
    first_source_id(lsc, &lv, &le);
    *le = '\0'; /* lv: the id of lsc.json's first figure */
    char *markers = read_data_file(dir, "markers.json");
    char *mv, *me;
    first_source_id(markers, &mv, &me);
    ck_assert_msg(strlen(lv) != (size_t)(me - mv) || strncmp(lv, mv, strlen(lv)) != 0,
                  "the two files should start with different ids");
    size_t n = strlen(markers) + strlen(lv) + 1;
    char *spoiled = malloc(n);
    ck_assert_ptr_nonnull(spoiled);
    snprintf(spoiled, n, "%.*s%s%s", (int)(mv - markers), markers, lv, me);
    write_file(dir, "markers.json", spoiled);
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_refdata_load(&rd, dir, &err), OT_EDATA);
    ck_assert_ptr_null(rd);
    ck_assert_msg(strstr(err.message, "markers.json") && strstr(err.message, lv),
                  "message '%s' should name markers.json and the id %s", err.message, lv);
    free(spoiled);
    free(markers);
    free(lsc);
    remove_dir(dir);
}
END_TEST

static void assert_digest_form(const char *d)
{
    ck_assert_ptr_nonnull(d);
    ck_assert_msg(strlen(d) == 12, "digest '%s' should be 12 hex digits", d);
    for (const char *p = d; *p; p++)
        ck_assert_msg((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'),
                      "digest '%s' should be lowercase hex", d);
}

static char *load_digest(const char *dir)
{
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    ck_assert_msg(ot_refdata_load(&rd, dir, &err) == OT_OK, "%s", err.message);
    const char *d = ot_refdata_digest(rd);
    assert_digest_form(d);
    char *copy = strdup(d);
    ck_assert_ptr_nonnull(copy);
    ot_refdata_free(rd);
    return copy;
}

START_TEST(digest_follows_the_bytes_of_the_data)
{
    /* two loads of the same files: the same digest */
    char *shipped = load_digest(OT_TEST_DATA_DIR), *again = load_digest(OT_TEST_DATA_DIR);
    ck_assert_str_eq(shipped, again);
    /* a copy elsewhere: the same names and bytes, the same digest (the
     * directory is not part of it) */
    char *dir = temp_data_dir();
    char *copy = load_digest(dir);
    ck_assert_str_eq(copy, shipped);
    /* one byte of lsc.json changed (the first letter of its description):
     * still valid data, another digest */
    char *text = read_data_file(dir, "lsc.json");
    char *key = strstr(text, "\"description\"");
    ck_assert_ptr_nonnull(key);
    char *q = strchr(strchr(key + strlen("\"description\""), ':'), '"');
    ck_assert_ptr_nonnull(q);
    char was = q[1];
    ck_assert(was != '"' && was != '\\');
    q[1] = was == 'X' ? 'Y' : 'X';
    write_file(dir, "lsc.json", text);
    char *changed = load_digest(dir);
    ck_assert_str_ne(changed, shipped);
    /* the byte put back: the shipped digest again */
    q[1] = was;
    write_file(dir, "lsc.json", text);
    char *restored = load_digest(dir);
    ck_assert_str_eq(restored, shipped);
    free(text);
    free(shipped);
    free(again);
    free(copy);
    free(changed);
    free(restored);
    remove_dir(dir);
}
END_TEST

static void sha256_of(char hex[65], const void *data, size_t len, size_t chunk)
{
    ot_sha256 s;
    ot_sha256_init(&s);
    const unsigned char *p = data;
    for (size_t off = 0; off < len; off += chunk)
        ot_sha256_update(&s, p + off, len - off < chunk ? len - off : chunk);
    ot_sha256_hex(&s, hex);
}

START_TEST(sha256_fips_vectors)
{
    char hex[65];
    /* FIPS 180-2 examples; fed whole and in pieces that straddle 64-byte blocks */
    static const size_t chunks[] = {1, 3, 63, 64, 65, 1000000};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        sha256_of(hex, "abc", 3, chunks[c]);
        ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        sha256_of(hex, two, strlen(two), chunks[c]);
        ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    sha256_of(hex, "", 0, 1);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char *million = malloc(1000000);
    ck_assert_ptr_nonnull(million);
    memset(million, 'a', 1000000);
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        sha256_of(hex, million, 1000000, chunks[c]);
        ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    free(million);
}
END_TEST

START_TEST(config_digest_is_of_its_bytes)
{
    /* a facility configuration is named with the SHA-256 of its bytes (first
     * 12 hex digits); the data's digest stays that of the data files */
    ot_refdata *rd = test_refdata();
    char *data_digest = strdup(ot_refdata_digest(rd));
    ck_assert_ptr_nonnull(data_digest);
    const char *json = "{\"kind\":\"osteotrack-facility\",\"facility\":\"Unit A\","
                       "\"lsc\":{\"spine\":{\"g_cm2\":0.028}}}";
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_refdata_apply_config_text(rd, json, "facility.json", &err), OT_OK);
    ck_assert_uint_eq(ot_refdata_config_count(rd), 1);
    const char *name = NULL, *digest = NULL;
    ck_assert_int_eq(ot_refdata_config(rd, 0, &name, &digest), OT_OK);
    ck_assert_str_eq(name, "facility.json");
    assert_digest_form(digest);
    char hex[65];
    sha256_of(hex, json, strlen(json), 64);
    ck_assert_int_eq(strncmp(digest, hex, 12), 0);
    ck_assert_str_eq(ot_refdata_digest(rd), data_digest);
    free(data_digest);
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
    tcase_add_test(tc, figure_without_source_id_is_refused);
    tcase_add_test(tc, one_source_id_names_one_citation);
    tcase_add_test(tc, digest_follows_the_bytes_of_the_data);
    tcase_add_test(tc, sha256_fips_vectors);
    tcase_add_test(tc, config_digest_is_of_its_bytes);
    suite_add_tcase(s, tc);
    return s;
}

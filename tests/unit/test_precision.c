/* Precision studies: hand-worked arithmetic, ISCD designs checked against an
 * independent computation, the round trip to --config, and bad files. */
#include "suites.h"

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ot_refdata *rd;
static void setup(void) { rd = test_refdata(); }
static void teardown(void) { ot_refdata_free(rd); }

static ot_precision_scan scan(const char *pid, ot_site site, double v)
{
    ot_precision_scan s = OT_PRECISION_SCAN_INIT;
    s.patient_id = pid;
    s.site = site;
    s.value = v;
    return s;
}

static ot_precision_result *compute(const ot_precision_scan *s, size_t n,
                                    const ot_precision_options *o)
{
    ot_precision_result *r = NULL;
    ot_error err = {0, ""};
    int rc = ot_precision_compute(&r, rd, s, n, "study.csv", o, &err);
    ck_assert_msg(rc == OT_OK, "%s", err.message);
    return r;
}

static const ot_precision_group *group(const ot_precision_result *r, ot_precision_by by,
                                       ot_site site, const char *key)
{
    for (size_t i = 0; i < r->ngroups; i++)
        if (r->groups[i].by == by && r->groups[i].site == site &&
            strcmp(r->groups[i].key, key) == 0)
            return &r->groups[i];
    ck_abort_msg("no group %s %d %s", ot_precision_by_name(by), (int)site, key);
    return NULL;
}

static int has_note(const ot_precision_result *r, ot_precision_note_kind kind, long line,
                    const char *what)
{
    for (size_t i = 0; i < r->nnotes; i++)
        if (r->notes[i].kind == kind && r->notes[i].line == line &&
            strstr(r->notes[i].message, what))
            return 1;
    return 0;
}

#define ck_assert_note(r, kind, line, what)                                         \
    ck_assert_msg(has_note((r), (kind), (line), (what)), "no note at line %ld: %s", \
                  (long)(line), (what))

/* 50,000 patients scanned twice (100,000 scans, 50,000 degrees of
 * freedom): GSL's chi-square inversion no longer converges there, and its
 * default handler would abort. With that default handler in place (as an
 * embedding program may leave it), the study still gives its result: each
 * patient's two scans differ by 0.01 g/cm2, so SD_j = 0.01 / sqrt 2 and the
 * RMS-SD is 0.0070711 g/cm2, with a narrow finite interval around it. */
START_TEST(large_study_never_aborts)
{
    enum { PATIENTS = 50000 };
    ot_precision_scan *s = malloc(2 * PATIENTS * sizeof *s);
    char (*ids)[16] = malloc(PATIENTS * sizeof *ids);
    ck_assert(s && ids);
    for (int i = 0; i < PATIENTS; i++) {
        snprintf(ids[i], sizeof ids[i], "P%d", i);
        s[2 * i] = scan(ids[i], OT_SITE_LUMBAR_SPINE, 0.900 + (i % 50) * 0.001);
        s[2 * i + 1] = scan(ids[i], OT_SITE_LUMBAR_SPINE, 0.910 + (i % 50) * 0.001);
    }
    gsl_error_handler_t *saved = gsl_set_error_handler(NULL); /* GSL's default: abort */
    ot_precision_result *r = compute(s, 2 * PATIENTS, NULL);
    gsl_set_error_handler(saved);
    const ot_precision_group *g = group(r, OT_PRECISION_BY_SITE, OT_SITE_LUMBAR_SPINE, "");
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->df, PATIENTS);
    ck_assert_near(g->rms_sd_g_cm2, 0.01 / sqrt(2.0), 1e-9);
    ck_assert(g->rms_sd_ci95_lo < g->rms_sd_g_cm2 && g->rms_sd_g_cm2 < g->rms_sd_ci95_hi);
    ck_assert(g->rms_sd_ci95_hi - g->rms_sd_ci95_lo < 0.0002);
    ot_precision_result_free(r);
    free(s);
    free(ids);
}
END_TEST

START_TEST(hand_worked_3x2)
{
    /* Three patients, two lumbar spine scans each (g/cm2):
     *   P1 1.000, 1.020: mean 1.010, SD = |1.020 - 1.000| / sqrt 2 = 0.0141421
     *                    %CV = 100 x 0.0141421 / 1.010 = 1.400211
     *   P2 0.800, 0.810: mean 0.805, SD = 0.010 / sqrt 2 = 0.0070711, %CV 0.878394
     *   P3 0.900, 0.870: mean 0.885, SD = 0.030 / sqrt 2 = 0.0212132, %CV 2.396972
     * (for two scans SD = |a - b| / sqrt 2: sum of squares (a-b)^2/2 over n-1 = 1)
     * sum SD^2 = 0.0002 + 0.00005 + 0.00045 = 0.0007
     * RMS-SD = sqrt(0.0007 / 3) = sqrt(0.000233333) = 0.0152753 g/cm2
     * sum %CV^2 = 1.960591 + 0.771575 + 5.745476 = 8.477643
     * RMS-%CV = sqrt(8.477643 / 3) = sqrt(2.825881) = 1.681036 %
     * df = (2-1) x 3 = 3;  LSC = 2.77 x 0.0152753 = 0.0423124 g/cm2;
     * LSC % = 2.77 x 1.681036 = 4.656469 %.
     * 95% CI of the RMS-SD on 3 df: chi-square quantiles 0.215795 and 9.348404,
     * sqrt(3 x 0.000233333 / 9.348404) = 0.0086533,
     * sqrt(3 x 0.000233333 / 0.215795) = 0.0569545.
     * At 90%: z = 1.644854, x sqrt 2 = 2.326174, LSC = 0.0355329 g/cm2. */
    const ot_precision_scan s[] = {
        scan("P1", OT_SITE_LUMBAR_SPINE, 1.000), scan("P2", OT_SITE_LUMBAR_SPINE, 0.800),
        scan("P3", OT_SITE_LUMBAR_SPINE, 0.900), scan("P1", OT_SITE_LUMBAR_SPINE, 1.020),
        scan("P2", OT_SITE_LUMBAR_SPINE, 0.810), scan("P3", OT_SITE_LUMBAR_SPINE, 0.870)};
    const double levels[] = {90.0};
    ot_precision_options o = OT_PRECISION_OPTIONS_INIT;
    o.confidence = levels;
    o.nconfidence = 1;
    ot_precision_result *r = compute(s, 6, &o);
    ck_assert_uint_eq(r->ngroups, 1);
    const ot_precision_group *g = group(r, OT_PRECISION_BY_SITE, OT_SITE_LUMBAR_SPINE, "");
    ck_assert_uint_eq(g->patients, 3);
    ck_assert_uint_eq(g->scans, 6);
    ck_assert_uint_eq(g->df, 3);
    ck_assert_uint_eq(g->single_scan, 0);
    ck_assert_near(g->mean_g_cm2, (1.010 + 0.805 + 0.885) / 3, 1e-12);
    ck_assert_near(g->rms_sd_g_cm2, 0.0152753, 1e-7);
    ck_assert_near(g->rms_cv_pct, 1.681036, 1e-6);
    ck_assert_near(g->lsc_g_cm2, 0.0423124, 1e-7);
    ck_assert_near(g->lsc_pct, 4.656469, 1e-6);
    ck_assert_near(g->rms_sd_ci95_lo, 0.0086533, 1e-7);
    ck_assert_near(g->rms_sd_ci95_hi, 0.0569545, 1e-7);
    ck_assert_uint_eq(r->nconfidence, 1);
    ck_assert_near(r->multiplier[0], 2.326174, 1e-6);
    ck_assert_near(g->lsc_level_g_cm2[0], 0.0355329, 1e-7);
    ck_assert_double_eq(r->multiplier_95, 2.77); /* data/lsc.json */
    ck_assert_uint_eq(r->rows_read, 6);
    ck_assert_uint_eq(r->rows_used, 6);
    /* 3 df < 30: said so; 1.68 % is within the ISCD 1.9 % for the spine */
    ck_assert_note(r, OT_PRECISION_NOTE_STUDY, 0, "3 degrees of freedom, fewer than the 30");
    ck_assert_double_eq(g->iscd_max_cv_pct, 1.9);
    ck_assert_int_eq(g->worse_than_iscd, 0);
    ot_precision_result_free(r);
    ot_precision_result_free(NULL); /* NULL-safe */
}
END_TEST

/* A deterministic generator (LCG) of BMD in g/cm2, rounded as scanners do. */
static double lcg_bmd(unsigned *state, double lo, double hi)
{
    *state = *state * 1664525u + 1013904223u;
    double u = (double)(*state >> 8) / 16777216.0;
    return round((lo + (hi - lo) * u) * 1000.0) / 1000.0;
}

/* m patients x n scans of the total hip, patient j's scans interleaved. */
static ot_precision_scan *design(size_t m, size_t n, double values[][3], char ids[][8])
{
    ot_precision_scan *s = calloc(m * n, sizeof *s);
    ck_assert_ptr_nonnull(s);
    unsigned state = 12345u;
    for (size_t j = 0; j < m; j++) {
        snprintf(ids[j], 8, "H%02u", (unsigned)(j + 1));
        double truth = lcg_bmd(&state, 0.6, 1.1);
        for (size_t k = 0; k < n; k++)
            values[j][k] = truth + lcg_bmd(&state, -0.012, 0.012);
    }
    for (size_t k = 0; k < n; k++) /* scan round k of every patient, then k + 1 */
        for (size_t j = 0; j < m; j++)
            s[k * m + j] = scan(ids[j], OT_SITE_TOTAL_HIP, values[j][k]);
    return s;
}

/* The ISCD arithmetic with plain loops, no GSL. */
static void independent(size_t m, size_t n, double values[][3], double *rms, double *cv)
{
    double sd2 = 0.0, cv2 = 0.0;
    for (size_t j = 0; j < m; j++) {
        double sum = 0.0, ss = 0.0;
        for (size_t k = 0; k < n; k++)
            sum += values[j][k];
        double mean = sum / (double)n;
        for (size_t k = 0; k < n; k++)
            ss += (values[j][k] - mean) * (values[j][k] - mean);
        double sd = sqrt(ss / (double)(n - 1));
        sd2 += sd * sd;
        cv2 += (100.0 * sd / mean) * (100.0 * sd / mean);
    }
    *rms = sqrt(sd2 / (double)m);
    *cv = sqrt(cv2 / (double)m);
}

static void check_design(size_t m, size_t n)
{
    double values[30][3];
    char ids[30][8];
    ot_precision_scan *s = design(m, n, values, ids);
    ot_precision_result *r = compute(s, m * n, NULL);
    double rms, cv;
    independent(m, n, values, &rms, &cv);
    const ot_precision_group *g = group(r, OT_PRECISION_BY_SITE, OT_SITE_TOTAL_HIP, "");
    ck_assert_uint_eq(g->patients, m);
    ck_assert_uint_eq(g->scans, m * n);
    ck_assert_uint_eq(g->df, 30); /* both ISCD designs: 15 x (3-1) = 30 x (2-1) = 30 */
    ck_assert_near(g->rms_sd_g_cm2, rms, 1e-12);
    ck_assert_near(g->rms_cv_pct, cv, 1e-10);
    ck_assert_near(g->lsc_g_cm2, 2.77 * rms, 1e-12);
    ck_assert_near(g->lsc_pct, 2.77 * cv, 1e-10);
    ck_assert(g->rms_sd_ci95_lo < rms && rms < g->rms_sd_ci95_hi);
    ck_assert(!has_note(r, OT_PRECISION_NOTE_STUDY, 0, "degrees of freedom"));
    ot_precision_result_free(r);
    free(s);
}

START_TEST(design_15x3_matches_independent_computation) { check_design(15, 3); }
END_TEST

START_TEST(design_30x2_matches_independent_computation) { check_design(30, 2); }
END_TEST

START_TEST(round_trip_to_config_and_compare)
{
    double values[30][3];
    char ids[30][8];
    ot_precision_scan *s = design(30, 2, values, ids);
    for (size_t i = 0; i < 60; i++)
        s[i].site = OT_SITE_LUMBAR_SPINE;
    ot_precision_result *r = compute(s, 60, NULL);
    const ot_precision_group *g = group(r, OT_PRECISION_BY_SITE, OT_SITE_LUMBAR_SPINE, "");
    char *json = NULL;
    ck_assert_int_eq(ot_precision_result_to_config(&json, r, "Test unit"), OT_OK);

    ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
    a.value = 0.800;
    b.value = 0.840;
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    ot_bmd_result before, after;
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_bmd_compare(&before, rd, &a, &b, &o, &err), OT_OK);
    ck_assert_int_eq(before.lsc_is_default, 1); /* 5.3 % of 0.800 = 0.0424 */
    ck_assert_int_eq(before.significance, OT_SIG_STABLE);

    ck_assert_msg(ot_refdata_apply_config_text(rd, json, "facility.json", &err) == OT_OK, "%s",
                  err.message);
    ck_assert_int_eq(ot_bmd_compare(&after, rd, &a, &b, &o, &err), OT_OK);
    ck_assert_int_eq(after.lsc_is_default, 0);
    ck_assert_near(after.lsc_g_cm2, round(g->lsc_g_cm2 * 1e6) / 1e6, 1e-12);
    ck_assert_str_eq(after.lsc_source, "facility-lsc-lumbar_spine");
    const char *citation = test_citation(rd, after.lsc_source, NULL);
    ck_assert_msg(strstr(citation, "precision study of study.csv (Test unit): 30 "
                                   "patients, 60 scans, 30 df") &&
                      strstr(citation, "(facility.json)"),
                  "%s", citation);
    ck_assert(g->lsc_g_cm2 < 0.040); /* the facility's LSC makes +0.040 significant */
    ck_assert_int_eq(after.significance, OT_SIG_INCREASE);
    ot_free(json);
    ot_precision_result_free(r);
    free(s);
}
END_TEST

/* ---- files ---------------------------------------------------------- */

static char tmpdir[64];

static const char *write_study(const char *name, const char *text)
{
    static char path[128]; /* test-only */
    if (!tmpdir[0]) {
        strcpy(tmpdir, "/tmp/ot-prec-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    }
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static ot_precision_result *read_study(const char *name, const char *text)
{
    ot_precision_result *r = NULL;
    ot_error err = {0, ""};
    int rc = ot_precision_read_file(&r, rd, write_study(name, text), NULL, &err);
    ck_assert_msg(rc == OT_OK, "%s", err.message);
    return r;
}

static void file_teardown(void)
{
    char path[160];
    static const char *const names[] = {"s.csv", "s.json", "bad.csv", "bad.json"};
    for (size_t i = 0; tmpdir[0] && i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    if (tmpdir[0])
        rmdir(tmpdir);
    tmpdir[0] = '\0';
    teardown();
}

START_TEST(one_scan_per_patient_is_named_and_nothing_is_usable)
{
    ot_precision_result *r = read_study("s.csv", "patient_id,site,value\n"
                                                 "P1,spine,0.900\n"
                                                 "P2,spine,0.950\n"
                                                 "P3,hip,0.800\n");
    ck_assert_uint_eq(r->ngroups, 0);
    ck_assert_note(r, OT_PRECISION_NOTE_SINGLE_SCAN, 2, "patient P1 has one lumbar_spine scan");
    ck_assert_note(r, OT_PRECISION_NOTE_SINGLE_SCAN, 3, "patient P2 has one lumbar_spine scan");
    ck_assert_note(r, OT_PRECISION_NOTE_SINGLE_SCAN, 4, "patient P3 has one total_hip scan");
    ck_assert_note(r, OT_PRECISION_NOTE_STUDY, 0, "total_hip: no patient has two scans");
    ck_assert_uint_eq(r->rows_read, 3);
    ck_assert_uint_eq(r->rows_used, 0);
    ck_assert_uint_eq(r->rows_single, 3);
    ck_assert_uint_eq(r->rows_rejected, 0);
    ot_precision_result_free(r);
}
END_TEST

START_TEST(mixed_units_reject_the_row)
{
    ot_precision_result *r = read_study("s.csv", "Patient_ID,SITE,Value,Unit\n"
                                                 "P1,spine,0.900,g/cm2\n"
                                                 "P1,spine,0.910,g/cm2\n"
                                                 "P2,spine,950,mg/cm2\n"
                                                 "P2,spine,0.940,\n"
                                                 "P2,spine,0.950,g/cm2\n");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 4,
                   "unit mg/cm2 differs from the g/cm2 of the first lumbar_spine row (line 2)");
    const ot_precision_group *g = group(r, OT_PRECISION_BY_SITE, OT_SITE_LUMBAR_SPINE, "");
    ck_assert_uint_eq(g->patients, 2); /* the rest is still used */
    ck_assert_uint_eq(r->rows_read, 5);
    ck_assert_uint_eq(r->rows_used, 4);
    ck_assert_uint_eq(r->rows_rejected, 1);
    ot_precision_result_free(r);

    /* a site in mg/cm2 throughout is fine, and converted */
    r = read_study("s.csv", "patient_id,site,value,unit\nP1,hip,800,mg/cm2\nP1,hip,810,mg/cm2\n");
    g = group(r, OT_PRECISION_BY_SITE, OT_SITE_TOTAL_HIP, "");
    ck_assert_near(g->mean_g_cm2, 0.805, 1e-12);
    ck_assert_int_eq(r->unit[OT_SITE_TOTAL_HIP], OT_UNIT_MG_CM2);
    ot_precision_result_free(r);
}
END_TEST

START_TEST(bad_rows_name_their_line)
{
    ot_precision_result *r = read_study("bad.csv", "patient_id,site,value,unit,date,extra\n"
                                                   "P1,spine,abc,,,\n"          /* 2 */
                                                   "P1,spine,\"0,912\",,,\n"    /* 3 */
                                                   "P1,spine,-0.9,,,\n"         /* 4 */
                                                   "P1,knee,0.9,,,\n"           /* 5 */
                                                   "P1,spine,0.9,kg,,\n"        /* 6 */
                                                   "P1,spine,0.9,ug/L,,\n"      /* 7 */
                                                   "P1,spine,0.9,,2025-02-30,\n" /* 8 */
                                                   "P1,spine,0.9\n"             /* 9 */
                                                   "P1,spine,9.1,,,\n"          /* 10 */
                                                   ",spine,0.9,,,\n"            /* 11 */
                                                   "P1,spine,0\"9,,,\n"         /* 12 */
                                                   "P1,spine,,,,\n"             /* 13 */
                                                   "P1,spine,0.900,,2025-01-06,x\n"
                                                   "P1,spine,0.910,,2025-01-07,y\n");
    ck_assert_note(r, OT_PRECISION_NOTE_INPUT, 1, "column 'extra' is not used: ignored");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 2, "value 'abc' is not a number");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 3, "(the decimal separator is a point)");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 4, "value -0.9 is negative");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 5, "unknown site 'knee'");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 6, "unit 'kg' is not a BMD unit");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 7, "unit ug/L is not a BMD unit");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 8, "date '2025-02-30' is not a valid date");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 9, "3 fields where the header has 6");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 10, "outside the plausible range");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 11, "patient_id is empty");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 12, "field 3: a quote inside an unquoted");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 13, "value is missing");
    ck_assert_uint_eq(r->rows_read, 14);
    ck_assert_uint_eq(r->rows_rejected, 12);
    ck_assert_uint_eq(r->rows_used, 2);
    ck_assert_uint_eq(r->ngroups, 1);
    char d[11];
    ot_date_format(d, r->first_date);
    ck_assert_str_eq(d, "2025-01-06");
    ot_date_format(d, r->last_date);
    ck_assert_str_eq(d, "2025-01-07");
    ot_precision_result_free(r);
}
END_TEST

START_TEST(file_errors)
{
    ot_precision_result *r = NULL;
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_precision_read_file(&r, rd, "/nonexistent/s.csv", NULL, &err), OT_EIO);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/s.csv: cannot open"));
    const char *p = write_study("bad.csv", "patient_id,site,bmd\nP1,spine,0.9\n");
    ck_assert_int_eq(ot_precision_read_file(&r, rd, p, NULL, &err), OT_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "bad.csv:1: no 'value' column"));
    p = write_study("bad.csv", "");
    ck_assert_int_eq(ot_precision_read_file(&r, rd, p, NULL, &err), OT_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "bad.csv: empty"));
    p = write_study("bad.json", "[{\"patient_id\": \"P1\",\n \"site\": }]");
    ck_assert_int_eq(ot_precision_read_file(&r, rd, p, NULL, &err), OT_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "bad.json:2: malformed JSON"));
    p = write_study("bad.json", "{\"patients\": []}");
    ck_assert_int_eq(ot_precision_read_file(&r, rd, p, NULL, &err), OT_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "expected an array of scans"));
    ck_assert_ptr_null(r);
}
END_TEST

START_TEST(json_input_names_lines)
{
    ot_precision_result *r = read_study(
        "s.json", "{\"facility\": \"x\", \"scans\": [\n"
                  "  {\"patient_id\": \"P1\", \"site\": \"spine\", \"value\": 0.9},\n"
                  "  {\"patient_id\": \"P1\", \"site\": \"spine\", \"value\": 0.91,\n"
                  "   \"note\": \"a [bracket} and \\\" quote\"},\n"
                  "  {\"patient_id\": 7, \"site\": \"spine\", \"value\": \"0.9\"},\n"
                  "  {\"patient_id\": 7, \"site\": \"spine\", \"value\": 0.95, \"Unit\": \"g/cm2\"},\n"
                  "  {\"patient_id\": 7, \"site\": \"spine\", \"value\": 0.96},\n"
                  "  [1, 2],\n"
                  "  {\"patient_id\": \"P9\", \"site\": \"hip\", \"value\": 0.9, \"note\": 1}\n"
                  "]}\n");
    ck_assert_note(r, OT_PRECISION_NOTE_INPUT, 0, "key 'facility' is not used");
    ck_assert_note(r, OT_PRECISION_NOTE_INPUT, 3, "key 'note' is not used"); /* once */
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 5, "value: expected a number");
    ck_assert_note(r, OT_PRECISION_NOTE_REJECTED, 8, "expected an object");
    ck_assert_note(r, OT_PRECISION_NOTE_SINGLE_SCAN, 9, "patient P9 has one total_hip scan");
    const ot_precision_group *g = group(r, OT_PRECISION_BY_SITE, OT_SITE_LUMBAR_SPINE, "");
    ck_assert_uint_eq(g->patients, 2); /* P1 and patient number 7 */
    ck_assert_uint_eq(r->rows_read, 7);
    ck_assert_uint_eq(r->rows_rejected, 2);
    size_t input_notes = 0;
    for (size_t i = 0; i < r->nnotes; i++)
        input_notes += r->notes[i].kind == OT_PRECISION_NOTE_INPUT;
    ck_assert_uint_eq(input_notes, 2);
    ot_precision_result_free(r);
}
END_TEST

START_TEST(devices_and_technologists)
{
    /* Spine: T1 repeats within 0.004 g/cm2 (%CV about 0.3), T2 within 0.05
     * (%CV 4.16: worse than ISCD's 1.9 %). P4 is scanned once on each of
     * two devices: two single-scan patients, never a repeat. */
    ot_precision_scan s[] = {
        scan("P1", OT_SITE_LUMBAR_SPINE, 0.900), scan("P1", OT_SITE_LUMBAR_SPINE, 0.904),
        scan("P2", OT_SITE_LUMBAR_SPINE, 1.000), scan("P2", OT_SITE_LUMBAR_SPINE, 0.997),
        scan("P3", OT_SITE_LUMBAR_SPINE, 0.800), scan("P3", OT_SITE_LUMBAR_SPINE, 0.850),
        scan("P5", OT_SITE_LUMBAR_SPINE, 0.850), scan("P5", OT_SITE_LUMBAR_SPINE, 0.900),
        scan("P4", OT_SITE_LUMBAR_SPINE, 0.900), scan("P4", OT_SITE_LUMBAR_SPINE, 0.910),
        scan("P6", OT_SITE_RADIUS_33, 0.700),    scan("P6", OT_SITE_RADIUS_33, 0.760)};
    const char *dev[] = {"D1", "D1", "D1", "D1", "D1", "D1", "D2", "D2", "D1", "D2", "D1", "D1"};
    const char *tech[] = {"T1", "T1", "T1", "T1", "T2", "T2", "T2", "T2", "T1", "T1", "T2", "T2"};
    for (size_t i = 0; i < 12; i++) {
        s[i].device = dev[i];
        s[i].technologist = tech[i];
        s[i].line = (long)i + 2;
    }
    ot_precision_result *r = compute(s, 12, NULL);
    const ot_precision_group *g = group(r, OT_PRECISION_BY_SITE, OT_SITE_LUMBAR_SPINE, "");
    ck_assert_uint_eq(g->patients, 4);
    ck_assert_uint_eq(g->single_scan, 2);
    ck_assert_note(r, OT_PRECISION_NOTE_SINGLE_SCAN, 10, "patient P4 has one lumbar_spine scan "
                                                         "on device D1");
    ck_assert_note(r, OT_PRECISION_NOTE_SINGLE_SCAN, 11, "on device D2");
    ck_assert_uint_eq(group(r, OT_PRECISION_BY_DEVICE, OT_SITE_LUMBAR_SPINE, "D1")->patients, 3);
    ck_assert_uint_eq(group(r, OT_PRECISION_BY_DEVICE, OT_SITE_LUMBAR_SPINE, "D2")->patients, 1);
    ck_assert_note(r, OT_PRECISION_NOTE_STUDY, 0, "lumbar_spine: the site's LSC pools 2 devices");
    const ot_precision_group *t1 =
        group(r, OT_PRECISION_BY_TECHNOLOGIST, OT_SITE_LUMBAR_SPINE, "T1");
    const ot_precision_group *t2 =
        group(r, OT_PRECISION_BY_TECHNOLOGIST, OT_SITE_LUMBAR_SPINE, "T2");
    ck_assert_uint_eq(t1->patients, 2);
    ck_assert_uint_eq(t2->patients, 2);
    ck_assert_int_eq(t1->retraining_advised, 0);
    ck_assert_int_eq(t2->retraining_advised, 1);
    ck_assert_note(r, OT_PRECISION_NOTE_STUDY, 0,
                   "lumbar_spine by technologist T2: RMS-%CV 4.16% is worse than the ISCD "
                   "minimum acceptable precision of a technologist, 1.9%: retraining advised");
    /* no ISCD figure for the radius: never flagged */
    const ot_precision_group *rad =
        group(r, OT_PRECISION_BY_TECHNOLOGIST, OT_SITE_RADIUS_33, "T2");
    ck_assert(isnan(rad->iscd_max_cv_pct));
    ck_assert_int_eq(rad->retraining_advised, 0);
    /* groups in order: sites, then devices, then technologists, by name */
    ck_assert_int_eq(r->groups[0].by, OT_PRECISION_BY_SITE);
    ck_assert_int_eq(r->groups[r->ngroups - 1].by, OT_PRECISION_BY_TECHNOLOGIST);
    ot_precision_result_free(r);
}
END_TEST

START_TEST(confidence_levels_and_options)
{
    /* z(90 %) = 1.644854, z(99 %) = 2.575829; x sqrt 2 = 2.326174, 3.642773 */
    const ot_precision_scan s[] = {scan("P1", OT_SITE_TOTAL_HIP, 0.800),
                                   scan("P1", OT_SITE_TOTAL_HIP, 0.820)};
    const double levels[] = {90.0, 95.0, 90.0, 99.0};
    ot_precision_options o = OT_PRECISION_OPTIONS_INIT;
    o.confidence = levels;
    o.nconfidence = 4;
    ot_precision_result *r = compute(s, 2, &o);
    ck_assert_uint_eq(r->nconfidence, 2); /* 95 and the repeat dropped */
    ck_assert_double_eq(r->confidence[1], 99.0);
    ck_assert_near(r->multiplier[0], 2.326174, 1e-6);
    ck_assert_near(r->multiplier[1], 3.642773, 1e-6);
    /* SD = 0.020 / sqrt 2 = 0.0141421; LSC 99 % = 3.642773 x 0.0141421 = 0.0515165 */
    ck_assert_near(r->groups[0].lsc_level_g_cm2[1], 0.0515165, 1e-7);
    ot_precision_result_free(r);

    ot_error err = {0, ""};
    const double bad[] = {49.9, 100.0};
    for (size_t i = 0; i < 2; i++) {
        o.confidence = &bad[i];
        o.nconfidence = 1;
        ck_assert_int_eq(ot_precision_compute(&r, rd, s, 2, NULL, &o, &err), OT_EINVAL);
        ck_assert_ptr_nonnull(strstr(err.message, "outside 50-99.9%"));
    }
    o.nconfidence = OT_PRECISION_MAX_LEVELS + 1;
    ck_assert_int_eq(ot_precision_compute(&r, rd, s, 2, NULL, &o, &err), OT_EINVAL);
    o.nconfidence = 0;
    o.version = 99;
    ck_assert_int_eq(ot_precision_compute(&r, rd, s, 2, NULL, &o, &err), OT_EINVAL);
    ck_assert_int_eq(ot_precision_compute(&r, rd, NULL, 2, NULL, NULL, &err), OT_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(ot_precision_by_name(OT_PRECISION_BY_TECHNOLOGIST), "technologist");
}
END_TEST

START_TEST(identical_repeats_stay_out_of_the_config)
{
    const ot_precision_scan s[] = {
        scan("P1", OT_SITE_FEMORAL_NECK, 0.700), scan("P1", OT_SITE_FEMORAL_NECK, 0.700),
        scan("P1", OT_SITE_TOTAL_HIP, 0.800),    scan("P1", OT_SITE_TOTAL_HIP, 0.810)};
    ot_precision_result *r = compute(s, 4, NULL);
    ck_assert_double_eq(group(r, OT_PRECISION_BY_SITE, OT_SITE_FEMORAL_NECK, "")->rms_sd_g_cm2,
                        0.0);
    ck_assert_note(r, OT_PRECISION_NOTE_STUDY, 0, "femoral_neck: LSC 0.000000 g/cm2 is outside");
    ck_assert_note(r, OT_PRECISION_NOTE_STUDY, 0, "were patients repositioned between scans?");
    char *json = NULL;
    ck_assert_int_eq(ot_precision_result_to_config(&json, r, NULL), OT_OK);
    cJSON *doc = cJSON_Parse(json);
    const cJSON *lsc = cJSON_GetObjectItemCaseSensitive(doc, "lsc");
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(lsc, "femoral_neck"));
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(lsc, "total_hip"));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(doc, "facility"));
    ot_error err = {0, ""};
    ck_assert_msg(ot_refdata_apply_config_text(rd, json, "f.json", &err) == OT_OK, "%s",
                  err.message);
    cJSON_Delete(doc);
    ot_free(json);
    ot_precision_result_free(r);
}
END_TEST

START_TEST(gsl_quantiles_for_any_df)
{
    /* The default GSL error handler aborts: none of these may reach it. */
    static char ids[5000][8];
    ot_precision_scan *s = calloc(10000, sizeof *s);
    ck_assert_ptr_nonnull(s);
    for (size_t j = 0; j < 5000; j++) {
        snprintf(ids[j], sizeof ids[j], "P%zu", j);
        s[2 * j] = scan(ids[j], OT_SITE_LUMBAR_SPINE, 0.9);
        s[2 * j + 1] = scan(ids[j], OT_SITE_LUMBAR_SPINE, 0.9 + 0.001 * (double)(j % 7));
    }
    const size_t sizes[] = {1, 2, 3, 5, 10, 29, 30, 31, 100, 1000, 5000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        ot_precision_result *r = compute(s, 2 * sizes[i], NULL);
        const ot_precision_group *g = &r->groups[0];
        ck_assert_uint_eq(g->df, sizes[i]);
        ck_assert(isfinite(g->rms_sd_ci95_lo) && isfinite(g->rms_sd_ci95_hi));
        ck_assert(g->rms_sd_ci95_lo <= g->rms_sd_g_cm2 && g->rms_sd_g_cm2 <= g->rms_sd_ci95_hi);
        ot_precision_result_free(r);
    }
    free(s);
}
END_TEST

Suite *suite_precision(void)
{
    Suite *s = suite_create("precision");
    TCase *tc = tcase_create("precision");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, hand_worked_3x2);
    tcase_add_test(tc, large_study_never_aborts);
    tcase_add_test(tc, design_15x3_matches_independent_computation);
    tcase_add_test(tc, design_30x2_matches_independent_computation);
    tcase_add_test(tc, round_trip_to_config_and_compare);
    tcase_add_test(tc, devices_and_technologists);
    tcase_add_test(tc, confidence_levels_and_options);
    tcase_add_test(tc, identical_repeats_stay_out_of_the_config);
    tcase_add_test(tc, gsl_quantiles_for_any_df);
    suite_add_tcase(s, tc);
    TCase *files = tcase_create("precision files");
    tcase_add_checked_fixture(files, setup, file_teardown);
    tcase_add_test(files, one_scan_per_patient_is_named_and_nothing_is_usable);
    tcase_add_test(files, mixed_units_reject_the_row);
    tcase_add_test(files, bad_rows_name_their_line);
    tcase_add_test(files, file_errors);
    tcase_add_test(files, json_input_names_lines);
    suite_add_tcase(s, files);
    return s;
}

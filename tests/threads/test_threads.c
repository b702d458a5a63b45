/* Eight threads call the library at once (issue 23: "8 threads calling the
 * library at once"), on one shared, read-only ot_refdata and on patients of
 * their own: the patient reader over every example input in every grouping
 * (rejected rows included), a patient built call by call and its report, a
 * BMD comparison, a marker assessment, a precision study and the facility
 * configuration it writes, and a reference data set of their own with a
 * facility configuration applied (and a bad one refused). Each thread's
 * output must equal, byte for byte, that of the same work done first on one
 * thread; the reports of patients.json must equal the checked golden file
 * data/examples/patients.expected.ndjson. Run under ThreadSanitizer in CI
 * (.ci/run), where a data race fails the run. */
#include <osteotrack.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 8
#define ROUNDS 10

static int failures;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);                     \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
            exit(EXIT_FAILURE);                                                            \
        }                                                                                  \
    } while (0)

/* A growing text: what a thread made. */
typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        CHECK(k >= 0, "vsnprintf failed");
        if (b->s && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->cap = 2 * (b->cap + (size_t)k + 1);
        b->s = realloc(b->s, b->cap);
        CHECK(b->s != NULL, "out of memory");
    }
}

static void put_json(buf *b, char *json, int rc, const char *what)
{
    CHECK(rc == OT_OK && json, "%s: %s", what, ot_strerror(rc));
    put(b, "%s\n", json);
    ot_free(json);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "cannot open %s", path);
    buf b = {0};
    char chunk[65536];
    size_t k;
    put(&b, "%s", "");
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        put(&b, "%.*s", (int)k, chunk);
    fclose(f);
    *len = b.n;
    return b.s;
}

/* What every thread shares, read-only once the threads start. */
static const ot_refdata *shared_rd;
static ot_date as_of;
static struct input {
    const char *file;
    ot_input_format fmt;
    char *text;
    size_t len;
} inputs[] = {
    {"patients.json", OT_INPUT_JSON, NULL, 0},
    {"patients.ndjson", OT_INPUT_NDJSON, NULL, 0},
    {"patients-long.csv", OT_INPUT_AUTO, NULL, 0},
    {"patients-wide.csv", OT_INPUT_AUTO, NULL, 0},
    /* rows that are rejected, each named: an unknown site, a bad date, a
     * duplicate, a patient that comes back (stream), a field too many */
    {"bad.csv", OT_INPUT_AUTO,
     "patient_id,date,analyte,site,value,device\n"
     "B1,2020-01-10,bmd,lumbar_spine,0.801,DXA-1\n"
     "B1,2021-01-10,bmd,elbow,0.801,DXA-1\n"
     "B1,2021-02-30,bmd,lumbar_spine,0.801,DXA-1\n"
     "B1,2020-01-10,bmd,lumbar_spine,0.801,DXA-1\n"
     "B2,2022-01-10,ctx,,540,\n"
     "B1,2022-01-10,bmd,lumbar_spine,0.830,DXA-1\n"
     "B2,2023-01-10,ctx,,190,,extra\n",
     0},
};
#define NINPUTS (sizeof inputs / sizeof inputs[0])
static char *facility_json, *expected_ndjson;
static size_t expected_len;

typedef struct sink {
    buf *out;
    ot_patient *p;
} sink;

static ot_patient *give(void *ctx) { return ((sink *)ctx)->p; }

static int take(void *ctx, ot_patient *p)
{
    sink *s = ctx;
    ot_report *r = NULL;
    int rc = ot_report_build(&r, shared_rd, p, as_of, NULL);
    CHECK(rc == OT_OK, "report of %s: %s", ot_patient_id(p), ot_strerror(rc));
    char *json = NULL;
    put_json(s->out, json, ot_report_to_json(&json, r, 0), "ot_report_to_json");
    ot_report_free(r);
    return 0;
}

static void rejected(void *ctx, const char *file, long line, const char *patient,
                     const char *where, const char *reason)
{
    put(((sink *)ctx)->out, "rejected %s:%ld: %s %s: %s\n", file ? file : "-", line,
        patient ? patient : "-", where ? where : "-", reason);
}

static void noted(void *ctx, const char *message) { put(((sink *)ctx)->out, "note %s\n", message); }

static void read_input(buf *out, const struct input *in, ot_grouping grouping)
{
    sink s = {out, NULL};
    CHECK(ot_patient_new(&s.p, "") == OT_OK, "ot_patient_new");
    ot_patient_reader_options o;
    CHECK(ot_patient_reader_options_init(&o, OT_PATIENT_READER_OPTIONS_VERSION) == OT_OK,
          "options");
    o.grouping = grouping;
    o.patient = give;
    o.ready = take;
    o.reject = rejected;
    o.note = noted;
    o.ctx = &s;
    ot_patient_reader *r = NULL;
    ot_error err = {0, ""};
    CHECK(ot_patient_reader_new(&r, shared_rd, &o, &err) == OT_OK, "%s", err.message);
    CHECK(ot_patient_reader_add_memory(r, in->text, in->len, in->file, in->fmt, &err) == OT_OK,
          "%s", err.message);
    CHECK(ot_patient_reader_finish(r, &err) == OT_OK, "%s", err.message);
    size_t rows = 0, rej = 0;
    ot_patient_reader_counts(r, &rows, &rej);
    put(out, "%s (grouping %d): %zu rows read, %zu rejected\n", in->file, (int)grouping, rows,
        rej);
    ot_patient_reader_free(r);
    ot_patient_free(s.p);
}

static ot_date day(const char *s)
{
    ot_date d;
    CHECK(ot_date_parse(&d, s) == OT_OK, "date %s", s);
    return d;
}

/* A patient built call by call, and its report. */
static void built_patient(buf *out)
{
    ot_patient *p = NULL;
    ot_error err = {0, ""};
    CHECK(ot_patient_new(&p, "T1") == OT_OK, "ot_patient_new");
    CHECK(ot_patient_set_demographics(p, OT_SEX_FEMALE, day("1952-05-01"), OT_MENOPAUSE_POST,
                                      &err) == OT_OK,
          "%s", err.message);
    const char *dates[] = {"2019-02-01", "2021-02-03", "2023-02-10"};
    const double spine[] = {0.780, 0.812, 0.845}, hip[] = {0.690, 0.695, 0.709};
    for (int i = 0; i < 3; i++) {
        ot_bmd_measure m = OT_BMD_MEASURE_INIT;
        m.date = day(dates[i]);
        m.device = "DXA-1";
        m.manufacturer = OT_MFR_HOLOGIC;
        m.value = spine[i];
        CHECK(ot_patient_add_bmd(p, shared_rd, &m, -2.9 + 0.2 * i, i + 1, &err) == OT_OK, "%s",
              err.message);
        m.site = OT_SITE_TOTAL_HIP;
        m.value = hip[i];
        CHECK(ot_patient_add_scan(p, shared_rd, &m, -2.1, -1.0, i + 1, &err) == OT_OK, "%s",
              err.message);
    }
    ot_marker_measure c = OT_MARKER_MEASURE_INIT;
    c.analyte = OT_ANALYTE_CTX;
    c.value = 560;
    c.unit = OT_UNIT_NG_L;
    c.date = day("2019-02-01");
    CHECK(ot_patient_add_marker(p, shared_rd, &c, 10, &err) == OT_OK, "%s", err.message);
    c.value = 180;
    c.date = day("2019-06-01");
    CHECK(ot_patient_add_marker(p, shared_rd, &c, 11, &err) == OT_OK, "%s", err.message);
    /* the same value again: refused, and the message is part of the output */
    int rc = ot_patient_add_marker(p, shared_rd, &c, 12, &err);
    put(out, "duplicate marker: %s: %s\n", ot_strerror(rc), err.message);
    CHECK(ot_patient_add_therapy(p, OT_AGENT_ALENDRONATE, day("2019-02-15"), day("2021-03-01"),
                                 &err) == OT_OK,
          "%s", err.message);
    CHECK(ot_patient_add_dose(p, shared_rd, OT_AGENT_DENOSUMAB, day("2021-03-01"), &err) == OT_OK,
          "%s", err.message);
    CHECK(ot_patient_add_dose(p, shared_rd, OT_AGENT_DENOSUMAB, day("2021-09-01"), &err) == OT_OK,
          "%s", err.message);
    CHECK(ot_patient_add_fracture(p, OT_FX_WRIST, day("2022-07-01"), &err) == OT_OK, "%s",
          err.message);
    ot_report *r = NULL;
    CHECK(ot_report_build(&r, shared_rd, p, as_of, &err) == OT_OK, "%s", err.message);
    char *json = NULL;
    put_json(out, json, ot_report_to_json(&json, r, 1), "ot_report_to_json");
    put(out, "assessment %s: %s\n", ot_assessment_name(ot_report_assessment(r)),
        ot_report_summary(r));
    ot_report_free(r);
    ot_patient_free(p);
}

static void compare_and_markers(buf *out, const ot_refdata *rd)
{
    ot_error err = {0, ""};
    ot_bmd_measure from = OT_BMD_MEASURE_INIT, to = OT_BMD_MEASURE_INIT;
    from.value = 0.800;
    from.date = day("2022-03-01");
    from.device = "DXA-1";
    to.value = 0.840;
    to.date = day("2024-03-01");
    to.device = "DXA-1";
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.therapy = OT_AGENT_ALENDRONATE;
    ot_bmd_result *b = NULL;
    CHECK(ot_bmd_compare_new(&b, rd, &from, &to, &o, &err) == OT_OK, "%s", err.message);
    char *json = NULL;
    put_json(out, json, ot_bmd_result_to_json(&json, b, 0), "ot_bmd_result_to_json");
    ot_bmd_result_free(b);
    /* another scanner: not comparable, and named */
    to.device = "DXA-2";
    to.manufacturer = OT_MFR_GE_LUNAR;
    from.manufacturer = OT_MFR_HOLOGIC;
    CHECK(ot_bmd_compare_new(&b, rd, &from, &to, &o, &err) == OT_OK, "%s", err.message);
    put_json(out, json, ot_bmd_result_to_json(&json, b, 1), "ot_bmd_result_to_json");
    ot_bmd_result_free(b);
    to.value = -1;
    int rc = ot_bmd_compare_new(&b, rd, &from, &to, &o, &err);
    put(out, "negative BMD: %s: %s\n", ot_strerror(rc), err.message);

    ot_marker_measure m0 = OT_MARKER_MEASURE_INIT, m1 = OT_MARKER_MEASURE_INIT;
    m0.analyte = m1.analyte = OT_ANALYTE_P1NP;
    m0.value = 40;
    m1.value = 95;
    m0.date = day("2023-01-01");
    m1.date = day("2023-04-01");
    ot_marker_options mo = OT_MARKER_OPTIONS_INIT;
    mo.therapy = OT_AGENT_TERIPARATIDE;
    ot_marker_result *mr = NULL;
    CHECK(ot_marker_assess_new(&mr, rd, &m0, &m1, &mo, &err) == OT_OK, "%s", err.message);
    put_json(out, json, ot_marker_result_to_json(&json, mr, 0), "ot_marker_result_to_json");
    ot_marker_result_free(mr);
}

static void precision(buf *out)
{
    ot_error err = {0, ""};
    ot_precision_options o = OT_PRECISION_OPTIONS_INIT;
    const double levels[] = {80, 99};
    o.confidence = levels;
    o.nconfidence = 2;
    ot_precision_result *r = NULL;
    CHECK(ot_precision_read_file(&r, shared_rd, OT_TEST_DATA_DIR "/examples/precision-30x2.csv",
                                 &o, &err) == OT_OK,
          "%s", err.message);
    CHECK(r->ngroups > 0, "precision: no group");
    char *json = NULL;
    put_json(out, json, ot_precision_result_to_config(&json, r, "Thread DXA unit"),
             "ot_precision_result_to_config");
    ot_precision_result_free(r);
}

/* A reference data set of the thread's own, with a facility configuration. */
static void own_refdata(buf *out)
{
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    CHECK(ot_refdata_load(&rd, OT_TEST_DATA_DIR, &err) == OT_OK, "%s", err.message);
    int rc = ot_refdata_apply_config_text(rd, "{\"kind\": \"osteotrack-facility\", \"lsc\": "
                                              "{\"elbow\": {\"g_cm2\": 0.02}}}",
                                          "bad.json", &err);
    put(out, "bad configuration: %s: %s\n", ot_strerror(rc), err.message);
    CHECK(ot_refdata_apply_config_text(rd, facility_json, "facility.json", &err) == OT_OK, "%s",
          err.message);
    compare_and_markers(out, rd);
    ot_refdata_free(rd);
}

static void work(buf *out)
{
    out->n = 0;
    put(out, "%s", "");
    for (size_t i = 0; i < NINPUTS; i++) {
        read_input(out, &inputs[i], OT_GROUPING_AUTO);
        if (inputs[i].fmt == OT_INPUT_AUTO) { /* CSV */
            read_input(out, &inputs[i], OT_GROUPING_STREAM);
            read_input(out, &inputs[i], OT_GROUPING_MEMORY);
        }
    }
    built_patient(out);
    compare_and_markers(out, shared_rd);
    precision(out);
    own_refdata(out);
}

static const char *reference;
static pthread_barrier_t start;

typedef struct job {
    int id;
    int differed;
} job;

static void *run(void *arg)
{
    job *j = arg;
    buf out = {0};
    int rc = pthread_barrier_wait(&start); /* all eight call the library at once */
    CHECK(rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD, "barrier");
    for (int round = 0; round < ROUNDS; round++) {
        work(&out);
        if (strcmp(out.s, reference) != 0) {
            size_t k = 0;
            while (out.s[k] && out.s[k] == reference[k])
                k++;
            fprintf(stderr, "thread %d, round %d: output differs from one thread's at byte %zu\n",
                    j->id, round, k);
            j->differed = 1;
        }
    }
    free(out.s);
    return NULL;
}

int main(int argc, char **argv)
{
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    CHECK(ot_refdata_load(&rd, OT_TEST_DATA_DIR, &err) == OT_OK, "%s", err.message);
    shared_rd = rd;
    as_of = day("2024-06-01");
    for (size_t i = 0; i < NINPUTS; i++) {
        if (inputs[i].text) {
            inputs[i].len = strlen(inputs[i].text);
            continue;
        }
        char path[512];
        snprintf(path, sizeof path, "%s/examples/%s", OT_TEST_DATA_DIR, inputs[i].file);
        inputs[i].text = slurp(path, &inputs[i].len);
    }
    size_t len;
    facility_json = slurp(OT_TEST_SOURCE_DIR "/cli/cases/compare-config/facility.json", &len);
    expected_ndjson = slurp(OT_TEST_DATA_DIR "/examples/patients.expected.ndjson", &expected_len);

    /* one thread: the reference, anchored to the golden reports */
    buf one = {0};
    work(&one);
    reference = one.s;
    if (argc > 1) { /* to look at what the threads make */
        FILE *f = fopen(argv[1], "wb");
        CHECK(f && fwrite(one.s, 1, one.n, f) == one.n && fclose(f) == 0, "cannot write %s",
              argv[1]);
    }
    CHECK(strncmp(one.s, expected_ndjson, expected_len) == 0 &&
              strncmp(one.s + expected_len, "patients.json (grouping 0): ", 28) == 0,
          "the reports of patients.json are not those of patients.expected.ndjson");
    CHECK(strstr(one.s, "bad.csv:3: site: unknown value 'elbow'") != NULL, "no rejected row");
    CHECK(strstr(one.s, "Example DXA unit") != NULL, "the facility configuration is not used");

    pthread_t t[NTHREADS];
    job jobs[NTHREADS];
    CHECK(pthread_barrier_init(&start, NULL, NTHREADS) == 0, "barrier");
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i] = (job){i, 0};
        CHECK(pthread_create(&t[i], NULL, run, &jobs[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        failures += jobs[i].differed;
    }
    pthread_barrier_destroy(&start);
    printf("threads: %d threads x %d rounds of %zu bytes each: %d differed from one thread's\n",
           NTHREADS, ROUNDS, one.n, failures);
    free(one.s);
    for (size_t i = 0; i < NINPUTS; i++)
        if (strcmp(inputs[i].file, "bad.csv") != 0)
            free(inputs[i].text);
    free(facility_json);
    free(expected_ndjson);
    ot_refdata_free(rd);
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

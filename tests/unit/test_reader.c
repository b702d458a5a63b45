/* The patient reader: every grouping gives the same patients, grouped rows
 * that spill to a temporary file come back whole, and every rejection is
 * named through one callback. */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ot_refdata *rd;

typedef struct sink {
    ot_patient *p;
    char **reports;      /* each patient's report, as JSON */
    size_t n, cap;
    size_t rejects;
    char last_reject[600];
    unsigned long all_rejects; /* a hash of every rejection, in order */
    int stop_after;      /* nonzero: ask to stop after this many */
} sink;

static ot_patient *give(void *ctx) { return ((sink *)ctx)->p; }

static int take(void *ctx, ot_patient *p)
{
    sink *s = ctx;
    ot_report *r = NULL;
    ot_date as_of;
    ck_assert_int_eq(ot_date_parse(&as_of, "2024-06-01"), OT_OK);
    ck_assert_int_eq(ot_report_build(&r, rd, p, as_of, NULL), OT_OK);
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->reports = realloc(s->reports, s->cap * sizeof *s->reports);
        ck_assert_ptr_nonnull(s->reports);
    }
    ck_assert_int_eq(ot_report_to_json(&s->reports[s->n++], r, 0), OT_OK);
    ot_report_free(r);
    return s->stop_after && (int)s->n >= s->stop_after;
}

static void rejected(void *ctx, const char *file, long line, const char *patient,
                     const char *where, const char *reason)
{
    sink *s = ctx;
    s->rejects++;
    snprintf(s->last_reject, sizeof s->last_reject, "%s:%ld:%s:%s:%s", file ? file : "-", line,
             patient ? patient : "-", where ? where : "-", reason);
    for (const char *c = s->last_reject; *c; c++)
        s->all_rejects = (s->all_rejects ^ (unsigned char)*c) * 1099511628211ul;
}

static void sink_free(sink *s)
{
    for (size_t i = 0; i < s->n; i++)
        ot_free(s->reports[i]);
    free(s->reports);
    ot_patient_free(s->p);
}

/* Reads inputs texts[i] as fmts[i] with `grouping` on `threads` into s; the
 * rows read, and the rows rejected in *rej. */
static size_t read_inputs_on(sink *s, const char *const *texts, const ot_input_format *fmts,
                             size_t n, ot_grouping grouping, unsigned threads, size_t *rej)
{
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(ot_patient_new(&s->p, ""), OT_OK);
    ot_patient_reader_options o;
    ck_assert_int_eq(ot_patient_reader_options_init(&o, OT_PATIENT_READER_OPTIONS_VERSION),
                     OT_OK);
    o.grouping = grouping;
    o.patient = give;
    o.ready = take;
    o.reject = rejected;
    o.ctx = s;
    o.threads = threads;
    ot_patient_reader *r = NULL;
    ck_assert_int_eq(ot_patient_reader_new(&r, rd, &o, NULL), OT_OK);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(ot_patient_reader_add_memory(r, texts[i], strlen(texts[i]),
                                                      i ? "mem2" : "mem.csv", fmts[i], NULL),
                         OT_OK);
    ck_assert_int_eq(ot_patient_reader_finish(r, NULL), OT_OK);
    size_t rows = 0;
    ot_patient_reader_counts(r, &rows, rej);
    ot_patient_reader_free(r);
    return rows;
}

static size_t read_inputs(sink *s, const char *const *texts, const ot_input_format *fmts,
                          size_t n, ot_grouping grouping, size_t *rej)
{
    return read_inputs_on(s, texts, fmts, n, grouping, 0, rej);
}

/* Reads `text` as `fmt` with `grouping` into s; every rejection is named. */
static size_t read_all(sink *s, const char *text, size_t len, ot_input_format fmt,
                       ot_grouping grouping)
{
    char *t = strndup(text, len);
    ck_assert_ptr_nonnull(t);
    const char *texts[] = {t};
    size_t rej = 0, rows = read_inputs(s, texts, &fmt, 1, grouping, &rej);
    ck_assert_uint_eq(rej, s->rejects);
    free(t);
    return rows;
}

static void same_reports(const sink *a, const sink *b)
{
    ck_assert_uint_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        ck_assert_str_eq(a->reports[i], b->reports[i]);
}

/* `patients` patients of `rows` spine scans each, one line a scan, grouped
 * by patient; `back` appends one more scan of the first patient at the end. */
static char *many(int patients, int rows, int back, size_t *len)
{
    size_t cap = (size_t)patients * (size_t)rows * 48 + 256, n = 0;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    n += (size_t)snprintf(t, cap, "patient_id,date,analyte,site,value\n");
    for (int p = 0; p < patients; p++)
        for (int k = 0; k < rows; k++) /* a scan a day from 2000-01-01 */
            n += (size_t)snprintf(t + n, cap - n, "P%05d,%04d-%02d-%02d,bmd,spine,0.%03d\n", p,
                                  2000 + k / 336, 1 + (k / 28) % 12, 1 + k % 28,
                                  700 + (p + k) % 200);
    if (back)
        n += (size_t)snprintf(t + n, cap - n, "P00000,2030-01-01,bmd,spine,0.900\n");
    *len = n;
    return t;
}

START_TEST(groupings_agree_on_the_examples)
{
    FILE *f = fopen(OT_TEST_DATA_DIR "/examples/patients-long.csv", "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof text, f);
    fclose(f);
    ck_assert(len > 0 && len < sizeof text);
    sink a, s, m;
    size_t ra = read_all(&a, text, len, OT_INPUT_AUTO, OT_GROUPING_AUTO);
    size_t rs = read_all(&s, text, len, OT_INPUT_AUTO, OT_GROUPING_STREAM);
    size_t rm = read_all(&m, text, len, OT_INPUT_AUTO, OT_GROUPING_MEMORY);
    ck_assert_uint_eq(a.n, 18); /* the eighteen example patients */
    ck_assert_uint_eq(ra, rs);
    ck_assert_uint_eq(ra, rm);
    ck_assert_uint_eq(a.rejects, 0);
    same_reports(&a, &s);
    same_reports(&a, &m);
    sink_free(&a);
    sink_free(&s);
    sink_free(&m);
}
END_TEST

START_TEST(spilled_rows_come_back_whole)
{
    /* 3,000 patients x 100 scans = 300,000 records: more than the 2 blocks of
     * 8,192 records kept in memory while grouped, so the oldest go to the
     * temporary file; auto must give what memory gives */
    size_t len;
    char *t = many(3000, 100, 0, &len);
    sink a, m;
    ck_assert_uint_eq(read_all(&a, t, len, OT_INPUT_AUTO, OT_GROUPING_AUTO), 300000);
    read_all(&m, t, len, OT_INPUT_AUTO, OT_GROUPING_MEMORY);
    ck_assert_uint_eq(a.n, 3000);
    same_reports(&a, &m);
    sink_free(&a);
    sink_free(&m);
    free(t);
    /* the first patient comes back after everything spilled: the blocks
     * return to memory and that patient has its 101st scan */
    t = many(3000, 100, 1, &len);
    read_all(&a, t, len, OT_INPUT_AUTO, OT_GROUPING_AUTO);
    read_all(&m, t, len, OT_INPUT_AUTO, OT_GROUPING_MEMORY);
    ck_assert_uint_eq(a.n, 3000);
    same_reports(&a, &m);
    ck_assert(strstr(a.reports[0], "\"2030-01-01\"") != NULL);
    sink_free(&a);
    sink_free(&m);
    /* streaming cannot take it back: the row is rejected, named */
    sink s;
    read_all(&s, t, len, OT_INPUT_AUTO, OT_GROUPING_STREAM);
    ck_assert_uint_eq(s.rejects, 1);
    ck_assert_msg(strstr(s.last_reject, "mem.csv:300002:P00000:-:rows of this patient came "
                                         "earlier") != NULL, "%s", s.last_reject);
    sink_free(&s);
    free(t);
}
END_TEST

START_TEST(threads_change_nothing)
{
    /* 600 patients x 20 scans, shuffled, with rows rejected as they are
     * parsed and as the patients are filled: a reader on 2 or 4 threads gives
     * the same patients, counts and rejections, in the same order */
    size_t len;
    char *t = many(600, 20, 0, &len);
    char *body = strchr(t, '\n') + 1;
    size_t nl = 0;
    char **lines = malloc(12000 * sizeof *lines);
    ck_assert_ptr_nonnull(lines);
    for (char *c = strtok(body, "\n"); c; c = strtok(NULL, "\n"))
        lines[nl++] = c;
    ck_assert_uint_eq(nl, 12000);
    unsigned long x = 19;
    for (size_t i = nl - 1; i > 0; i--) { /* a fixed shuffle */
        x = x * 6364136223846793005ul + 1442695040888963407ul;
        size_t j = (size_t)(x >> 33) % (i + 1);
        char *tmp = lines[i];
        lines[i] = lines[j];
        lines[j] = tmp;
    }
    size_t cap = len + 4096, n = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    n += (size_t)snprintf(text, cap, "patient_id,date,analyte,site,value\n");
    for (size_t i = 0; i < nl; i++) {
        n += (size_t)snprintf(text + n, cap - n, "%s\n", lines[i]);
        if (i % 1000 == 7) /* a duplicate, a day that is not, a row without an id */
            n += (size_t)snprintf(text + n, cap - n, "%s\nP00001,2020-02-30,bmd,spine,0.8\n"
                                  ",2020-01-01,bmd,spine,0.8\n", lines[i]);
    }
    for (int g = 0; g < 2; g++) {
        ot_grouping grouping = g ? OT_GROUPING_MEMORY : OT_GROUPING_AUTO;
        const char *texts[] = {text};
        ot_input_format fmt = OT_INPUT_AUTO;
        sink one, more;
        size_t rej1 = 0, rows1 = read_inputs_on(&one, texts, &fmt, 1, grouping, 1, &rej1);
        ck_assert_uint_eq(one.n, 600);
        ck_assert_uint_eq(rej1, 36);
        for (unsigned threads = 2; threads <= 4; threads += 2) {
            size_t rej = 0;
            ck_assert_uint_eq(read_inputs_on(&more, texts, &fmt, 1, grouping, threads, &rej),
                              rows1);
            ck_assert_uint_eq(rej, rej1);
            ck_assert_uint_eq(more.rejects, one.rejects);
            ck_assert_uint_eq(more.all_rejects, one.all_rejects);
            ck_assert_str_eq(more.last_reject, one.last_reject);
            same_reports(&one, &more);
            sink_free(&more);
        }
        sink_free(&one);
    }
    free(text);
    free(lines);
    free(t);
}
END_TEST

START_TEST(one_reject_callback_names_the_place)
{
    static const char csv[] = "patient_id,date,analyte,site,value\n"
                              "A,2020-01-01,bmd,spine,0.8\n"
                              "A,2020-02-30,bmd,spine,0.8\n"     /* no such day */
                              "A,2020-01-01,bmd,spine,0.8\n";    /* a duplicate */
    sink s;
    ck_assert_uint_eq(read_all(&s, csv, sizeof csv - 1, OT_INPUT_AUTO, OT_GROUPING_AUTO), 3);
    ck_assert_uint_eq(s.rejects, 2);
    /* the duplicate is found when the patient is filled: its place and patient */
    ck_assert_msg(strstr(s.last_reject, "mem.csv:4:A:-:duplicate") != NULL, "%s",
                  s.last_reject);
    sink_free(&s);
    static const char json[] = "{\"patient_id\": \"J\", \"observations\": [{\"date\": "
                               "\"2020-01-01\", \"analyte\": \"bmd\", \"site\": \"knee\", "
                               "\"value\": 0.8}]}\n";
    ck_assert_uint_eq(read_all(&s, json, sizeof json - 1, OT_INPUT_NDJSON, OT_GROUPING_AUTO), 1);
    ck_assert_uint_eq(s.rejects, 1);
    ck_assert_msg(strstr(s.last_reject, "mem.csv:1:J:observations[0]:site") != NULL, "%s",
                  s.last_reject);
    ck_assert_uint_eq(s.n, 1); /* the patient is still reported */
    sink_free(&s);
}
END_TEST

START_TEST(options_are_checked)
{
    ot_patient_reader_options o;
    ck_assert_int_eq(ot_patient_reader_options_init(&o, 99), OT_EINVAL);
    /* version 1 had no `threads`: refused, not misread; version 2 (up to
     * `threads`) is read with the defaults after it: not strict, the CSV
     * dialect detected, UTF-8, no column map */
    ck_assert_int_eq(ot_patient_reader_options_init(&o, 1), OT_EINVAL);
    memset(&o, 0x5a, sizeof o);
    ck_assert_int_eq(ot_patient_reader_options_init(&o, 2), OT_OK);
    ck_assert_uint_eq(o.version, 2);
    ck_assert_uint_eq(o.threads, 0);
    ck_assert_int_eq(ot_patient_reader_options_init(&o, OT_PATIENT_READER_OPTIONS_VERSION),
                     OT_OK);
    ot_patient_reader *r = NULL;
    /* no patient and ready callbacks */
    ck_assert_int_eq(ot_patient_reader_new(&r, rd, &o, NULL), OT_EINVAL);
    ot_grouping g;
    ck_assert_int_eq(ot_grouping_parse(&g, "memory"), OT_OK);
    ck_assert_int_eq(g, OT_GROUPING_MEMORY);
    ck_assert_int_eq(ot_grouping_parse(&g, "sorted"), OT_EVOCAB);
}
END_TEST

/* One patient's data in two documents, or in CSV rows and a document, is one
 * patient (issue 23, item 4). */
#define DOC_A "{\"patient_id\": \"D\", \"sex\": \"F\", \"birth_date\": \"1950-01-01\", " \
    "\"therapies\": [{\"agent\": \"alendronate\", \"start\": \"2020-01-15\"}], " \
    "\"observations\": [{\"date\": \"2020-01-10\", \"analyte\": \"bmd\", " \
    "\"site\": \"lumbar_spine\", \"value\": 0.800, \"device\": \"D1\"}]}\n"
#define OBS_B "[{\"date\": \"2022-01-12\", \"analyte\": \"bmd\", " \
    "\"site\": \"lumbar_spine\", \"value\": 0.850, \"device\": \"D1\"}, " \
    "{\"date\": \"2022-01-12\", \"analyte\": \"ctx\", \"value\": 200, \"unit\": \"ng/L\"}]"
#define DOC_B "{\"patient_id\": \"D\", \"observations\": " OBS_B "}\n"
/* A and B as one document */
#define DOC_AB "{\"patient_id\": \"D\", \"sex\": \"F\", \"birth_date\": \"1950-01-01\", " \
    "\"therapies\": [{\"agent\": \"alendronate\", \"start\": \"2020-01-15\"}], " \
    "\"observations\": [{\"date\": \"2020-01-10\", \"analyte\": \"bmd\", " \
    "\"site\": \"lumbar_spine\", \"value\": 0.800, \"device\": \"D1\"}, " \
    "{\"date\": \"2022-01-12\", \"analyte\": \"bmd\", " \
    "\"site\": \"lumbar_spine\", \"value\": 0.850, \"device\": \"D1\"}, " \
    "{\"date\": \"2022-01-12\", \"analyte\": \"ctx\", \"value\": 200, \"unit\": \"ng/L\"}]}\n"

START_TEST(documents_of_one_patient_are_one)
{
    static const ot_input_format nd[] = {OT_INPUT_NDJSON, OT_INPUT_NDJSON};
    const char *one[] = {DOC_AB}, *two[] = {DOC_A DOC_B}, *files[] = {DOC_A, DOC_B};
    sink whole, s;
    size_t rej;
    /* demographics + 1 therapy + 3 observations = 5 rows, however they are split */
    ck_assert_uint_eq(read_inputs(&whole, one, nd, 1, OT_GROUPING_MEMORY, &rej), 5);
    ck_assert_uint_eq(whole.n, 1);
    for (int g = OT_GROUPING_AUTO; g <= OT_GROUPING_MEMORY; g += 2) { /* auto, memory */
        ck_assert_uint_eq(read_inputs(&s, two, nd, 1, (ot_grouping)g, &rej), 5);
        ck_assert_uint_eq(rej, 0);
        same_reports(&whole, &s); /* one report: the therapy and every scan */
        sink_free(&s);
        ck_assert_uint_eq(read_inputs(&s, files, nd, 2, (ot_grouping)g, &rej), 5);
        same_reports(&whole, &s); /* two files */
        sink_free(&s);
    }
    /* streamed: the second document comes back, rejected with its 2 rows */
    ck_assert_uint_eq(read_inputs(&s, two, nd, 1, OT_GROUPING_STREAM, &rej), 5);
    ck_assert_uint_eq(rej, 2);
    ck_assert_uint_eq(s.rejects, 1);
    ck_assert_msg(strstr(s.last_reject, "mem.csv:2:D:-:data of this patient came earlier"),
                  "%s", s.last_reject);
    ck_assert_uint_eq(s.n, 1);
    sink_free(&s);
    /* ... and a part rejected as the document was read counts once: B' has a
     * scan of a knee (no such site) and a CTX; 3 + 2 rows, 2 rejected */
    const char *bad_part[] = {DOC_A "{\"patient_id\": \"D\", \"observations\": [{\"date\": "
                              "\"2022-01-12\", \"analyte\": \"bmd\", \"site\": \"knee\", "
                              "\"value\": 0.850}, {\"date\": \"2022-01-12\", \"analyte\": "
                              "\"ctx\", \"value\": 200, \"unit\": \"ng/L\"}]}\n"};
    ck_assert_uint_eq(read_inputs(&s, bad_part, nd, 1, OT_GROUPING_STREAM, &rej), 5);
    ck_assert_uint_eq(rej, 2);
    ck_assert_uint_eq(s.rejects, 2); /* the knee, then the document that came back */
    sink_free(&s);
    /* CSV rows and a document: the scans in CSV, the therapy in JSON */
    static const ot_input_format mixed[] = {OT_INPUT_NDJSON, OT_INPUT_AUTO};
    const char *csv_json[] = {
        "{\"patient_id\": \"D\", \"sex\": \"F\", \"birth_date\": \"1950-01-01\", "
        "\"therapies\": [{\"agent\": \"alendronate\", \"start\": \"2020-01-15\"}]}\n",
        "patient_id,date,analyte,site,value,unit,device\n"
        "D,2020-01-10,bmd,lumbar_spine,0.800,g/cm2,D1\n"
        "D,2022-01-12,bmd,lumbar_spine,0.850,g/cm2,D1\n"
        "D,2022-01-12,ctx,,200,ng/L,\n"};
    ck_assert_uint_eq(read_inputs(&s, csv_json, mixed, 2, OT_GROUPING_AUTO, &rej), 5);
    ck_assert_uint_eq(rej, 0);
    same_reports(&whole, &s);
    sink_free(&s);
    sink_free(&whole);
}
END_TEST

START_TEST(a_second_document_is_checked_against_the_first)
{
    static const ot_input_format nd[] = {OT_INPUT_NDJSON};
    sink s;
    size_t rej;
    /* A's 3 rows (demographics, therapy, scan) and B's one scan, which repeats
     * A's (same date, site, device): one duplicate */
    const char *dup[] = {DOC_A "{\"patient_id\": \"D\", \"observations\": [{\"date\": "
                         "\"2020-01-10\", \"analyte\": \"bmd\", \"site\": \"lumbar_spine\", "
                         "\"value\": 0.810, \"device\": \"D1\"}]}\n"};
    ck_assert_uint_eq(read_inputs(&s, dup, nd, 1, OT_GROUPING_MEMORY, &rej), 4);
    ck_assert_uint_eq(rej, 1);
    ck_assert_uint_eq(s.rejects, 1);
    /* named at the second document's line, naming the first's */
    ck_assert_msg(strstr(s.last_reject, "mem.csv:2:D:-:") && strstr(s.last_reject, "line 1"),
                  "%s", s.last_reject);
    ck_assert_uint_eq(s.n, 1);
    sink_free(&s);
    /* in a list on one line, the second document is named by its place */
    static const ot_input_format js[] = {OT_INPUT_JSON};
    const char *listed[] = {"{\"patients\": [{\"patient_id\": \"D\", \"observations\": "
                            "[{\"date\": \"2020-01-10\", \"analyte\": \"ctx\", \"value\": 300, "
                            "\"unit\": \"ng/L\"}]}, {\"patient_id\": \"D\", \"observations\": "
                            "[{\"date\": \"2020-01-10\", \"analyte\": \"ctx\", \"value\": 310, "
                            "\"unit\": \"ng/L\"}]}]}"};
    ck_assert_uint_eq(read_inputs(&s, listed, js, 1, OT_GROUPING_AUTO, &rej), 2);
    ck_assert_uint_eq(rej, 1);
    ck_assert_msg(strstr(s.last_reject, "mem.csv:1:D:patients[1]:duplicate"), "%s",
                  s.last_reject);
    sink_free(&s);
    /* B says male: it may be another patient; B is left out, its 3 rows
     * (demographics and 2 observations) counted as rejected under one message,
     * and the report is A's alone: 3 + 3 rows read */
    const char *conflict[] = {DOC_A "{\"patient_id\": \"D\", \"sex\": \"M\", "
                              "\"observations\": " OBS_B "}\n"};
    const char *a_only[] = {DOC_A};
    sink a;
    read_inputs(&a, a_only, nd, 1, OT_GROUPING_MEMORY, &rej);
    ck_assert_uint_eq(read_inputs(&s, conflict, nd, 1, OT_GROUPING_MEMORY, &rej), 6);
    ck_assert_uint_eq(rej, 3);
    ck_assert_uint_eq(s.rejects, 1);
    ck_assert_msg(strstr(s.last_reject, "mem.csv:2:D:-:sex: male contradicts female") &&
                      strstr(s.last_reject, "; the document is left out"),
                  "%s", s.last_reject);
    same_reports(&a, &s);
    sink_free(&a);
    sink_free(&s);
    /* a document that gives one therapy twice (same agent and start: one
     * course) and is left out counts both: 1 CSV row + demographics + 2
     * therapies = 4 read; the CSV row used, 3 rejected, in every grouping */
    static const ot_input_format mixed[] = {OT_INPUT_AUTO, OT_INPUT_NDJSON};
    const char *twice[] = {
        "patient_id,sex,date,analyte,site,value\nY,M,2020-01-10,bmd,lumbar_spine,0.8\n",
        "{\"patient_id\": \"Y\", \"sex\": \"F\", \"therapies\": [{\"agent\": "
        "\"alendronate\", \"start\": \"2019-01-15\"}, {\"agent\": \"alendronate\", "
        "\"start\": \"2019-01-15\", \"end\": \"2021-01-15\"}]}\n"};
    for (int g = OT_GROUPING_AUTO; g <= OT_GROUPING_MEMORY; g++) {
        ck_assert_uint_eq(read_inputs(&s, twice, mixed, 2, (ot_grouping)g, &rej), 4);
        ck_assert_msg(rej == 3, "grouping %d: %zu rejected", g, rej);
        sink_free(&s);
    }
}
END_TEST

/* ---- keys osteotrack does not use (issue 20) ---- */

typedef struct keysink {
    sink s;
    char notes[4096];    /* every note, a line each */
    char rejects[4096];  /* every rejection, a line each: FILE:LINE:PATIENT:WHERE:REASON */
    size_t nnotes;
} keysink;

static void key_note(void *ctx, const char *message)
{
    keysink *k = ctx;
    size_t n = strlen(k->notes);
    k->nnotes++;
    ck_assert_ptr_null(strchr(message, '\n'));
    snprintf(k->notes + n, sizeof k->notes - n, "%s\n", message);
}

static void key_reject(void *ctx, const char *file, long line, const char *patient,
                       const char *where, const char *reason)
{
    keysink *k = ctx;
    size_t n = strlen(k->rejects);
    rejected(&k->s, file, line, patient, where, reason);
    snprintf(k->rejects + n, sizeof k->rejects - n, "%s\n", k->s.last_reject);
}

static ot_patient *key_give(void *ctx) { return ((keysink *)ctx)->s.p; }
static int key_take(void *ctx, ot_patient *p) { return take(&((keysink *)ctx)->s, p); }

/* Reads texts[i] (named "f1", "f2", ...) as fmts[i]; the rows read, the rows
 * rejected in *rej. */
static size_t read_keys(keysink *k, const char *const *texts, const ot_input_format *fmts,
                        size_t n, ot_grouping grouping, int strict, size_t *rej)
{
    memset(k, 0, sizeof *k);
    ck_assert_int_eq(ot_patient_new(&k->s.p, ""), OT_OK);
    ot_patient_reader_options o;
    ck_assert_int_eq(ot_patient_reader_options_init(&o, OT_PATIENT_READER_OPTIONS_VERSION),
                     OT_OK);
    ck_assert_int_eq(o.strict, 0); /* the default: named, not rejected */
    o.grouping = grouping;
    o.patient = key_give;
    o.ready = key_take;
    o.reject = key_reject;
    o.note = key_note;
    o.ctx = k;
    o.strict = strict;
    ot_patient_reader *r = NULL;
    ck_assert_int_eq(ot_patient_reader_new(&r, rd, &o, NULL), OT_OK);
    for (size_t i = 0; i < n; i++) {
        char name[8];
        snprintf(name, sizeof name, "f%zu", i + 1);
        ck_assert_int_eq(ot_patient_reader_add_memory(r, texts[i], strlen(texts[i]), name,
                                                      fmts[i], NULL),
                         OT_OK);
    }
    ck_assert_int_eq(ot_patient_reader_finish(r, NULL), OT_OK);
    size_t rows = 0;
    ot_patient_reader_counts(r, &rows, rej);
    ck_assert_uint_eq(*rej, k->s.rejects);
    ot_patient_reader_free(r);
    return rows;
}

/* A typo at each place of a document: the top level ("observation", and a
 * demographic "birthdate"), an observation, a therapy, a fracture. */
#define TYPOS "{\"patient_id\": \"K\", \"sex\": \"F\", \"birthdate\": \"1950-01-01\", " \
    "\"observation\": [], " \
    "\"therapies\": [{\"agent\": \"alendronate\", \"start\": \"2020-01-15\", " \
    "\"stop\": \"2021-01-01\"}], " \
    "\"observations\": [{\"date\": \"2020-01-10\", \"analyte\": \"ctx\", \"value\": 300, " \
    "\"units\": \"ng/L\"}], " \
    "\"fractures\": [{\"date\": \"2020-06-01\", \"site\": \"hip\", \"side\": \"left\"}]}\n"
#define TYPOS_AGAIN "{\"patient_id\": \"L\", \"observation\": [], \"observations\": " \
    "[{\"date\": \"2020-01-10\", \"analyte\": \"ctx\", \"value\": 300, \"units\": \"ng/L\"}]}\n"

START_TEST(unknown_keys_are_named_once_a_file)
{
    static const ot_input_format nd[] = {OT_INPUT_NDJSON, OT_INPUT_NDJSON};
    const char *one[] = {TYPOS TYPOS_AGAIN}, *two[] = {TYPOS, TYPOS_AGAIN};
    keysink k;
    size_t rej;
    for (int g = OT_GROUPING_AUTO; g <= OT_GROUPING_MEMORY; g++) {
        /* sex + therapy + observation + fracture, then one observation: read
         * whole, nothing rejected, two reports */
        ck_assert_uint_eq(read_keys(&k, one, nd, 1, (ot_grouping)g, 0, &rej), 5);
        ck_assert_uint_eq(rej, 0);
        ck_assert_uint_eq(k.s.n, 2);
        ck_assert_msg(k.nnotes == 5, "grouping %d: %zu notes:\n%s", g, k.nnotes, k.notes);
        ck_assert_msg(strstr(k.notes, "f1:1: patient K: unknown key 'birthdate' in the patient "
                                      "document: ignored (expected patient_id, sex, "
                                      "birth_date,") &&
                          strstr(k.notes, "f1:1: patient K: unknown key 'observation' in the "
                                          "patient document: ignored") &&
                          strstr(k.notes, "f1:1: patient K: therapies[0]: unknown key 'stop': "
                                          "ignored (expected agent, start, end or doses); "
                                          "named once a file (--strict rejects it)\n") &&
                          strstr(k.notes, "f1:1: patient K: observations[0]: unknown key "
                                          "'units': ignored (expected date, analyte,") &&
                          strstr(k.notes, "f1:1: patient K: fractures[0]: unknown key 'side': "
                                          "ignored (expected date or site)"),
                      "%s", k.notes);
        ck_assert_ptr_null(strstr(k.notes, "patient L")); /* the same keys: said already */
        sink_free(&k.s);
        /* in another file they are named again */
        ck_assert_uint_eq(read_keys(&k, two, nd, 2, (ot_grouping)g, 0, &rej), 5);
        ck_assert_uint_eq(rej, 0);
        ck_assert_msg(k.nnotes == 7, "%s", k.notes);
        ck_assert_msg(strstr(k.notes, "f2:1: patient L: unknown key 'observation'") &&
                          strstr(k.notes, "f2:1: patient L: observations[0]: unknown key "
                                          "'units'"),
                      "%s", k.notes);
        sink_free(&k.s);
    }
    /* one key in two kinds of object is named for each; in a wrapper, with its place */
    static const ot_input_format js[] = {OT_INPUT_JSON};
    const char *wrapped[] = {"{\"patients\": [{\"patient_id\": \"W\", \"observations\": "
                             "[{\"date\": \"2020-01-10\", \"analyte\": \"ctx\", \"value\": 300, "
                             "\"x\": 1}], \"fractures\": [{\"date\": \"2020-06-01\", \"site\": "
                             "\"hip\", \"x\": 1}, {\"date\": \"2021-06-01\", \"site\": \"hip\", "
                             "\"x\": 1}], \"x\": 1}]}"};
    ck_assert_uint_eq(read_keys(&k, wrapped, js, 1, OT_GROUPING_AUTO, 0, &rej), 3);
    ck_assert_uint_eq(rej, 0);
    ck_assert_msg(k.nnotes == 3 &&
                      strstr(k.notes, "f1:1: patient W: patients[0]: unknown key 'x' in the "
                                      "patient document") &&
                      strstr(k.notes, "f1:1: patient W: patients[0].observations[0]: unknown "
                                      "key 'x'") &&
                      strstr(k.notes, "f1:1: patient W: patients[0].fractures[0]: unknown key "
                                      "'x'"),
                  "%s", k.notes);
    sink_free(&k.s);
}
END_TEST

START_TEST(strict_rejects_unknown_keys)
{
    static const ot_input_format nd[] = {OT_INPUT_NDJSON};
    keysink k;
    size_t rej;
    /* an item's key rejects the item, every time (no once a file): K's
     * therapy, observation and fracture, M's two observations; 4 + 2 rows */
    const char *items[] = {
        "{\"patient_id\": \"K\", \"sex\": \"F\", "
        "\"therapies\": [{\"agent\": \"alendronate\", \"start\": \"2020-01-15\", "
        "\"stop\": \"2021-01-01\"}], "
        "\"observations\": [{\"date\": \"2020-01-10\", \"analyte\": \"ctx\", \"value\": 300, "
        "\"units\": \"ng/L\", \"t_score\": 1}], "
        "\"fractures\": [{\"date\": \"2020-06-01\", \"site\": \"hip\", \"side\": \"left\"}]}\n"
        "{\"patient_id\": \"M\", \"observations\": [{\"date\": \"2020-01-10\", \"analyte\": "
        "\"ctx\", \"value\": 300, \"units\": \"ng/L\"}, {\"date\": \"2020-04-10\", \"analyte\": "
        "\"ctx\", \"value\": 200}]}\n"};
    for (int g = OT_GROUPING_AUTO; g <= OT_GROUPING_MEMORY; g++) {
        ck_assert_uint_eq(read_keys(&k, items, nd, 1, (ot_grouping)g, 1, &rej), 6);
        ck_assert_uint_eq(rej, 4);
        ck_assert_uint_eq(k.nnotes, 0);
        ck_assert_uint_eq(k.s.n, 2); /* both patients still reported */
        ck_assert_msg(strstr(k.rejects, "f1:1:K:therapies[0]:unknown key 'stop' (expected "
                                        "agent, start, end or doses): the therapy is rejected "
                                        "(--strict)\n") &&
                          strstr(k.rejects, "f1:1:K:observations[0]:unknown keys 'units', "
                                            "'t_score' (expected date,") &&
                          strstr(k.rejects, "the observation is rejected (--strict)") &&
                          strstr(k.rejects, "f1:1:K:fractures[0]:unknown key 'side' (expected "
                                            "date or site): the fracture is rejected") &&
                          strstr(k.rejects, "f1:2:M:observations[0]:unknown key 'units'"),
                      "%s", k.rejects);
        sink_free(&k.s);
    }
    /* the document's own key rejects the document (one row), naming its
     * patient; in a wrapper, its place */
    static const ot_input_format js[] = {OT_INPUT_JSON};
    const char *doc[] = {"{\"patients\": [{\"patient_id\": \"D\", \"observation\": [{\"date\": "
                         "\"2020-01-10\", \"analyte\": \"ctx\", \"value\": 300}]}, "
                         "{\"patient_id\": \"E\", \"observations\": [{\"date\": "
                         "\"2020-01-10\", \"analyte\": \"ctx\", \"value\": 300}]}]}"};
    ck_assert_uint_eq(read_keys(&k, doc, js, 1, OT_GROUPING_AUTO, 1, &rej), 2);
    ck_assert_uint_eq(rej, 1);
    ck_assert_uint_eq(k.s.n, 1); /* E alone */
    ck_assert_msg(strstr(k.rejects, "f1:1:D:patients[0]:unknown key 'observation' in the "
                                    "patient document (expected patient_id,") &&
                      strstr(k.rejects, "the document is rejected (--strict)\n"),
                  "%s", k.rejects);
    sink_free(&k.s);
}
END_TEST

#define REPORT_DOC "{\"patient_id\": \"R\", \"as_of\": \"2024-06-01\", \"patient\": " \
    "{\"sex\": \"female\"}, \"bmd\": [], \"assessment\": \"responding\"}"

START_TEST(a_report_is_not_a_patient)
{
    static const ot_input_format js[] = {OT_INPUT_JSON};
    keysink k;
    size_t rej;
    /* a report given back as input: rejected whole with the reason, counted as
     * one row, and no patient is made of it (in a list: line 2) */
    const char *listed[] = {"[\n" REPORT_DOC ",\n{\"patient_id\": \"S\", \"observations\": "
                            "[{\"date\": \"2020-01-10\", \"analyte\": \"ctx\", \"value\": 300}], "
                            "\"assessment\": \"mine\"}\n]\n"};
    for (int strict = 0; strict <= 1; strict++) {
        ck_assert_uint_eq(read_keys(&k, listed, js, 1, OT_GROUPING_AUTO, strict, &rej), 2);
        ck_assert_uint_eq(k.s.n, strict ? 0 : 1);
        ck_assert_uint_eq(rej, strict ? 2 : 1);
        ck_assert_msg(strstr(k.rejects, "f1:2:-:-:an osteotrack report, not a patient document "
                                        "(it has \"assessment\" and no \"observations\"): a "
                                        "report is output, not input\n"),
                      "%s", k.rejects);
        /* with observations it is a patient document; "assessment" a key not used */
        ck_assert_msg(strict ? strstr(k.rejects, "f1:3:S:-:unknown key 'assessment'") != NULL
                             : strstr(k.notes, "f1:3: patient S: unknown key 'assessment'") !=
                                   NULL,
                      "%s%s", k.rejects, k.notes);
        sink_free(&k.s);
    }
    /* ot_patient_from_json refuses it too, and ignores keys it does not use */
    ot_patient *p = NULL;
    ot_error err;
    size_t n = 9;
    ck_assert_int_eq(ot_patient_new(&p, ""), OT_OK);
    ck_assert_int_eq(ot_patient_from_json(p, rd, REPORT_DOC, strlen(REPORT_DOC), NULL, NULL, &n,
                                          &err),
                     OT_EPARSE);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_nonnull(strstr(err.message, "an osteotrack report, not a patient document"));
    ck_assert_int_eq(ot_patient_from_json(p, rd, TYPOS, strlen(TYPOS), NULL, NULL, &n, &err),
                     OT_OK);
    ck_assert_uint_eq(n, 4);
    ot_patient_free(p);
}
END_TEST

static void setup(void) { rd = test_refdata(); }
static void teardown(void) { ot_refdata_free(rd); }

Suite *suite_reader(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("reader");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, groupings_agree_on_the_examples);
    tcase_add_test(tc, spilled_rows_come_back_whole);
    tcase_add_test(tc, threads_change_nothing);
    tcase_add_test(tc, one_reject_callback_names_the_place);
    tcase_add_test(tc, options_are_checked);
    tcase_add_test(tc, documents_of_one_patient_are_one);
    tcase_add_test(tc, a_second_document_is_checked_against_the_first);
    tcase_add_test(tc, unknown_keys_are_named_once_a_file);
    tcase_add_test(tc, strict_rejects_unknown_keys);
    tcase_add_test(tc, a_report_is_not_a_patient);
    suite_add_tcase(s, tc);
    return s;
}

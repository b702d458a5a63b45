/* Where a batch's time goes, phase by phase, on one thread: the floor under
 * `osteotrack batch`. Each phase reads the whole input again and adds one step:
 *   read     read, parse and group the rows into patients (nothing else)
 *   rules    + build each patient's report (the clinical rules)
 *   summary  + write it as JSON at --detail summary
 *   full     + write it as JSON in full (the default)
 *   write    + write the full JSON to /dev/null as batch does (fwrite)
 * Differences between phases give the cost of each step alone.
 *   Usage: floor FILE [AS_OF]    (AS_OF default 2025-01-01)
 * Uses the public API only, as an embedder would. */
#include "osteotrack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct run {
    const ot_refdata *rd;
    ot_patient *p;
    ot_date as_of;
    int phase;             /* 0 read .. 4 write */
    FILE *sink;
    size_t patients, bytes;
    int failed;
} run;

static ot_patient *take(void *ctx)
{
    return ((run *)ctx)->p;
}

static int ready(void *ctx, ot_patient *p)
{
    run *r = ctx;
    r->patients++;
    if (r->phase == 0)
        return 0;
    ot_report *rep = NULL;
    if (ot_report_build(&rep, r->rd, p, r->as_of, NULL) != OT_OK) {
        r->failed = 1;
        return 1;
    }
    if (r->phase >= 2) {
        char *json = NULL;
        if (ot_report_to_json_detail(&json, rep, 0, r->phase == 2 ? OT_DETAIL_SUMMARY
                                                                   : OT_DETAIL_FULL) != OT_OK) {
            r->failed = 1;
        } else {
            size_t n = strlen(json);
            r->bytes += n + 1;
            if (r->phase == 4 && (fwrite(json, 1, n, r->sink) != n || fputc('\n', r->sink) == EOF))
                r->failed = 1;
        }
        ot_free(json);
    }
    ot_report_free(rep);
    return r->failed;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"read", "rules", "summary", "full", "write"};
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: floor FILE [AS_OF]\n");
        return 2;
    }
    ot_refdata *rd;
    ot_error err = {0, ""};
    if (ot_refdata_load(&rd, NULL, &err) != OT_OK) {
        fprintf(stderr, "floor: %s\n", err.message);
        return 1;
    }
    run r = {rd, NULL, OT_DATE_NONE, 0, NULL, 0, 0, 0};
    if (ot_date_parse(&r.as_of, argc == 3 ? argv[2] : "2025-01-01") != OT_OK ||
        ot_patient_new(&r.p, "") != OT_OK || !(r.sink = fopen("/dev/null", "w"))) {
        fprintf(stderr, "floor: bad as-of date, or out of memory\n");
        return 1;
    }
    printf("%-8s %9s %12s %10s %14s\n", "phase", "seconds", "rows/s", "patients", "KB/patient");
    double prev = 0;
    for (int phase = 0; phase < 5; phase++) {
        r.phase = phase;
        r.patients = r.bytes = 0;
        ot_patient_reader_options o = OT_PATIENT_READER_OPTIONS_INIT;
        o.patient = take;
        o.ready = ready;
        o.ctx = &r;
        ot_patient_reader *reader;
        size_t rows = 0, rejected = 0;
        double t0 = now();
        int rc = ot_patient_reader_new(&reader, rd, &o, &err);
        if (rc == OT_OK)
            rc = ot_patient_reader_add_path(reader, argv[1], OT_INPUT_AUTO, &err);
        if (rc == OT_OK)
            rc = ot_patient_reader_finish(reader, &err);
        if (rc == OT_OK)
            ot_patient_reader_counts(reader, &rows, &rejected);
        ot_patient_reader_free(reader);
        double s = now() - t0;
        if (rc != OT_OK || r.failed) {
            fprintf(stderr, "floor: %s\n", rc != OT_OK ? err.message : "a report failed");
            return 1;
        }
        char kb[32] = "";
        if (phase >= 2 && r.patients)
            snprintf(kb, sizeof kb, "%.2f", (double)r.bytes / 1024.0 / (double)r.patients);
        printf("%-8s %9.2f %12.0f %10zu %14s   (+%.2f s)\n", names[phase], s, (double)rows / s,
               r.patients, kb, phase ? s - prev : s);
        prev = s;
    }
    fclose(r.sink);
    ot_patient_free(r.p);
    ot_refdata_free(rd);
    return 0;
}

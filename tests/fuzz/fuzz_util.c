/* What the harnesses share: the reference data and the report. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ot_refdata *shared;

static ot_refdata *load(void)
{
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    if (ot_refdata_load(&rd, OT_FUZZ_DATA_DIR, &err) != OT_OK) {
        fprintf(stderr, "fuzz: cannot load %s: %s\n", OT_FUZZ_DATA_DIR, err.message);
        abort();
    }
    return rd;
}

const ot_refdata *fuzz_refdata(void)
{
    if (!shared)
        shared = load();
    return shared;
}

ot_refdata *fuzz_refdata_fresh(void) { return load(); }

char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fuzz_report(const ot_patient *p)
{
    static const char *const dates[] = {"2024-06-01", "2199-12-31"};
    for (size_t i = 0; i < 2; i++) {
        ot_date as_of;
        ot_report *r = NULL;
        ot_error err = {0, ""};
        if (ot_date_parse(&as_of, dates[i]) != OT_OK)
            abort();
        int rc = ot_report_build(&r, fuzz_refdata(), p, as_of, &err);
        if (rc == OT_ENOMEM)
            continue;
        if (rc != OT_OK) { /* every patient that was read has a report */
            fprintf(stderr, "fuzz: no report: %s\n", err.message);
            abort();
        }
        for (int pretty = 0; pretty < 2; pretty++) {
            char *json = NULL;
            if (ot_report_to_json(&json, r, pretty) == OT_OK && !json)
                abort();
            ot_free(json);
        }
        (void)ot_report_summary(r);
        ot_report_free(r);
    }
}

static ot_patient *reader_give(void *c) { return ((fuzz_reader *)c)->p; }

static int reader_take(void *c, ot_patient *p)
{
    ((fuzz_reader *)c)->patients++;
    fuzz_report(p);
    return 0;
}

static void reader_reject(void *c, const char *file, long line, const char *patient,
                          const char *where, const char *reason)
{
    (void)file, (void)line, (void)patient, (void)where;
    ((fuzz_reader *)c)->rejects++;
    if (!reason || !reason[0] || strchr(reason, '\n'))
        abort();
}

static void reader_note(void *c, const char *message)
{
    (void)c;
    if (!message || !message[0] || strchr(message, '\n'))
        abort();
}

void fuzz_reader_init(fuzz_reader *r, ot_patient_reader_options *o)
{
    r->rejects = r->patients = 0;
    if (ot_patient_new(&r->p, "") != OT_OK ||
        ot_patient_reader_options_init(o, OT_PATIENT_READER_OPTIONS_VERSION) != OT_OK)
        abort();
    o->patient = reader_give;
    o->ready = reader_take;
    o->reject = reader_reject;
    o->note = reader_note;
    o->ctx = r;
}

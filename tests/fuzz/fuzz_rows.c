/*
 * Long and wide CSV through the row reader (FUZZ_FORMAT), as the batch
 * command reads it: rows into patients, a report of each. Checks that a row
 * is whole (a patient id, at least one record, checked values), that every
 * message is one line, that the quick id pass sees as many rows as the full
 * one, and that a patient refuses only duplicates, rows past its limit and
 * demographics that contradict an earlier row's.
 */
#include "fuzz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT OT_INPUT_AUTO
#endif

static void check_row(const ot_row *row)
{
    if (!row->patient_id || row->patient_id_len == 0 || row->nrecords == 0 ||
        row->nrecords > OT_ROW_MAX_RECORDS || row->line < 2)
        abort();
    for (size_t i = 0; i < row->nrecords; i++) {
        const ot_record *r = &row->records[i];
        if (r->date == OT_DATE_NONE)
            abort();
        if ((r->kind == OT_REC_BMD || r->kind == OT_REC_MARKER) && !(r->value > 0 && isfinite(r->value)))
            abort();
    }
}

static size_t count_rows(char *text, size_t size, int ids)
{
    FILE *f = fmemopen(text, size, "rb");
    ot_rowreader *rr = NULL;
    ot_patient *p = NULL;
    size_t n = 0;
    if (!f || ot_patient_new(&p, "") != OT_OK)
        abort();
    if (ot_rowreader_open(&rr, fuzz_refdata(), f, "fuzz.csv", FUZZ_FORMAT, NULL) == OT_OK) {
        ot_row row;
        ot_error err = {0, ""};
        int rc, have = 0;
        while ((rc = ids ? ot_rowreader_next_id(rr, &row, &err) : ot_rowreader_next(rr, &row, &err))) {
            n++;
            if (rc < 0) {
                if (!err.message[0] || strchr(err.message, '\n'))
                    abort();
                if (rc == OT_EIO || rc == OT_ENOMEM)
                    break;
                continue;
            }
            if (ids)
                continue;
            check_row(&row);
            char id[256];
            size_t k = row.patient_id_len < sizeof id - 1 ? row.patient_id_len : sizeof id - 1;
            memcpy(id, row.patient_id, k);
            id[k] = '\0';
            if (!have || strcmp(id, ot_patient_id(p))) {
                if (have)
                    fuzz_report(p);
                if (ot_patient_reset(p, id) != OT_OK)
                    abort();
                have = 1;
            }
            for (size_t i = 0; i < row.nrecords; i++) {
                rc = ot_patient_add_record(p, fuzz_refdata(), &row.records[i], row.line, &err);
                if (rc != OT_OK && rc != OT_EDUPLICATE && rc != OT_ELIMIT && rc != OT_ENOMEM &&
                    !(rc == OT_ECONFLICT && row.records[i].kind == OT_REC_DEMOGRAPHICS)) {
                    fprintf(stderr, "fuzz: a checked record refused: %s\n", err.message);
                    abort();
                }
            }
        }
        if (have)
            fuzz_report(p);
    }
    ot_rowreader_close(rr);
    ot_patient_free(p);
    fclose(f);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = fuzz_text(data, size);
    if (count_rows(text, size, 0) != count_rows(text, size, 1))
        abort();
    free(text);
    return 0;
}

/* libFuzzer harnesses (tests/fuzz/README.md): each defines the entry point
 * below; fuzz_util.c has what they share. */
#ifndef OT_FUZZ_H
#define OT_FUZZ_H

#include "osteotrack.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The shipped reference data, loaded once (aborts if it cannot be). */
const ot_refdata *fuzz_refdata(void);
/* A fresh copy of the reference data, for harnesses that change it. */
ot_refdata *fuzz_refdata_fresh(void);
/* A NUL-terminated copy of the input (malloc'd; aborts when out of memory). */
char *fuzz_text(const uint8_t *data, size_t size);
/* Builds the report of `p` as of two dates and writes it both ways, as the
 * batch command does; aborts if a report cannot be made of a patient that
 * was read. */
void fuzz_report(const ot_patient *p);

/* The patient reader driven as batch drives it: every patient handed on is
 * reported (fuzz_report) and counted; a rejection is counted, and it and a
 * note must be one non-empty line (else abort). fuzz_reader_init makes r->p
 * and sets o's version and callbacks, with r as their context. */
typedef struct fuzz_reader {
    ot_patient *p;
    size_t rejects, patients;
} fuzz_reader;
void fuzz_reader_init(fuzz_reader *r, ot_patient_reader_options *o);

#endif

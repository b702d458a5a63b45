/*
 * FHIR input (src/lib/fhir_read.c) through the patient reader as batch
 * drives it: the first byte chooses the grouping, the second where the rest
 * is cut in two inputs (a bulk export's resources spread over two files, a
 * Bundle cut in two: rejected, never lost). Every patient handed on is
 * reported; every rejection and note is one line; the counts close: read =
 * used + rejected + not relevant, so rejected + not relevant <= read. The
 * whole input is also read as one document by ot_patient_from_fhir, and
 * tested by ot_input_looks_fhir.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static void on_part(void *c, const char *where, const char *reason)
{
    (void)c;
    if (!where || !where[0] || !reason || !reason[0] || strchr(reason, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t rest = size - 2, cut = rest ? data[1] % (rest + 1) : 0;
    fuzz_reader c;
    ot_patient_reader_options o;
    fuzz_reader_init(&c, &o);
    o.grouping = (ot_grouping)(data[0] % 3);
    ot_patient_reader *r = NULL;
    ot_error err = {0, ""};
    if (ot_patient_reader_new(&r, fuzz_refdata(), &o, &err) != OT_OK)
        abort();
    int rc = ot_patient_reader_add_memory(r, data + 2, cut, "a.ndjson", OT_INPUT_FHIR, &err);
    if (rc == OT_OK || rc == OT_EIO)
        rc = ot_patient_reader_add_memory(r, data + 2 + cut, rest - cut, "b.ndjson",
                                          OT_INPUT_FHIR, &err);
    if (rc != OT_ENOMEM && ot_patient_reader_finish(r, &err) != OT_OK)
        abort(); /* only running out of memory may stop it */
    size_t rows = 0, rejected = 0, nr = 0;
    ot_patient_reader_counts2(r, &rows, &rejected, &nr);
    if (rc == OT_OK && (rejected + nr > rows || rejected != c.rejects))
        abort();
    ot_patient_reader_free(r);
    /* the whole input as one document of one patient */
    size_t n = 0, nr1 = 0;
    rc = ot_patient_from_fhir(c.p, fuzz_refdata(), (const char *)data + 2, rest, on_part, NULL,
                              &n, &nr1, &err);
    if (rc == OT_OK)
        fuzz_report(c.p);
    else if (rc != OT_EDATA && rc != OT_ENOMEM && rc != OT_EIO)
        abort();
    if (nr1 > n)
        abort();
    (void)ot_input_looks_fhir((const char *)data + 2, rest);
    ot_patient_free(c.p);
    return 0;
}

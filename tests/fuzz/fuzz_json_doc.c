/*
 * One patient document (ot_patient_from_json), then its report as the batch
 * command makes it: every rejected part is named on one line, and a patient
 * that was read always has a report.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static void on_reject(void *ctx, const char *where, const char *reason)
{
    (void)ctx;
    if (!where[0] || !reason[0] || strchr(where, '\n') || strchr(reason, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ot_patient *p = NULL;
    ot_error err = {0, ""};
    size_t n = 0;
    if (ot_patient_new(&p, "") != OT_OK)
        abort();
    int rc = ot_patient_from_json(p, fuzz_refdata(), (const char *)data, size, on_reject, NULL,
                                  &n, &err);
    if (rc == OT_OK)
        fuzz_report(p);
    else if (!err.message[0] || strchr(err.message, '\n'))
        abort();
    ot_patient_free(p);
    return 0;
}

/*
 * One patient document (ot_patient_from_json, and the reader's
 * ot_patient_from_json_keys: keys it does not use named, or with strict, an
 * odd size, rejected), then its report as the batch command makes it: every
 * rejected part and every unknown key is named on one line, and a patient
 * that was read always has a report.
 */
#include "fuzz.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static void on_reject(void *ctx, const char *where, const char *reason)
{
    (void)ctx;
    if (!where[0] || !reason[0] || strchr(where, '\n') || strchr(reason, '\n'))
        abort();
}

static void on_unknown(void *ctx, const char *where, const char *what, const char *key,
                       const char *message)
{
    (void)ctx, (void)key;
    if (!what[0] || !message[0] || strchr(where, '\n') || strchr(message, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ot_patient *p = NULL;
    ot_error err = {0, ""};
    size_t n = 0;
    if (ot_patient_new(&p, "") != OT_OK)
        abort();
    int named = 0;
    int rc = ot_patient_from_json_keys(p, fuzz_refdata(), (const char *)data, size, on_reject,
                                       on_unknown, (int)(size & 1), NULL, &n, &named, &err);
    if (rc != OT_OK && (n || (named && !ot_patient_id(p)[0])))
        abort(); /* refused: nothing read; a patient named has its id */
    if (rc != OT_OK && (!err.message[0] || strchr(err.message, '\n')))
        abort();
    if (rc == OT_OK) /* the public call reads the same document the same way */
        rc = ot_patient_from_json(p, fuzz_refdata(), (const char *)data, size, on_reject, NULL,
                                  &n, &err);
    if (rc == OT_OK)
        fuzz_report(p);
    else if (!err.message[0] || strchr(err.message, '\n'))
        abort();
    ot_patient_free(p);
    return 0;
}

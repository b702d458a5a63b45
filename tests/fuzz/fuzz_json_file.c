/*
 * A .json file (FUZZ_NDJSON 0: one document, a list of them, or
 * {"patients": [...]}) or an .ndjson file (FUZZ_NDJSON 1), streamed into
 * documents as the batch command streams it (src/lib/json_stream.c), each read
 * and reported.
 */
#include "fuzz.h"

#include "json_stream.h"

#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_NDJSON
#define FUZZ_NDJSON 0
#endif

typedef struct ctx {
    const uint8_t *data;
    size_t size;
    ot_patient *p;
} ctx;

static void on_reject(void *c, const char *where, const char *reason)
{
    (void)c;
    if (!where[0] || !reason[0] || strchr(where, '\n') || strchr(reason, '\n'))
        abort();
}

static int on_doc(void *arg, const char *doc, size_t len, long line, const char *where)
{
    ctx *c = arg;
    ot_error err = {0, ""};
    (void)where;
    if (line < 1 || len == 0)
        abort();
    int rc = ot_patient_from_json(c->p, fuzz_refdata(), doc, len, on_reject, NULL, NULL, &err);
    if (rc == OT_OK)
        fuzz_report(c->p);
    return 0;
}

static void on_bad(void *arg, long line, const char *reason)
{
    (void)arg;
    if (line < 1 || !reason[0] || strchr(reason, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ctx c = {data, size, NULL};
    if (ot_patient_new(&c.p, "") != OT_OK)
        abort();
    /* an exact-size copy, read as batch reads it, through a 4-byte buffer
     * so that documents and lines cross the buffer's edge at every offset */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    if (size)
        memcpy(buf, data, size);
    FILE *f = size ? fmemopen(buf, size, "rb") : fopen("/dev/null", "rb");
#if FUZZ_NDJSON
    if (!f || ot_ndjson_stream(f, 4, on_doc, on_bad, &c) != 0)
        abort();
#else
    if (!f || ot_json_stream(f, 4, on_doc, on_bad, &c) != 0)
        abort();
#endif
    fclose(f);
    free(buf);
    ot_patient_free(c.p);
    return 0;
}

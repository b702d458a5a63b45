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

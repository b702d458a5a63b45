/*
 * A facility configuration (ot_refdata_apply_config_text), applied to fresh
 * reference data; when it is accepted, a patient is reported with it. A
 * refused configuration names the problem on one line.
 */
#include "fuzz.h"
#include "fuzz_patient.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    ot_refdata *rd = fuzz_refdata_fresh();
    ot_error err = {0, ""};
    int rc = ot_refdata_apply_config_text(rd, text, "fuzz.json", &err);
    if (rc == OT_OK) {
        ot_patient *p = NULL;
        ot_report *r = NULL;
        ot_date as_of;
        char *json = NULL;
        if (ot_patient_new(&p, "") != OT_OK || ot_date_parse(&as_of, "2024-06-01") != OT_OK ||
            ot_patient_from_json(p, rd, fuzz_patient_json, strlen(fuzz_patient_json), NULL, NULL,
                                 NULL, NULL) != OT_OK)
            abort();
        if (ot_report_build(&r, rd, p, as_of, &err) != OT_OK ||
            ot_report_to_json(&json, r, 0) != OT_OK)
            abort();
        ot_free(json);
        ot_report_free(r);
        ot_patient_free(p);
    } else if (!err.message[0] || strchr(err.message, '\n')) {
        abort();
    }
    ot_refdata_free(rd);
    free(text);
    return 0;
}

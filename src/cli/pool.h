/* Reports computed in parallel, written in submission order. */
#ifndef OT_CLI_POOL_H
#define OT_CLI_POOL_H

#include "osteotrack.h"

#include <stddef.h>

typedef struct pool pool;

/* Called on the submitting thread, in submission order, for every patient:
 * json is the report (NULL when it failed, with the reason in err). */
typedef void (*pool_emit_fn)(void *ctx, const char *patient_id, const char *json,
                             const char *err);

/* jobs <= 1: no threads, each report is made and emitted at submission.
 * pretty: POOL_PRETTY (indented JSON), | POOL_SUMMARY (--detail summary). */
#define POOL_PRETTY 1
#define POOL_SUMMARY 2
/* --format text: the report as text (ot_report_to_text), | POOL_COLOR in colour */
#define POOL_TEXT 4
#define POOL_COLOR 8
/* | POOL_HTML: each report as an HTML section (ot_report_to_html), not JSON */
#define POOL_HTML 16
/* | POOL_FHIR: each report as a FHIR Bundle (ot_report_to_fhir), one a line */
#define POOL_FHIR 32
int pool_new(pool **out, int jobs, const ot_refdata *rd, ot_date as_of, int pretty,
             pool_emit_fn emit, void *ctx);
/* A patient to fill (owned by the pool; reset it with the patient's id). */
ot_patient *pool_patient(pool *p);
/* Submits the patient last returned by pool_patient(). */
int pool_submit(pool *p);
/* Waits for every report and emits what is left. */
void pool_finish(pool *p);
void pool_free(pool *p);

#endif

/* FHIR R4 input (fhir_read.c): Bundles and Bulk Data NDJSON gathered in
 * memory, turned into patients at the end. Private to libosteotrack. */
#ifndef OT_FHIR_READ_H
#define OT_FHIR_READ_H

#include "internal.h"

#include <stdio.h>

typedef struct ot_fhir_in ot_fhir_in;

typedef struct ot_fhir_cb {
    void *ctx;
    /* a rejected resource: `file` and `line` its place, `where` its Bundle
     * entry ("entry[3]") or NULL, `patient` NULL when not known */
    void (*reject)(void *ctx, const char *file, long line, const char *patient,
                   const char *where, const char *reason);
    void (*note)(void *ctx, const char *message); /* may be NULL */
    /* a patient to fill (it is reset) */
    ot_patient *(*patient)(void *ctx);
    /* the patient is filled, from the Patient resource at file:line (where):
     * 0 taken; nonzero refused, with the reason in why (each of its
     * resources used is then rejected with it); -1 also stops */
    int (*done)(void *ctx, ot_patient *p, const char *file, long line, const char *where,
                char *why, size_t whysz);
} ot_fhir_cb;

int ot_fhir_in_new(ot_fhir_in **out, const ot_refdata *rd, const ot_fhir_cb *cb);
void ot_fhir_in_free(ot_fhir_in *f);
/* Reads one input (a Bundle, a resource, or NDJSON of resources) into
 * memory; `name` is borrowed for the reader's life. OT_OK, OT_EIO (the
 * input could not be read: counted and named), OT_ENOMEM. */
int ot_fhir_in_read(ot_fhir_in *f, FILE *in, const char *name, ot_error *err);
/* The same from memory. */
int ot_fhir_in_read_mem(ot_fhir_in *f, const char *s, size_t n, const char *name,
                        ot_error *err);
/* Maps what was read into patients, each handed to cb->done in the order of
 * their Patient resources. OT_OK or OT_ENOMEM. */
int ot_fhir_in_finish(ot_fhir_in *f, ot_error *err);
/* Resources read, rejected and not relevant so far (read = used + rejected
 * + not relevant once finished). */
void ot_fhir_in_counts(const ot_fhir_in *f, size_t *read, size_t *rejected,
                       size_t *not_relevant);
/* 1 when the text s[0, n) starts like FHIR: a JSON object whose top level
 * has "resourceType" (osteotrack's own documents have none). */
int ot_fhir_sniff(const char *s, size_t n);

#endif

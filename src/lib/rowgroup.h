/* Patients gathered from rows that arrive in any order (in memory). */
#ifndef OT_CLI_GROUP_H
#define OT_CLI_GROUP_H

#include "osteotrack.h"

#include <stddef.h>

typedef struct group group;

/* With `spill`, while the rows come grouped by patient the older records
 * go to a temporary file (a few MB of memory whatever the input's size);
 * when a patient comes back they return to memory. */
int ot_group_new(group **out, int spill);
void ot_group_free(group *g);
/* Distinct device names a grouping can hold: 2^20 - 1. */
#define GROUP_DEVICE_BITS 20
#define GROUP_ETOO_MANY_DEVICES (-2)
/* Adds a row's records to its patient (created on first sight). 0; -1 out
 * of memory; GROUP_ETOO_MANY_DEVICES, with nothing of the row kept, when it
 * names a device past 2^20 - 1 distinct device names. */
int ot_group_add(group *g, const ot_row *row);
size_t ot_group_patients(const group *g);
/* No more rows for now: lets go of the tables that find a patient or a
 * device by name (16 MB for a million patients) while the patients are
 * filled. Adding rows later makes them again. */
void ot_group_done(group *g);
/* Rows added from now on come from input `name` (borrowed), for messages. */
int ot_group_set_file(group *g, const char *name);
/* Adds the data of patient `p`, read from one JSON document at `line` of the
 * current input, to the patient of its id: documents and rows of one patient
 * are one patient; `where` (NULL: none) is the document's place in its list,
 * for messages. 0; -1 out of memory; GROUP_ETOO_MANY_DEVICES, with
 * nothing of the document kept. */
int ot_group_add_patient(group *g, const ot_patient *p, long line, const char *where);
/* A record left out of a patient: a duplicate, past the limit, demographics
 * that contradict an earlier row's. `where`: a document's place in its list
 * ("patients[3]"), or NULL. `counts`: how many rows it adds to the rejected
 * (a CSV row counts once; a JSON document's demographics, observations,
 * therapies and fractures each, as they were counted read). `reason` NULL:
 * a part of a document left out, counted and named by the message before. */
typedef void (*group_reject_fn)(void *ctx, const char *file, long line, const char *where,
                                size_t counts, const char *reason);
/* Fills `p` with the i-th patient in order of first appearance, replaying its
 * records in input order as streaming adds them: records that the patient
 * refuses (OT_EDUPLICATE, OT_ELIMIT, OT_ECONFLICT, ...) go to `rej`, and
 * after refused demographics (group_row_left_out) the rest of their row is
 * left out, the message ending GROUP_ROW_LEFT_OUT. Fails only when out of
 * memory. */
int ot_group_fill(group *g, size_t i, ot_patient *p, const ot_refdata *rd,
               group_reject_fn rej, void *ctx);
/* Whether a record refused with `status` leaves out the rest of its row: the
 * row's demographics (its first record) contradicting an earlier row's, so
 * the row may be another patient's. Streaming does the same. */
int ot_group_row_left_out(int status, const ot_record *r);
#define GROUP_ROW_LEFT_OUT "; the row is left out"
#define GROUP_DOC_LEFT_OUT "; the document is left out"

/* A set of patient ids, for telling whether input is grouped by patient. */
typedef struct idset idset;
int ot_idset_new(idset **out);
void ot_idset_free(idset *s);
/* 1 if the id was already in the set, 0 if added, <0 out of memory. */
int ot_idset_add(idset *s, const char *id, size_t len);

#endif

/* Private to libosteotrack: the precision study builder, shared by the
 * computation (precision.c), the file readers (precision_read.c) and the
 * configuration writer (precision_json.c). */
#ifndef OT_PRECISION_INT_H
#define OT_PRECISION_INT_H

#include "internal.h"

/* The LSC range a facility configuration accepts (config.c, lsc.SITE.g_cm2). */
#define OT_PRECISION_CONFIG_MIN 0.0001
#define OT_PRECISION_CONFIG_MAX 0.5

/* A study being built: scans are added one by one, then computed. */
typedef struct ot_pstudy ot_pstudy;

int ot_pstudy_new(ot_pstudy **out, const ot_refdata *rd, const char *name,
                  const ot_precision_options *opts, ot_error *err);
void ot_pstudy_free(ot_pstudy *s);

/*
 * Adds one row: checks it (rejecting it with a note when invalid) and keeps
 * a copy. OT_OK, or OT_ENOMEM (with err set).
 */
int ot_pstudy_add(ot_pstudy *s, const ot_precision_scan *scan, ot_error *err);

/* A row that could not be read: counted as read and rejected, with a note. */
int ot_pstudy_reject(ot_pstudy *s, long line, const char *fmt, ...) OT_PRINTF(3, 4);

/* A note about the input (an unused column or key). */
int ot_pstudy_note(ot_pstudy *s, long line, const char *fmt, ...) OT_PRINTF(3, 4);

/* Computes the study; consumes s whatever it returns. */
int ot_pstudy_finish(ot_precision_result **out, ot_pstudy *s, ot_error *err);

#endif

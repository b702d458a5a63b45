#ifndef OT_TEST_SUITES_H
#define OT_TEST_SUITES_H

#include <check.h>
#include <math.h>

#include "osteotrack.h"

Suite *suite_vocab(void);
Suite *suite_date(void);
Suite *suite_bmd(void);
Suite *suite_refdata(void);
Suite *suite_markers(void);
Suite *suite_csv(void);
Suite *suite_precision(void);
Suite *suite_report(void);
Suite *suite_report_fhir(void);
Suite *suite_jsonw(void);
Suite *suite_crosscal(void);
Suite *suite_review_bmd(void);
Suite *suite_review_markers(void);
Suite *suite_review_csv(void);
Suite *suite_review_json(void);
Suite *suite_review_report(void);
Suite *suite_limits(void);
Suite *suite_clinical(void);
Suite *suite_reader(void);
Suite *suite_docs_clinical(void);
Suite *suite_api_args(void);
Suite *suite_fmt(void);
Suite *suite_fhir(void);

/* Loads the shipped reference data or fails the test. */
ot_refdata *test_refdata(void);

/* The citation of source `id` in rd (ot_refdata_source_find), or fails the
 * test; *confirmed (may be NULL) gets its confirmed mark. */
const char *test_citation(const ot_refdata *rd, const char *id, int *confirmed);

/* Floating-point equality to a stated tolerance. */
#define ck_assert_near(x, y, tol) ck_assert_double_eq_tol((x), (y), (tol))

#endif

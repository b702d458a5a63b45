#include "suites.h"

#include <stdlib.h>

ot_refdata *test_refdata(void)
{
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    int rc = ot_refdata_load(&rd, OT_TEST_DATA_DIR, &err);
    ck_assert_msg(rc == OT_OK, "loading %s: %s", OT_TEST_DATA_DIR, err.message);
    return rd;
}

const char *test_citation(const ot_refdata *rd, const char *id, int *confirmed)
{
    const char *citation = NULL;
    int conf = -1;
    ck_assert_msg(id != NULL, "no source id");
    ck_assert_msg(ot_refdata_source_find(rd, id, &citation, &conf) == OT_OK,
                  "source id '%s' is not known", id);
    ck_assert_ptr_nonnull(citation);
    ck_assert(conf == 0 || conf == 1);
    if (confirmed)
        *confirmed = conf;
    return citation;
}

int main(void)
{
    SRunner *sr = srunner_create(suite_vocab());
    srunner_add_suite(sr, suite_date());
    srunner_add_suite(sr, suite_bmd());
    srunner_add_suite(sr, suite_refdata());
    srunner_add_suite(sr, suite_markers());
    srunner_add_suite(sr, suite_csv());
    srunner_add_suite(sr, suite_precision());
    srunner_add_suite(sr, suite_report());
    srunner_add_suite(sr, suite_report_fhir());
    srunner_add_suite(sr, suite_jsonw());
    srunner_add_suite(sr, suite_crosscal());
    srunner_add_suite(sr, suite_review_bmd());
    srunner_add_suite(sr, suite_review_markers());
    srunner_add_suite(sr, suite_review_csv());
    srunner_add_suite(sr, suite_review_json());
    srunner_add_suite(sr, suite_review_report());
    srunner_add_suite(sr, suite_limits());
    srunner_add_suite(sr, suite_clinical());
    srunner_add_suite(sr, suite_reader());
    srunner_add_suite(sr, suite_docs_clinical());
    srunner_add_suite(sr, suite_api_args());
    srunner_add_suite(sr, suite_fmt());
    srunner_add_suite(sr, suite_fhir());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

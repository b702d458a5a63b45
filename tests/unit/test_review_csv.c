/*
 * A second, independent reading of the clinical rules (docs/clinical-rules.md,
 * README.md, osteotrack(1)), through the public API only, written without reading the
 * rule code: the CSV row reader, long and wide rows.
 */
#include "review_fixture.h"

/* ------------------------------------------------------------------ */
/* CSV rows (ot_rowreader over an in-memory file)                      */
/* ------------------------------------------------------------------ */
START_TEST(long_csv_rows)
{
    /* BOM, CRLF, headers in another order and case, a quoted id with a
     * comma, aliases (spine, lunar), units converted, an unknown column */
    char text[] =
        "\xEF\xBB\xBFPatient_ID,Analyte,DATE,Site,Value,Unit,TScore,Device,Manufacturer,"
        "Therapy,Therapy_Start,comment\r\n"
        "\"Doe, Jane\",bmd,2019-01-10,spine,812,mg/cm2,-2.7,DXA-1,lunar,,,first\r\n"
        "\"Doe, Jane\",ctx,2019-01-10,,0.54,ng/mL,,,,,,\r\n"
        "\"Doe, Jane\",p1np,2019-04-15,,28,ng/mL,,,,Fosamax,2019-01-15,\"a \"\"note\"\"\"\r\n"
        "\"Doe, Jane\",fracture,2020-06-01,vertebral,,,,,,alendronate,,\r\n"
        "X,bmd,2019-13-01,spine,0.8,,,,,,,\r\n"
        "X,bmd,2019-01-01,knee,0.8,,,,,,,\r\n"
        "X,ctx,2019-01-01,,80000,ng/L,,,,,,\r\n"
        "X,p1np,2019-01-01,,50,mmol/L,,,,,,\r\n"
        "X,bmd,2019-01-01,spine,0.8,,,,,aspirin,,\r\n"
        "X,bmd,2019-01-01,spine,0.8,,,,siemens,,,\r\n"
        "Y,bmd,2019-01-01,hip,0.75,,,,,none,,\r\n";
    memcsv m = csv_open(text, OT_INPUT_AUTO);
    ck_assert_int_eq(ot_rowreader_format(m.rr), OT_INPUT_LONG_CSV);
    ck_assert_ptr_nonnull(ot_rowreader_warning(m.rr));
    ck_assert(strstr(ot_rowreader_warning(m.rr), "comment") != NULL);
    ot_row row;
    ot_error err = {0, ""};
    /* line 2: spine 812 mg/cm2 = 0.812 g/cm2, T -2.7, GE Lunar, DXA-1 */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.patient_id_len, 9);
    ck_assert(strncmp(row.patient_id, "Doe, Jane", 9) == 0);
    ck_assert_int_eq(row.line, 2);
    ck_assert_uint_eq(row.nrecords, 1);
    ck_assert_int_eq(row.records[0].kind, OT_REC_BMD);
    ck_assert_int_eq(row.records[0].site, OT_SITE_LUMBAR_SPINE);
    ck_assert_near(row.records[0].value, 0.812, 1e-12);
    ck_assert_near(row.records[0].tscore, -2.7, 1e-12);
    ck_assert_int_eq(row.records[0].manufacturer, OT_MFR_GE_LUNAR);
    ck_assert_str_eq(row.records[0].device, "DXA-1");
    ck_assert_int_eq(row.records[0].date, D("2019-01-10"));
    /* line 3: CTX 0.54 ng/mL = 540 ng/L */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.nrecords, 1);
    ck_assert_int_eq(row.records[0].kind, OT_REC_MARKER);
    ck_assert_int_eq(row.records[0].analyte, OT_ANALYTE_CTX);
    ck_assert_near(row.records[0].value, 540.0, 1e-9);
    /* line 4: P1NP 28 ng/mL = 28 ug/L, and alendronate (brand Fosamax) in
     * effect since 2019-01-15 */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_int_eq(row.line, 4);
    ck_assert_uint_eq(row.nrecords, 2);
    for (size_t i = 0; i < 2; i++) {
        const ot_record *rec = &row.records[i];
        if (rec->kind == OT_REC_MARKER) {
            ck_assert_int_eq(rec->analyte, OT_ANALYTE_P1NP);
            ck_assert_near(rec->value, 28.0, 1e-12);
        } else {
            ck_assert_int_eq(rec->kind, OT_REC_THERAPY);
            ck_assert_int_eq(rec->agent, OT_AGENT_ALENDRONATE);
            ck_assert_int_eq(rec->start, D("2019-01-15"));
            ck_assert_int_eq(rec->date, D("2019-04-15"));
        }
    }
    /* line 5: a vertebral fracture, alendronate with no start given */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.nrecords, 2);
    for (size_t i = 0; i < 2; i++) {
        const ot_record *rec = &row.records[i];
        if (rec->kind == OT_REC_FRACTURE)
            ck_assert_int_eq(rec->fracture, OT_FX_VERTEBRAL);
        else
            ck_assert_int_eq(rec->start, OT_DATE_NONE);
    }
    /* lines 6-11: each rejected with its line, and reading goes on */
    expect_reject(&m, 6, "2019-13-01");
    expect_reject(&m, 7, "knee");
    expect_reject(&m, 8, "80000");
    expect_reject(&m, 9, "mmol/L");
    expect_reject(&m, 10, "aspirin");
    expect_reject(&m, 11, "siemens");
    /* line 12: therapy none is a record too */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_int_eq(row.line, 12);
    ck_assert_uint_eq(row.nrecords, 2);
    ck_assert(row.records[0].kind == OT_REC_THERAPY || row.records[1].kind == OT_REC_THERAPY);
    for (size_t i = 0; i < 2; i++)
        if (row.records[i].kind == OT_REC_THERAPY)
            ck_assert_int_eq(row.records[i].agent, OT_AGENT_NONE);
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 0);
    csv_close(&m);
}
END_TEST

START_TEST(wide_csv_visit_row)
{
    char text[] = "patient_id,date,lumbar_spine_bmd,total_hip_bmd,lumbar_spine_tscore,p1np,ctx,"
                  "device,manufacturer,therapy,therapy_start\n"
                  "W1,2020-01-10,0.800,0.700,-2.6,55,600,DXA-1,hologic,,\n"
                  "W1,2020-04-15,,,,30,200,,,Prolia,2020-01-20\n";
    memcsv m = csv_open(text, OT_INPUT_AUTO);
    ck_assert_int_eq(ot_rowreader_format(m.rr), OT_INPUT_WIDE_CSV);
    ot_row row;
    ot_error err = {0, ""};
    /* one visit: spine (T -2.6) and hip (no T) scans, P1NP and CTX */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.nrecords, 4);
    int nbmd = 0, nmk = 0;
    for (size_t i = 0; i < row.nrecords; i++) {
        const ot_record *rec = &row.records[i];
        ck_assert_int_eq(rec->date, D("2020-01-10"));
        if (rec->kind == OT_REC_BMD) {
            nbmd++;
            ck_assert_int_eq(rec->manufacturer, OT_MFR_HOLOGIC);
            if (rec->site == OT_SITE_LUMBAR_SPINE)
                ck_assert_near(rec->tscore, -2.6, 1e-12);
            else
                ck_assert(rec->site == OT_SITE_TOTAL_HIP && isnan(rec->tscore));
        } else if (rec->kind == OT_REC_MARKER) {
            nmk++;
            ck_assert_near(rec->value, rec->analyte == OT_ANALYTE_P1NP ? 55.0 : 600.0, 1e-12);
        }
    }
    ck_assert_int_eq(nbmd, 2);
    ck_assert_int_eq(nmk, 2);
    /* the follow-up: two markers and denosumab (brand Prolia) since 2020-01-20 */
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 1);
    ck_assert_uint_eq(row.nrecords, 3);
    for (size_t i = 0; i < row.nrecords; i++)
        if (row.records[i].kind == OT_REC_THERAPY) {
            ck_assert_int_eq(row.records[i].agent, OT_AGENT_DENOSUMAB);
            ck_assert_int_eq(row.records[i].start, D("2020-01-20"));
        }
    ck_assert_int_eq(ot_rowreader_next(m.rr, &row, &err), 0);
    csv_close(&m);
}
END_TEST

Suite *suite_review_csv(void)
{
    Suite *s = suite_create("review_csv");
    TCase *tc = tcase_create("review_csv");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, long_csv_rows);
    tcase_add_test(tc, wide_csv_visit_row);
    suite_add_tcase(s, tc);
    return s;
}

/* Shared by the second-reading suites (test_review_*.c): their fixture (one
 * patient `p` on the shipped reference data `rd`, from patient_fixture.h) and
 * their helpers: BMD comparisons, marker assessments, the patient's scans,
 * next_actions, and CSV rows read from an in-memory file. */
#ifndef OT_TEST_REVIEW_FIXTURE_H
#define OT_TEST_REVIEW_FIXTURE_H

#include "patient_fixture.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static inline void setup(void)
{
    rd = test_refdata();
    ck_assert_int_eq(ot_patient_new(&p, "R1"), OT_OK);
}
static inline void teardown(void)
{
    ot_patient_free(p);
    ot_refdata_free(rd);
}

static inline ot_bmd_result cmp(ot_site site, double from, double to, ot_unit unit,
                                const char *d0, const char *d1, ot_lsc_kind kind, double lsc,
                                ot_agent agent)
{
    ot_bmd_measure a = OT_BMD_MEASURE_INIT, b = OT_BMD_MEASURE_INIT;
    a.site = b.site = site;
    a.value = from;
    b.value = to;
    a.unit = b.unit = unit;
    a.date = d0 ? D(d0) : OT_DATE_NONE;
    b.date = d1 ? D(d1) : OT_DATE_NONE;
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    o.lsc_kind = kind;
    o.lsc_value = lsc;
    o.therapy = agent;
    ot_bmd_result r;
    ot_error err = {0, ""};
    ck_assert_msg(ot_bmd_compare(&r, rd, &a, &b, &o, &err) == OT_OK, "%s", err.message);
    return r;
}

/* Default LSC, g/cm2, two fixed dates 24 months apart, no therapy. */
static inline ot_significance sig(ot_site site, double from, double to)
{
    return cmp(site, from, to, OT_UNIT_G_CM2, "2019-01-10", "2021-01-10", OT_LSC_FROM_DATA, 0,
               OT_AGENT_NONE)
        .significance;
}

static inline int bmd_has_flag(const ot_bmd_result *r, ot_flag_code c)
{
    for (size_t i = 0; i < r->nflags; i++)
        if (r->flags[i].code == c)
            return 1;
    return 0;
}

static inline ot_marker_result mk(ot_analyte an, double b, double f, ot_unit u,
                                  ot_agent agent, const char *start, const char *d0,
                                  const char *d1)
{
    ot_marker_measure mb = OT_MARKER_MEASURE_INIT, mf = OT_MARKER_MEASURE_INIT;
    mb.analyte = mf.analyte = an;
    mb.value = b;
    mf.value = f;
    mb.unit = mf.unit = u;
    mb.date = d0 ? D(d0) : OT_DATE_NONE;
    mf.date = d1 ? D(d1) : OT_DATE_NONE;
    ot_marker_options o = OT_MARKER_OPTIONS_INIT;
    o.therapy = agent;
    o.therapy_start = start ? D(start) : OT_DATE_NONE;
    ot_marker_result r;
    ot_error err = {0, ""};
    ck_assert_msg(ot_marker_assess(&r, rd, &mb, &mf, &o, &err) == OT_OK, "%s", err.message);
    return r;
}

static inline void bmd_t(const char *date, ot_site site, double v, double t,
                         ot_manufacturer mfr)
{
    ot_bmd_measure m = OT_BMD_MEASURE_INIT;
    m.site = site;
    m.value = v;
    m.date = D(date);
    m.device = "DXA-1";
    m.manufacturer = mfr;
    ot_error err = {0, ""};
    ck_assert_msg(ot_patient_add_bmd(p, rd, &m, t, 0, &err) == OT_OK, "%s", err.message);
}
static inline void bmd(const char *date, ot_site site, double v, double t)
{
    bmd_t(date, site, v, t, OT_MFR_HOLOGIC);
}

/* The next_actions entry with this code, or NULL. */
static inline const cJSON *action(const cJSON *j, const char *code)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, get(j, "next_actions"))
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "code");
        if (cJSON_IsString(c) && strcmp(c->valuestring, code) == 0)
            return a;
    }
    return NULL;
}

/* CSV rows (ot_rowreader over an in-memory file) */
typedef struct memcsv {
    FILE *f;
    ot_rowreader *rr;
} memcsv;

static inline memcsv csv_open(char *text, ot_input_format fmt)
{
    memcsv m;
    m.f = fmemopen(text, strlen(text), "r");
    ck_assert_ptr_nonnull(m.f);
    ot_error err = {0, ""};
    ck_assert_msg(ot_rowreader_open(&m.rr, rd, m.f, "t.csv", fmt, &err) == OT_OK, "%s",
                  err.message);
    return m;
}
static inline void csv_close(memcsv *m)
{
    ot_rowreader_close(m->rr);
    fclose(m->f);
}
static inline void expect_reject(memcsv *m, long line, const char *what)
{
    ot_row row;
    ot_error err = {0, ""};
    int rc = ot_rowreader_next(m->rr, &row, &err);
    ck_assert_msg(rc < 0, "line %ld accepted", line);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t.csv:%ld: ", line);
    ck_assert_msg(strncmp(err.message, prefix, strlen(prefix)) == 0 && strstr(err.message, what),
                  "'%s' should start '%s' and name '%s'", err.message, prefix, what);
}

/* Reads every row of `text` into the patient, in the order given or reversed. */
static inline void load_rows(char *text, int reversed)
{
    static ot_row rows[16];
    size_t n = 0;
    memcsv m = csv_open(text, OT_INPUT_LONG_CSV);
    ot_error err = {0, ""};
    int rc;
    while ((rc = ot_rowreader_next(m.rr, &rows[n], &err)) == 1) {
        /* rows borrow the patient id and device until the next call: add now
         * when in order; reversed, only the record values are kept (no device) */
        if (!reversed)
            for (size_t i = 0; i < rows[n].nrecords; i++)
                ck_assert_msg(ot_patient_add_record(p, rd, &rows[n].records[i], rows[n].line,
                                                    &err) == OT_OK,
                              "%s", err.message);
        else
            for (size_t i = 0; i < rows[n].nrecords; i++)
                rows[n].records[i].device = NULL;
        n++;
        ck_assert_uint_lt(n, 16);
    }
    ck_assert_msg(rc == 0, "%s", err.message);
    csv_close(&m);
    if (reversed)
        while (n-- > 0)
            for (size_t i = 0; i < rows[n].nrecords; i++)
                ck_assert_msg(ot_patient_add_record(p, rd, &rows[n].records[i], rows[n].line,
                                                    &err) == OT_OK,
                              "%s", err.message);
}

#endif

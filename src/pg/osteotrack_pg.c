/*
 * osteotrack inside PostgreSQL (issue 21): the library's reports as SQL
 * functions and a parallel-safe aggregate over the rows of a long table.
 *
 * Memory. PostgreSQL's own memory (palloc) holds the aggregate's state, the
 * rows rendered as CSV, messages and every result handed back. The library
 * allocates with malloc: the reference data (one copy a backend, kept until
 * a setting changes, then freed), and for the length of one call a patient
 * reader, a patient, a result and its JSON text. Every one of those is freed
 * before the call returns, on errors too (PG_FINALLY), so calling a function
 * any number of times leaves the backend's memory flat (tests/pg).
 *
 * A backend has one thread: the reference data pointer and its "stale" mark
 * below are the backend's, not shared (the library itself keeps no state).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/typcache.h"

#include <gsl/gsl_errno.h>

#include "osteotrack.h"

PG_MODULE_MAGIC;

void _PG_init(void);

/* ------------------------------------------------------------------ */
/* Settings and the reference data                                     */
/* ------------------------------------------------------------------ */
static char *guc_data_dir = NULL;
static char *guc_config = NULL;
static ot_refdata *backend_rd = NULL;
static bool rd_stale = true;

/* A setting changed: load the data again at the next call. */
static void mark_stale(const char *newval, void *extra)
{
    (void)newval;
    (void)extra;
    rd_stale = true;
}

void _PG_init(void)
{
    /* GSL's default handler aborts the process: the library checks every
     * status itself (include/osteotrack.h). */
    gsl_set_error_handler_off();
    DefineCustomStringVariable("osteotrack.data_dir",
                               "Directory of osteotrack's reference data (its JSON files).",
                               "Empty: $OSTEOTRACK_DATA_DIR of the server, else the directory "
                               "osteotrack was installed with.",
                               &guc_data_dir, "", PGC_SUSET, 0, NULL, mark_stale, NULL);
    DefineCustomStringVariable("osteotrack.config",
                               "A facility configuration file of osteotrack (LSCs, marker "
                               "targets, cross-calibrations). Empty: none.",
                               NULL, &guc_config, "", PGC_SUSET, 0, NULL, mark_stale, NULL);
    MarkGUCPrefixReserved("osteotrack");
}

/* The SQLSTATE of a library status. */
static int sqlstate_for(int status)
{
    switch (status) {
    case OT_EPARSE: return ERRCODE_INVALID_TEXT_REPRESENTATION; /* 22P02 */
    case OT_EDATE: return ERRCODE_INVALID_DATETIME_FORMAT;      /* 22007 */
    case OT_ENOMEM: return ERRCODE_OUT_OF_MEMORY;
    case OT_EIO: return ERRCODE_UNDEFINED_FILE;
    case OT_EDATA: return ERRCODE_CONFIG_FILE_ERROR;
    case OT_ENUMERIC: return ERRCODE_INTERNAL_ERROR;
    default: return ERRCODE_INVALID_PARAMETER_VALUE; /* 22023: vocabulary, unit, range */
    }
}

static const ot_refdata *refdata(void)
{
    if (backend_rd && !rd_stale)
        return backend_rd;
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    int rc = ot_refdata_load(&rd, guc_data_dir && *guc_data_dir ? guc_data_dir : NULL, &err);
    if (rc == OT_OK && guc_config && *guc_config && (rc = ot_refdata_apply_config(rd, guc_config,
                                                                                  &err)) != OT_OK) {
        ot_refdata_free(rd);
        rd = NULL;
    }
    if (rc != OT_OK) /* the older data stays, marked stale: the next call tries again */
        ereport(ERROR, (errcode(sqlstate_for(rc)),
                        errmsg("osteotrack: cannot load the reference data: %s", err.message),
                        errhint("Check the settings osteotrack.data_dir and osteotrack.config.")));
    ot_refdata_free(backend_rd);
    backend_rd = rd;
    rd_stale = false;
    return rd;
}

/* ------------------------------------------------------------------ */
/* Arguments and results                                               */
/* ------------------------------------------------------------------ */
/* A date as the library's "YYYY-MM-DD" (a year outside 0-9999 or an
 * infinite date gives text the library refuses). */
static void date_text(char buf[32], DateADT d)
{
    int y, m, dd;
    if (DATE_NOT_FINITE(d)) {
        snprintf(buf, 32, "%s", DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity");
        return;
    }
    j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
    snprintf(buf, 32, "%04d-%02d-%02d", y, m, dd);
}

static ot_date date_arg(DateADT d, const char *fn, const char *what)
{
    char buf[32];
    ot_date out = OT_DATE_NONE;
    date_text(buf, d);
    if (ot_date_parse(&out, buf) != OT_OK)
        ereport(ERROR, (errcode(ERRCODE_INVALID_DATETIME_FORMAT),
                        errmsg("%s: %s %s is outside the dates osteotrack takes", fn, what, buf)));
    return out;
}

/* Argument i as a C string, or NULL when it is NULL (palloc'd). */
static const char *text_arg(FunctionCallInfo fcinfo, int i)
{
    return PG_ARGISNULL(i) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(i));
}

static void vocab_error(const char *fn, const char *what, const char *value, const char *expected)
{
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: %s '%s' is not known to osteotrack (expected %s)", fn, what,
                           value, expected)));
}

/* The library's JSON text (malloc'd) as jsonb; frees the text whatever
 * happens. `rejected` >= 0 adds "rejected_rows" to the object. */
static Datum jsonb_of(char *json, long rejected)
{
    volatile Datum d = (Datum)0;
    PG_TRY();
    {
        char *s = json;
        if (rejected >= 0) {
            char *end = strrchr(json, '}');
            StringInfoData b;
            initStringInfo(&b);
            appendBinaryStringInfo(&b, json, end ? (int)(end - json) : (int)strlen(json));
            appendStringInfo(&b, ",\"rejected_rows\":%ld}", rejected);
            s = b.data;
        }
        d = DirectFunctionCall1(jsonb_in, CStringGetDatum(s));
    }
    PG_CATCH();
    {
        ot_free(json);
        PG_RE_THROW();
    }
    PG_END_TRY();
    ot_free(json);
    return d;
}

/* ------------------------------------------------------------------ */
/* compare and markers                                                 */
/* ------------------------------------------------------------------ */
PG_FUNCTION_INFO_V1(osteotrack_compare);
/* (site, baseline, followup, baseline_date, followup_date, therapy, lsc,
 *  lsc_percent, unit, baseline_device, followup_device,
 *  baseline_manufacturer, followup_manufacturer, months_on_therapy, side,
 *  baseline_region, followup_region): osteotrack compare's options. */
Datum osteotrack_compare(PG_FUNCTION_ARGS)
{
    static const char fn[] = "osteotrack_compare";
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
        PG_RETURN_NULL(); /* site, baseline and followup are required */
    ot_bmd_measure from = OT_BMD_MEASURE_INIT, to = OT_BMD_MEASURE_INIT;
    ot_bmd_options o = OT_BMD_OPTIONS_INIT;
    const char *s = text_arg(fcinfo, 0);
    if (ot_site_parse(&from.site, s) != OT_OK)
        vocab_error(fn, "site", s, "lumbar_spine, total_hip, femoral_neck or radius_33");
    to.site = from.site;
    from.value = PG_GETARG_FLOAT8(1);
    to.value = PG_GETARG_FLOAT8(2);
    if (!PG_ARGISNULL(3))
        from.date = date_arg(PG_GETARG_DATEADT(3), fn, "baseline_date");
    if (!PG_ARGISNULL(4))
        to.date = date_arg(PG_GETARG_DATEADT(4), fn, "followup_date");
    if ((s = text_arg(fcinfo, 5)) && ot_agent_parse(&o.therapy, s) != OT_OK)
        vocab_error(fn, "therapy", s, "an agent of osteotrack(1), e.g. alendronate or denosumab");
    if (!PG_ARGISNULL(6) && !PG_ARGISNULL(7))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: give lsc (g/cm2) or lsc_percent, not both", fn)));
    if (!PG_ARGISNULL(6)) {
        o.lsc_kind = OT_LSC_G_CM2;
        o.lsc_value = PG_GETARG_FLOAT8(6);
    } else if (!PG_ARGISNULL(7)) {
        o.lsc_kind = OT_LSC_PERCENT;
        o.lsc_value = PG_GETARG_FLOAT8(7);
    }
    if ((s = text_arg(fcinfo, 8))) {
        if (ot_unit_parse(&from.unit, s) != OT_OK ||
            (from.unit != OT_UNIT_G_CM2 && from.unit != OT_UNIT_MG_CM2))
            vocab_error(fn, "unit", s, "g/cm2 or mg/cm2");
        to.unit = from.unit;
    }
    from.device = text_arg(fcinfo, 9);
    to.device = text_arg(fcinfo, 10);
    if ((s = text_arg(fcinfo, 11)) && ot_manufacturer_parse(&from.manufacturer, s) != OT_OK)
        vocab_error(fn, "baseline_manufacturer", s, "hologic, ge_lunar, norland or other");
    if ((s = text_arg(fcinfo, 12)) && ot_manufacturer_parse(&to.manufacturer, s) != OT_OK)
        vocab_error(fn, "followup_manufacturer", s, "hologic, ge_lunar, norland or other");
    if (!PG_ARGISNULL(13)) {
        o.months_on_therapy = PG_GETARG_FLOAT8(13);
        /* as osteotrack compare --months-on-therapy */
        if (!(o.months_on_therapy >= 0 && o.months_on_therapy <= 600))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: months_on_therapy %g is not a number of months from 0 "
                                   "to 600", fn, o.months_on_therapy)));
    }
    if ((s = text_arg(fcinfo, 14)) && ot_side_parse(&o.side, s) != OT_OK)
        vocab_error(fn, "side", s, "left or right");
    if ((s = text_arg(fcinfo, 15)) && ot_spine_region_parse(&o.from_region, s) != OT_OK)
        vocab_error(fn, "baseline_region", s, "vertebrae of L1-L4, e.g. L1-L4 or L2-L4");
    if ((s = text_arg(fcinfo, 16)) && ot_spine_region_parse(&o.to_region, s) != OT_OK)
        vocab_error(fn, "followup_region", s, "vertebrae of L1-L4, e.g. L1-L4 or L2-L4");

    const ot_refdata *rd = refdata();
    ot_bmd_result *r = NULL;
    ot_error err = {0, ""};
    char *json = NULL;
    /* no PostgreSQL call between the library's allocation and its free */
    int rc = ot_bmd_compare_new(&r, rd, &from, &to, &o, &err);
    if (rc == OT_OK && (rc = ot_bmd_result_to_json(&json, r, 0)) != OT_OK)
        snprintf(err.message, sizeof err.message, "%s", ot_strerror(rc));
    ot_bmd_result_free(r);
    if (rc != OT_OK)
        ereport(ERROR, (errcode(sqlstate_for(rc)), errmsg("%s: %s", fn, err.message)));
    PG_RETURN_DATUM(jsonb_of(json, -1));
}

PG_FUNCTION_INFO_V1(osteotrack_markers);
/* (analyte, baseline, followup, baseline_date, followup_date, therapy, unit,
 *  therapy_start): osteotrack markers' options. */
Datum osteotrack_markers(PG_FUNCTION_ARGS)
{
    static const char fn[] = "osteotrack_markers";
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
        PG_RETURN_NULL(); /* analyte, baseline and followup are required */
    ot_marker_measure from = OT_MARKER_MEASURE_INIT, to = OT_MARKER_MEASURE_INIT;
    ot_marker_options o = OT_MARKER_OPTIONS_INIT;
    const char *s = text_arg(fcinfo, 0);
    if (ot_analyte_parse(&from.analyte, s) != OT_OK ||
        (from.analyte != OT_ANALYTE_P1NP && from.analyte != OT_ANALYTE_CTX))
        vocab_error(fn, "analyte", s, "p1np or ctx");
    to.analyte = from.analyte;
    from.value = PG_GETARG_FLOAT8(1);
    to.value = PG_GETARG_FLOAT8(2);
    if (!PG_ARGISNULL(3))
        from.date = date_arg(PG_GETARG_DATEADT(3), fn, "baseline_date");
    if (!PG_ARGISNULL(4))
        to.date = date_arg(PG_GETARG_DATEADT(4), fn, "followup_date");
    if ((s = text_arg(fcinfo, 5)) && ot_agent_parse(&o.therapy, s) != OT_OK)
        vocab_error(fn, "therapy", s, "an agent of osteotrack(1), e.g. alendronate or denosumab");
    if ((s = text_arg(fcinfo, 6))) {
        if (ot_unit_parse(&from.unit, s) != OT_OK)
            vocab_error(fn, "unit", s, "ug/L or ng/mL for P1NP; ng/L, pg/mL, ng/mL or ug/L for CTX");
        to.unit = from.unit;
    }
    if (!PG_ARGISNULL(7))
        o.therapy_start = date_arg(PG_GETARG_DATEADT(7), fn, "therapy_start");

    const ot_refdata *rd = refdata();
    ot_marker_result *r = NULL;
    ot_error err = {0, ""};
    char *json = NULL;
    int rc = ot_marker_assess_new(&r, rd, &from, &to, &o, &err);
    if (rc == OT_OK && (rc = ot_marker_result_to_json(&json, r, 0)) != OT_OK)
        snprintf(err.message, sizeof err.message, "%s", ot_strerror(rc));
    ot_marker_result_free(r);
    if (rc != OT_OK)
        ereport(ERROR, (errcode(sqlstate_for(rc)), errmsg("%s: %s", fn, err.message)));
    PG_RETURN_DATUM(jsonb_of(json, -1));
}

/* ------------------------------------------------------------------ */
/* Reports: the patient reader of the CLI over text in memory          */
/* ------------------------------------------------------------------ */
typedef struct reading {
    const char *fn;
    const ot_refdata *rd;
    ot_date as_of;
    ot_patient *patient; /* malloc'd (the library's) */
    char *json;          /* the report, malloc'd (the library's) */
    int status;          /* of building the report */
    ot_error err;
    int npatients;
    char *first_id, *other_id; /* palloc'd */
    List *rejects;             /* palloc'd messages, shown once the reading is over */
    List *notes;
    /* the aggregate: which row a CSV line is (rows' first lines, ascending) */
    const char *const *rows;
    const long *row_line;
    int nrows;
} reading;

static ot_patient *rd_patient(void *ctx) { return ((reading *)ctx)->patient; }

static int rd_ready(void *ctx, ot_patient *p)
{
    reading *c = ctx;
    if (++c->npatients > 1) {
        c->other_id = pstrdup(ot_patient_id(p));
        return 1; /* one group, one patient: stop */
    }
    c->first_id = pstrdup(ot_patient_id(p));
    ot_report *r = NULL;
    c->status = ot_report_build(&r, c->rd, p, c->as_of, &c->err);
    if (c->status == OT_OK &&
        (c->status = ot_report_to_json_detail(&c->json, r, 0, OT_DETAIL_FULL)) != OT_OK)
        snprintf(c->err.message, sizeof c->err.message, "%s", ot_strerror(c->status));
    ot_report_free(r);
    return c->status != OT_OK;
}

/* The row of the aggregate's CSV that starts at `line`, or NULL. */
static const char *row_at(const reading *c, long line)
{
    int lo = 0, hi = c->nrows - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c->row_line[mid] == line)
            return c->rows[mid];
        if (c->row_line[mid] < line)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* The first field of a CSV line (palloc'd): the patient_id of a row. */
static char *first_field(const char *line)
{
    StringInfoData b;
    initStringInfo(&b);
    if (*line == '"') {
        for (const char *p = line + 1; *p; p++) {
            if (*p == '"' && p[1] != '"')
                break;
            if (*p == '"')
                p++;
            appendStringInfoChar(&b, *p);
        }
    } else
        appendBinaryStringInfo(&b, line, (int)strcspn(line, ","));
    return b.data;
}

static void rd_reject(void *ctx, const char *file, long line, const char *patient,
                      const char *where, const char *reason)
{
    reading *c = ctx;
    size_t n = strlen(c->fn);
    char *m;
    /* a CSV row's message is whole: "NAME:LINE: reason"; NAME is ours */
    if (!file && c->rows && !strncmp(reason, c->fn, n) && reason[n] == ':') {
        char *end;
        long l = strtol(reason + n + 1, &end, 10);
        if (end != reason + n + 1 && *end == ':') {
            line = l;
            file = c->fn;
            reason = end + 1 + (end[1] == ' ');
        }
    }
    const char *row = c->rows && file ? row_at(c, line) : NULL;
    if (row) /* the aggregate: the row itself names it (the line is of a text made here) */
        m = psprintf("%s: patient %s: row (%s) rejected: %s", c->fn,
                     patient ? patient : first_field(row), row, reason);
    else if (!file) /* the reason is the whole message */
        m = psprintf("%s: %s", c->fn, reason);
    else
        m = psprintf("%s: %s%s%s%s%s%s", c->fn, patient ? "patient " : "", patient ? patient : "",
                     patient ? ": " : "", where ? where : "", where ? " rejected: " : "rejected: ",
                     reason);
    c->rejects = lappend(c->rejects, m);
}

static void rd_note(void *ctx, const char *message)
{
    reading *c = ctx;
    c->notes = lappend(c->notes, psprintf("%s: %s", c->fn, message));
}

/*
 * Reads `len` bytes of `fmt` as the CLI's batch does and returns the report
 * of its one patient as jsonb with "rejected_rows", or NULL (no patient:
 * every row rejected, each said in a WARNING). `none_is_error`: a text with
 * no patient is an ERROR (a document that cannot be read).
 */
static Datum read_report(reading *c, const char *data, size_t len, ot_input_format fmt,
                         bool none_is_error, bool *isnull)
{
    ot_patient_reader *volatile reader = NULL;
    ot_patient *volatile patient = NULL;
    size_t rows = 0, rejected = 0;
    int rc = OT_OK;
    ot_error err = {0, ""};
    *isnull = false;
    ot_patient *p = NULL;
    if (ot_patient_new(&p, "") != OT_OK)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("%s: out of memory", c->fn)));
    patient = p;
    PG_TRY();
    {
        ot_patient_reader *rdr = NULL;
        c->patient = p;
        ot_patient_reader_options o = OT_PATIENT_READER_OPTIONS_INIT;
        o.grouping = OT_GROUPING_MEMORY;
        o.patient = rd_patient;
        o.ready = rd_ready;
        o.reject = rd_reject;
        o.note = rd_note;
        o.ctx = c;
        rc = ot_patient_reader_new(&rdr, c->rd, &o, &err);
        reader = rdr;
        if (rc == OT_OK)
            rc = ot_patient_reader_add_memory(rdr, data, len, c->fn, fmt, &err);
        if (rc == OT_OK && c->npatients < 2)
            rc = ot_patient_reader_finish(rdr, &err);
        if (rdr)
            ot_patient_reader_counts(rdr, &rows, &rejected);
    }
    PG_CATCH();
    {
        /* an error inside a callback (palloc): free the library's objects */
        ot_patient_reader_free(reader);
        ot_patient_free(patient);
        ot_free(c->json);
        c->json = NULL;
        PG_RE_THROW();
    }
    PG_END_TRY();
    ot_patient_reader_free(reader);
    ot_patient_free(patient);
    c->patient = NULL;
    /* from here on c->json (malloc'd) is freed by jsonb_of() or here */
    if (rc != OT_OK || c->status != OT_OK || c->npatients > 1) {
        ot_free(c->json);
        c->json = NULL;
    }
    ListCell *lc;
    foreach (lc, c->notes)
        ereport(NOTICE, (errmsg_internal("%s", (char *)lfirst(lc))));
    if (rc != OT_OK)
        ereport(ERROR, (errcode(sqlstate_for(rc)), errmsg("%s: %s", c->fn, err.message)));
    if (c->npatients > 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: the rows are of more than one patient (%s and %s)", c->fn,
                               c->first_id, c->other_id),
                        errhint("One call or group a patient: GROUP BY patient_id.")));
    if (c->status != OT_OK)
        ereport(ERROR, (errcode(sqlstate_for(c->status)),
                        errmsg("%s: patient %s: %s", c->fn, c->first_id, c->err.message)));
    if (c->npatients == 0 && none_is_error) {
        StringInfoData b;
        initStringInfo(&b);
        foreach (lc, c->rejects)
            appendStringInfo(&b, "%s%s", b.len ? "; " : "", (char *)lfirst(lc));
        ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
                        errmsg("%s", b.len ? b.data : "no patient in the input")));
    }
    foreach (lc, c->rejects)
        ereport(WARNING, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                          errmsg_internal("%s", (char *)lfirst(lc))));
    if (c->npatients == 0) {
        *isnull = true;
        return (Datum)0;
    }
    char *json = c->json;
    c->json = NULL;
    return jsonb_of(json, (long)rejected);
}

PG_FUNCTION_INFO_V1(osteotrack_report);
/* (patient jsonb, as_of date): the report of `osteotrack batch`. */
Datum osteotrack_report(PG_FUNCTION_ARGS)
{
    Jsonb *doc = PG_GETARG_JSONB_P(0);
    char *text = JsonbToCString(NULL, &doc->root, (int)VARSIZE(doc));
    reading c;
    memset(&c, 0, sizeof c);
    c.fn = "osteotrack_report";
    c.as_of = date_arg(PG_GETARG_DATEADT(1), c.fn, "as_of");
    c.rd = refdata();
    bool isnull;
    Datum d = read_report(&c, text, strlen(text), OT_INPUT_JSON, true, &isnull);
    if (isnull)
        PG_RETURN_NULL();
    PG_RETURN_DATUM(d);
}

/* ------------------------------------------------------------------ */
/* The aggregate                                                       */
/* ------------------------------------------------------------------ */
/* The columns of osteotrack_observation, in order (osteotrack--0.2.0.sql):
 * the header of the long CSV the final function reads. */
static const char *const columns[] = {
    "patient_id", "sex",   "birth_date", "menopausal_status", "date",   "analyte",
    "site",       "value", "unit",       "tscore",            "zscore", "device",
    "manufacturer", "therapy", "therapy_start", "therapy_end", "side", "region"};
#define NCOLS ((int)lengthof(columns))

/* The state: the rows as CSV lines (each ends in '\n'), in the aggregate's
 * memory context. */
typedef struct agg_state {
    StringInfoData buf;
    int *off; /* line i is buf.data[off[i], off[i + 1]) */
    int n, cap;
    bool has_as_of;
    DateADT as_of;
} agg_state;

static agg_state *state_new(MemoryContext mc)
{
    MemoryContext old = MemoryContextSwitchTo(mc);
    agg_state *s = palloc0(sizeof *s);
    initStringInfo(&s->buf);
    s->cap = 16;
    s->off = palloc(sizeof(int) * (size_t)(s->cap + 1));
    s->off[0] = 0;
    MemoryContextSwitchTo(old);
    return s;
}

/* Appends one line (already in s->buf from off[n]): closes it. */
static void state_close_line(agg_state *s)
{
    if (s->n + 1 >= s->cap) {
        s->cap *= 2;
        s->off = repalloc(s->off, sizeof(int) * (size_t)(s->cap + 1));
    }
    s->off[++s->n] = s->buf.len;
}

static void state_as_of(agg_state *s, DateADT as_of)
{
    if (!s->has_as_of) {
        s->has_as_of = true;
        s->as_of = as_of;
    } else if (s->as_of != as_of)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("osteotrack_report_agg: as_of differs between rows of one group")));
}

static void csv_field(StringInfo b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        appendStringInfoString(b, s);
        return;
    }
    appendStringInfoChar(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            appendStringInfoChar(b, '"');
        appendStringInfoChar(b, *s);
    }
    appendStringInfoChar(b, '"');
}

PG_FUNCTION_INFO_V1(osteotrack_agg_trans);
/* (state, osteotrack_observation, as_of date) */
Datum osteotrack_agg_trans(PG_FUNCTION_ARGS)
{
    MemoryContext aggcontext;
    if (!AggCheckCallContext(fcinfo, &aggcontext))
        elog(ERROR, "osteotrack_agg_trans called outside an aggregate");
    agg_state *s = PG_ARGISNULL(0) ? state_new(aggcontext) : (agg_state *)PG_GETARG_POINTER(0);
    if (PG_ARGISNULL(1))
        PG_RETURN_POINTER(s); /* a NULL row: nothing */
    if (PG_ARGISNULL(2))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("osteotrack_report_agg: as_of is NULL")));
    state_as_of(s, PG_GETARG_DATEADT(2));

    HeapTupleHeader th = PG_GETARG_HEAPTUPLEHEADER(1);
    TupleDesc td = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th),
                                          HeapTupleHeaderGetTypMod(th));
    HeapTupleData tup;
    Datum values[NCOLS];
    bool nulls[NCOLS];
    Oid types[NCOLS];
    if (td->natts != NCOLS) {
        ReleaseTupleDesc(td);
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("osteotrack_report_agg: a row of %d columns, not the %d of "
                               "osteotrack_observation", td->natts, NCOLS)));
    }
    tup.t_len = HeapTupleHeaderGetDatumLength(th);
    ItemPointerSetInvalid(&tup.t_self);
    tup.t_tableOid = InvalidOid;
    tup.t_data = th;
    heap_deform_tuple(&tup, td, values, nulls);
    for (int i = 0; i < NCOLS; i++)
        types[i] = TupleDescAttr(td, i)->atttypid;
    ReleaseTupleDesc(td);

    MemoryContext old = MemoryContextSwitchTo(aggcontext);
    for (int i = 0; i < NCOLS; i++) {
        if (i)
            appendStringInfoChar(&s->buf, ',');
        if (nulls[i])
            continue;
        char tmp[64];
        switch (types[i]) {
        case FLOAT8OID:
            /* the shortest text that reads back as the same double */
            double_to_shortest_decimal_buf(DatumGetFloat8(values[i]), tmp);
            appendStringInfoString(&s->buf, tmp);
            break;
        case DATEOID:
            date_text(tmp, DatumGetDateADT(values[i]));
            appendStringInfoString(&s->buf, tmp);
            break;
        case TEXTOID:
            csv_field(&s->buf, TextDatumGetCString(values[i]));
            break;
        default:
            ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                            errmsg("osteotrack_report_agg: column %s is not of the type of "
                                   "osteotrack_observation", columns[i])));
        }
    }
    appendStringInfoChar(&s->buf, '\n');
    state_close_line(s);
    MemoryContextSwitchTo(old);
    PG_RETURN_POINTER(s);
}

static void state_append(agg_state *dst, const char *line, int len)
{
    appendBinaryStringInfo(&dst->buf, line, len);
    state_close_line(dst);
}

PG_FUNCTION_INFO_V1(osteotrack_agg_combine);
Datum osteotrack_agg_combine(PG_FUNCTION_ARGS)
{
    MemoryContext aggcontext;
    if (!AggCheckCallContext(fcinfo, &aggcontext))
        elog(ERROR, "osteotrack_agg_combine called outside an aggregate");
    agg_state *a = PG_ARGISNULL(0) ? NULL : (agg_state *)PG_GETARG_POINTER(0);
    agg_state *b = PG_ARGISNULL(1) ? NULL : (agg_state *)PG_GETARG_POINTER(1);
    if (!b)
        PG_RETURN_POINTER(a);
    if (!a)
        a = state_new(aggcontext);
    MemoryContext old = MemoryContextSwitchTo(aggcontext);
    if (b->has_as_of)
        state_as_of(a, b->as_of);
    for (int i = 0; i < b->n; i++)
        state_append(a, b->buf.data + b->off[i], b->off[i + 1] - b->off[i]);
    MemoryContextSwitchTo(old);
    PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(osteotrack_agg_serialize);
Datum osteotrack_agg_serialize(PG_FUNCTION_ARGS)
{
    agg_state *s = (agg_state *)PG_GETARG_POINTER(0);
    StringInfoData b;
    pq_begintypsend(&b);
    pq_sendbyte(&b, s->has_as_of ? 1 : 0);
    pq_sendint32(&b, (uint32)s->as_of);
    pq_sendint32(&b, (uint32)s->n);
    for (int i = 0; i <= s->n; i++)
        pq_sendint32(&b, (uint32)s->off[i]);
    pq_sendbytes(&b, s->buf.data, s->buf.len);
    PG_RETURN_BYTEA_P(pq_endtypsend(&b));
}

PG_FUNCTION_INFO_V1(osteotrack_agg_deserialize);
Datum osteotrack_agg_deserialize(PG_FUNCTION_ARGS)
{
    MemoryContext aggcontext;
    if (!AggCheckCallContext(fcinfo, &aggcontext))
        elog(ERROR, "osteotrack_agg_deserialize called outside an aggregate");
    bytea *in = PG_GETARG_BYTEA_PP(0);
    StringInfoData b;
    b.data = VARDATA_ANY(in);
    b.len = (int)VARSIZE_ANY_EXHDR(in);
    b.maxlen = b.len;
    b.cursor = 0;
    agg_state *s = state_new(aggcontext);
    MemoryContext old = MemoryContextSwitchTo(aggcontext);
    s->has_as_of = pq_getmsgbyte(&b) != 0;
    s->as_of = (DateADT)pq_getmsgint(&b, 4);
    int n = (int)pq_getmsgint(&b, 4);
    s->cap = n + 1;
    s->off = repalloc(s->off, sizeof(int) * (size_t)(s->cap + 1));
    for (int i = 0; i <= n; i++)
        s->off[i] = (int)pq_getmsgint(&b, 4);
    s->n = n;
    int len = b.len - b.cursor;
    appendBinaryStringInfo(&s->buf, pq_getmsgbytes(&b, len), len);
    if (s->off[n] != s->buf.len)
        elog(ERROR, "osteotrack_report_agg: a partial state that does not add up");
    MemoryContextSwitchTo(old);
    PG_RETURN_POINTER(s);
}

static int line_cmp(const void *a, const void *b, void *arg)
{
    int i = *(const int *)a, j = *(const int *)b;
    const agg_state *s = arg;
    int li = s->off[i + 1] - s->off[i], lj = s->off[j + 1] - s->off[j];
    int c = memcmp(s->buf.data + s->off[i], s->buf.data + s->off[j], (size_t)Min(li, lj));
    return c ? c : (li > lj) - (li < lj);
}

PG_FUNCTION_INFO_V1(osteotrack_agg_final);
/* The rows sorted (a total order: the report never depends on the order
 * they came in), as long CSV, through the CLI's patient reader. */
Datum osteotrack_agg_final(PG_FUNCTION_ARGS)
{
    if (PG_ARGISNULL(0))
        PG_RETURN_NULL();
    agg_state *s = (agg_state *)PG_GETARG_POINTER(0);
    if (s->n == 0 || !s->has_as_of)
        PG_RETURN_NULL();
    int *order = palloc(sizeof(int) * (size_t)s->n);
    for (int i = 0; i < s->n; i++)
        order[i] = i;
    qsort_arg(order, (size_t)s->n, sizeof(int), line_cmp, s);

    StringInfoData csv;
    initStringInfo(&csv);
    for (int i = 0; i < NCOLS; i++)
        appendStringInfo(&csv, "%s%s", i ? "," : "", columns[i]);
    appendStringInfoChar(&csv, '\n');
    const char **rows = palloc(sizeof(char *) * (size_t)s->n);
    long *row_line = palloc(sizeof(long) * (size_t)s->n);
    long line = 2;
    for (int k = 0; k < s->n; k++) {
        int i = order[k], len = s->off[i + 1] - s->off[i];
        const char *p = s->buf.data + s->off[i];
        appendBinaryStringInfo(&csv, p, len);
        /* the row as a WARNING shows it: control characters escaped (one line) */
        char *shown = palloc((Size)(len - 1) * 6 + 1);
        ot_text_escape(shown, (size_t)(len - 1) * 6 + 1, p, (size_t)(len - 1));
        rows[k] = shown;
        row_line[k] = line;
        for (int j = 0; j < len; j++)
            line += p[j] == '\n';
    }
    reading c;
    memset(&c, 0, sizeof c);
    c.fn = "osteotrack_report_agg";
    c.as_of = date_arg(s->as_of, c.fn, "as_of");
    c.rd = refdata();
    c.rows = rows;
    c.row_line = row_line;
    c.nrows = s->n;
    bool isnull;
    Datum d = read_report(&c, csv.data, (size_t)csv.len, OT_INPUT_LONG_CSV, false, &isnull);
    if (isnull)
        PG_RETURN_NULL();
    PG_RETURN_DATUM(d);
}

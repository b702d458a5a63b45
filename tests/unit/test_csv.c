/* The streaming CSV tokenizer (src/lib/csv.h): RFC 4180, refills, errors;
 * and the row reader (ot_rowreader) on the columns of demographics, Z-scores
 * and doses. */
#include "suites.h"

#include "csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A reader over `len` bytes of text, with a buffer of `bufsize` bytes. */
typedef struct reader {
    FILE *f;
    ot_csv *c;
    ot_csv_row row;
    ot_error err;
} reader;

static void open_mem(reader *r, const char *text, size_t len, size_t bufsize)
{
    memset(r, 0, sizeof *r);
    r->f = tmpfile();
    ck_assert_ptr_nonnull(r->f);
    ck_assert_uint_eq(fwrite(text, 1, len, r->f), len);
    rewind(r->f);
    ck_assert_int_eq(ot_csv_open_sized(&r->c, r->f, "t.csv", bufsize, &r->err), OT_OK);
}

static void close_mem(reader *r)
{
    ot_csv_close(r->c);
    fclose(r->f);
}

static int next(reader *r) { return ot_csv_next(r->c, &r->row, &r->err); }

/* The next record is `line` with fields joined by '|'. */
static void expect_row(reader *r, long line, const char *joined)
{
    int rc = next(r);
    ck_assert_msg(rc == 1, "expected a row at line %ld, got %d (%s)", line, rc, r->err.message);
    char buf[512] = "";
    for (size_t i = 0; i < r->row.nfields; i++) {
        ck_assert_uint_eq(strlen(r->row.fields[i]), r->row.lengths[i]);
        if (i)
            strcat(buf, "|");
        strncat(buf, r->row.fields[i], sizeof buf - strlen(buf) - 1);
    }
    ck_assert_str_eq(buf, joined);
    ck_assert_int_eq(r->row.line, line);
}

static void expect_error(reader *r, long line, const char *what)
{
    int rc = next(r);
    ck_assert_int_eq(rc, OT_EPARSE);
    ck_assert_int_eq(r->row.line, line);
    ck_assert_uint_eq(r->row.nfields, 0);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t.csv:%ld: ", line);
    ck_assert_msg(strncmp(r->err.message, prefix, strlen(prefix)) == 0 &&
                      strstr(r->err.message, what),
                  "'%s' should start '%s' and say '%s'", r->err.message, prefix, what);
}

static void expect_end(reader *r)
{
    ck_assert_int_eq(next(r), 0);
    ck_assert_int_eq(next(r), 0); /* and stays there */
}

#define OPEN(r, text, bufsize) open_mem((r), (text), sizeof(text) - 1, (bufsize))

START_TEST(plain_lf_and_crlf)
{
    reader r;
    OPEN(&r, "a,b,c\n1,2,3\r\n,x,\n", OT_CSV_BUFSIZE);
    expect_row(&r, 1, "a|b|c");
    expect_row(&r, 2, "1|2|3"); /* CRLF: the CR is not data */
    expect_row(&r, 3, "|x|");   /* empty fields */
    ck_assert_uint_eq(r.row.nfields, 3);
    expect_end(&r);
    close_mem(&r);
}
END_TEST

START_TEST(cr_only_line_ends)
{
    /* classic Mac exports: CR alone ends a line, quoted fields included */
    reader r;
    OPEN(&r, "a,b\r1,2\r\"x\ry\",3\r", OT_CSV_BUFSIZE);
    expect_row(&r, 1, "a|b");
    expect_row(&r, 2, "1|2");
    expect_row(&r, 3, "x\ny|3"); /* a CR inside quotes is a line break there */
    expect_end(&r);
    close_mem(&r);
    /* a file with LF anywhere in its first read keeps its CRs as they are */
    OPEN(&r, "a,b\r\n1,2\n", OT_CSV_BUFSIZE);
    expect_row(&r, 1, "a|b");
    expect_row(&r, 2, "1|2");
    expect_end(&r);
    close_mem(&r);
}
END_TEST

START_TEST(quoted_fields)
{
    reader r;
    OPEN(&r, "\"a,b\",\"say \"\"hi\"\"\",\"\"\r\n\"x\"\n\"\"\"\"\n", OT_CSV_BUFSIZE);
    expect_row(&r, 1, "a,b|say \"hi\"|"); /* comma, "" escapes, empty quoted */
    expect_row(&r, 2, "x");
    expect_row(&r, 3, "\"");              /* """" is one quote */
    expect_end(&r);
    close_mem(&r);
}
END_TEST

START_TEST(embedded_newlines_count_lines)
{
    reader r;
    /* line 1 header; the record of line 2 spans lines 2-4 (LF, then CRLF
     * inside quotes, kept as data); the next record starts on line 5. */
    OPEN(&r, "h1,h2\n\"one\ntwo\r\nthree\",x\nlast,y\n", OT_CSV_BUFSIZE);
    expect_row(&r, 1, "h1|h2");
    expect_row(&r, 2, "one\ntwo\r\nthree|x");
    expect_row(&r, 5, "last|y");
    expect_end(&r);
    close_mem(&r);
}
END_TEST

START_TEST(bom_blank_lines_and_last_record)
{
    reader r;
    /* BOM skipped; empty lines (LF, CRLF) skipped but counted; "" alone is a
     * record of one empty field; the last record has no line end. */
    OPEN(&r, "\xEF\xBB\xBFpatient_id,site\n\n\r\nP1,spine\n\"\"\nP2,\"hip\"", OT_CSV_BUFSIZE);
    expect_row(&r, 1, "patient_id|site");
    expect_row(&r, 4, "P1|spine");
    expect_row(&r, 5, "");
    ck_assert_uint_eq(r.row.nfields, 1);
    expect_row(&r, 6, "P2|hip");
    expect_end(&r);
    close_mem(&r);

    OPEN(&r, "a,", OT_CSV_BUFSIZE); /* a final comma: an empty last field */
    expect_row(&r, 1, "a|");
    expect_end(&r);
    close_mem(&r);

    OPEN(&r, "", OT_CSV_BUFSIZE);
    expect_end(&r);
    close_mem(&r);

    OPEN(&r, "x\r", OT_CSV_BUFSIZE); /* a CR at the very end ends the line */
    expect_row(&r, 1, "x");
    expect_end(&r);
    close_mem(&r);
}
END_TEST

/* Every record of `text` joined, with its line: the reference reading. */
static void read_all(char *out, size_t size, const char *text, size_t len, size_t bufsize)
{
    reader r;
    open_mem(&r, text, len, bufsize);
    out[0] = '\0';
    int rc;
    while ((rc = next(&r)) != 0) {
        char rec[256];
        if (rc < 0)
            snprintf(rec, sizeof rec, "E%ld;", r.row.line);
        else
            snprintf(rec, sizeof rec, "%ld:", r.row.line);
        strncat(out, rec, size - strlen(out) - 1);
        for (size_t i = 0; rc > 0 && i < r.row.nfields; i++) {
            strncat(out, r.row.fields[i], size - strlen(out) - 1);
            strncat(out, i + 1 < r.row.nfields ? "|" : ";", size - strlen(out) - 1);
        }
    }
    close_mem(&r);
}

START_TEST(records_straddle_refills)
{
    /* Every buffer size from 4 bytes up splits records, quotes, "" escapes,
     * CRLF and the BOM at every place; all must read as with a big buffer. */
    static const char text[] =
        "\xEF\xBB\xBFid,site,value\r\n"
        "P001,\"lumbar, spine\",0.912\r\n"
        "P002,\"say \"\"hi\"\"\",\"multi\nline\"\r\n"
        "\r\n"
        "P003,hip,0.8\n"
        "P004,\"a\"\"b\",\n"
        "P005,bad\"quote,1\n"
        "\"\"\"\",\"\",x\n"
        "P006,neck,0.7";
    char want[2048], got[2048];
    read_all(want, sizeof want, text, sizeof text - 1, OT_CSV_BUFSIZE);
    ck_assert_str_eq(want, "1:id|site|value;2:P001|lumbar, spine|0.912;"
                           "3:P002|say \"hi\"|multi\nline;6:P003|hip|0.8;7:P004|a\"b|;"
                           "E8;9:\"||x;10:P006|neck|0.7;");
    for (size_t bs = 4; bs <= 80; bs++) {
        read_all(got, sizeof got, text, sizeof text - 1, bs);
        ck_assert_msg(strcmp(got, want) == 0, "buffer %zu: %s", bs, got);
    }
}
END_TEST

START_TEST(large_input_default_buffer)
{
    /* 20000 records, about 700 KiB: several refills of the 128 KiB buffer. */
    size_t cap = 1u << 20, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text, cap, "patient_id,note,value\n");
    for (int i = 0; i < 20000; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                i % 3 ? "P%05d,plain text,%d.%03d\n"
                                      : "P%05d,\"quoted, with \"\"escapes\"\"\nand a line\",%d.%03d\n",
                                i, i % 3, i % 1000);
    reader r;
    open_mem(&r, text, len, OT_CSV_BUFSIZE);
    expect_row(&r, 1, "patient_id|note|value");
    long line = 2;
    for (int i = 0; i < 20000; i++) {
        ck_assert_int_eq(next(&r), 1);
        ck_assert_int_eq(r.row.line, line);
        ck_assert_uint_eq(r.row.nfields, 3);
        char id[16], value[16];
        snprintf(id, sizeof id, "P%05d", i);
        snprintf(value, sizeof value, "%d.%03d", i % 3, i % 1000);
        ck_assert_str_eq(r.row.fields[0], id);
        ck_assert_str_eq(r.row.fields[2], value);
        if (i % 3 == 0)
            ck_assert_str_eq(r.row.fields[1], "quoted, with \"escapes\"\nand a line");
        line += i % 3 ? 1 : 2;
    }
    expect_end(&r);
    close_mem(&r);
    free(text);
}
END_TEST

START_TEST(errors_name_the_line_and_reading_goes_on)
{
    reader r;
    OPEN(&r, "h\na,b\"c,d\nok,1\n\"ab\"c,d\nok,2\n\"x\ny\"z\nok,3\n\"q\"\r?\nok,4\n",
         OT_CSV_BUFSIZE);
    expect_row(&r, 1, "h");
    expect_error(&r, 2, "field 2: a quote inside an unquoted field");
    expect_row(&r, 3, "ok|1");
    expect_error(&r, 4, "field 1: text after the closing quote");
    expect_row(&r, 5, "ok|2");
    expect_error(&r, 6, "text after the closing quote"); /* record of lines 6-7 */
    expect_row(&r, 8, "ok|3");
    expect_error(&r, 9, "text after the closing quote"); /* CR not before LF */
    expect_row(&r, 10, "ok|4");
    expect_end(&r);
    close_mem(&r);
}
END_TEST

START_TEST(nul_byte)
{
    reader r;
    static const char text[] = "a,b\nx\0y,z\n\"p\0q\",r\nok,1\n";
    open_mem(&r, text, sizeof text - 1, 8);
    expect_row(&r, 1, "a|b");
    expect_error(&r, 2, "field 1: a NUL byte");
    expect_error(&r, 3, "field 1: a NUL byte");
    expect_row(&r, 4, "ok|1");
    expect_end(&r);
    close_mem(&r);
}
END_TEST

/* text = prefix, then n bytes of `fill` (inside quotes if quoted), then suffix. */
static char *long_text(size_t *len, const char *prefix, size_t n, int quoted, const char *suffix)
{
    size_t cap = strlen(prefix) + n + strlen(suffix) + 3;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    size_t k = (size_t)snprintf(t, cap, "%s%s", prefix, quoted ? "\"" : "");
    memset(t + k, 'x', n);
    k += n;
    k += (size_t)snprintf(t + k, cap - k, "%s%s", quoted ? "\"" : "", suffix);
    *len = k;
    return t;
}

START_TEST(field_and_record_limits)
{
    reader r;
    size_t len;
    /* a field of exactly the limit is fine; one byte more is not */
    char *t = long_text(&len, "h\n", OT_CSV_MAX_FIELD, 0, "\n");
    open_mem(&r, t, len, 4096);
    expect_row(&r, 1, "h");
    ck_assert_int_eq(next(&r), 1);
    ck_assert_uint_eq(r.row.lengths[0], OT_CSV_MAX_FIELD);
    close_mem(&r);
    free(t);

    t = long_text(&len, "h\n", OT_CSV_MAX_FIELD + 1, 1, "\nok,1\n");
    open_mem(&r, t, len, 4096);
    expect_row(&r, 1, "h");
    expect_error(&r, 2, "field 1: longer than the limit of 65536 bytes");
    expect_row(&r, 3, "ok|1");
    expect_end(&r);
    close_mem(&r);
    free(t);

    /* a record over 1 MiB (in 32-byte fields) is dropped as it is read */
    size_t n = OT_CSV_MAX_RECORD + 1000, k = 0;
    t = malloc(n + 64);
    ck_assert_ptr_nonnull(t);
    k += (size_t)snprintf(t, 64, "h\n");
    while (k < n)
        k += (size_t)snprintf(t + k, n + 64 - k, "%031d,", 7);
    k += (size_t)snprintf(t + k, n + 64 - k, "\nok,1\n");
    open_mem(&r, t, k, OT_CSV_BUFSIZE);
    expect_row(&r, 1, "h");
    expect_error(&r, 2, "record longer than the limit of 1048576 bytes");
    expect_row(&r, 3, "ok|1");
    expect_end(&r);
    close_mem(&r);
    free(t);
}
END_TEST

START_TEST(unterminated_quote)
{
    reader r;
    /* reading resumes at the line after the opening quote */
    OPEN(&r, "h,v\nP1,\"spine,0.9\nP2,hip\nP3,neck\n", 16);
    expect_row(&r, 1, "h|v");
    expect_error(&r, 2, "field 2: the quote opened on line 2 is never closed; "
                        "reading resumes at line 3");
    expect_row(&r, 3, "P2|hip");
    expect_row(&r, 4, "P3|neck");
    expect_end(&r);
    close_mem(&r);

    OPEN(&r, "h\n\"abc", OT_CSV_BUFSIZE); /* on the last line: nothing after it */
    expect_row(&r, 1, "h");
    expect_error(&r, 2, "the rest of the file cannot be read");
    expect_end(&r);
    close_mem(&r);

    /* more than 1 MiB after the quote: the rest is lost, and the message says so */
    size_t len;
    char *t = long_text(&len, "h\n\"open\n", OT_CSV_MAX_RECORD + 10, 0, "\nP2,hip\n");
    open_mem(&r, t, len, OT_CSV_BUFSIZE);
    expect_row(&r, 1, "h");
    expect_error(&r, 2, "record longer than the limit of 1048576 bytes (a quote that is "
                        "never closed?): the rest of the file cannot be read");
    expect_end(&r);
    close_mem(&r);
    free(t);
}
END_TEST

START_TEST(read_error_is_final)
{
    char dir[] = "/tmp/ot-csv-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    FILE *f = fopen(dir, "rb"); /* a directory opens, but reading it fails (EISDIR) */
    ck_assert_ptr_nonnull(f);
    ot_csv *c = NULL;
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_csv_open(&c, f, "d.csv", &err), OT_OK);
    ot_csv_row row;
    ck_assert_int_eq(ot_csv_next(c, &row, &err), OT_EIO);
    ck_assert_msg(strstr(err.message, "d.csv:1: read error"), "%s", err.message);
    ck_assert_int_eq(ot_csv_next(c, &row, &err), OT_EIO);
    ot_csv_close(c);
    ot_csv_close(NULL); /* NULL-safe */
    fclose(f);
    rmdir(dir);
}
END_TEST

START_TEST(header_map)
{
    static const char *const names[] = {"patient_id", "site", "value", "unit"};
    reader r;
    OPEN(&r, "SITE, Patient_ID ,extra,Value\n", OT_CSV_BUFSIZE);
    ck_assert_int_eq(next(&r), 1);
    int idx[4];
    ck_assert_int_eq(ot_csv_header_map(idx, r.c, &r.row, names, 4, &r.err), OT_OK);
    ck_assert_int_eq(idx[0], 1);
    ck_assert_int_eq(idx[1], 0);
    ck_assert_int_eq(idx[2], 3);
    ck_assert_int_eq(idx[3], -1);
    ck_assert(!ot_csv_header_is_mapped(idx, 4, 2)); /* "extra" */
    ck_assert(ot_csv_header_is_mapped(idx, 4, 3));
    close_mem(&r);

    OPEN(&r, "site,value,Site\n", OT_CSV_BUFSIZE);
    ck_assert_int_eq(next(&r), 1);
    ck_assert_int_eq(ot_csv_header_map(idx, r.c, &r.row, names, 4, &r.err), OT_EPARSE);
    ck_assert_str_eq(r.err.message, "t.csv:1: column 'site' appears twice (columns 1 and 3)");
    close_mem(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The row reader: demographics, Z-scores, doses                       */
/* ------------------------------------------------------------------ */
static ot_refdata *rd;

static void rows_setup(void) { rd = test_refdata(); }
static void rows_teardown(void)
{
    ot_refdata_free(rd);
    rd = NULL;
}

static ot_date D(const char *s)
{
    ot_date d;
    ck_assert_msg(ot_date_parse(&d, s) == OT_OK, "bad date %s", s);
    return d;
}

typedef struct rows {
    FILE *f;
    ot_rowreader *rr;
    ot_row row;
    ot_error err;
} rows;

static void rows_open(rows *r, const char *text, ot_input_format fmt)
{
    memset(r, 0, sizeof *r);
    r->f = tmpfile();
    ck_assert_ptr_nonnull(r->f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), r->f), strlen(text));
    rewind(r->f);
    ck_assert_msg(ot_rowreader_open(&r->rr, rd, r->f, "t.csv", fmt, &r->err) == OT_OK, "%s",
                  r->err.message);
}

static void rows_close(rows *r)
{
    ot_rowreader_close(r->rr);
    fclose(r->f);
}

/* The next row is accepted, at `line`, with `n` records. */
static void expect_records(rows *r, long line, size_t n)
{
    int rc = ot_rowreader_next(r->rr, &r->row, &r->err);
    ck_assert_msg(rc == 1, "line %ld: expected a row, got %d (%s)", line, rc, r->err.message);
    ck_assert_int_eq(r->row.line, line);
    ck_assert_uint_eq(r->row.nrecords, n);
}

/* The next row is rejected with a message that starts "t.csv:LINE: " and
 * holds each of the NULL-ended texts. */
static void expect_rejected(rows *r, long line, ...)
{
    int rc = ot_rowreader_next(r->rr, &r->row, &r->err);
    ck_assert_msg(rc == OT_EPARSE, "line %ld: expected a rejection, got %d", line, rc);
    ck_assert_uint_eq(r->row.nrecords, 0);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t.csv:%ld: ", line);
    ck_assert_msg(strncmp(r->err.message, prefix, strlen(prefix)) == 0, "'%s' should start '%s'",
                  r->err.message, prefix);
    va_list ap;
    va_start(ap, line);
    for (const char *what; (what = va_arg(ap, const char *)) != NULL;)
        ck_assert_msg(strstr(r->err.message, what), "'%s' should say '%s'", r->err.message, what);
    va_end(ap);
}

static void expect_rows_end(rows *r)
{
    ck_assert_int_eq(ot_rowreader_next(r->rr, &r->row, &r->err), 0);
}

static const ot_record *rec(const rows *r, size_t i) { return &r->row.records[i]; }

START_TEST(long_demographics_and_zscore)
{
    rows r;
    rows_open(&r,
              "patient_id,date,analyte,site,value,tscore,zscore,Sex,Birth_Date,"
              "menopausal_status,therapy\n"
              "A,2020-01-10,bmd,spine,0.800,-2.6,-1.25,F,1950-03-04,post,\n"
              "A,2020-01-10,bmd,hip,0.700,,,,,,\n"
              "B,2021-05-01,ctx,,300,,,Male,,,alendronate\n"
              "C,2021-05-01,bmd,neck,0.650,-1.9,0.4,,,premenopausal,\n"
              "D,2021-05-01,p1np,,40,1.5,3.5,female,1960-12-31,,\n",
              OT_INPUT_AUTO);
    ck_assert_int_eq(ot_rowreader_format(r.rr), OT_INPUT_LONG_CSV);
    ck_assert_ptr_null(ot_rowreader_warning(r.rr)); /* every column is used */
    /* line 2: the demographics first, then the scan with both scores */
    expect_records(&r, 2, 2);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DEMOGRAPHICS);
    ck_assert_int_eq(rec(&r, 0)->sex, OT_SEX_FEMALE);
    ck_assert_int_eq(rec(&r, 0)->birth_date, D("1950-03-04"));
    ck_assert_int_eq(rec(&r, 0)->menopause, OT_MENOPAUSE_POST);
    ck_assert_int_eq(rec(&r, 0)->date, D("2020-01-10"));
    ck_assert(isnan(rec(&r, 0)->zscore) && isnan(rec(&r, 0)->tscore));
    ck_assert_int_eq(rec(&r, 1)->kind, OT_REC_BMD);
    ck_assert_int_eq(rec(&r, 1)->site, OT_SITE_LUMBAR_SPINE);
    ck_assert_double_eq(rec(&r, 1)->tscore, -2.6);
    ck_assert_double_eq(rec(&r, 1)->zscore, -1.25);
    ck_assert_int_eq(rec(&r, 1)->birth_date, OT_DATE_NONE);
    /* line 3: nothing of the demographics given: no record of them; no scores: NaN */
    expect_records(&r, 3, 1);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_BMD);
    ck_assert(isnan(rec(&r, 0)->tscore) && isnan(rec(&r, 0)->zscore));
    /* line 4: the sex alone, before the marker and the therapy */
    expect_records(&r, 4, 3);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DEMOGRAPHICS);
    ck_assert_int_eq(rec(&r, 0)->sex, OT_SEX_MALE);
    ck_assert_int_eq(rec(&r, 0)->birth_date, OT_DATE_NONE);
    ck_assert_int_eq(rec(&r, 0)->menopause, OT_MENOPAUSE_UNKNOWN);
    ck_assert_int_eq(rec(&r, 1)->kind, OT_REC_MARKER);
    ck_assert_int_eq(rec(&r, 2)->kind, OT_REC_THERAPY);
    /* line 5: the menopausal status alone (an alias), a positive Z-score */
    expect_records(&r, 5, 2);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DEMOGRAPHICS);
    ck_assert_int_eq(rec(&r, 0)->sex, OT_SEX_UNKNOWN);
    ck_assert_int_eq(rec(&r, 0)->menopause, OT_MENOPAUSE_PRE);
    ck_assert_double_eq(rec(&r, 1)->zscore, 0.4);
    ck_assert_double_eq(rec(&r, 1)->tscore, -1.9);
    /* line 6: scores on a marker row are not used, as a T-score never was */
    expect_records(&r, 6, 2);
    ck_assert_int_eq(rec(&r, 0)->sex, OT_SEX_FEMALE);
    ck_assert_int_eq(rec(&r, 0)->birth_date, D("1960-12-31"));
    ck_assert_int_eq(rec(&r, 1)->kind, OT_REC_MARKER);
    ck_assert(isnan(rec(&r, 1)->zscore) && isnan(rec(&r, 1)->tscore));
    expect_rows_end(&r);
    rows_close(&r);
}
END_TEST

START_TEST(long_bad_demographics_and_scores)
{
    rows r;
    rows_open(&r,
              "patient_id,date,analyte,site,value,zscore,sex,birth_date,menopausal_status\n"
              "A,2020-01-10,bmd,spine,0.8,,X,,\n"
              "A,2020-01-10,bmd,spine,0.8,,,,late\n"
              "A,2020-01-10,bmd,spine,0.8,,,1950-02-30,\n"
              "A,2020-01-10,bmd,spine,0.8,,,03/04/1950,\n"
              "A,2020-01-10,bmd,spine,0.8,,,2020-01-11,\n"
              "A,2020-01-10,bmd,spine,0.8,,M,,post\n"
              "A,2020-01-10,bmd,spine,0.8,12,,,\n"
              "A,2020-01-10,bmd,spine,0.8,-1.2.3,,,\n"
              "A,2020-01-10,bmd,spine,0.8,nan,,,\n"
              "A,2020-01-10,bmd,spine,0.8,-10,M,2020-01-10,\n",
              OT_INPUT_LONG_CSV);
    expect_rejected(&r, 2, "sex: ", "'X'", "F, M, female or male", NULL);
    expect_rejected(&r, 3, "menopausal_status: ", "'late'", "pre, peri or post", NULL);
    expect_rejected(&r, 4, "birth_date: ", "'1950-02-30'", "YYYY-MM-DD", NULL);
    expect_rejected(&r, 5, "birth_date: ", "'03/04/1950'", "YYYY-MM-DD", NULL);
    expect_rejected(&r, 6, "birth_date: ", "2020-01-11", "after the row's date 2020-01-10", NULL);
    expect_rejected(&r, 7, "menopausal_status: ", "'post'", "male", NULL);
    expect_rejected(&r, 8, "zscore: ", "12", "outside -10 to 10", NULL);
    expect_rejected(&r, 9, "zscore: ", "'-1.2.3'", "not a number", NULL);
    expect_rejected(&r, 10, "zscore: ", "'nan'", "not a number", NULL);
    /* the limits themselves are fine: Z -10, born on the day of the row */
    expect_records(&r, 11, 2);
    ck_assert_double_eq(rec(&r, 1)->zscore, -10.0);
    ck_assert_int_eq(rec(&r, 0)->birth_date, D("2020-01-10"));
    expect_rows_end(&r);
    rows_close(&r);
}
END_TEST

START_TEST(conflicting_demographics_rejected_by_the_patient)
{
    rows r;
    ot_patient *p = NULL;
    ck_assert_int_eq(ot_patient_new(&p, "A"), OT_OK);
    rows_open(&r,
              "patient_id,date,analyte,site,value,sex,birth_date,menopausal_status\n"
              "A,2020-01-10,bmd,spine,0.800,F,1950-03-04,\n"
              "A,2021-01-10,bmd,spine,0.810,female,,post\n"
              "A,2022-01-10,bmd,spine,0.820,M,,\n"
              "A,2023-01-10,bmd,spine,0.830,,1951-03-04,\n",
              OT_INPUT_LONG_CSV);
    int want[][2] = {{OT_OK, OT_OK}, {OT_OK, OT_OK}, {OT_ECONFLICT, OT_OK}, {OT_ECONFLICT, OT_OK}};
    const char *says[] = {NULL, NULL, "sex: male contradicts female", "birth_date: 1951-03-04"};
    for (int i = 0; i < 4; i++) {
        expect_records(&r, 2 + i, 2);
        ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DEMOGRAPHICS); /* first: refused first */
        for (size_t k = 0; k < 2; k++) {
            ot_error err = {0, ""};
            int rc = ot_patient_add_record(p, rd, rec(&r, k), r.row.line, &err);
            ck_assert_msg(rc == want[i][k], "line %d record %zu: %d (%s)", 2 + i, k, rc,
                          err.message);
            if (rc != OT_OK)
                ck_assert_msg(strstr(err.message, says[i]), "'%s' should say '%s'",
                              err.message, says[i]);
        }
    }
    expect_rows_end(&r);
    rows_close(&r);
    /* what the first rows gave is kept: a woman, postmenopausal, born 1950-03-04 */
    ot_error err = {0, ""};
    ck_assert_int_eq(ot_patient_set_demographics(p, OT_SEX_FEMALE, D("1950-03-04"),
                                                 OT_MENOPAUSE_POST, &err), OT_OK);
    ck_assert_int_eq(ot_patient_set_demographics(p, OT_SEX_UNKNOWN, OT_DATE_NONE,
                                                 OT_MENOPAUSE_PERI, &err), OT_ECONFLICT);
    ot_patient_free(p);
}
END_TEST

START_TEST(long_dose_rows)
{
    rows r;
    ot_patient *p = NULL;
    ck_assert_int_eq(ot_patient_new(&p, "A"), OT_OK);
    rows_open(&r,
              "patient_id,date,analyte,site,value,therapy,therapy_start\n"
              "A,2020-01-10,dose,,,denosumab,2020-01-10\n"
              "A,2020-07-10,Therapy_Dose,,,Prolia,\n"
              "A,2020-07-10,dose,,,denosumab,\n"
              "A,2021-01-10,dose,,,,\n"
              "A,2021-01-10,dose,,,alendronate,\n"
              "A,2021-01-10,dose,,,aspirin,\n"
              "A,2021-02-10,dose,spine,0.8,zoledronate,\n",
              OT_INPUT_AUTO);
    ot_error err = {0, ""};
    /* line 2: one DOSE record, and no therapy course from the therapy column */
    expect_records(&r, 2, 1);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DOSE);
    ck_assert_int_eq(rec(&r, 0)->agent, OT_AGENT_DENOSUMAB);
    ck_assert_int_eq(rec(&r, 0)->date, D("2020-01-10"));
    ck_assert_int_eq(ot_patient_add_record(p, rd, rec(&r, 0), 2, &err), OT_OK);
    /* line 3: the alias of the analyte and a brand name */
    expect_records(&r, 3, 1);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DOSE);
    ck_assert_int_eq(rec(&r, 0)->agent, OT_AGENT_DENOSUMAB);
    ck_assert_int_eq(rec(&r, 0)->date, D("2020-07-10"));
    ck_assert_int_eq(ot_patient_add_record(p, rd, rec(&r, 0), 3, &err), OT_OK);
    /* line 4: the same dose again is read, and the patient refuses it */
    expect_records(&r, 4, 1);
    ck_assert_int_eq(ot_patient_add_record(p, rd, rec(&r, 0), 4, &err), OT_EDUPLICATE);
    expect_rejected(&r, 5, "therapy: missing", "agent given", "denosumab", NULL);
    expect_rejected(&r, 6, "therapy: alendronate has no dosing interval", "denosumab", NULL);
    expect_rejected(&r, 7, "therapy: unknown value 'aspirin'", "denosumab", NULL);
    /* line 8: a site and value on a dose row are not needed, nor used */
    expect_records(&r, 8, 1);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DOSE);
    ck_assert_int_eq(rec(&r, 0)->agent, OT_AGENT_ZOLEDRONATE);
    expect_rows_end(&r);
    rows_close(&r);
    ot_patient_free(p);
}
END_TEST

START_TEST(wide_demographics_zscores_and_dose)
{
    rows r;
    rows_open(&r,
              "patient_id,date,sex,birth_date,menopausal_status,lumbar_spine_bmd,"
              "lumbar_spine_tscore,lumbar_spine_zscore,total_hip_bmd,total_hip_zscore,"
              "femoral_neck_bmd,femoral_neck_zscore,radius_33_bmd,radius_33_zscore,ctx,dose,"
              "therapy\n"
              "W,2020-01-10,F,1955-06-30,post,0.800,-2.6,-1.1,0.700,-0.75,0.600,-2,0.650,1.5,"
              "300,denosumab,denosumab\n"
              "W,2020-07-10,,,,,,,,,,,,,,Prolia,\n"
              "W,2021-01-10,f,,,,,,,,,,,,,,\n"
              "W,2021-02-10,,,,,,3.3,,,,,,,250,,\n",
              OT_INPUT_AUTO);
    ck_assert_int_eq(ot_rowreader_format(r.rr), OT_INPUT_WIDE_CSV);
    ck_assert_ptr_null(ot_rowreader_warning(r.rr));
    /* line 2: demographics, four scans, CTX, the dose, the therapy: in that order */
    expect_records(&r, 2, 8);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DEMOGRAPHICS);
    ck_assert_int_eq(rec(&r, 0)->sex, OT_SEX_FEMALE);
    ck_assert_int_eq(rec(&r, 0)->birth_date, D("1955-06-30"));
    ck_assert_int_eq(rec(&r, 0)->menopause, OT_MENOPAUSE_POST);
    static const double z[OT_SITE_COUNT] = {-1.1, -0.75, -2.0, 1.5};
    for (int s = 0; s < OT_SITE_COUNT; s++) {
        const ot_record *b = rec(&r, 1 + (size_t)s);
        ck_assert_int_eq(b->kind, OT_REC_BMD);
        ck_assert_int_eq(b->site, s);
        ck_assert_double_eq(b->zscore, z[s]);
        if (s == OT_SITE_LUMBAR_SPINE)
            ck_assert_double_eq(b->tscore, -2.6);
        else
            ck_assert(isnan(b->tscore));
    }
    ck_assert_int_eq(rec(&r, 5)->kind, OT_REC_MARKER);
    ck_assert_int_eq(rec(&r, 6)->kind, OT_REC_DOSE);
    ck_assert_int_eq(rec(&r, 6)->agent, OT_AGENT_DENOSUMAB);
    ck_assert_int_eq(rec(&r, 6)->date, D("2020-01-10"));
    ck_assert_int_eq(rec(&r, 7)->kind, OT_REC_THERAPY);
    ck_assert_int_eq(rec(&r, 7)->agent, OT_AGENT_DENOSUMAB);
    /* line 3: a dose alone is a visit */
    expect_records(&r, 3, 1);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DOSE);
    ck_assert_int_eq(rec(&r, 0)->date, D("2020-07-10"));
    /* line 4: so are the demographics alone */
    expect_records(&r, 4, 1);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DEMOGRAPHICS);
    ck_assert_int_eq(rec(&r, 0)->sex, OT_SEX_FEMALE);
    ck_assert_int_eq(rec(&r, 0)->birth_date, OT_DATE_NONE);
    /* line 5: a Z-score without its scan is not used, as a T-score never was */
    expect_records(&r, 5, 1);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_MARKER);
    expect_rows_end(&r);
    rows_close(&r);
}
END_TEST

START_TEST(wide_bad_values)
{
    rows r;
    rows_open(&r,
              "patient_id,date,sex,birth_date,menopausal_status,total_hip_bmd,total_hip_zscore,"
              "dose,therapy\n"
              "W,2020-01-10,U,,,0.7,,,\n"
              "W,2020-01-10,,,menopause,0.7,,,\n"
              "W,2020-01-10,,1900-00-01,,0.7,,,\n"
              "W,2020-01-10,,,,0.7,-11,,\n"
              "W,2020-01-10,,,,0.7,,risedronate,\n"
              "W,2020-01-10,,,,0.7,,aspirin,\n"
              "W,2020-01-10,male,,peri,0.7,,,\n"
              "W,2020-01-10,,,,,,,\n"
              "W,2020-01-10,,,,0.7,-0.5,zoledronic_acid,zoledronate\n",
              OT_INPUT_WIDE_CSV);
    expect_rejected(&r, 2, "sex: unknown value 'U'", "F, M, female or male", NULL);
    expect_rejected(&r, 3, "menopausal_status: unknown value 'menopause'", "pre, peri or post",
                    NULL);
    expect_rejected(&r, 4, "birth_date: '1900-00-01' is not a valid date", NULL);
    expect_rejected(&r, 5, "total_hip_zscore: -11 is outside -10 to 10", NULL);
    expect_rejected(&r, 6, "dose: risedronate has no dosing interval", "zoledronate", NULL);
    expect_rejected(&r, 7, "dose: unknown value 'aspirin'", "denosumab", NULL);
    expect_rejected(&r, 8, "menopausal_status: 'peri' is given for a male patient", NULL);
    expect_rejected(&r, 9, "no value in the row", "dose", NULL);
    /* line 10: scan, dose and therapy: a dose is not a course, a therapy is */
    expect_records(&r, 10, 3);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_BMD);
    ck_assert_double_eq(rec(&r, 0)->zscore, -0.5);
    ck_assert_int_eq(rec(&r, 1)->kind, OT_REC_DOSE);
    ck_assert_int_eq(rec(&r, 1)->agent, OT_AGENT_ZOLEDRONATE);
    ck_assert_int_eq(rec(&r, 2)->kind, OT_REC_THERAPY);
    expect_rows_end(&r);
    rows_close(&r);
}
END_TEST

START_TEST(columns_of_the_other_layout_not_used)
{
    /* a long file's dose and *_zscore columns, a wide file's zscore column:
     * named as not used; the demographics columns belong to both */
    rows r;
    rows_open(&r,
              "patient_id,date,analyte,site,value,sex,dose,lumbar_spine_zscore\n"
              "A,2020-01-10,bmd,spine,0.8,F,denosumab,-1\n",
              OT_INPUT_AUTO);
    ck_assert_ptr_nonnull(ot_rowreader_warning(r.rr));
    ck_assert_str_eq(ot_rowreader_warning(r.rr),
                     "t.csv:1: columns not used (ignored): 'dose', 'lumbar_spine_zscore'");
    expect_records(&r, 2, 2);
    ck_assert_int_eq(rec(&r, 0)->kind, OT_REC_DEMOGRAPHICS);
    ck_assert(isnan(rec(&r, 1)->zscore));
    rows_close(&r);

    rows_open(&r,
              "patient_id,date,total_hip_bmd,zscore,menopausal_status\n"
              "A,2020-01-10,0.7,-1,peri\n",
              OT_INPUT_AUTO);
    ck_assert_str_eq(ot_rowreader_warning(r.rr), "t.csv:1: columns not used (ignored): 'zscore'");
    expect_records(&r, 2, 2);
    ck_assert_int_eq(rec(&r, 0)->menopause, OT_MENOPAUSE_PERI);
    ck_assert(isnan(rec(&r, 1)->zscore));
    rows_close(&r);
}
END_TEST

Suite *suite_csv(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, plain_lf_and_crlf);
    tcase_add_test(tc, cr_only_line_ends);
    tcase_add_test(tc, quoted_fields);
    tcase_add_test(tc, embedded_newlines_count_lines);
    tcase_add_test(tc, bom_blank_lines_and_last_record);
    tcase_add_test(tc, records_straddle_refills);
    tcase_add_test(tc, large_input_default_buffer);
    tcase_add_test(tc, errors_name_the_line_and_reading_goes_on);
    tcase_add_test(tc, nul_byte);
    tcase_add_test(tc, field_and_record_limits);
    tcase_add_test(tc, unterminated_quote);
    tcase_add_test(tc, read_error_is_final);
    tcase_add_test(tc, header_map);
    suite_add_tcase(s, tc);

    TCase *tr = tcase_create("rows");
    tcase_set_timeout(tr, 30);
    tcase_add_checked_fixture(tr, rows_setup, rows_teardown);
    tcase_add_test(tr, long_demographics_and_zscore);
    tcase_add_test(tr, long_bad_demographics_and_scores);
    tcase_add_test(tr, conflicting_demographics_rejected_by_the_patient);
    tcase_add_test(tr, long_dose_rows);
    tcase_add_test(tr, wide_demographics_zscores_and_dose);
    tcase_add_test(tr, wide_bad_values);
    tcase_add_test(tr, columns_of_the_other_layout_not_used);
    suite_add_tcase(s, tr);
    return s;
}

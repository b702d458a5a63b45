/* The streaming CSV tokenizer (src/lib/csv.h): RFC 4180, refills, errors. */
#include "suites.h"

#include "csv.h"

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

Suite *suite_csv(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, plain_lf_and_crlf);
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
    return s;
}

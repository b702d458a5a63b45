/* The JSON writer: escaping against a byte-by-byte reference, and numbers. */
#include "suites.h"

#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *written(void (*fill)(jw *, const void *), const void *arg)
{
    jw w;
    char *out = NULL;
    jw_init(&w, 0);
    fill(&w, arg);
    ck_assert_int_eq(jw_finish(&w, &out), OT_OK);
    return out;
}

static void fill_str(jw *w, const void *s) { jw_str(w, JW_NOKEY, s); }

START_TEST(strings_escape_like_the_reference)
{
    /* random strings of letters, quotes, backslashes, control and high bytes:
     * the eight-bytes-at-a-time scan must agree with a plain loop; valid
     * UTF-8 is written as it is, an invalid byte as \ufffd */
    unsigned seed = 12345;
    for (int t = 0; t < 20000; t++) {
        char s[48], ref[400]; /* 47 bytes, each at most 6 written */
        int n = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 47;
        for (int i = 0; i < n; i++) {
            unsigned r = (seed = seed * 1103515245u + 12345u) >> 16;
            s[i] = r % 10 == 0 ? '"' : r % 10 == 1 ? '\\' : r % 10 == 2 ? (char)(1 + r % 31)
                 : r % 10 == 3 ? (char)(0x80 + r % 127) : (char)('a' + r % 26);
        }
        s[n] = '\0';
        size_t k = 0;
        ref[k++] = '"';
        for (int i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            size_t u8 = ot_utf8_seq((const unsigned char *)s + i, (size_t)(n - i));
            if (c == '"' || c == '\\')
                k += (size_t)sprintf(ref + k, "\\%c", c);
            else if (c == '\n' || c == '\r' || c == '\t')
                k += (size_t)sprintf(ref + k, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
            else if (c < 0x20)
                k += (size_t)sprintf(ref + k, "\\u%04x", c);
            else if (u8 == 0) /* invalid UTF-8: U+FFFD */
                k += (size_t)sprintf(ref + k, "\\ufffd");
            else { /* a character of u8 bytes, as it is */
                memcpy(ref + k, s + i, u8);
                k += u8;
                i += (int)u8 - 1;
            }
        }
        ref[k++] = '"';
        ref[k] = '\0';
        char *out = written(fill_str, s);
        ck_assert_str_eq(out, ref);
        free(out);
    }
}
END_TEST

START_TEST(strings_are_valid_utf8)
{
    /* valid characters of 2, 3 and 4 bytes pass; a truncated sequence, an
     * overlong form, a UTF-16 surrogate and a byte above F4 become U+FFFD */
    static const struct { const char *in, *out; } cases[] = {
        {"\xc2\xb5g/L caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e", "\"\xc2\xb5g/L caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\""},
        {"a\xc3(b", "\"a\\ufffd(b\""},
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},
        {"\xed\xa0\x80x", "\"\\ufffd\\ufffd\\ufffdx\""},
        {"\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
        {"long ascii run then \xe2\x82", "\"long ascii run then \\ufffd\\ufffd\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = written(fill_str, cases[i].in);
        ck_assert_str_eq(out, cases[i].out);
        free(out);
    }
}
END_TEST

typedef struct numcase {
    double x;
    int decimals;
    const char *text;
} numcase;

static void fill_num(jw *w, const void *arg)
{
    const numcase *c = arg;
    jw_num(w, JW_NOKEY, c->x, c->decimals);
}

START_TEST(numbers_round_for_display)
{
    const numcase cases[] = {
        {0.840 - 0.800, 6, "0.04"},    /* 0.040000000000000036 */
        {5.0, 4, "5"},
        {-64.814814814, 4, "-64.8148"},
        {-0.0000001, 6, "0"},           /* no -0 */
        {0.0424, 6, "0.0424"},
        {24.33333, 2, "24.33"},
        {-2.5, 2, "-2.5"},
        {1234567.0, 0, "1234567"},
        {NAN, 4, "null"},
        {INFINITY, 4, "null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = written(fill_num, &cases[i]);
        ck_assert_str_eq(out, cases[i].text);
        free(out);
    }
}
END_TEST

static void fill_doc(jw *w, const void *arg)
{
    (void)arg;
    jw_object(w, JW_NOKEY);
    jw_array(w, JW_KEY("a"));
    jw_end_array(w);
    jw_object(w, JW_KEY("o"));
    jw_bool(w, JW_KEY("t"), 1);
    jw_null(w, JW_KEY("n"));
    jw_end_object(w);
    jw_date(w, JW_KEY("d"), 0);
    jw_date(w, JW_KEY("e"), 0); /* the cached text */
    jw_date(w, JW_KEY("f"), OT_DATE_NONE);
    jw_end_object(w);
}

START_TEST(structure)
{
    char *out = written(fill_doc, NULL);
    ck_assert_str_eq(out, "{\"a\":[],\"o\":{\"t\":true,\"n\":null},\"d\":\"1970-01-01\","
                          "\"e\":\"1970-01-01\",\"f\":null}");
    free(out);
}
END_TEST

static void fill_keys(jw *w, const void *arg)
{
    (void)arg;
    jw_object(w, JW_NOKEY);
    /* a key longer than a 16-byte block, one of exactly 16 bytes as written */
    jw_num(w, JW_KEY("a_key_longer_than_sixteen_bytes"), 1.5, 2);
    jw_str(w, JW_KEY("thirteen_char"), "x");
    jw_object_named(w, "id \"quoted\"");
    jw_array(w, JW_KEY("v"));
    jw_num(w, JW_NOKEY, 1, 0);
    jw_str(w, JW_NOKEY, NULL);
    jw_end_array(w);
    jw_object(w, JW_KEY("e"));
    jw_end_object(w);
    jw_end_object(w);
    jw_end_object(w);
}

static char *written_pretty(void (*fill)(jw *, const void *))
{
    jw w;
    char *out = NULL;
    jw_init(&w, 1);
    fill(&w, NULL);
    ck_assert_int_eq(jw_finish(&w, &out), OT_OK);
    return out;
}

START_TEST(keys_compact_and_pretty)
{
    char *out = written(fill_keys, NULL);
    ck_assert_str_eq(out, "{\"a_key_longer_than_sixteen_bytes\":1.5,\"thirteen_char\":\"x\","
                          "\"id \\\"quoted\\\"\":{\"v\":[1,\"\"],\"e\":{}}}");
    free(out);
    out = written_pretty(fill_keys);
    ck_assert_str_eq(out, "{\n  \"a_key_longer_than_sixteen_bytes\": 1.5,\n  \"thirteen_char\": \"x\","
                          "\n  \"id \\\"quoted\\\"\": {\n    \"v\": [\n      1,\n      \"\"\n    ],"
                          "\n    \"e\": {}\n  }\n}");
    free(out);
}
END_TEST

Suite *suite_jsonw(void)
{
    Suite *s = suite_create("jsonw");
    TCase *tc = tcase_create("jsonw");
    tcase_add_test(tc, strings_escape_like_the_reference);
    tcase_add_test(tc, strings_are_valid_utf8);
    tcase_add_test(tc, numbers_round_for_display);
    tcase_add_test(tc, structure);
    tcase_add_test(tc, keys_compact_and_pretty);
    suite_add_tcase(s, tc);
    return s;
}

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

static void fill_str(jw *w, const void *s) { jw_str(w, NULL, s); }

START_TEST(strings_escape_like_the_reference)
{
    /* random strings of letters, quotes, backslashes, control and high bytes:
     * the eight-bytes-at-a-time scan must agree with a plain loop */
    unsigned seed = 12345;
    for (int t = 0; t < 20000; t++) {
        char s[48], ref[400];
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
            if (c == '"' || c == '\\')
                k += (size_t)sprintf(ref + k, "\\%c", c);
            else if (c == '\n' || c == '\r' || c == '\t')
                k += (size_t)sprintf(ref + k, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
            else if (c < 0x20)
                k += (size_t)sprintf(ref + k, "\\u%04x", c);
            else
                ref[k++] = (char)c;
        }
        ref[k++] = '"';
        ref[k] = '\0';
        char *out = written(fill_str, s);
        ck_assert_str_eq(out, ref);
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
    jw_num(w, NULL, c->x, c->decimals);
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
    jw_object(w, NULL);
    jw_array(w, "a");
    jw_end_array(w);
    jw_object(w, "o");
    jw_bool(w, "t", 1);
    jw_null(w, "n");
    jw_end_object(w);
    jw_date(w, "d", 0);
    jw_date(w, "e", 0); /* the cached text */
    jw_date(w, "f", OT_DATE_NONE);
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

Suite *suite_jsonw(void)
{
    Suite *s = suite_create("jsonw");
    TCase *tc = tcase_create("jsonw");
    tcase_add_test(tc, strings_escape_like_the_reference);
    tcase_add_test(tc, numbers_round_for_display);
    tcase_add_test(tc, structure);
    suite_add_tcase(s, tc);
    return s;
}

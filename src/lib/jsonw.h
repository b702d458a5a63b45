/* Private: a small, fast JSON writer into a growing buffer. Numbers are
 * written rounded to a given number of decimals without trailing zeros (the
 * display rounding the report fields document), strings are escaped. */
#ifndef OT_JSONW_H
#define OT_JSONW_H

#include "internal.h"

typedef struct jw {
    char *buf;
    size_t len, cap;
    int pretty, depth, failed;
    unsigned long long first;  /* bit d: the next item at depth d is the first */
    ot_date dates[8];          /* dates written (d % 8 decides where), OT_DATE_NONE */
    char date_text[8][12];     /* for none, and each one's quoted text */
} jw;

/* A member's key as written: its quoted text and the colon ("\"name\":", len
 * bytes), readable in whole 16-byte blocks up to len rounded up, so that it
 * is copied without a call; or no key (text NULL: an array element, the
 * outer value). Make one with JW_KEY from a string literal of characters that
 * JSON writes as they are (no '"', '\\' or control bytes); a key that is data
 * goes through jw_object_named, which escapes it. */
typedef struct jw_key {
    const char *text;
    size_t len;
} jw_key;
#define JW_KEY(lit)                                                                    \
    ((jw_key){"\"" lit "\":\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", sizeof("\"" lit "\":") - 1})
#define JW_NOKEY ((jw_key){NULL, 0})

void jw_init(jw *w, int pretty);
void jw_object(jw *w, jw_key key);
void jw_array(jw *w, jw_key key);
/* An object under a key that is any string (escaped as a string value is). */
void jw_object_named(jw *w, const char *key);
void jw_end_object(jw *w);
void jw_end_array(jw *w);
void jw_str(jw *w, jw_key key, const char *s);
/* NaN and infinities are null */
void jw_num(jw *w, jw_key key, double x, int decimals);
void jw_bool(jw *w, jw_key key, int b);
void jw_null(jw *w, jw_key key);
void jw_date(jw *w, jw_key key, ot_date d);
/* 1 when jw_num would write a and b alike at `decimals` (0..9). */
int jw_num_same(double a, double b, int decimals);
/* Hands the NUL-terminated text to *out (free with ot_free), or OT_ENOMEM. */
int jw_finish(jw *w, char **out);

#endif

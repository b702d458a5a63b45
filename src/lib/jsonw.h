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
    ot_date date;              /* the last date written, and its quoted text */
    int date_ok;
    char date_text[12];
} jw;

void jw_init(jw *w, int pretty);
/* key may be NULL inside arrays */
void jw_object(jw *w, const char *key);
void jw_array(jw *w, const char *key);
void jw_end_object(jw *w);
void jw_end_array(jw *w);
void jw_str(jw *w, const char *key, const char *s);
/* NaN and infinities are null */
void jw_num(jw *w, const char *key, double x, int decimals);
void jw_bool(jw *w, const char *key, int b);
void jw_null(jw *w, const char *key);
void jw_date(jw *w, const char *key, ot_date d);
/* Hands the NUL-terminated text to *out (free with ot_free), or OT_ENOMEM. */
int jw_finish(jw *w, char **out);

#endif

/*
 * The CSV tokenizer (src/lib/csv.c): the same input read with the normal
 * buffer and with a 4-byte one (every refill and compaction path) must give
 * the same records, lines and errors; every field is NUL-terminated at its
 * length, and every message is one line.
 */
#include "fuzz.h"

#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rec {
    int rc;
    long line;
    size_t nfields;
    char *bytes;  /* fields joined by their lengths; the message on error */
    size_t len;
} rec;

static size_t read_all(rec **out, char *text, size_t size, size_t bufsize,
                       const ot_csv_dialect *d)
{
    FILE *f = fmemopen(text, size, "rb");
    ot_csv *c = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    if (!f)
        abort();
    if (ot_csv_open_dialect(&c, f, "fuzz.csv", d, bufsize, NULL) != OT_OK)
        abort();
    for (;;) {
        ot_csv_row row;
        ot_error err = {0, ""};
        int rc = ot_csv_next(c, &row, &err);
        if (rc == 0)
            break;
        if (n == cap && !(*out = realloc(*out, (cap = cap ? cap * 2 : 16) * sizeof **out)))
            abort();
        rec *r = &(*out)[n++];
        r->rc = rc;
        r->line = row.line;
        r->nfields = rc == 1 ? row.nfields : 0;
        r->len = 0;
        if (rc < 0) {
            if (!err.message[0] || strchr(err.message, '\n'))
                abort(); /* a message, on one line */
            r->len = strlen(err.message);
            r->bytes = fuzz_text((const uint8_t *)err.message, r->len);
            if (rc == OT_EIO || rc == OT_ENOMEM)
                break;
            continue;
        }
        for (size_t i = 0; i < row.nfields; i++) {
            if (strlen(row.fields[i]) != row.lengths[i] || row.lengths[i] > OT_CSV_MAX_FIELD)
                abort();
            r->len += row.lengths[i] + 1;
        }
        r->bytes = malloc(r->len + 1);
        if (!r->bytes)
            abort();
        size_t k = 0;
        for (size_t i = 0; i < row.nfields; i++) {
            memcpy(r->bytes + k, row.fields[i], row.lengths[i]);
            k += row.lengths[i];
            r->bytes[k++] = '|';
        }
    }
    ot_csv_close(c);
    fclose(f);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = fuzz_text(data, size);
    /* comma UTF-8; then a dialect the first byte picks: the delimiter given
     * or detected, UTF-8, Latin-1 or cp1252 (transcoded through the 4-byte
     * buffer too) */
    ot_csv_dialect dialects[2] = {{',', OT_ENCODING_UTF8},
                                  {"\0,;\t"[data[0] % 4], (int)((data[0] / 4) % 3)}};
    for (int k = 0; k < 2; k++) {
        rec *a, *b;
        size_t na = read_all(&a, text, size, OT_CSV_BUFSIZE, &dialects[k]);
        size_t nb = read_all(&b, text, size, 4, &dialects[k]);
        if (na != nb)
            abort();
        for (size_t i = 0; i < na; i++) {
            if (a[i].rc != b[i].rc || a[i].line != b[i].line || a[i].nfields != b[i].nfields ||
                a[i].len != b[i].len || memcmp(a[i].bytes, b[i].bytes, a[i].len))
                abort();
            free(a[i].bytes);
            free(b[i].bytes);
        }
        free(a);
        free(b);
    }
    free(text);
    return 0;
}

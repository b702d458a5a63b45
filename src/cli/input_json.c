/* Splits JSON and NDJSON input into patient documents, keeping line numbers. */
#include "input_json.h"

#include "osteotrack.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scan {
    const char *buf;
    size_t len, pos;
    long line;
} scan;

static void skip_ws(scan *s)
{
    while (s->pos < s->len) {
        char c = s->buf[s->pos];
        if (c == '\n')
            s->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            return;
        s->pos++;
    }
}

/* Moves past one object or array; 0 on success, -1 if it never closes. */
static int skip_value(scan *s)
{
    int depth = 0, in_str = 0;
    for (; s->pos < s->len; s->pos++) {
        char c = s->buf[s->pos];
        if (c == '\n')
            s->line++;
        if (in_str) {
            if (c == '\\')
                s->pos++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0) {
            s->pos++;
            return 0;
        }
    }
    return -1;
}

/* {"patients": [...]} or one document; -1 when it never closes (said). */
static int object(scan *s, doc_fn doc, bad_fn bad, void *ctx)
{
    size_t start = s->pos;
    long line = s->line;
    if (skip_value(s) != 0) {
        bad(ctx, line, "malformed JSON: an object that never closes; the rest of the file is "
                       "not read");
        return -1;
    }
    const char *text = s->buf + start;
    size_t n = s->pos - start;
    cJSON *o = cJSON_ParseWithLength(text, n);
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(o, "patients");
    if (!o || !cJSON_IsArray(pts) || cJSON_GetObjectItemCaseSensitive(o, "patient_id")) {
        cJSON_Delete(o);
        return doc(ctx, text, n, line, NULL) ? -1 : 0; /* the reader says what is wrong */
    }
    int stop = 0;
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, pts)
    {
        char where[48];
        snprintf(where, sizeof where, "patients[%zu]", i++);
        char *t = cJSON_PrintUnformatted(it);
        if (t) {
            stop = doc(ctx, t, strlen(t), line, where);
            cJSON_free(t);
        } else {
            bad(ctx, line, "out of memory");
        }
        if (stop)
            break;
    }
    cJSON_Delete(o);
    return stop ? -1 : 0;
}

/* [doc, doc, ...] */
static int array(scan *s, doc_fn doc, bad_fn bad, void *ctx)
{
    s->pos++;
    for (size_t i = 0;; i++) {
        skip_ws(s);
        if (s->pos < s->len && s->buf[s->pos] == ']' && i == 0) {
            s->pos++;
            return 0;
        }
        if (s->pos >= s->len || s->buf[s->pos] != '{') {
            bad(ctx, s->line, "malformed JSON: expected a patient object in the list; the rest "
                              "of the file is not read");
            return -1;
        }
        if (object(s, doc, bad, ctx))
            return -1;
        skip_ws(s);
        if (s->pos < s->len && s->buf[s->pos] == ',') {
            s->pos++;
            continue;
        }
        if (s->pos < s->len && s->buf[s->pos] == ']') {
            s->pos++;
            return 0;
        }
        bad(ctx, s->line, "malformed JSON: expected ',' or ']' after a patient; the rest of the "
                          "file is not read");
        return -1;
    }
}

/* One NDJSON line: a blank line is skipped. 1 when it held a document, -1
 * when `doc` says stop. */
static int nd_line(const char *p, size_t n, long line, doc_fn doc, void *ctx)
{
    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
        n--;
    size_t k = 0;
    while (k < n && (p[k] == ' ' || p[k] == '\t'))
        k++;
    if (k == n)
        return 0;
    return doc(ctx, p + k, n - k, line, NULL) ? -1 : 1;
}

int ndjson_stream(FILE *f, size_t bufsize, doc_fn doc, bad_fn bad, void *ctx)
{
    const size_t max = (size_t)OT_JSON_MAX_DOCUMENT + 2; /* a document, CR, LF */
    const size_t base = bufsize < 4 ? 4 : bufsize;
    size_t cap = base, len = 0, ndocs = 0, skipped = 0;
    long line = 1;
    int skipping = 0, bom = 1, eof = 0;
    char *buf = malloc(cap);
    if (!buf)
        return ENOMEM;
    while (!eof) {
        if (len == cap) { /* one line fills the buffer */
            char *nb = cap < max ? realloc(buf, cap * 2 < max ? cap * 2 : max) : NULL;
            if (nb) {
                buf = nb;
                cap = cap * 2 < max ? cap * 2 : max;
            } else if (cap < max) {
                free(buf);
                return ENOMEM;
            } else { /* over the limit: count the line's bytes and drop them */
                skipping = 1;
                skipped += len;
                len = 0;
            }
        }
        errno = 0;
        size_t from = len, pos = 0, r = fread(buf + len, 1, cap - len, f);
        if (r == 0 && ferror(f)) {
            int e = errno ? errno : EIO; /* a folder: "Is a directory" */
            free(buf);
            return e;
        }
        eof = r == 0;
        len += r;
        if (bom && (len >= 3 || eof)) { /* a byte order mark starts the file, if any */
            if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
                pos = 3;
            from = pos;
            bom = 0;
        } else if (bom) {
            continue;
        }
        for (;;) {
            const char *nl = memchr(buf + from, '\n', len - from);
            if (!nl && !(eof && (pos < len || skipping)))
                break;
            size_t end = nl ? (size_t)(nl - buf) : len;
            if (skipping) {
                char msg[96];
                snprintf(msg, sizeof msg, "document of %zu bytes, over the limit of %u bytes",
                         skipped + end - pos, (unsigned)OT_JSON_MAX_DOCUMENT);
                bad(ctx, line, msg);
                skipping = 0;
                skipped = 0;
                ndocs++;
            } else {
                int k = nd_line(buf + pos, end - pos, line, doc, ctx);
                if (k < 0) {
                    free(buf);
                    return 0;
                }
                ndocs += (size_t)k;
            }
            line++;
            pos = from = end + 1;
            if (!nl)
                break;
        }
        if (pos > len)
            pos = len;
        memmove(buf, buf + pos, len - pos);
        len -= pos;
        if (cap > base && len < base) { /* a long line is done: back to the usual size */
            char *nb = realloc(buf, base);
            if (nb) {
                buf = nb;
                cap = base;
            }
        }
    }
    free(buf);
    if (ndocs == 0)
        bad(ctx, 1, "empty file: expected one patient document a line");
    return 0;
}

void json_split(const char *buf, size_t len, doc_fn doc, bad_fn bad, void *ctx)
{
    if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
        buf += 3, len -= 3;
    scan s = {buf, len, 0, 1};
    for (int first = 1;; first = 0) {
        skip_ws(&s);
        if (s.pos >= s.len && first)
            bad(ctx, 1, "empty file: expected a patient document, a list of them, or "
                        "{\"patients\": [...]}");
        if (s.pos >= s.len)
            return;
        if (s.buf[s.pos] == '[') {
            if (array(&s, doc, bad, ctx))
                return;
        } else if (s.buf[s.pos] == '{') {
            if (object(&s, doc, bad, ctx))
                return;
        } else {
            bad(ctx, s.line, "malformed JSON: expected a patient object, a list of them, or "
                             "{\"patients\": [...]}; the rest of the file is not read");
            return;
        }
    }
}

int read_all(const char *path, char **buf, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    *buf = NULL;
    *len = 0;
    if (!f)
        return errno ? errno : ENOENT;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    int rc = 0;
    errno = 0;
    while (b) {
        if (n == cap) {
            char *nb = cap > ((size_t)-1) / 2 ? NULL : realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (!b)
        rc = ENOMEM;
    else if (ferror(f))
        rc = errno ? errno : EIO;
    if (f != stdin)
        fclose(f);
    if (rc) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = n;
    return 0;
}

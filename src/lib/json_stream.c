/* Splits JSON and NDJSON input into patient documents as it is read, keeping
 * line numbers: memory holds one document at a time, never the whole file. */
#include "json_stream.h"

#include "osteotrack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

/* A window on the input: buf[0, len) read so far, scanning at pos. Bytes
 * from `keep` on stay while a document is scanned (NONE: nothing is kept);
 * a document that outgrows `max` is dropped and its bytes counted. */
typedef struct scan {
    FILE *f;
    char *buf;
    size_t cap, base, max, len, pos, keep, dropped;
    long line;
    int eof, err, stop;
    doc_fn doc;
    bad_fn bad;
    void *ctx;
} scan;

/* Reads more; 0 at the end of the input or on an error (s->err). */
static int fill(scan *s)
{
    if (s->eof || s->err)
        return 0;
    size_t from = s->keep == NONE ? s->pos : s->keep;
    if (from > 0) {
        memmove(s->buf, s->buf + from, s->len - from);
        s->len -= from;
        s->pos -= from;
        if (s->keep != NONE)
            s->keep = 0;
    }
    if (s->len == s->cap) { /* the document being kept fills the buffer */
        if (s->cap < s->max) {
            size_t cap = s->cap * 2 < s->max ? s->cap * 2 : s->max;
            char *nb = realloc(s->buf, cap);
            if (!nb) {
                s->err = ENOMEM;
                return 0;
            }
            s->buf = nb;
            s->cap = cap;
        } else { /* over the limit: count its bytes and let them go */
            s->dropped += s->len;
            s->len = s->pos = 0;
        }
    }
    errno = 0;
    size_t r = fread(s->buf + s->len, 1, s->cap - s->len, s->f);
    if (r == 0) {
        if (ferror(s->f))
            s->err = errno ? errno : EIO; /* a folder: "Is a directory" */
        else
            s->eof = 1;
        return 0;
    }
    s->len += r;
    return 1;
}

/* The next byte, or -1 at the end of the input. */
static int peek(scan *s)
{
    if (s->pos == s->len && !fill(s))
        return -1;
    return (unsigned char)s->buf[s->pos];
}

/* A document is done: nothing is kept, a grown buffer goes back to its size. */
static void release(scan *s)
{
    s->keep = NONE;
    s->dropped = 0;
    if (s->cap > s->base && s->len - s->pos < s->base) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
        char *nb = realloc(s->buf, s->base);
        if (nb) {
            s->buf = nb;
            s->cap = s->base;
        }
    }
}

/* Says what is wrong, unless reading failed (the caller says that) or the
 * run was stopped; -1. */
static int fail(scan *s, long line, const char *reason)
{
    if (!s->err && !s->stop)
        s->bad(s->ctx, line, reason);
    return -1;
}

static void skip_ws(scan *s)
{
    int c;
    while ((c = peek(s)) != -1) {
        if (c == '\n')
            s->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            return;
        s->pos++;
    }
}

/* Moves past the rest of a string, object or array: at its opening byte
 * (depth 0), or inside an object or array `depth` deep. 0, or -1 at the end
 * of the input. */
static int skip_value(scan *s, int depth)
{
    int in_str = 0, esc = 0, c;
    while ((c = peek(s)) != -1) {
        s->pos++;
        if (c == '\n')
            s->line++;
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"' && (in_str = 0, depth == 0))
                return 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth <= 0)
            return 0;
    }
    return -1;
}

/* Moves past any value: a string, object, array, number or literal. */
static int skip_any(scan *s)
{
    int c = peek(s);
    if (c == '"' || c == '{' || c == '[')
        return skip_value(s, 0);
    if (c == ',' || c == '}' || c == ']') /* no value at all */
        return -1;
    while (c != -1 && (c == 0 || !strchr(",}] \t\r\n", c))) {
        s->pos++;
        c = peek(s);
    }
    return c == -1 ? -1 : 0;
}

/* One patient document, from `start` (kept) to its end. */
static int document(scan *s, long line, const char *where, int depth)
{
    if ((depth ? skip_value(s, depth) : skip_any(s)) != 0)
        return fail(s, line, "malformed JSON: an object that never closes; the rest of the file "
                             "is not read");
    size_t n = s->dropped + (s->pos - s->keep);
    if (s->dropped) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s%sdocument of %zu bytes, over the limit of %u bytes",
                 where ? where : "", where ? ": " : "", n, (unsigned)OT_JSON_MAX_DOCUMENT);
        s->bad(s->ctx, line, msg);
    } else if (s->doc(s->ctx, s->buf + s->keep, n, line, where)) {
        s->stop = 1;
    }
    release(s);
    return s->stop ? -1 : 0;
}

/* A list of documents, at its '['. A top-level list (wrapper NULL) may hold
 * wrappers {"patients": [...]}; the list of a wrapper holds documents only. */
static int top_object(scan *s);
static int list(scan *s, const char *wrapper)
{
    s->pos++;
    for (size_t i = 0;; i++) {
        skip_ws(s);
        int c = peek(s);
        if (c == ']' && i == 0) {
            s->pos++;
            return 0;
        }
        /* in a wrapper's list any value is a document, which the patient
         * reader names if it is no patient; at the top level only an object */
        if (c != '{' && (!wrapper || c == -1 || c == ','))
            return fail(s, s->line, "malformed JSON: expected a patient object in the list; the "
                                    "rest of the file is not read");
        int rc;
        if (wrapper) {
            char where[48];
            snprintf(where, sizeof where, "%s[%zu]", wrapper, i);
            s->keep = s->pos;
            rc = document(s, s->line, where, 0);
        } else {
            rc = top_object(s);
        }
        if (rc)
            return -1;
        skip_ws(s);
        c = peek(s);
        if (c == ',') {
            s->pos++;
            continue;
        }
        if (c == ']') {
            s->pos++;
            return 0;
        }
        return fail(s, s->line, "malformed JSON: expected ',' or ']' after a patient; the rest of "
                                "the file is not read");
    }
}

/* A member's key, at its '"', and the ':' after it: the key's first bytes
 * are copied into k (the buffer may drop them), its length in *len. 0, or
 * -1 when that is not what follows. */
static int member_key(scan *s, char k[16], size_t *len)
{
    int c, esc = 0;
    *len = 0;
    while ((c = peek(s)) != -1) {
        s->pos++;
        if (c == '\n')
            s->line++;
        if (*len < 16)
            k[*len] = (char)c;
        ++*len;
        if (esc)
            esc = 0;
        else if (c == '\\')
            esc = 1;
        else if (c == '"' && *len > 1)
            break;
    }
    skip_ws(s);
    if (c == -1 || peek(s) != ':')
        return -1;
    s->pos++;
    skip_ws(s);
    return 0;
}

/* The members after a wrapper's list, up to its '}'. */
static int wrapper_end(scan *s)
{
    for (;;) {
        skip_ws(s);
        int c = peek(s);
        if (c == '}') {
            s->pos++;
            return 0;
        }
        char k[16];
        size_t len;
        if (c == ',') {
            s->pos++;
            skip_ws(s);
            long line = s->line;
            if (peek(s) == '"' && member_key(s, k, &len) == 0 && skip_any(s) == 0) {
                /* a second list of patients would be lost unread: named */
                if (len == sizeof "\"patients\"" - 1 && !memcmp(k, "\"patients\"", len) &&
                    !s->err && !s->stop)
                    s->bad(s->ctx, line, "a second \"patients\" member in {\"patients\": "
                                         "[...]}: its documents are not read (one list a "
                                         "wrapper)");
                continue;
            }
        }
        return fail(s, s->line, "malformed JSON: expected ',' or '}' in {\"patients\": [...]}; "
                                "the rest of the file is not read");
    }
}

/* An object at the top level, at its '{': {"patients": [...]} (a member
 * "patients" holding a list, with no "patient_id" before it), whose list is
 * read a document at a time, or else one patient document. */
static int top_object(scan *s)
{
    long line = s->line;
    s->keep = s->pos;
    s->pos++;
    for (;;) {
        skip_ws(s);
        if (peek(s) != '"')
            break;
        char k[16];
        size_t keylen;
        if (member_key(s, k, &keylen) != 0)
            break;
        if (keylen == sizeof "\"patient_id\"" - 1 && !memcmp(k, "\"patient_id\"", keylen))
            break;
        if (keylen == sizeof "\"patients\"" - 1 && !memcmp(k, "\"patients\"", keylen) &&
            peek(s) == '[') {
            release(s);
            return list(s, "patients") || wrapper_end(s) ? -1 : 0;
        }
        if (skip_any(s) != 0)
            break;
        skip_ws(s);
        if (peek(s) != ',')
            break;
        s->pos++;
    }
    if (s->dropped) /* too big to look at again: skip the rest of it */
        return document(s, line, NULL, 1);
    s->pos = s->keep; /* a patient document: read it again, whole */
    s->line = line;
    return document(s, line, NULL, 0);
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

int ot_ndjson_stream(FILE *f, size_t bufsize, doc_fn doc, bad_fn bad, void *ctx)
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

int ot_json_stream(FILE *f, size_t bufsize, doc_fn doc, bad_fn bad, void *ctx)
{
    scan s = {.f = f, .base = bufsize < 4 ? 4 : bufsize, .keep = 0, .line = 1,
              .doc = doc, .bad = bad, .ctx = ctx};
    s.max = (size_t)OT_JSON_MAX_DOCUMENT;
    s.cap = s.base;
    if (!(s.buf = malloc(s.cap)))
        return ENOMEM;
    while (s.len < 3 && fill(&s)) /* a byte order mark starts the file, if any */
        ;
    if (s.len >= 3 && !memcmp(s.buf, "\xef\xbb\xbf", 3))
        s.pos = 3;
    s.keep = NONE;
    for (int first = 1; !s.err; first = 0) {
        skip_ws(&s);
        int c = peek(&s);
        if (c == -1) {
            if (first && !s.err)
                bad(ctx, 1, "empty file: expected a patient document, a list of them, or "
                            "{\"patients\": [...]}");
            break;
        }
        if (c == '[' ? list(&s, NULL) : c == '{' ? top_object(&s)
                                                : fail(&s, s.line, "malformed JSON: expected a "
                                                                   "patient object, a list of "
                                                                   "them, or {\"patients\": "
                                                                   "[...]}; the rest of the file "
                                                                   "is not read"))
            break;
    }
    free(s.buf);
    return s.err;
}

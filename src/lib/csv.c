/* Streaming RFC 4180 CSV tokenizer (see csv.h for the contract). */
#include "csv.h"

#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* a longest record and its CRLF, and room for the 3 bytes of one more
 * character transcoded (latin1, cp1252) */
#define MAX_CAP (OT_CSV_MAX_RECORD + 4u)
#define MIN_CAP 4u
#define RAW_SIZE (16u * 1024u) /* latin1, cp1252: bytes read before transcoding */
/* cp1252: its five undefined bytes become these, never in UTF-8 (F8-FC) */
#define UNDEF_MARK 0xF8u

enum { S_FIELD, S_UNQ, S_Q, S_QQ, S_QCR };

struct ot_csv {
    FILE *f;
    char *name;
    char *buf;               /* cap + 1 bytes: room for a NUL after the data */
    size_t cap, pos, end;    /* unread data is buf[pos, end) */
    long line;               /* physical line at pos */
    int started, eof, ioerr;
    int cr_mode;             /* -1 unknown, 0 LF or CRLF, 1 CR-only line ends */
    size_t nf, fcap;         /* fields of the record being read */
    size_t *off, *len;       /* offsets from the record start, lengths */
    const char **ptr;
    char delim;              /* ',', ';' or '\t'; 0 until detected */
    int detected;            /* the delimiter was taken from the header line */
    int enc;                 /* OT_ENCODING_* */
    unsigned char *raw;      /* latin1, cp1252: bytes read, not yet transcoded */
    size_t rawpos, rawend;
    unsigned char special[256], qspecial[256]; /* bytes that end a run (below) */
};

/* Why a record is malformed. */
enum { R_NONE, R_STRAY_QUOTE, R_AFTER_QUOTE, R_NUL, R_FIELD_LONG, R_RECORD_LONG,
       R_UNTERMINATED, R_NOMEM, R_UNDEF };

/* The state of the record being read; offsets survive buffer compaction. */
typedef struct rec {
    size_t rs, p;            /* record start, scan position (in buf) */
    int state;
    size_t fstart;           /* field start (from rs); the opening quote if quoted */
    size_t qend;             /* the last quote seen in a quoted field (from rs) */
    int escapes;             /* the quoted field holds "" */
    long nl, qline;          /* line ends seen; line of the opening quote */
    size_t reclen;           /* bytes without the line end (set at the end) */
    size_t dropped;          /* bytes dropped from an over-long record */
    int discard, quoted;
    int unterminated;        /* the input ended inside a quoted field */
    int reason;              /* first error, R_NONE if none */
    size_t efield;           /* its field number (1-based), 0 for the record */
    unsigned char ebyte;     /* R_UNDEF: the cp1252 byte */
} rec;

/* The cp1252 bytes 0x80-0x9F as Unicode; 0 for the five undefined ones. */
static const unsigned short cp1252_c1[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};
static const unsigned char cp1252_undef[5] = {0x81, 0x8D, 0x8F, 0x90, 0x9D};

/* The bytes that end a run of an unquoted field (the delimiter, LF, quote,
 * NUL), of a quoted one (LF, quote, NUL); with cp1252 the marks of its
 * undefined bytes too. */
static void set_delimiter(ot_csv *c, char d)
{
    memset(c->special, 0, sizeof c->special);
    memset(c->qspecial, 0, sizeof c->qspecial);
    c->delim = d;
    c->special[(unsigned char)d] = 1;
    c->special['\n'] = c->special['"'] = c->special[0] = 1;
    c->qspecial['\n'] = c->qspecial['"'] = c->qspecial[0] = 1;
    for (unsigned i = 0; c->enc == OT_ENCODING_CP1252 && i < 5; i++)
        c->special[UNDEF_MARK + i] = c->qspecial[UNDEF_MARK + i] = 1;
}

int ot_csv_open_sized(ot_csv **out, FILE *f, const char *name, size_t bufsize,
                      ot_error *err)
{
    return ot_csv_open_dialect(out, f, name, NULL, bufsize, err);
}

int ot_csv_open_dialect(ot_csv **out, FILE *f, const char *name, const ot_csv_dialect *d,
                        size_t bufsize, ot_error *err)
{
    if (!out || !f || !name)
        return ot_err_set(err, OT_EINVAL, "ot_csv_open: NULL argument");
    *out = NULL;
    char delim = d ? d->delimiter : ',';
    int enc = d ? d->encoding : OT_ENCODING_UTF8;
    if ((delim && delim != ',' && delim != ';' && delim != '\t') ||
        (enc != OT_ENCODING_UTF8 && enc != OT_ENCODING_LATIN1 && enc != OT_ENCODING_CP1252))
        return ot_err_set(err, OT_EINVAL, "ot_csv_open: unknown delimiter or encoding");
    ot_csv *c = calloc(1, sizeof *c);
    if (!c)
        return ot_err_set(err, OT_ENOMEM, "%s: out of memory", name);
    c->cap = bufsize < MIN_CAP ? MIN_CAP : bufsize > MAX_CAP ? MAX_CAP : bufsize;
    c->fcap = 16;
    c->f = f;
    c->line = 1;
    c->cr_mode = -1;
    c->name = malloc(strlen(name) + 1);
    c->buf = malloc(c->cap + 1);
    c->off = malloc(c->fcap * sizeof *c->off);
    c->len = malloc(c->fcap * sizeof *c->len);
    c->ptr = malloc(c->fcap * sizeof *c->ptr);
    c->enc = enc;
    set_delimiter(c, delim ? delim : ',');
    c->delim = delim; /* 0: detected from the header line at the first read */
    if (enc != OT_ENCODING_UTF8)
        c->raw = malloc(RAW_SIZE);
    if (!c->name || !c->buf || !c->off || !c->len || !c->ptr ||
        (enc != OT_ENCODING_UTF8 && !c->raw)) {
        ot_csv_close(c);
        return ot_err_set(err, OT_ENOMEM, "%s: out of memory", name);
    }
    memcpy(c->name, name, strlen(name) + 1);
    *out = c;
    return OT_OK;
}

int ot_csv_open(ot_csv **out, FILE *f, const char *name, ot_error *err)
{
    return ot_csv_open_sized(out, f, name, OT_CSV_BUFSIZE, err);
}

void ot_csv_close(ot_csv *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->buf);
    free(c->off);
    free(c->len);
    free(c->ptr);
    free(c->raw);
    free(c);
}

const char *ot_csv_name(const ot_csv *c) { return c ? c->name : NULL; }

char ot_csv_delimiter(const ot_csv *c) { return c ? c->delim : 0; }

int ot_csv_delimiter_detected(const ot_csv *c) { return c ? c->detected : 0; }

/* Records the first error of a record; the record is then only scanned. */
static void fail(ot_csv *c, rec *r, int reason, int field)
{
    if (r->reason)
        return;
    r->reason = reason;
    r->efield = field ? c->nf + 1 : 0;
}

static int grow_fields(ot_csv *c)
{
    size_t n = c->fcap * 2;
    size_t *o = realloc(c->off, n * sizeof *o);
    if (o)
        c->off = o;
    size_t *l = realloc(c->len, n * sizeof *l);
    if (l)
        c->len = l;
    const char **p = realloc(c->ptr, n * sizeof *p);
    if (p)
        c->ptr = p;
    if (!o || !l || !p)
        return OT_ENOMEM;
    c->fcap = n;
    return OT_OK;
}

/* Adds the field at buf[rs + off] of `len` bytes and NUL-terminates it. */
static void push_field(ot_csv *c, rec *r, size_t off, size_t len)
{
    if (len > OT_CSV_MAX_FIELD) {
        fail(c, r, R_FIELD_LONG, 1);
        return;
    }
    if (c->nf == c->fcap && grow_fields(c) != OT_OK) {
        fail(c, r, R_NOMEM, 0);
        return;
    }
    c->buf[r->rs + off + len] = '\0';
    c->off[c->nf] = off;
    c->len[c->nf++] = len;
}

/* Ends an unquoted field at r->p; at a line end a CR before it is dropped. */
static void end_unquoted(ot_csv *c, rec *r, int at_line_end)
{
    if (r->reason)
        return;
    size_t len = r->p - r->rs - r->fstart;
    if (at_line_end && len > 0 && c->buf[r->p - 1] == '\r')
        len--;
    push_field(c, r, r->fstart, len);
}

/* Ends a quoted field: its bytes lie between the quotes, "" unescaped here. */
static void end_quoted(ot_csv *c, rec *r)
{
    if (r->reason)
        return;
    size_t off = r->fstart + 1, len = r->qend - off;
    if (r->escapes) {
        char *b = c->buf + r->rs + off;
        size_t w = 0;
        for (size_t i = 0; i < len; i++, w++) {
            b[w] = b[i];
            i += b[i] == '"'; /* the first of "" stands for one quote */
        }
        len = w;
    }
    push_field(c, r, off, len);
}

static void start_field(ot_csv *c, rec *r)
{
    r->fstart = r->p - r->rs;
    r->quoted = c->buf[r->p] == '"';
    r->escapes = 0;
    if (r->quoted) {
        r->state = S_Q;
        r->qline = c->line + r->nl;
        r->p++;
    } else {
        r->state = S_UNQ;
    }
}

/* A NUL byte, or the mark of a cp1252 byte that is no character. */
static void fail_byte(ot_csv *c, rec *r, unsigned char ch)
{
    if (!r->reason && ch)
        r->ebyte = cp1252_undef[ch - UNDEF_MARK];
    fail(c, r, ch ? R_UNDEF : R_NUL, 1);
}

/* Runs an unquoted field; 1 when the record ended. */
static int run_unquoted(ot_csv *c, rec *r)
{
    const char *b = c->buf;
    const unsigned char *special = c->special;
    size_t p = r->p, end = c->end;
    while (p < end && !special[(unsigned char)b[p]])
        p++;
    r->p = p;
    if (p == end)
        return 0;
    if (b[p] == c->delim) {
        end_unquoted(c, r, 0);
        r->state = S_FIELD;
        r->p++;
        return 0;
    }
    switch (b[p]) {
    case '\n':
        end_unquoted(c, r, 1);
        r->reclen = p - r->rs + r->dropped;
        r->nl++;
        r->p++;
        return 1;
    case '"': fail(c, r, R_STRAY_QUOTE, 1); break;
    default: fail_byte(c, r, (unsigned char)b[p]); break;
    }
    r->p++;
    return 0;
}

/* Runs a quoted field up to its next quote, leaving the bytes in place. */
static void run_quoted(ot_csv *c, rec *r)
{
    const char *b = c->buf;
    const unsigned char *qspecial = c->qspecial;
    size_t p = r->p, end = c->end;
    for (;;) {
        while (p < end && !qspecial[(unsigned char)b[p]])
            p++;
        if (p == end || b[p] == '"')
            break;
        if (b[p] == '\n')
            r->nl++;
        else
            fail_byte(c, r, (unsigned char)b[p]);
        p++;
    }
    r->p = p;
    if (p < end) {
        r->qend = p - r->rs;
        r->state = S_QQ;
        r->p++;
    }
}

/* After a quote inside a quoted field: "" escape, or the field's end. */
static int after_quote(ot_csv *c, rec *r)
{
    char ch = c->buf[r->p];
    if (r->state == S_QQ && ch == '"') {
        r->escapes = 1;
        r->state = S_Q;
    } else if (r->state == S_QQ && ch == c->delim) {
        end_quoted(c, r);
        r->state = S_FIELD;
    } else if (ch == '\n') {
        end_quoted(c, r);
        r->reclen = r->p - r->rs + r->dropped - (r->state == S_QCR);
        r->nl++;
        r->p++;
        return 1;
    } else if (r->state == S_QQ && ch == '\r') {
        r->state = S_QCR;
    } else {
        fail(c, r, R_AFTER_QUOTE, 1);
        r->state = S_UNQ;
        return 0; /* read it again as part of an unquoted field */
    }
    r->p++;
    return 0;
}

/* Scans what is buffered; 1 when the record ended, 0 when data ran out. */
static int scan(ot_csv *c, rec *r)
{
    while (r->p < c->end) {
        switch (r->state) {
        case S_FIELD: start_field(c, r); break;
        case S_UNQ:
            if (run_unquoted(c, r))
                return 1;
            break;
        case S_Q: run_quoted(c, r); break;
        default:
            if (after_quote(c, r))
                return 1;
            break;
        }
    }
    return 0;
}

/* Classic Mac exports end lines with CR alone: when the first data read holds
 * a CR and no LF, every CR is read as LF (a CR inside quotes is a line
 * break there too). LF and CRLF files are read as they are. */
static void cr_lines(ot_csv *c, size_t from, size_t n)
{
    char *b = c->buf + from;
    if (c->cr_mode < 0 && n > 0) { /* decided by the first line end seen */
        const char *cr = memchr(b, '\r', n);
        if (memchr(b, '\n', n))
            c->cr_mode = 0;
        else if (cr && cr < b + n - 1) /* a CR last may be half of a CRLF */
            c->cr_mode = 1;
    }
    if (c->cr_mode == 1)
        for (char *p = b; (p = memchr(p, '\r', (size_t)(b + n - p))) != NULL; p++)
            *p = '\n';
}

/* latin1, cp1252: the bytes read into UTF-8, as many as fit (3 bytes at
 * most each); the undefined cp1252 bytes into their marks. */
static size_t transcode(ot_csv *c)
{
    unsigned char *o = (unsigned char *)c->buf + c->end;
    const unsigned char *oend = (unsigned char *)c->buf + c->cap;
    size_t i = c->rawpos;
    for (; i < c->rawend && oend - o >= 3; i++) {
        unsigned ch = c->raw[i];
        if (ch < 0x80) {
            *o++ = (unsigned char)ch;
            continue;
        }
        if (c->enc == OT_ENCODING_CP1252 && ch < 0xA0) {
            unsigned u = cp1252_c1[ch - 0x80];
            if (!u) {
                unsigned k = 0;
                while (cp1252_undef[k] != ch)
                    k++;
                *o++ = (unsigned char)(UNDEF_MARK + k);
                continue;
            }
            ch = u;
        }
        if (ch < 0x800) {
            *o++ = (unsigned char)(0xC0 | ch >> 6);
        } else {
            *o++ = (unsigned char)(0xE0 | ch >> 12);
            *o++ = (unsigned char)(0x80 | (ch >> 6 & 0x3F));
        }
        *o++ = (unsigned char)(0x80 | (ch & 0x3F));
    }
    c->rawpos = i;
    return (size_t)(o - ((unsigned char *)c->buf + c->end));
}

static void fill(ot_csv *c)
{
    size_t n;
    if (c->raw) {
        if (c->rawpos == c->rawend) {
            c->rawpos = 0;
            c->rawend = fread(c->raw, 1, RAW_SIZE, c->f);
        }
        n = transcode(c);
    } else {
        n = fread(c->buf + c->end, 1, c->cap - c->end, c->f);
    }
    cr_lines(c, c->end, n);
    c->end += n;
    if (n == 0) {
        if (ferror(c->f))
            c->ioerr = errno ? errno : EIO;
        else
            c->eof = 1;
    }
}

/* Keeps the record being read, makes room, reads more. OT_ENOMEM or OT_OK. */
static int refill(ot_csv *c, rec *r)
{
    if (!r->discard && r->p - r->rs > OT_CSV_MAX_RECORD) {
        fail(c, r, R_RECORD_LONG, 0);
        r->discard = 1;
    }
    if (r->discard) {
        r->dropped += r->p - r->rs;
        r->rs = r->p;
    }
    if (r->rs > 0) {
        memmove(c->buf, c->buf + r->rs, c->end - r->rs);
        c->end -= r->rs;
        r->p -= r->rs;
        r->rs = 0;
    }
    if (c->cap - c->end < (c->raw ? 3u : 1u) && c->cap < MAX_CAP) {
        size_t n = c->cap * 2 > MAX_CAP ? MAX_CAP : c->cap * 2;
        char *nb = realloc(c->buf, n + 1);
        if (!nb)
            return OT_ENOMEM;
        c->buf = nb;
        c->cap = n;
    }
    fill(c);
    return OT_OK;
}

/* The end of the input inside a record: ends its last field. */
static void end_at_eof(ot_csv *c, rec *r)
{
    r->reclen = r->p - r->rs + r->dropped;
    switch (r->state) {
    case S_FIELD:
        if (!r->reason)
            push_field(c, r, r->p - r->rs, 0); /* after a final comma */
        break;
    case S_UNQ: end_unquoted(c, r, 1); break;
    case S_QQ:
    case S_QCR: end_quoted(c, r); break;
    default:
        r->unterminated = 1;
        fail(c, r, R_UNTERMINATED, 1);
        break;
    }
}

/*
 * Where reading goes on after an unterminated quote: the line after the one
 * where the quote opened, if that is still buffered. 1 if so.
 */
static int resync_after_quote(ot_csv *c, rec *r)
{
    if (r->discard)
        return 0;
    const char *q = c->buf + r->rs + r->fstart;
    const char *nl = memchr(q, '\n', (size_t)(c->buf + c->end - q));
    if (!nl)
        return 0;
    c->pos = (size_t)(nl - c->buf) + 1;
    c->line = r->qline + 1;
    return 1;
}

static int report(ot_csv *c, rec *r, long line, ot_error *err)
{
    char field[32] = "";
    if (r->efield)
        snprintf(field, sizeof field, "field %zu: ", r->efield);
    const char *name = c->name;
    switch (r->reason) {
    case R_STRAY_QUOTE:
        return ot_err_set(err, OT_EPARSE, "%s:%ld: %sa quote inside an unquoted field "
                          "(quote the whole field and double the quote)", name, line, field);
    case R_AFTER_QUOTE:
        return ot_err_set(err, OT_EPARSE, "%s:%ld: %stext after the closing quote", name,
                          line, field);
    case R_NUL:
        return ot_err_set(err, OT_EPARSE, "%s:%ld: %sa NUL byte (not a text file?)", name,
                          line, field);
    case R_FIELD_LONG:
        return ot_err_set(err, OT_EPARSE, "%s:%ld: %slonger than the limit of %u bytes",
                          name, line, field, (unsigned)OT_CSV_MAX_FIELD);
    case R_RECORD_LONG:
        return ot_err_set(err, OT_EPARSE, "%s:%ld: record longer than the limit of %u bytes%s",
                          name, line, (unsigned)OT_CSV_MAX_RECORD,
                          r->unterminated ? " (a quote that is never closed?): the rest of "
                                            "the file cannot be read" : "");
    case R_NOMEM:
        return ot_err_set(err, OT_ENOMEM, "%s:%ld: out of memory", name, line);
    case R_UNDEF:
        return ot_err_set(err, OT_EPARSE, "%s:%ld: %sbyte 0x%02X is not a character in "
                          "Windows-1252 (cp1252): is the file in another encoding?", name, line,
                          field, r->ebyte);
    default:
        break;
    }
    if (resync_after_quote(c, r))
        return ot_err_set(err, OT_EPARSE, "%s:%ld: %sthe quote opened on line %ld is never "
                          "closed; reading resumes at line %ld",
                          name, line, field, r->qline, r->qline + 1);
    return ot_err_set(err, OT_EPARSE, "%s:%ld: %sthe quote opened on line %ld is never "
                      "closed; the rest of the file cannot be read", name, line, field, r->qline);
}

/* Hands out the record: 1, 2 for an empty line to skip, or an error. */
static int finish(ot_csv *c, rec *r, ot_csv_row *row, ot_error *err)
{
    long line = c->line;
    c->pos = r->p;
    c->line += r->nl;
    if (r->reclen > OT_CSV_MAX_RECORD)
        fail(c, r, R_RECORD_LONG, 0);
    row->line = line;
    if (r->reason)
        return report(c, r, line, err);
    if (c->nf == 1 && c->len[0] == 0 && !r->quoted)
        return 2;
    for (size_t i = 0; i < c->nf; i++)
        c->ptr[i] = c->buf + r->rs + c->off[i];
    row->nfields = c->nf;
    row->fields = c->ptr;
    row->lengths = c->len;
    return 1;
}

static int read_error(ot_csv *c, ot_error *err)
{
    return ot_err_set(err, OT_EIO, "%s:%ld: read error: %s", c->name, c->line,
                      strerror(c->ioerr));
}

/* Reads on until the first line is buffered whole (up to 64 KiB), for
 * detect_delimiter: the same answer whatever the buffer's size. */
static int see_first_line(ot_csv *c)
{
    while (!c->eof && !c->ioerr && c->end - c->pos < 65536 &&
           !memchr(c->buf + c->pos, '\n', c->end - c->pos)) {
        if (c->cap - c->end < 3) {
            char *nb = realloc(c->buf, c->cap * 2 + 1);
            if (!nb)
                return OT_ENOMEM;
            c->buf = nb;
            c->cap *= 2;
        }
        fill(c);
    }
    c->eof = 0; /* the end is seen again by the reading itself */
    return OT_OK;
}

/* The delimiter not given: ',' when the first line holds one outside
 * quotes (or holds none of the three), else the one of ';' and tab found
 * there most often (';' on a tie). A comma file is read as it always was. */
static void detect_delimiter(ot_csv *c)
{
    size_t n[3] = {0, 0, 0};
    int quoted = 0;
    for (size_t i = c->pos; i < c->end && (quoted || c->buf[i] != '\n'); i++) {
        char ch = c->buf[i];
        quoted ^= ch == '"';
        if (!quoted)
            n[0] += ch == ',', n[1] += ch == ';', n[2] += ch == '\t';
    }
    char d = n[0] || (!n[1] && !n[2]) ? ',' : n[1] >= n[2] ? ';' : '\t';
    set_delimiter(c, d);
    c->detected = 1;
}

int ot_csv_next(ot_csv *c, ot_csv_row *row, ot_error *err)
{
    if (!c || !row)
        return ot_err_set(err, OT_EINVAL, "ot_csv_next: NULL argument");
    row->nfields = 0;
    row->fields = NULL;
    row->lengths = NULL;
    row->line = c->line;
    if (!c->started) {
        c->started = 1;
        fill(c);
        if (!c->raw && c->end >= 3 && memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0)
            c->pos = 3;
        if (!c->delim && see_first_line(c) != OT_OK)
            return ot_err_set(err, OT_ENOMEM, "%s:1: out of memory", c->name);
        if (!c->delim)
            detect_delimiter(c);
    }
    for (;;) {
        if (c->ioerr)
            return read_error(c, err);
        rec r;
        memset(&r, 0, sizeof r);
        r.rs = r.p = c->pos;
        c->nf = 0;
        int ended;
        while (!(ended = scan(c, &r)) && !c->eof && !c->ioerr)
            if (refill(c, &r) != OT_OK)
                return ot_err_set(err, OT_ENOMEM, "%s:%ld: out of memory", c->name, c->line);
        if (c->ioerr)
            return read_error(c, err);
        if (!ended) {
            if (r.p == r.rs && r.state == S_FIELD && c->nf == 0 && !r.dropped) {
                c->pos = r.p;
                return 0;
            }
            end_at_eof(c, &r);
        }
        int rc = finish(c, &r, row, err);
        if (rc != 2)
            return rc;
    }
}

static int header_is(const char *s, size_t len, const char *name)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (strlen(name) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        int a = (unsigned char)s[i], b = (unsigned char)name[i];
        if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != (b >= 'A' && b <= 'Z' ? b + 32 : b))
            return 0;
    }
    return 1;
}

int ot_csv_header_map(int *idx, const ot_csv *c, const ot_csv_row *header,
                      const char *const *names, size_t nnames, ot_error *err)
{
    if (!idx || !c || !header || (!names && nnames))
        return ot_err_set(err, OT_EINVAL, "ot_csv_header_map: NULL argument");
    for (size_t i = 0; i < nnames; i++) {
        idx[i] = -1;
        for (size_t col = 0; col < header->nfields; col++) {
            if (!header_is(header->fields[col], header->lengths[col], names[i]))
                continue;
            if (idx[i] >= 0)
                return ot_err_set(err, OT_EPARSE,
                                  "%s:%ld: column '%s' appears twice (columns %d and %zu)",
                                  c->name, header->line, names[i], idx[i] + 1, col + 1);
            idx[i] = (int)col;
        }
    }
    return OT_OK;
}

int ot_csv_header_is_mapped(const int *idx, size_t nnames, size_t col)
{
    for (size_t i = 0; i < nnames; i++)
        if (idx[i] >= 0 && (size_t)idx[i] == col)
            return 1;
    return 0;
}

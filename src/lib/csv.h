/*
 * Private to libosteotrack: a streaming RFC 4180 CSV tokenizer.
 *
 * - Quoted fields, "" escapes, commas and newlines inside quotes, LF or CRLF
 *   line ends, a UTF-8 byte order mark at the start of the file skipped, a
 *   last record without a line end.
 * - Reads from a FILE* through its own buffer (OT_CSV_BUFSIZE, growing up to
 *   the record limit for a long record), splits fields in place: an unquoted
 *   field is handed out where it lies, a quoted one is unescaped in place.
 *   Every field is NUL-terminated; its length is given too.
 * - An empty line (nothing, or a lone CR, between line ends) is no record and
 *   is skipped. `""` alone on a line is a record of one empty field.
 * - A CR that is not part of a CRLF line end is data.
 * - Dialects (ot_csv_open_dialect): the delimiter is ',', ';' or tab, or
 *   detected from the first line (',' when it holds one outside quotes, or
 *   none of the three; else the more frequent of ';' and tab there); the input is UTF-8 (a byte order
 *   mark skipped), ISO-8859-1 or Windows-1252, the latter two converted to
 *   UTF-8 as they are read (so fields are UTF-8 whatever the input). A
 *   cp1252 byte that is no character (0x81, 0x8D, 0x8F, 0x90, 0x9D) makes
 *   its record malformed, named.
 *
 * Errors and resynchronisation. ot_csv_next() returns a negative status for
 * a malformed record, with "NAME:LINE: field N: reason" in err, LINE being
 * the physical line where the record starts (also in row->line). The record
 * is skipped and the next call continues with the record after it:
 * - a quote inside an unquoted field, a character after a closing quote, a
 *   NUL byte, a field over OT_CSV_MAX_FIELD: the record ends where it would
 *   have ended (a stray quote does not open a quoted field), so reading goes
 *   on at the next record;
 * - a record over OT_CSV_MAX_RECORD: its bytes are dropped as they are read
 *   and reading goes on after its end;
 * - an unterminated quoted field (no closing quote before the end of the
 *   file): reading goes on at the line after the one where the quote opened,
 *   PROVIDED the rest of the file was under OT_CSV_MAX_RECORD; else the rest
 *   of the file is lost and the next call returns 0. This is the one case
 *   where rows can be lost: the message says which.
 * A read error (OT_EIO) is final: every later call returns it again.
 */
#ifndef OT_CSV_H
#define OT_CSV_H

#include "osteotrack.h"

#include <stdio.h>

#define OT_CSV_BUFSIZE (128u * 1024u)     /* initial buffer (at least 64 KiB) */
#define OT_CSV_MAX_FIELD (64u * 1024u)    /* longest field, in bytes after unescaping */
#define OT_CSV_MAX_RECORD (1024u * 1024u) /* longest record, without its line end */

typedef struct ot_csv ot_csv;

typedef struct ot_csv_row {
    size_t nfields;
    const char *const *fields; /* NUL-terminated; borrowed until the next call */
    const size_t *lengths;     /* bytes, without the NUL */
    long line;                 /* physical line where the record starts (1-based) */
} ot_csv_row;

/*
 * Opens a reader on `f` (borrowed: the caller closes it after ot_csv_close).
 * `name` labels messages and is copied. *out is freed with ot_csv_close().
 */
int ot_csv_open(ot_csv **out, FILE *f, const char *name, ot_error *err);
/* The same with an initial buffer of `bufsize` bytes (tests use tiny ones). */
int ot_csv_open_sized(ot_csv **out, FILE *f, const char *name, size_t bufsize,
                      ot_error *err);

typedef struct ot_csv_dialect {
    char delimiter;            /* ',', ';', '\t', or 0: detected from the first line */
    int encoding;              /* OT_ENCODING_UTF8, _LATIN1, _CP1252 */
} ot_csv_dialect;

/* The same with a dialect (NULL: comma-separated UTF-8). OT_EINVAL for a
 * delimiter or encoding not listed above. */
int ot_csv_open_dialect(ot_csv **out, FILE *f, const char *name, const ot_csv_dialect *d,
                        size_t bufsize, ot_error *err);

/* The delimiter (0 before the first ot_csv_next when it is detected), and
 * whether it was detected rather than given. */
char ot_csv_delimiter(const ot_csv *c);
int ot_csv_delimiter_detected(const ot_csv *c);

/*
 * Reads the next record into *row: 1 for a record, 0 at the end of the
 * input, or a negative status (OT_EPARSE malformed, OT_EIO read error,
 * OT_ENOMEM) with row->nfields 0 and row->line set. See above for what
 * follows an error.
 */
int ot_csv_next(ot_csv *c, ot_csv_row *row, ot_error *err);

/* The name given to ot_csv_open (borrowed). */
const char *ot_csv_name(const ot_csv *c);

void ot_csv_close(ot_csv *c);

/*
 * Maps column names to indexes in a header row: idx[i] is the column headed
 * names[i] (ASCII case-insensitive, blanks around the header ignored), or -1
 * when there is none. OT_EPARSE, naming the column, when a name heads two
 * columns. ot_csv_header_is_mapped() tells whether column `col` is one of
 * them, for warning about columns that are not used.
 */
int ot_csv_header_map(int *idx, const ot_csv *c, const ot_csv_row *header,
                      const char *const *names, size_t nnames, ot_error *err);
int ot_csv_header_is_mapped(const int *idx, size_t nnames, size_t col);

#endif

#ifndef OT_CLI_INPUT_JSON_H
#define OT_CLI_INPUT_JSON_H

#include <stddef.h>
#include <stdio.h>

/* One patient document (JSON text, not NUL-terminated) starting on `line`;
 * `where` names its place when the line alone does not ("patients[3]").
 * Nonzero stops the reading (the caller cannot go on: a closed pipe). */
typedef int (*doc_fn)(void *ctx, const char *doc, size_t len, long line, const char *where);
/* Input that cannot be split into documents, from `line` on. */
typedef void (*bad_fn)(void *ctx, long line, const char *reason);

/* Reads a .json text from `f` as it comes (one document, a list of them,
 * {"patients": [...]}, or several of those in a row), holding one document
 * at a time in a buffer that starts at `bufsize` bytes and grows to the
 * document limit; a longer document is counted and rejected through `bad`.
 * 0, or errno (ENOMEM, EIO). */
int ot_json_stream(FILE *f, size_t bufsize, doc_fn doc, bad_fn bad, void *ctx);

/* Reads NDJSON (one document a line) from `f` as it comes, holding one line
 * at a time in a buffer that starts at `bufsize` bytes and grows to the
 * document limit; a longer line is counted and rejected through `bad`.
 * 0, or errno (ENOMEM, EIO). */
int ot_ndjson_stream(FILE *f, size_t bufsize, doc_fn doc, bad_fn bad, void *ctx);

#endif

#ifndef OT_CLI_OUTPUT_H
#define OT_CLI_OUTPUT_H

#include "cli.h"

typedef struct out_t {
    FILE *f;
    const char *cmd;
    char *final, *tmp;   /* the file renamed into place, NULL for stdout and devices */
    const char *name;    /* what messages call the output; NULL for stdout */
    int failed;          /* errno of the first failed write */
} out_t;

/* path NULL or "-": stdout. Returns an exit status. Until out_close(),
 * SIGINT, SIGTERM and SIGHUP (unless ignored when the command started, as
 * under nohup) remove the temporary file, print a closing line that says the
 * run was interrupted, and end the command by the signal (exit 128 + N). */
int out_open(out_t *o, const char *cmd, const char *path);
/* Remembers the first failure; later writes are skipped. */
int out_write(out_t *o, const char *s, size_t n);
/* Flushes, and renames the file into place when ok and nothing failed;
 * otherwise removes it. Returns EXIT_OK or EXIT_IOERR (message printed). */
int out_close(out_t *o, int ok);
/* Blocks (block 1) or unblocks (0) those signals in the calling thread:
 * threads made while they are blocked never run the handler. */
void out_block_signals(int block);

#endif

/* The progress line of batch, on stderr when it is a terminal. */
#ifndef OT_CLI_PROGRESS_H
#define OT_CLI_PROGRESS_H

#include <stddef.h>

/* What the run is doing: reading its inputs, grouping the rows read by
 * patient (auto and memory grouping), making the reports. */
enum { PROGRESS_READING, PROGRESS_GROUPING, PROGRESS_REPORTING };

/* Starts the line when stderr is a terminal (else every call is a no-op):
 * `cmd` names it; `total` is the bytes of all the inputs, or -1 when one is
 * not a regular file (a pipe): then counts only. A thread redraws the line
 * every 200 ms; the calls below redraw it when the phase or the input
 * changes. Call with SIGINT, SIGTERM and SIGHUP blocked (the thread must not
 * take them). Returns 0, or -1 when no thread could be made (no line). */
int progress_start(const char *cmd, long long total);
/* The input being read (its file descriptor, whose offset tells how far it
 * is; -1 between inputs) and the bytes of the inputs before it. */
void progress_input(int fd, long long before);
/* The latest counts (the reader's are read on the main thread only). */
void progress_counts(size_t rows, size_t reported);
void progress_phase(int phase);
/* Clears the line and ends the thread. */
void progress_stop(void);
/* Around every other write to stderr (cli_msg, cli_error): the line is
 * cleared first, and drawn again at the next tick. */
void progress_hold(void);
void progress_release(void);

#endif

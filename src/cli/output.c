/* realpath() is XSI */
#define _XOPEN_SOURCE 700
/* Output for the batch command: stdout, or a file written to a temporary
 * name, flushed to the disk and renamed on success so a failed or
 * interrupted run never leaves a truncated file that looks complete. */
#include "output.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The file a path names, following links even when the last one dangles (a
 * link to a file not yet written): malloc'd, or NULL when out of memory. */
static char *target_of(const char *path)
{
    char *real = realpath(path, NULL);
    if (real)
        return real;
    char *cur = strdup(path);
    for (int hops = 0; cur && hops < 40; hops++) {
        struct stat st;
        char link[PATH_MAX];
        ssize_t n;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode) ||
            (n = readlink(cur, link, sizeof link - 1)) < 0)
            break;
        link[n] = '\0';
        const char *slash = strrchr(cur, '/');
        size_t dir = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
        char *next = malloc(dir + (size_t)n + 1);
        if (next) {
            memcpy(next, cur, dir);
            memcpy(next + dir, link, (size_t)n + 1);
        }
        free(cur);
        cur = next;
    }
    return cur;
}

/* ---- interruption ----
 * SIGINT, SIGTERM or SIGHUP while the output is open end the run at once: the
 * handler removes the temporary file, writes the closing line and raises the
 * signal again with its default action, so the command dies of it (a shell
 * sees 128 + N, and a shell loop that runs osteotrack stops on ^C).
 *
 * Why a handler that does the work, not a flag that the main loop polls: the
 * main thread may wait for ever in a read (a FIFO, a terminal), and the
 * library's readers would take an interrupted read (EINTR) for a read error;
 * the handler acts at once, whatever the command is doing. It calls only
 * async-signal-safe functions (unlink, write, strlen, raise, _exit) and reads
 * only strings made before it can run: sig_tmp, sig_head and sig_tail are set
 * with the signals blocked, before the handler is installed, and cleared with
 * the signals blocked, after it is removed.
 *
 * Threads (--jobs N): cmd_batch makes the pool's workers with these signals
 * blocked (out_block_signals), so the handler runs on the main thread only,
 * and the main thread blocks them around the rename: a signal lands either
 * before it (the temporary file removed, FILE untouched) or after it (FILE
 * complete; the default action), never between the rename and a message that
 * says FILE was not written. */
static const int caught[] = {SIGHUP, SIGINT, SIGTERM};
#define NCAUGHT (sizeof caught / sizeof caught[0])
static struct sigaction saved[NCAUGHT];
static int installed[NCAUGHT];
static sigset_t mask_before;
static const char *sig_tmp;         /* the temporary file to remove, or NULL */
static char *sig_head, *sig_tail;   /* the closing line, around the signal's name */

void out_block_signals(int block)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaddset(&set, caught[i]);
    if (block)
        pthread_sigmask(SIG_BLOCK, &set, &mask_before);
    else
        pthread_sigmask(SIG_SETMASK, &mask_before, NULL);
}

static void put(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void on_signal(int sig)
{
    if (sig_tmp)
        unlink(sig_tmp);
    put(sig_head);
    put(sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
    put(sig_tail);
    raise(sig); /* SA_RESETHAND: now the default action, which ends the process */
    _exit(128 + sig);
}

/* Called with the signals blocked. Returns an exit status. */
static int arm(const out_t *o)
{
    char *name = cli_shown(o->name ? o->name : ""); /* safe for a terminal */
    sig_head = malloc(strlen(o->cmd) + 48);
    sig_tail = name ? malloc(strlen(name) + 48) : NULL;
    if (!sig_head || !sig_tail) {
        free(name);
        free(sig_head);
        free(sig_tail);
        sig_head = sig_tail = NULL;
        cli_error(o->cmd, "out of memory");
        return EXIT_SOFTWARE;
    }
    /* (a progress line on a terminal is cleared first) */
    sprintf(sig_head, "%sosteotrack %s: interrupted by ", isatty(STDERR_FILENO) ? "\r\033[K" : "",
            o->cmd);
    if (o->final)
        sprintf(sig_tail, "; %s was not written\n", name);
    else
        strcpy(sig_tail, "; the output is incomplete\n");
    free(name);
    sig_tmp = o->tmp;
    for (size_t i = 0; i < NCAUGHT; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sa.sa_flags = (int)(SA_RESETHAND | SA_NODEFER); /* (glibc: unsigned constants) */
        sigemptyset(&sa.sa_mask); /* the others wait: one closing line */
        for (size_t j = 0; j < NCAUGHT; j++)
            if (j != i)
                sigaddset(&sa.sa_mask, caught[j]);
        /* a signal ignored when the command started (nohup) stays ignored */
        installed[i] = sigaction(caught[i], NULL, &saved[i]) == 0 &&
                       saved[i].sa_handler != SIG_IGN && sigaction(caught[i], &sa, NULL) == 0;
    }
    return EXIT_OK;
}

/* Called with the signals blocked. */
static void disarm(void)
{
    for (size_t i = 0; i < NCAUGHT; i++)
        if (installed[i])
            sigaction(caught[i], &saved[i], NULL);
    memset(installed, 0, sizeof installed);
    free(sig_head);
    free(sig_tail);
    sig_head = sig_tail = NULL;
    sig_tmp = NULL;
}

static int open_file(out_t *o, const char *cmd, const char *path);

int out_open(out_t *o, const char *cmd, const char *path)
{
    out_block_signals(1);
    int rc = open_file(o, cmd, path);
    if (rc == EXIT_OK && (rc = arm(o)) != EXIT_OK) {
        if (o->f != stdout)
            fclose(o->f);
        if (o->tmp)
            unlink(o->tmp);
        free(o->final);
        free(o->tmp);
        o->final = o->tmp = NULL;
    }
    out_block_signals(0);
    return rc;
}

static int open_file(out_t *o, const char *cmd, const char *path)
{
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    if (!path || !strcmp(path, "-")) {
        o->f = stdout;
        setvbuf(stdout, NULL, _IOFBF, 1 << 20); /* few large writes */
        return EXIT_OK;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* a device or a pipe (--output /dev/null, a FIFO): written in place;
         * a temporary file renamed over it would replace the device */
        if (!(o->f = fopen(path, "w"))) {
            cli_error(cmd, "%s: cannot write: %s", path, strerror(errno));
            return EXIT_IOERR;
        }
        o->name = path;
        setvbuf(o->f, NULL, _IOFBF, 1 << 20);
        return EXIT_OK;
    }
    /* a link to a file, even one not yet there: the file is replaced (or
     * made), not the link */
    o->final = target_of(path);
    size_t n = o->final ? strlen(o->final) : 0;
    o->tmp = malloc(n + 16);
    if (!o->final || !o->tmp) {
        free(o->final);
        free(o->tmp);
        cli_error(cmd, "out of memory");
        return EXIT_SOFTWARE;
    }
    o->name = path;
    memcpy(o->tmp, o->final, n);
    memcpy(o->tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(o->tmp);
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        cli_error(cmd, "%s: cannot write: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(o->final);
        free(o->tmp);
        o->final = o->tmp = NULL;
        return EXIT_IOERR;
    }
    /* mkstemp makes the file 0600: give it the mode of the file it replaces,
     * or the one a new file would have had (0666 less the umask) */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, stat(o->final, &st) == 0 ? st.st_mode & 07777 : 0666 & ~mask);
    setvbuf(o->f, NULL, _IOFBF, 1 << 20);
    return EXIT_OK;
}

int out_write(out_t *o, const char *s, size_t n)
{
    if (o->failed)
        return -1;
    if (fwrite(s, 1, n, o->f) != n) {
        o->failed = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

int out_close(out_t *o, int ok)
{
    int failed = o->failed;
    if (fflush(o->f) != 0 && !failed)
        failed = errno ? errno : EIO;
    /* on the disk before the rename: a crash after it never leaves FILE
     * empty or short (a failing fsync is a failed write: exit 74) */
    if (o->final && ok && !failed && fsync(fileno(o->f)) != 0)
        failed = errno ? errno : EIO;
    if (o->f != stdout && fclose(o->f) != 0 && !failed)
        failed = errno ? errno : EIO;
    out_block_signals(1);
    if (o->final) {
        if (!failed && ok && rename(o->tmp, o->final) != 0)
            failed = errno;
        if (failed || !ok)
            unlink(o->tmp);
    }
    disarm();
    out_block_signals(0); /* a signal that came meanwhile: its default action */
    if (failed)
        cli_error(o->cmd, "%s: cannot write the output: %s", o->name ? o->name : "stdout",
                  strerror(failed));
    free(o->final);
    free(o->tmp);
    o->final = o->tmp = NULL;
    return failed ? EXIT_IOERR : EXIT_OK;
}

/* realpath() is XSI */
#define _XOPEN_SOURCE 700
/* Output for the batch command: stdout, or a file written to a temporary
 * name and renamed on success so a failed run never leaves a truncated file
 * that looks complete. */
#include "output.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int out_open(out_t *o, const char *cmd, const char *path)
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
    /* a link to a file: the file is replaced, not the link */
    char *real = realpath(path, NULL);
    const char *target = real ? real : path;
    size_t n = strlen(target);
    o->final = malloc(n + 1);
    o->tmp = malloc(n + 16);
    if (!o->final || !o->tmp) {
        free(o->final);
        free(o->tmp);
        free(real);
        cli_error(cmd, "out of memory");
        return EXIT_SOFTWARE;
    }
    memcpy(o->final, target, n + 1);
    free(real);
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
    if (o->f != stdout && fclose(o->f) != 0 && !failed)
        failed = errno ? errno : EIO;
    if (o->final) {
        if (!failed && ok && rename(o->tmp, o->final) != 0)
            failed = errno;
        if (failed || !ok)
            unlink(o->tmp);
    }
    if (failed)
        cli_error(o->cmd, "%s: cannot write the output: %s", o->name ? o->name : "stdout",
                  strerror(failed));
    free(o->final);
    free(o->tmp);
    o->final = o->tmp = NULL;
    return failed ? EXIT_IOERR : EXIT_OK;
}

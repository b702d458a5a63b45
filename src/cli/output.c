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

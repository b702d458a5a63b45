/* The progress line of batch (progress.h). The main thread sets what it
 * knows under a mutex; a thread draws the line from it every 200 ms, so a
 * single large input shows its percentage while the library reads it (no
 * callback comes then). How far an input is read is its descriptor's
 * offset (lseek: the kernel's, not the FILE's, which the main thread owns);
 * the main thread sets the descriptor to -1, under the mutex, before it
 * closes it. */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
    int on, stop;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const char *cmd;
    long long total, before;
    int fd, phase;
    size_t rows, reported;
    double start;
    int shown;      /* a line is on the terminal */
    int last_pct;   /* the percentage last drawn, -1 none */
    double last;    /* when the line was last drawn */
} P = {0, 0, 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, -1, 0, -1, 0, 0, 0,
       0, 0, -1, 0};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Draws the line; called with the mutex held. */
static void draw(void)
{
    char line[160];
    size_t n = 0;
#define ADD(...) (n += (size_t)snprintf(line + n, n < sizeof line ? sizeof line - n : 0, __VA_ARGS__))
    if (P.phase == PROGRESS_GROUPING) {
        ADD("grouping %zu rows by patient...", P.rows);
    } else if (P.phase == PROGRESS_REPORTING) {
        ADD("%zu rows read, %zu patients reported...", P.rows, P.reported);
    } else {
        ADD("reading");
        if (P.total > 0) {
            long long done = P.before;
            off_t at = P.fd >= 0 ? lseek(P.fd, 0, SEEK_CUR) : -1;
            if (at > 0)
                done += (long long)at;
            if (done > P.total)
                done = P.total;
            P.last_pct = (int)(done * 100 / P.total);
            ADD(": %d%%", P.last_pct);
            double spent = now() - P.start;
            if (done > 0 && spent >= 1.0) {
                double left = spent * (double)(P.total - done) / (double)done;
                if (left < 60)
                    ADD(", about %d s left", (int)left + 1);
                else
                    ADD(", about %d min left", (int)(left / 60) + 1);
            }
        }
        if (P.rows) /* (known between inputs: none comes while one is read) */
            ADD(", %zu rows read", P.rows);
        if (P.reported)
            ADD(", %zu patients reported", P.reported);
        ADD("...");
    }
#undef ADD
    fprintf(stderr, "\r%s: %s\033[K", P.cmd, line);
    fflush(stderr);
    P.shown = 1;
    P.last = now();
}

static void *ticker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&P.mu);
    while (!P.stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000 * 1000;
        if (until.tv_nsec >= 1000 * 1000 * 1000) {
            until.tv_sec++;
            until.tv_nsec -= 1000 * 1000 * 1000;
        }
        if (pthread_cond_timedwait(&P.cv, &P.mu, &until) != 0 && !P.stop)
            draw();
    }
    pthread_mutex_unlock(&P.mu);
    return NULL;
}

int progress_start(const char *cmd, long long total)
{
    if (!isatty(STDERR_FILENO))
        return 0;
    P.cmd = cmd;
    P.total = total;
    P.start = now();
    P.stop = 0;
    if (pthread_create(&P.thread, NULL, ticker, NULL) != 0)
        return -1;
    P.on = 1;
    return 0;
}

void progress_input(int fd, long long before)
{
    if (!P.on)
        return;
    pthread_mutex_lock(&P.mu);
    P.fd = fd;
    P.before = before;
    /* at most once a percentage point (or every 100 ms with no size), not
     * once a file of thousands */
    if (P.total > 0 ? (int)(before * 100 / P.total) != P.last_pct : now() - P.last >= 0.1)
        draw();
    pthread_mutex_unlock(&P.mu);
}

void progress_counts(size_t rows, size_t reported)
{
    if (!P.on)
        return;
    pthread_mutex_lock(&P.mu);
    P.rows = rows;
    P.reported = reported;
    pthread_mutex_unlock(&P.mu);
}

void progress_phase(int phase)
{
    if (!P.on)
        return;
    pthread_mutex_lock(&P.mu);
    P.phase = phase;
    P.fd = -1;
    draw();
    pthread_mutex_unlock(&P.mu);
}

void progress_stop(void)
{
    if (!P.on)
        return;
    pthread_mutex_lock(&P.mu);
    P.stop = 1;
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.mu);
    pthread_join(P.thread, NULL);
    P.on = 0;
    if (P.shown)
        fputs("\r\033[K", stderr);
    P.shown = 0;
}

void progress_hold(void)
{
    if (!P.on)
        return;
    pthread_mutex_lock(&P.mu);
    if (P.shown)
        fputs("\r\033[K", stderr);
    P.shown = 0;
}

void progress_release(void)
{
    if (P.on)
        pthread_mutex_unlock(&P.mu);
}

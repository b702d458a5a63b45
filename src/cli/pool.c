/* A small worker pool: the main thread fills batches of patients, workers
 * turn them into report JSON, and the main thread writes the batches in the
 * order they were filled, so output is the same for any number of jobs.
 *
 * Memory is bounded in bytes, whatever the number of jobs. A patient weighs
 * what making its report takes, WORK times its own memory (a BMD scan is 120
 * bytes in the patient, 6 KB in the report being made), and once made its
 * memory and its report's text. A batch closes at BATCH patients or at its
 * share of BUDGET; a batch goes to the workers only when the batches in
 * flight and it weigh at most BUDGET besides the largest of them, else the
 * oldest reports are waited for and written first. A slot whose patient grew
 * past its share of KEEP gives its memory back once written. So a run holds
 * about its largest patient (with its report) plus a fixed budget. */
#include "pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 64
#define BUDGET ((size_t)32 << 20) /* bytes in flight besides the largest batch */
#define WORK 32                    /* a report being made: about its patient's memory x 32 */
#define KEEP ((size_t)4 << 20)   /* bytes all idle slots keep together */

typedef struct slot {
    ot_patient *patient;
    char *json;
    size_t bytes; /* its weight: WORK x the patient's memory; once made, the
                     patient's memory and the report's text */
    char err[sizeof(((ot_error *)0)->message)];
} slot;

typedef struct unit {
    slot slots[BATCH];
    size_t n, bytes; /* bytes: the sum of its slots' */
    int state; /* 0 free, 1 filling, 2 queued, 3 working, 4 done */
} unit;

struct pool {
    const ot_refdata *rd;
    ot_date as_of;
    int pretty, jobs;
    pool_emit_fn emit;
    void *ctx;
    unit *units;
    size_t nunits;
    size_t fill, next_work, next_emit; /* ring positions (counts, mod nunits) */
    size_t batch_bytes, keep;          /* a batch's share of BUDGET, a slot's of KEEP */
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    pthread_t *threads;
    int nthreads;
};

static void make_report(const pool *p, slot *s)
{
    ot_report *r = NULL;
    ot_error err = {0, ""};
    s->json = NULL;
    s->err[0] = '\0';
    int rc = ot_report_build(&r, p->rd, s->patient, p->as_of, &err);
    if (rc == OT_OK && (p->pretty & POOL_FHIR)) /* --format fhir */
        rc = ot_report_to_fhir(&s->json, r, s->patient, 0);
    else if (rc == OT_OK && (p->pretty & POOL_HTML)) /* --format html */
        rc = ot_report_to_html(&s->json, r);
    else if (rc == OT_OK && (p->pretty & POOL_TEXT))
        rc = ot_report_to_text(&s->json, r,
                               (p->pretty & POOL_SUMMARY ? OT_TEXT_SUMMARY : 0) |
                                   (p->pretty & POOL_COLOR ? OT_TEXT_COLOR : 0));
    else if (rc == OT_OK)
        rc = ot_report_to_json_detail(&s->json, r, p->pretty & POOL_PRETTY,
                                      p->pretty & POOL_SUMMARY ? OT_DETAIL_SUMMARY
                                                               : OT_DETAIL_FULL);
    if (rc != OT_OK)
        snprintf(s->err, sizeof s->err, "%s", err.message[0] ? err.message : ot_strerror(rc));
    ot_report_free(r);
    s->bytes = ot_patient_memory(s->patient) + (s->json ? strlen(s->json) + 1 : 0);
}

static void *worker(void *arg)
{
    pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->next_work == p->fill)
            pthread_cond_wait(&p->cv_work, &p->mu);
        if (p->next_work == p->fill && p->stop)
            break;
        unit *u = &p->units[p->next_work % p->nunits];
        p->next_work++;
        u->state = 3;
        pthread_mutex_unlock(&p->mu);
        size_t bytes = 0;
        for (size_t i = 0; i < u->n; i++) {
            make_report(p, &u->slots[i]);
            bytes += u->slots[i].bytes;
        }
        pthread_mutex_lock(&p->mu);
        u->bytes = bytes;
        u->state = 4;
        pthread_cond_broadcast(&p->cv_done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int pool_new(pool **out, int jobs, const ot_refdata *rd, ot_date as_of, int pretty,
             pool_emit_fn emit, void *ctx)
{
    pool *p = calloc(1, sizeof *p);
    if (!p)
        return OT_ENOMEM;
    p->rd = rd;
    p->as_of = as_of;
    p->pretty = pretty;
    p->jobs = jobs < 1 ? 1 : jobs;
    p->emit = emit;
    p->ctx = ctx;
    p->nunits = p->jobs > 1 ? (size_t)p->jobs * 3 : 1;
    p->batch_bytes = BUDGET / p->nunits;
    p->keep = KEEP / (p->jobs > 1 ? p->nunits * BATCH : 1); /* jobs 1 uses one slot */
    p->units = calloc(p->nunits, sizeof *p->units);
    if (!p->units) {
        free(p);
        return OT_ENOMEM;
    }
    for (size_t u = 0; u < p->nunits; u++)
        for (size_t i = 0; i < BATCH; i++)
            if (ot_patient_new(&p->units[u].slots[i].patient, "") != OT_OK) {
                pool_free(p);
                return OT_ENOMEM;
            }
    *out = p;
    if (p->jobs == 1)
        return OT_OK;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv_work, NULL);
    pthread_cond_init(&p->cv_done, NULL);
    p->threads = calloc((size_t)p->jobs, sizeof *p->threads);
    for (int i = 0; p->threads && i < p->jobs; i++)
        if (pthread_create(&p->threads[i], NULL, worker, p) == 0)
            p->nthreads++;
    if (p->nthreads == 0) { /* no threads: work inline */
        p->jobs = 1;
        free(p->threads);
        p->threads = NULL;
    }
    return OT_OK;
}

/* Writes a slot's report; a patient that grew past the slot's share of KEEP
 * gives its memory back (a new, empty one takes its place). */
static void emit_slot(pool *p, slot *s)
{
    p->emit(p->ctx, ot_patient_id(s->patient), s->json, s->err);
    ot_free(s->json);
    s->json = NULL;
    s->bytes = 0;
    ot_patient *fresh;
    if (ot_patient_memory(s->patient) > p->keep && ot_patient_new(&fresh, "") == OT_OK) {
        ot_patient_free(s->patient);
        s->patient = fresh;
    }
}

/* Emits done units in order; with `wait`, waits for the next one. */
static void drain(pool *p, int wait)
{
    for (;;) {
        unit *u = &p->units[p->next_emit % p->nunits];
        if (p->next_emit == p->fill)
            return;
        while (wait && u->state != 4)
            pthread_cond_wait(&p->cv_done, &p->mu);
        if (u->state != 4)
            return;
        pthread_mutex_unlock(&p->mu);
        for (size_t i = 0; i < u->n; i++)
            emit_slot(p, &u->slots[i]);
        pthread_mutex_lock(&p->mu);
        u->n = 0;
        u->bytes = 0;
        u->state = 0;
        p->next_emit++;
        wait = 0;
    }
}

ot_patient *pool_patient(pool *p)
{
    unit *u = &p->units[p->fill % p->nunits];
    return u->slots[u->n].patient;
}

/* The bytes of the units in flight and unit u besides the largest of them. */
static size_t in_flight(const pool *p, const unit *u)
{
    size_t sum = u->bytes, max = u->bytes;
    for (size_t i = p->next_emit; i != p->fill; i++) {
        size_t b = p->units[i % p->nunits].bytes;
        sum += b;
        max = b > max ? b : max;
    }
    return sum - max;
}

/* Hands unit u to the workers once the bytes in flight with it, besides the
 * largest, are within BUDGET: until then, waits for the oldest reports and
 * emits them. */
static void queue(pool *p, unit *u)
{
    drain(p, 0);
    while (in_flight(p, u) > BUDGET)
        drain(p, 1);
    u->state = 2;
    p->fill++;
    pthread_cond_signal(&p->cv_work);
}

int pool_submit(pool *p)
{
    unit *u = &p->units[p->fill % p->nunits];
    slot *s = &u->slots[u->n];
    s->bytes = WORK * ot_patient_memory(s->patient);
    if (p->jobs == 1) {
        make_report(p, s);
        emit_slot(p, s);
        return OT_OK;
    }
    u->bytes += s->bytes;
    if (++u->n < BATCH && u->bytes < p->batch_bytes)
        return OT_OK;
    pthread_mutex_lock(&p->mu);
    queue(p, u);
    /* the next unit to fill must be free: wait for its reports and emit them */
    while (p->fill - p->next_emit >= p->nunits)
        drain(p, 1);
    pthread_mutex_unlock(&p->mu);
    return OT_OK;
}

void pool_finish(pool *p)
{
    if (p->jobs == 1)
        return;
    pthread_mutex_lock(&p->mu);
    unit *u = &p->units[p->fill % p->nunits];
    if (u->n > 0)
        queue(p, u);
    while (p->next_emit != p->fill)
        drain(p, 1);
    pthread_mutex_unlock(&p->mu);
}

void pool_free(pool *p)
{
    if (!p)
        return;
    if (p->nthreads) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->cv_work);
        pthread_mutex_unlock(&p->mu);
        for (int i = 0; i < p->nthreads; i++)
            pthread_join(p->threads[i], NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv_work);
        pthread_cond_destroy(&p->cv_done);
    }
    free(p->threads);
    for (size_t u = 0; p->units && u < p->nunits; u++)
        for (size_t i = 0; i < BATCH; i++) {
            ot_patient_free(p->units[u].slots[i].patient);
            ot_free(p->units[u].slots[i].json);
        }
    free(p->units);
    free(p);
}

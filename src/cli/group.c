/* In-memory grouping: compact records in one array, chained per patient,
 * and an open-addressing hash table of patient ids. */
#include "group.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct mrec {
    union {
        double value;
        struct {
            int32_t start, end;
        } t;
    } u;
    int32_t date;
    uint32_t device;  /* 1 + index into the device table; 0: none */
    uint32_t next;    /* 1 + index of the patient's next record; 0: last */
    float tscore;
    uint8_t kind, sub, mfr, pad;
} mrec;

typedef struct gpat {
    uint32_t head, tail; /* 1 + record index; 0: none */
} gpat;

/* A growing byte arena for strings. */
typedef struct arena {
    char *buf;
    size_t len, cap;
} arena;

typedef struct table { /* open addressing: slot holds 1 + index, 0 empty */
    uint32_t *slot;
    size_t cap, n;
} table;

struct group {
    mrec *recs;
    size_t nrecs, caprecs;
    gpat *pats;
    uint32_t *pid_off; /* offsets of patient ids in `ids`, parallel to pats */
    size_t npats, cappats, cappid;
    arena ids, devs;
    uint32_t *dev_off; /* device table: offsets into devs */
    size_t ndev, capdev;
    table by_id, by_dev;
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int grow(void **a, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n += n / 2 + 1;
    void *p = realloc(*a, n * size);
    if (!p)
        return -1;
    *a = p;
    *cap = n;
    return 0;
}

static int arena_add(arena *a, const char *s, size_t n, uint32_t *off)
{
    if (a->len + n + 1 > UINT32_MAX || grow((void **)&a->buf, &a->cap, a->len + n + 1, 1))
        return -1;
    memcpy(a->buf + a->len, s, n);
    a->buf[a->len + n] = '\0';
    *off = (uint32_t)a->len;
    a->len += n + 1;
    return 0;
}

/* Finds `s` among strings at offsets[] in arena `a`; adds it if asked.
 * Returns the index, or -1 (absent / out of memory). */
static long lookup(table *t, arena *a, uint32_t **offsets, size_t *n, size_t *cap,
                   const char *s, size_t len, int *added)
{
    *added = 0;
    if ((t->n + 1) * 4 > t->cap * 3) { /* keep the load under 3/4 */
        size_t nc = t->cap ? t->cap * 2 : 1024;
        uint32_t *ns = calloc(nc, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slot[i]) {
                uint32_t k = t->slot[i] - 1;
                const char *ks = a->buf + (*offsets)[k];
                size_t j = hash(ks, strlen(ks)) & (nc - 1);
                while (ns[j])
                    j = (j + 1) & (nc - 1);
                ns[j] = t->slot[i];
            }
        free(t->slot);
        t->slot = ns;
        t->cap = nc;
    }
    size_t j = hash(s, len) & (t->cap - 1);
    for (; t->slot[j]; j = (j + 1) & (t->cap - 1)) {
        uint32_t k = t->slot[j] - 1;
        const char *ks = a->buf + (*offsets)[k];
        if (!strncmp(ks, s, len) && ks[len] == '\0')
            return k;
    }
    if (grow((void **)offsets, cap, *n + 1, sizeof **offsets))
        return -1;
    uint32_t off;
    if (arena_add(a, s, len, &off))
        return -1;
    (*offsets)[*n] = off;
    t->slot[j] = (uint32_t)(*n + 1);
    t->n++;
    *added = 1;
    return (long)(*n)++;
}

int group_new(group **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -1;
}

void group_free(group *g)
{
    if (!g)
        return;
    free(g->recs);
    free(g->pats);
    free(g->pid_off);
    free(g->ids.buf);
    free(g->devs.buf);
    free(g->dev_off);
    free(g->by_id.slot);
    free(g->by_dev.slot);
    free(g);
}

size_t group_patients(const group *g) { return g->npats; }

size_t group_bytes(const group *g)
{
    return g->caprecs * sizeof *g->recs + g->cappats * sizeof *g->pats +
           g->cappid * sizeof *g->pid_off + g->ids.cap +
           g->devs.cap + (g->by_id.cap + g->by_dev.cap) * sizeof(uint32_t);
}

static int same_fact(const mrec *a, const ot_record *r)
{
    return a->kind == OT_REC_THERAPY && a->date == (int32_t)r->date && a->sub == r->agent &&
           a->u.t.start == (int32_t)r->start && a->u.t.end == (int32_t)r->end;
}

int group_add(group *g, const ot_row *row)
{
    int added;
    long pi = lookup(&g->by_id, &g->ids, &g->pid_off, &g->npats, &g->cappid, row->patient_id,
                     row->patient_id_len, &added);
    if (pi < 0 || grow((void **)&g->pats, &g->cappats, g->npats, sizeof *g->pats))
        return -1;
    gpat *pt = &g->pats[pi];
    if (added)
        pt->head = pt->tail = 0;
    for (size_t i = 0; i < row->nrecords; i++) {
        const ot_record *r = &row->records[i];
        /* the same therapy named on every row of a visit is one fact */
        if (r->kind == OT_REC_THERAPY && pt->tail && same_fact(&g->recs[pt->tail - 1], r))
            continue;
        if (grow((void **)&g->recs, &g->caprecs, g->nrecs + 1, sizeof *g->recs))
            return -1;
        mrec *m = &g->recs[g->nrecs];
        memset(m, 0, sizeof *m);
        m->kind = (uint8_t)r->kind;
        m->date = (int32_t)r->date;
        m->tscore = (float)r->tscore;
        m->mfr = (uint8_t)r->manufacturer;
        switch (r->kind) {
        case OT_REC_BMD: m->sub = (uint8_t)r->site; m->u.value = r->value; break;
        case OT_REC_MARKER: m->sub = (uint8_t)r->analyte; m->u.value = r->value; break;
        case OT_REC_FRACTURE: m->sub = (uint8_t)r->fracture; break;
        case OT_REC_THERAPY:
            m->sub = (uint8_t)r->agent;
            m->u.t.start = (int32_t)r->start;
            m->u.t.end = (int32_t)r->end;
            break;
        }
        if (r->kind == OT_REC_BMD && r->device) {
            long d = lookup(&g->by_dev, &g->devs, &g->dev_off, &g->ndev, &g->capdev, r->device,
                            strlen(r->device), &added);
            if (d < 0)
                return -1;
            m->device = (uint32_t)d + 1;
        }
        pt = &g->pats[pi];
        if (pt->tail)
            g->recs[pt->tail - 1].next = (uint32_t)g->nrecs + 1;
        else
            pt->head = (uint32_t)g->nrecs + 1;
        pt->tail = (uint32_t)g->nrecs + 1;
        g->nrecs++;
    }
    return 0;
}

int group_fill(const group *g, size_t i, ot_patient *p, const ot_refdata *rd)
{
    const gpat *pt = &g->pats[i];
    int rc = ot_patient_reset(p, g->ids.buf + g->pid_off[i]);
    for (uint32_t k = pt->head; rc == OT_OK && k; k = g->recs[k - 1].next) {
        const mrec *m = &g->recs[k - 1];
        ot_record r;
        memset(&r, 0, sizeof r);
        r.kind = (ot_record_kind)m->kind;
        r.date = m->date;
        r.tscore = (double)m->tscore;
        r.manufacturer = (ot_manufacturer)m->mfr;
        r.start = r.end = OT_DATE_NONE;
        switch (r.kind) {
        case OT_REC_BMD: r.site = (ot_site)m->sub; r.value = m->u.value; break;
        case OT_REC_MARKER: r.analyte = (ot_analyte)m->sub; r.value = m->u.value; break;
        case OT_REC_FRACTURE: r.fracture = (ot_fracture_site)m->sub; break;
        case OT_REC_THERAPY:
            r.agent = (ot_agent)m->sub;
            r.start = m->u.t.start;
            r.end = m->u.t.end;
            break;
        }
        r.device = m->device ? g->devs.buf + g->dev_off[m->device - 1] : NULL;
        rc = ot_patient_add_record(p, rd, &r, 0, NULL);
    }
    return rc;
}

struct idset {
    table t;
    arena a;
    uint32_t *off;
    size_t n, cap;
};

int idset_new(idset **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -1;
}

void idset_free(idset *s)
{
    if (!s)
        return;
    free(s->t.slot);
    free(s->a.buf);
    free(s->off);
    free(s);
}

int idset_add(idset *s, const char *id, size_t len)
{
    int added;
    long k = lookup(&s->t, &s->a, &s->off, &s->n, &s->cap, id, len, &added);
    return k < 0 ? -1 : !added;
}

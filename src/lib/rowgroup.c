/* Grouping rows by patient: compact records in blocks, chained per patient,
 * and an open-addressing hash table of patient ids. With spilling on, while
 * the rows come grouped by patient the older blocks go to a temporary file,
 * so grouped input takes a few MB whatever its size; when a patient comes
 * back, the blocks come back to memory and grouping goes on there. */
#include "rowgroup.h"
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A score in millionths: one of up to six decimals (all a scanner reports)
 * comes back as the same double. Any other (more decimals, -0) is kept
 * exactly in the group's table of scores, its index encoded below
 * SCORE_TABLE. */
#define SCORE_NONE INT32_MIN
#define SCORE_TABLE (-1100000000L)

/* A therapy start: 0 none, 1 + days after OT_DATE_MIN for an accepted date,
 * TSTART_TABLE + i for any other, kept in the table of scores at i. */
#define TSTART_BITS 18
#define TSTART_TABLE (1u << (TSTART_BITS - 1))
_Static_assert(OT_DATE_MAX - OT_DATE_MIN + 1 < (long)TSTART_TABLE,
               "an accepted date fits a therapy start's bits");

/* One record: an observation, a dose or the demographics of a row, with the
 * therapy named on its row folded in (agent != 0), or a therapy alone (kind
 * OT_REC_THERAPY), and its input line. 32 bytes: measurements and scores in
 * millionths (see score_in), a therapy start in 18 bits (see tstart_in), the
 * bit fields the vocabulary and the device index. By kind:
 *   BMD           value g/cm2, sub site, mfr, device, tscore, zscore
 *   MARKER        value ug/L or ng/L, sub analyte
 *   FRACTURE      sub fracture site
 *   DOSE          sub the agent given
 *   DEMOGRAPHICS  value the birth date (OT_DATE_NONE: not given), sub sex,
 *                 mfr menopausal status
 *   THERAPY       agent, tstart, value its end (a therapy with an end)
 * and any of them but THERAPY a folded therapy in agent and tstart. The
 * records of a row are consecutive in its patient's chain. */
typedef struct mrec {
    int32_t value;    /* BMD, MARKER: score_in(); else a date */
    int32_t date;
    uint32_t next;    /* 1 + index of the patient's next record; 0: last */
    uint32_t line;    /* input line, 0 when past 2^32 - 1 */
    int32_t tscore, zscore; /* scanner-reported: see score_in(); SCORE_NONE: not given */
    unsigned device : GROUP_DEVICE_BITS; /* 1 + index into the device table; 0: none
                                            (COURSE: the therapies folded into it) */
    unsigned kind : 3, sub : 4, mfr : 3;
    unsigned row_first : 1;                /* the first record of its row or document */
    unsigned json : 1;   /* from a JSON document: a rejection counts by `part` */
    unsigned tstart : TSTART_BITS; /* therapy start: see tstart_in() */
    unsigned agent : 4;  /* 0 none, else 1 + ot_agent */
    unsigned part : 1;   /* an observation, therapy or fracture of a JSON document */
    unsigned side : 2;   /* BMD: ot_side */
    unsigned region : 4; /* BMD: ot_spine_region */
} mrec;

_Static_assert(sizeof(mrec) == 32, "a grouped record is 32 bytes");
_Static_assert(OT_REC_COURSE < 8 && OT_SITE_COUNT <= 16 && OT_ANALYTE_COUNT <= 16 &&
                   OT_FX_COUNT <= 16 && OT_MFR_COUNT <= 8 && OT_AGENT_COUNT < 16 &&
                   OT_SEX_MALE < 16 && OT_MENOPAUSE_POST < 8 && OT_SIDE_COUNT <= 4 &&
                   OT_REGION_COUNT <= 16,
               "the vocabulary fits the record's bit fields");

/* Records live in blocks that never move: no copy, no slack on growth. */
#define BLOCK_BITS 13
#define BLOCK (1u << BLOCK_BITS)

typedef struct gpat {
    uint32_t head, tail; /* 1 + record index; 0: none */
} gpat;

/* A growing byte arena for strings. */
typedef struct arena {
    char *buf;
    size_t len, cap;
} arena;

/* open addressing: a slot holds 1 + index (0 empty) and the key's hash, so
 * most probes that miss compare no string, in one cache line */
typedef struct tslot {
    uint32_t k, tag;
} tslot;

typedef struct table {
    tslot *slot;
    size_t cap, n;
} table;

struct group {
    mrec **blocks;
    size_t nblocks, capblocks, nrecs;
    const char **files; /* input names (borrowed), with the first record of each */
    size_t *file_first, nfiles, capfiles, capfirst;
    gpat *pats;
    uint32_t *pid_off; /* offsets of patient ids in `ids`, parallel to pats */
    size_t npats, cappats, cappid;
    arena ids, devs;
    uint32_t *dev_off; /* device table: offsets into devs */
    size_t ndev, capdev;
    table by_id, by_dev;
    /* JSON documents inside a list or {"patients": [...]}: where each one's
     * records begin, and its place ("patients[3]") in `places`; NO_PLACE for
     * records that have none (CSV rows, documents standing alone) */
    uint32_t *doc_first, *doc_place;
    size_t ndocs, capdocfirst, capdocplace;
    arena places;
    double *scores; /* the scores a record cannot hold in millionths */
    size_t nscores, capscores;
    /* Spilling (group_new with spill): blocks [0, nspilled) are in `spill`,
     * their slot in `blocks` NULL; `cache` holds one of them when read. */
    int spill_on, grouped;
    long last_pat;      /* the patient of the last row added; -1 none */
    FILE *spill;
    size_t nspilled;
    mrec *cache;
    size_t cache_block;
};

/* Blocks held in memory while spilling: 2 x 8,192 records of 40 bytes (a
 * grouped patient's tail, whose `next` is written, is in the newest two). */
#define SPILL_KEEP 2

static uint32_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return (uint32_t)(h ^ (h >> 32));
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
    if (!t->slot && t->cap) { /* let go by ot_group_done(): made again from the keys */
        size_t nc = t->cap;
        if (!(t->slot = calloc(nc, sizeof *t->slot)))
            return -1;
        for (size_t k = 0; k < *n; k++) {
            const char *ks = a->buf + (*offsets)[k];
            uint32_t h = hash(ks, strlen(ks));
            size_t j = h & (nc - 1);
            while (t->slot[j].k)
                j = (j + 1) & (nc - 1);
            t->slot[j].k = (uint32_t)(k + 1);
            t->slot[j].tag = h;
        }
    }
    if ((t->n + 1) * 4 > t->cap * 3) { /* keep the load under 3/4 */
        size_t nc = t->cap ? t->cap * 2 : 1024;
        tslot *ns = calloc(nc, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slot[i].k) {
                size_t j = t->slot[i].tag & (nc - 1);
                while (ns[j].k)
                    j = (j + 1) & (nc - 1);
                ns[j] = t->slot[i];
            }
        free(t->slot);
        t->slot = ns;
        t->cap = nc;
    }
    uint32_t h = hash(s, len);
    size_t j = h & (t->cap - 1);
    for (; t->slot[j].k; j = (j + 1) & (t->cap - 1)) {
        if (t->slot[j].tag != h)
            continue;
        uint32_t k = t->slot[j].k - 1;
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
    t->slot[j].k = (uint32_t)(*n + 1);
    t->slot[j].tag = h;
    t->n++;
    *added = 1;
    return (long)(*n)++;
}

int ot_group_new(group **out, int spill)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return -1;
    (*out)->spill_on = spill;
    (*out)->grouped = 1;
    (*out)->last_pat = -1;
    (*out)->cache_block = (size_t)-1;
    return 0;
}


/* Writes the oldest block in memory to the spill file and frees it. */
static int spill_one(group *g)
{
    if (!g->spill && !(g->spill = tmpfile()))
        return -1;
    size_t b = g->nspilled;
    if (fseek(g->spill, (long)(b * BLOCK * sizeof(mrec)), SEEK_SET) != 0 ||
        fwrite(g->blocks[b], sizeof(mrec), BLOCK, g->spill) != BLOCK || fflush(g->spill) != 0)
        return -1;
    free(g->blocks[b]);
    g->blocks[b] = NULL;
    g->nspilled++;
    return 0;
}

static int read_block(group *g, size_t b, mrec *to)
{
    return fseek(g->spill, (long)(b * BLOCK * sizeof(mrec)), SEEK_SET) == 0 &&
                   fread(to, sizeof(mrec), BLOCK, g->spill) == BLOCK
               ? 0
               : -1;
}

/* A patient came back: the input is not grouped; every block back to memory. */
static int unspill(group *g)
{
    g->grouped = 0;
    for (size_t b = 0; b < g->nspilled; b++)
        if (!(g->blocks[b] = malloc(BLOCK * sizeof(mrec))) || read_block(g, b, g->blocks[b]))
            return -1;
    g->nspilled = 0;
    if (g->spill)
        fclose(g->spill);
    g->spill = NULL;
    free(g->cache);
    g->cache = NULL;
    g->cache_block = (size_t)-1;
    return 0;
}

void ot_group_free(group *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nblocks; i++)
        free(g->blocks[i]);
    free(g->blocks);
    free(g->cache);
    if (g->spill)
        fclose(g->spill);
    free(g->files);
    free(g->file_first);
    free(g->doc_first);
    free(g->doc_place);
    free(g->places.buf);
    free(g->pats);
    free(g->pid_off);
    free(g->ids.buf);
    free(g->devs.buf);
    free(g->dev_off);
    free(g->by_id.slot);
    free(g->by_dev.slot);
    free(g->scores);
    free(g);
}

size_t ot_group_patients(const group *g) { return g->npats; }

void ot_group_done(group *g)
{
    free(g->by_id.slot);
    g->by_id.slot = NULL;
    free(g->by_dev.slot);
    g->by_dev.slot = NULL;
}

static double score_out(const group *g, int32_t v)
{
    if (v == SCORE_NONE)
        return NAN;
    if (v <= SCORE_TABLE)
        return g->scores[SCORE_TABLE - v];
    return (double)v / 1e6;
}

/* The encoded score (0 on success), or -1 out of memory. */
static int score_in(group *g, double x, int32_t *out)
{
    if (isnan(x)) {
        *out = SCORE_NONE;
        return 0;
    }
    if (fabs(x) <= 1000.0) {
        int32_t v = (int32_t)llround(x * 1e6);
        double back = (double)v / 1e6;
        if (back == x && !signbit(back) == !signbit(x)) {
            *out = v;
            return 0;
        }
    }
    if (g->nscores >= (size_t)(SCORE_TABLE - (long)INT32_MIN) ||
        grow((void **)&g->scores, &g->capscores, g->nscores + 1, sizeof *g->scores))
        return -1;
    g->scores[g->nscores] = x;
    *out = (int32_t)(SCORE_TABLE - (long)g->nscores++);
    return 0;
}

/* A therapy start into its bits (0 on success), or -1 out of memory. */
static int tstart_in(group *g, ot_date d, mrec *m)
{
    if (d == OT_DATE_NONE) {
        m->tstart = 0;
        return 0;
    }
    if (d >= OT_DATE_MIN && d <= OT_DATE_MAX) {
        m->tstart = (unsigned)(d - OT_DATE_MIN + 1) & ((1u << TSTART_BITS) - 1);
        return 0;
    }
    /* no reader gives another, but it is kept as it came */
    if (g->nscores >= (1u << TSTART_BITS) - TSTART_TABLE ||
        grow((void **)&g->scores, &g->capscores, g->nscores + 1, sizeof *g->scores))
        return -1;
    g->scores[g->nscores] = (double)d;
    m->tstart = (TSTART_TABLE + (unsigned)g->nscores++) & ((1u << TSTART_BITS) - 1);
    return 0;
}

static ot_date tstart_out(const group *g, const mrec *m)
{
    if (m->tstart == 0)
        return OT_DATE_NONE;
    if (m->tstart >= TSTART_TABLE)
        return (ot_date)g->scores[m->tstart - TSTART_TABLE];
    return OT_DATE_MIN + (ot_date)m->tstart - 1;
}

/* Record k (1-based); from the spill file through a one-block cache when its
 * block is there (then NULL if it cannot be read back). */
static mrec *rec_at(group *g, uint32_t k)
{
    size_t b = (k - 1) >> BLOCK_BITS;
    if (g->blocks[b])
        return &g->blocks[b][(k - 1) & (BLOCK - 1)];
    if (g->cache_block != b) {
        if ((!g->cache && !(g->cache = malloc(BLOCK * sizeof(mrec)))) ||
            read_block(g, b, g->cache))
            return NULL;
        g->cache_block = b;
    }
    return &g->cache[(k - 1) & (BLOCK - 1)];
}

static mrec *new_rec(group *g, long line)
{
    if (g->nrecs == g->nblocks * BLOCK) {
        /* grouped so far: only the newest blocks stay in memory (a grouped
         * patient's tail is always in the newest) */
        if (g->spill_on && g->grouped && g->nblocks - g->nspilled >= SPILL_KEEP &&
            spill_one(g) != 0)
            g->spill_on = 0; /* the temporary file cannot take more (a full disk, a file size
                                limit): the rest stays in memory */
        if (g->nrecs >= UINT32_MAX - BLOCK ||
            grow((void **)&g->blocks, &g->capblocks, g->nblocks + 1, sizeof *g->blocks) ||
            !(g->blocks[g->nblocks] = malloc(BLOCK * sizeof(mrec))))
            return NULL;
        g->nblocks++;
    }
    mrec *m = &g->blocks[g->nrecs >> BLOCK_BITS][g->nrecs & (BLOCK - 1)];
    g->nrecs++;
    memset(m, 0, sizeof *m);
    m->line = line > 0 && line < (long)UINT32_MAX ? (uint32_t)line : 0;
    m->tscore = m->zscore = SCORE_NONE; /* tstart 0: none */
    return m;
}

/* The device's 1 + index (added on first sight), or an error (< 0). */
static long device_of(group *g, const char *device)
{
    int added;
    long d = lookup(&g->by_dev, &g->devs, &g->dev_off, &g->ndev, &g->capdev, device,
                    strlen(device), &added);
    if (d < 0)
        return -1;
    return d + 1 >= (1L << GROUP_DEVICE_BITS) ? GROUP_ETOO_MANY_DEVICES : d + 1;
}

static int add_device(group *g, mrec *m, const char *device)
{
    long d = device_of(g, device);
    if (d < 0)
        return (int)d;
    m->device = (unsigned)d & ((1u << GROUP_DEVICE_BITS) - 1);
    return 0;
}

/* The patient of id (created on first sight); -1 out of memory. */
static long patient_of(group *g, const char *id, size_t len)
{
    int added;
    long pi = lookup(&g->by_id, &g->ids, &g->pid_off, &g->npats, &g->cappid, id, len, &added);
    if (pi < 0 || grow((void **)&g->pats, &g->cappats, g->npats, sizeof *g->pats))
        return -1;
    if (added)
        g->pats[pi].head = g->pats[pi].tail = 0;
    else if (pi != g->last_pat && g->grouped && unspill(g) != 0)
        return -1; /* the patient came back: not grouped */
    g->last_pat = pi;
    return pi;
}

#define PUT_ROW_FIRST 1u
#define PUT_JSON 2u
#define PUT_PART 4u

/* Appends record r to patient pi's chain; 0, -1 out of memory or
 * GROUP_ETOO_MANY_DEVICES. *out: the record. */
static int put(group *g, long pi, const ot_record *r, long line, unsigned flags, mrec **out)
{
    int rc;
    mrec *m = new_rec(g, line);
    if (!m)
        return -1;
    m->row_first = (flags & PUT_ROW_FIRST) != 0;
    m->json = (flags & PUT_JSON) != 0;
    m->part = (flags & PUT_PART) != 0;
    m->kind = (unsigned)r->kind & 7u;
    m->date = (int32_t)r->date;
    switch (r->kind) {
    case OT_REC_BMD:
        m->sub = (unsigned)r->site & 15u;
        if (score_in(g, r->value, &m->value) || score_in(g, r->tscore, &m->tscore) ||
            score_in(g, r->zscore, &m->zscore))
            return -1;
        m->mfr = (unsigned)r->manufacturer & 7u;
        m->side = (unsigned)r->side & 3u;
        m->region = (unsigned)r->region & 15u;
        if (r->device && (rc = add_device(g, m, r->device)) != 0)
            return rc;
        break;
    case OT_REC_MARKER:
        m->sub = (unsigned)r->analyte & 15u;
        if (score_in(g, r->value, &m->value))
            return -1;
        break;
    case OT_REC_FRACTURE: m->sub = (unsigned)r->fracture & 15u; break;
    case OT_REC_DOSE: m->sub = (unsigned)r->agent & 15u; break;
    case OT_REC_DEMOGRAPHICS:
        m->value = (int32_t)r->birth_date;
        m->sub = (unsigned)r->sex & 15u;
        m->mfr = (unsigned)r->menopause & 7u;
        break;
    case OT_REC_THERAPY: /* a therapy with an end: kept apart, end in value */
        m->agent = ((unsigned)r->agent + 1) & 15u;
        if (tstart_in(g, r->start, m))
            return -1;
        m->value = (int32_t)r->end;
        break;
    case OT_REC_COURSE: /* the agent in sub: nothing folds into it */
        m->sub = (unsigned)r->agent & 15u;
        if (tstart_in(g, r->start, m))
            return -1;
        m->value = (int32_t)r->end;
        break;
    }
    gpat *pt = &g->pats[pi];
    uint32_t k = (uint32_t)g->nrecs;
    if (pt->tail)
        rec_at(g, pt->tail)->next = k; /* a tail is in memory: grouped, or unspilled */
    else
        pt->head = k;
    pt->tail = k;
    *out = m;
    return 0;
}

/* Near the device limit, input is refused whole before any of it is kept. */
static int devices_fit(group *g, size_t n, const char *(*dev)(const void *, size_t),
                       const void *src)
{
    for (size_t i = 0; g->ndev + n >= (1u << GROUP_DEVICE_BITS) - 1 && i < n; i++) {
        const char *d = dev(src, i);
        long k = d ? device_of(g, d) : 0;
        if (k < 0)
            return (int)k;
    }
    return 0;
}

static const char *row_device(const void *src, size_t i)
{
    const ot_record *r = &((const ot_row *)src)->records[i];
    return r->kind == OT_REC_BMD ? r->device : NULL;
}

int ot_group_add(group *g, const ot_row *row)
{
    int rc = devices_fit(g, row->nrecords, row_device, row);
    if (rc != 0)
        return rc;
    long pi = patient_of(g, row->patient_id, row->patient_id_len);
    if (pi < 0)
        return -1;
    mrec *prev = NULL; /* this row's last observation */
    unsigned first = PUT_ROW_FIRST;
    for (size_t i = 0; i < row->nrecords; i++) {
        const ot_record *r = &row->records[i];
        if (r->kind == OT_REC_THERAPY && r->end == OT_DATE_NONE && prev && !prev->agent &&
            prev->date == (int32_t)r->date) { /* fold into the row's observation */
            if (tstart_in(g, r->start, prev))
                return -1;
            prev->agent = ((unsigned)r->agent + 1) & 15u;
            continue;
        }
        mrec *m;
        if ((rc = put(g, pi, r, row->line, first, &m)) != 0)
            return rc;
        first = 0;
        /* a therapy folds only into the record just before it: the order holds */
        prev = r->kind == OT_REC_THERAPY ? NULL : m;
    }
    return 0;
}

static const char *obs_device(const void *src, size_t i)
{
    const ot_obs *o = &((const ot_patient *)src)->obs[i];
    return o->analyte == OT_ANALYTE_BMD && o->device[0] ? o->device : NULL;
}

#define NO_PLACE UINT32_MAX

/* Records added from now on have the place `where` in their input (NULL:
 * none). 0; -1 out of memory. */
static int set_place(group *g, const char *where)
{
    if (!where && (!g->ndocs || g->doc_place[g->ndocs - 1] == NO_PLACE))
        return 0; /* nothing to end */
    uint32_t off = NO_PLACE;
    if ((where && arena_add(&g->places, where, strlen(where), &off)) ||
        g->nrecs >= NO_PLACE ||
        grow((void **)&g->doc_first, &g->capdocfirst, g->ndocs + 1, sizeof *g->doc_first) ||
        grow((void **)&g->doc_place, &g->capdocplace, g->ndocs + 1, sizeof *g->doc_place))
        return -1;
    g->doc_first[g->ndocs] = (uint32_t)g->nrecs;
    g->doc_place[g->ndocs++] = off;
    return 0;
}

/* The place of record k (1-based) in its input, or NULL. */
static const char *place_of(const group *g, uint32_t k)
{
    size_t lo = 0, hi = g->ndocs; /* the last document whose records begin at or before k */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->doc_first[mid] <= k - 1)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo && g->doc_place[lo - 1] != NO_PLACE ? g->places.buf + g->doc_place[lo - 1] : NULL;
}

/* One record of a JSON document: the first of its document starts a row. A
 * course that stands for `more` therapies besides itself (given twice in a
 * document) keeps the number in its device field, which a course has not:
 * each was counted read, each counts when it is rejected. */
static int put_doc(group *g, long pi, const ot_record *r, long line, unsigned *first,
                   unsigned part, int more)
{
    mrec *m;
    int rc = put(g, pi, r, line, *first | PUT_JSON | part, &m);
    *first = 0;
    if (rc == 0 && more > 0)
        m->device = (unsigned)(more < (1 << GROUP_DEVICE_BITS) ? more
                                                                : (1 << GROUP_DEVICE_BITS) - 1) &
                    ((1u << GROUP_DEVICE_BITS) - 1);
    return rc;
}

/* How many rows a record of a JSON document counts (see put_doc). */
static size_t doc_rows(const mrec *m)
{
    return m->part ? 1 + (m->kind == OT_REC_COURSE ? m->device : 0) : 0;
}

int ot_group_add_patient(group *g, const ot_patient *p, long line, const char *where)
{
    int rc = devices_fit(g, p->nobs, obs_device, p);
    if (rc != 0)
        return rc;
    if (set_place(g, where) != 0)
        return -1;
    long pi = patient_of(g, p->id, strlen(p->id));
    if (pi < 0)
        return -1;
    unsigned first = PUT_ROW_FIRST;
    ot_record r;
    memset(&r, 0, sizeof r);
    r.start = r.end = r.birth_date = OT_DATE_NONE;
    if (p->sex != OT_SEX_UNKNOWN || p->birth != OT_DATE_NONE ||
        p->menopause != OT_MENOPAUSE_UNKNOWN) {
        r.kind = OT_REC_DEMOGRAPHICS;
        r.date = OT_DATE_NONE;
        r.sex = p->sex;
        r.birth_date = p->birth;
        r.menopause = p->menopause;
        if ((rc = put_doc(g, pi, &r, line, &first, PUT_PART, 0)) != 0)
            return rc;
    }
    for (size_t i = 0; i < p->ncourses; i++) {
        const ot_course *c = &p->courses[i];
        ot_record t = r;
        t.kind = OT_REC_COURSE;
        t.agent = c->agent;
        t.start = c->start;
        t.end = c->stopped ? c->end : OT_DATE_NONE;
        if ((rc = put_doc(g, pi, &t, line, &first, PUT_PART, c->merged)) != 0)
            return rc;
    }
    for (size_t i = 0; i < p->ndoses; i++) {
        ot_record d = r;
        d.kind = OT_REC_DOSE;
        d.date = p->doses[i].date;
        d.agent = p->doses[i].agent;
        if ((rc = put_doc(g, pi, &d, line, &first, 0, 0)) != 0)
            return rc;
    }
    for (size_t i = 0; i < p->nobs; i++) {
        const ot_obs *o = &p->obs[i];
        ot_record b = r;
        b.kind = o->analyte == OT_ANALYTE_BMD ? OT_REC_BMD : OT_REC_MARKER;
        b.date = o->date;
        b.site = o->site;
        b.analyte = o->analyte;
        b.value = o->value;
        b.tscore = o->tscore;
        b.zscore = o->zscore;
        b.manufacturer = o->manufacturer;
        b.device = o->device[0] ? o->device : NULL;
        b.side = o->side;
        b.region = o->region;
        if ((rc = put_doc(g, pi, &b, line, &first, PUT_PART, 0)) != 0)
            return rc;
    }
    for (size_t i = 0; i < p->nfx; i++) {
        ot_record f = r;
        f.kind = OT_REC_FRACTURE;
        f.date = p->fx[i].date;
        f.fracture = p->fx[i].site;
        if ((rc = put_doc(g, pi, &f, line, &first, PUT_PART, 0)) != 0)
            return rc;
    }
    return 0; /* a document with nothing in it still made its patient */
}

int ot_group_set_file(group *g, const char *name)
{
    if (grow((void **)&g->files, &g->capfiles, g->nfiles + 1, sizeof *g->files) ||
        grow((void **)&g->file_first, &g->capfirst, g->nfiles + 1, sizeof *g->file_first))
        return -1;
    g->files[g->nfiles] = name;
    g->file_first[g->nfiles++] = g->nrecs;
    return set_place(g, NULL);
}

/* The input name and line of record k (1-based). */
static const char *where_of(group *g, uint32_t k, long *line)
{
    size_t f = g->nfiles;
    while (f > 0 && g->file_first[f - 1] > k - 1)
        f--;
    const mrec *m = rec_at(g, k);
    *line = m ? (long)m->line : 0;
    return f > 0 ? g->files[f - 1] : "<input>";
}

#define ROW_LEFT_OUT 1

/* Adds one record, as streaming does (cmd_batch.c): one the patient refuses
 * (a duplicate, one past the limit, ...) is told and left out, and when it is
 * the row's (or document's) demographics contradicting an earlier one's, the
 * rest of the row or document too (ROW_LEFT_OUT). A CSV row counts as
 * rejected once; a JSON document's observations, therapies and fractures
 * each (`*row_told`: the row was counted). Only running out of memory is
 * final. */
static int fill_add(group *g, uint32_t k, const mrec *m, ot_patient *p, const ot_refdata *rd,
                    const ot_record *r, group_reject_fn rej, void *ctx, int *row_told)
{
    ot_error err; /* one a record: its "" set, not all 512 bytes zeroed */
    err.status = 0;
    err.message[0] = '\0';
    int rc = ot_patient_add_record(p, rd, r, (long)m->line, &err);
    if (rc == OT_OK || rc == OT_ENOMEM)
        return rc;
    long line; /* the input is looked up only for a message */
    const char *file = where_of(g, k, &line);
    int drop = ot_group_row_left_out(rc, r);
    size_t counts = m->json ? doc_rows(m) : !*row_told;
    *row_told = 1;
    if (rej) {
        const char *tail = !drop ? "" : m->json ? GROUP_DOC_LEFT_OUT : GROUP_ROW_LEFT_OUT;
        char msg[sizeof err.message + sizeof GROUP_DOC_LEFT_OUT];
        snprintf(msg, sizeof msg, "%s%s", err.message, tail);
        rej(ctx, file, line, place_of(g, k), counts, msg);
    }
    return drop ? ROW_LEFT_OUT : OT_OK;
}

int ot_group_row_left_out(int status, const ot_record *r)
{
    return status == OT_ECONFLICT && r->kind == OT_REC_DEMOGRAPHICS;
}

int ot_group_fill(group *g, size_t i, ot_patient *p, const ot_refdata *rd,
               group_reject_fn rej, void *ctx)
{
    const gpat *pt = &g->pats[i];
    int rc = ot_patient_reset(p, g->ids.buf + g->pid_off[i]);
    int skip = 0;     /* the rest of a row or document left out */
    int row_told = 0; /* a rejection of this row was counted */
    for (uint32_t k = pt->head, next; rc == OT_OK && k; k = next) {
        const mrec *m = rec_at(g, k);
        if (!m)
            return OT_EIO; /* the spill file cannot be read back */
        next = m->next;
        if (m->row_first)
            skip = row_told = 0;
        if (skip) {
            if (m->json && m->part && rej) { /* each part of a document counts */
                long line;
                const char *file = where_of(g, k, &line);
                rej(ctx, file, line, NULL, doc_rows(m), NULL);
            }
            continue;
        }
        ot_record r;
        memset(&r, 0, sizeof r);
        r.kind = (ot_record_kind)m->kind;
        r.date = m->date;
        r.tscore = score_out(g, m->tscore);
        r.zscore = score_out(g, m->zscore);
        r.start = r.end = r.birth_date = OT_DATE_NONE;
        switch (r.kind) {
        case OT_REC_BMD:
            r.site = (ot_site)m->sub;
            r.value = score_out(g, m->value);
            r.manufacturer = (ot_manufacturer)m->mfr;
            r.device = m->device ? g->devs.buf + g->dev_off[m->device - 1] : NULL;
            r.side = (ot_side)m->side;
            r.region = (ot_spine_region)m->region;
            break;
        case OT_REC_MARKER: r.analyte = (ot_analyte)m->sub; r.value = score_out(g, m->value); break;
        case OT_REC_FRACTURE: r.fracture = (ot_fracture_site)m->sub; break;
        case OT_REC_DOSE: r.agent = (ot_agent)m->sub; break;
        case OT_REC_DEMOGRAPHICS:
            r.birth_date = (ot_date)m->value;
            r.sex = (ot_sex)m->sub;
            r.menopause = (ot_menopause)m->mfr;
            break;
        case OT_REC_THERAPY: break;
        case OT_REC_COURSE:
            r.agent = (ot_agent)m->sub;
            r.start = tstart_out(g, m);
            r.end = (ot_date)m->value;
            break;
        }
        if (r.kind != OT_REC_THERAPY)
            rc = fill_add(g, k, m, p, rd, &r, rej, ctx, &row_told);
        if (rc == ROW_LEFT_OUT) {
            skip = 1;
            rc = OT_OK;
            continue;
        }
        if (rc == OT_OK && m->agent) {
            ot_record t;
            memset(&t, 0, sizeof t);
            t.kind = OT_REC_THERAPY;
            t.date = m->date;
            t.agent = (ot_agent)(m->agent - 1);
            t.start = tstart_out(g, m);
            t.end = r.kind == OT_REC_THERAPY ? (ot_date)m->value : OT_DATE_NONE;
            t.tscore = t.zscore = NAN;
            t.birth_date = OT_DATE_NONE;
            rc = fill_add(g, k, m, p, rd, &t, rej, ctx, &row_told);
        }
    }
    return rc;
}

struct idset {
    table t;
    arena a;
    uint32_t *off;
    size_t n, cap;
};

int ot_idset_new(idset **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -1;
}

void ot_idset_free(idset *s)
{
    if (!s)
        return;
    free(s->t.slot);
    free(s->a.buf);
    free(s->off);
    free(s);
}

int ot_idset_add(idset *s, const char *id, size_t len)
{
    int added;
    long k = lookup(&s->t, &s->a, &s->off, &s->n, &s->cap, id, len, &added);
    return k < 0 ? -1 : !added;
}

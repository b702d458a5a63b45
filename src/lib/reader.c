/* The patient reader: inputs of any format into patients (osteotrack.h,
 * "Reading patients"). CSV rows and JSON and NDJSON documents are streamed
 * (grouped input: a patient that comes back is rejected) or gathered
 * (rowgroup.c), where the rows and documents of one patient id, in any file,
 * make one patient. */
#include "internal.h"
#include "fhir_read.h"
#include "json_stream.h"
#include "rowgroup.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

struct ot_patient_reader {
    const ot_refdata *rd;
    ot_patient_reader_options o;
    group *grp;          /* CSV rows gathered (auto, memory) */
    idset *done;         /* stream: patients already handed on */
    ot_patient *cur;     /* stream: the patient being filled */
    ot_patient *doc;     /* gathered: a JSON document read before it joins its patient */
    char *cur_id;
    size_t cur_cap;
    const char *file;    /* the input being read, for messages */
    char **names;        /* every input name, kept for the gathered rows */
    size_t nnames, capnames;
    const ot_patient *filling; /* the patient whose parts are being read */
    const char *wrapper; /* JSON: the document's place in its wrapper */
    size_t doc_rejected; /* JSON: parts of the document rejected as it was read */
    idset *keys_named;   /* JSON: the unknown keys named in this file (kind:key) */
    long line;
    size_t rows, rejected;
    int stop;            /* `ready` asked to stop */
    int fatal;           /* OT_ENOMEM, OT_EIO: nothing more is read */
    ot_fhir_in *fhir;    /* FHIR resources, gathered until the end (fhir_read.c) */
    const char *fhir_file; /* the input the last FHIR patient joined the group from */
};

/* The bytes of the options of each version (2: up to threads). */
static size_t options_size(unsigned version)
{
    return version == 2 ? offsetof(ot_patient_reader_options, strict)
           : version == OT_PATIENT_READER_OPTIONS_VERSION ? sizeof(ot_patient_reader_options)
                                                          : 0;
}

int ot_patient_reader_options_init(ot_patient_reader_options *opts, unsigned version)
{
    static const ot_patient_reader_options d = OT_PATIENT_READER_OPTIONS_INIT;
    if (!opts || !options_size(version))
        return OT_EINVAL;
    memcpy(opts, &d, options_size(version));
    opts->version = version;
    return OT_OK;
}

int ot_grouping_parse(ot_grouping *out, const char *s)
{
    static const char *const names[] = {"auto", "stream", "memory"};
    for (int i = 0; s && out && i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (ot_grouping)i;
            return OT_OK;
        }
    return out && s ? OT_EVOCAB : OT_EINVAL;
}

static void reject(ot_patient_reader *r, const char *file, long line, const char *patient,
                   const char *where, const char *reason)
{
    r->rejected++;
    if (r->o.reject)
        r->o.reject(r->o.ctx, file, line, patient, where, reason);
}

static void note(ot_patient_reader *r, const char *fmt, ...) OT_PRINTF(2, 3);
static void note(ot_patient_reader *r, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->o.note)
        r->o.note(r->o.ctx, msg);
}

static void ready(ot_patient_reader *r, ot_patient *p)
{
    if (r->o.ready(r->o.ctx, p))
        r->stop = 1;
}

int ot_patient_reader_new(ot_patient_reader **out, const ot_refdata *rd,
                          const ot_patient_reader_options *opts, ot_error *err)
{
    if (!out || !rd || !opts || !options_size(opts->version) || !opts->patient ||
        !opts->ready || (unsigned)opts->grouping > OT_GROUPING_MEMORY)
        return ot_err_set(err, OT_EINVAL, "ot_patient_reader_new: bad argument");
    static const ot_patient_reader_options d = OT_PATIENT_READER_OPTIONS_INIT;
    ot_patient_reader_options o = d; /* a version 2 caller's: the defaults after threads */
    memcpy(&o, opts, options_size(opts->version));
    if ((o.delimiter && o.delimiter != ',' && o.delimiter != ';' && o.delimiter != '\t') ||
        (unsigned)o.encoding > OT_ENCODING_CP1252)
        return ot_err_set(err, OT_EINVAL, "ot_patient_reader_new: delimiter or encoding "
                          "unknown (expected ',', ';', '\\t' or 0; an ot_encoding)");
    ot_patient_reader *r = calloc(1, sizeof *r);
    if (!r)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    r->rd = rd;
    r->o = o;
    int rc = opts->grouping == OT_GROUPING_STREAM
                 ? ot_idset_new(&r->done)
                 : ot_group_new(&r->grp, opts->grouping == OT_GROUPING_AUTO);
    if (rc != 0) {
        ot_patient_reader_free(r);
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    }
    *out = r;
    return OT_OK;
}

void ot_patient_reader_free(ot_patient_reader *r)
{
    if (!r)
        return;
    ot_group_free(r->grp);
    ot_fhir_in_free(r->fhir);
    ot_idset_free(r->done);
    ot_idset_free(r->keys_named);
    ot_patient_free(r->doc);
    free(r->cur_id);
    for (size_t i = 0; i < r->nnames; i++)
        free(r->names[i]);
    free(r->names);
    free(r);
}

void ot_patient_reader_counts(const ot_patient_reader *r, size_t *rows, size_t *rejected)
{
    ot_patient_reader_counts2(r, rows, rejected, NULL);
}

void ot_patient_reader_counts2(const ot_patient_reader *r, size_t *rows, size_t *rejected,
                               size_t *not_relevant)
{
    size_t fr = 0, fj = 0, fn = 0;
    ot_fhir_in_counts(r ? r->fhir : NULL, &fr, &fj, &fn);
    if (rows)
        *rows = r ? r->rows + fr : 0;
    if (rejected)
        *rejected = r ? r->rejected + fj : 0;
    if (not_relevant)
        *not_relevant = fn;
}

/* ---- FHIR: resources gathered, patients made at the end (fhir_read.c) ---- */

static void fhir_reject(void *ctx, const char *file, long line, const char *patient,
                        const char *where, const char *reason)
{
    ot_patient_reader *r = ctx; /* counted by fhir_read.c */
    if (r->o.reject)
        r->o.reject(r->o.ctx, file, line, patient, where, reason);
}

static void fhir_note(void *ctx, const char *message)
{
    ot_patient_reader *r = ctx;
    if (r->o.note)
        r->o.note(r->o.ctx, message);
}

static ot_patient *fhir_patient(void *ctx)
{
    ot_patient_reader *r = ctx;
    if (!r->grp)
        return r->o.patient(r->o.ctx);
    if (!r->doc && ot_patient_new(&r->doc, "") != OT_OK)
        return NULL;
    return r->doc;
}

/* A patient made from FHIR resources: joins the rows and documents of its id
 * (gathered), or is handed on (stream), as a JSON document would be. */
static int fhir_done(void *ctx, ot_patient *p, const char *file, long line, const char *where,
                     char *why, size_t whysz)
{
    ot_patient_reader *r = ctx;
    const char *id = ot_patient_id(p);
    if (r->grp) {
        if (file != r->fhir_file && ot_group_set_file(r->grp, file) != 0) {
            r->fatal = OT_ENOMEM;
            return -1;
        }
        r->fhir_file = file;
        int rc = ot_group_add_patient(r->grp, p, line, where);
        if (rc == GROUP_ETOO_MANY_DEVICES) {
            snprintf(why, whysz, "device: more than %lu distinct device names, too many to group "
                     "in memory", (1ul << GROUP_DEVICE_BITS) - 1);
            return 1;
        }
        if (rc != 0) {
            r->fatal = OT_ENOMEM;
            return -1;
        }
        return 0;
    }
    int seen = ot_idset_add(r->done, id, strlen(id));
    if (seen < 0) {
        r->fatal = OT_ENOMEM;
        return -1;
    }
    if (seen) {
        snprintf(why, whysz, "data of this patient came in an earlier input and its report is "
                 "written (use --grouping memory)");
        return 1;
    }
    ready(r, p);
    return r->stop || r->fatal ? -1 : 0;
}

static int read_fhir(ot_patient_reader *r, FILE *f, ot_error *err)
{
    if (!r->fhir) {
        ot_fhir_cb cb = {r, fhir_reject, fhir_note, fhir_patient, fhir_done};
        if (ot_fhir_in_new(&r->fhir, r->rd, &cb) != OT_OK)
            return ot_err_set(err, OT_ENOMEM, "out of memory");
    }
    int rc = ot_fhir_in_read(r->fhir, f, r->file, err);
    if (rc == OT_ENOMEM)
        r->fatal = OT_ENOMEM;
    return rc;
}

/* ---- JSON and NDJSON: a document is a patient ---- */

/* Streaming: hands on the patient being filled, if any. */
static void flush_current(ot_patient_reader *r)
{
    if (!r->cur)
        return;
    if (r->done && ot_idset_add(r->done, r->cur_id, strlen(r->cur_id)) < 0)
        r->fatal = OT_ENOMEM;
    ot_patient *p = r->cur;
    r->cur = NULL;
    ready(r, p);
}

static void on_part(void *ctx, const char *where, const char *reason)
{
    ot_patient_reader *r = ctx;
    char w[160];
    if (r->wrapper)
        snprintf(w, sizeof w, "%s.%s", r->wrapper, where);
    reject(r, r->file, r->line, ot_patient_id(r->filling), r->wrapper ? w : where, reason);
    r->doc_rejected++;
}

/* A key of a document that osteotrack does not use (not strict): a note, as
 * CSV's columns not used are, once a kind of object and key a file. */
static void on_unknown_key(void *ctx, const char *where, const char *what, const char *key,
                           const char *message)
{
    ot_patient_reader *r = ctx;
    if (!r->o.note)
        return;
    size_t wl = strlen(what), kl = strlen(key);
    char small[256], *k = wl + 1 + kl <= sizeof small ? small : malloc(wl + 1 + kl);
    if (!k || (!r->keys_named && ot_idset_new(&r->keys_named) != 0)) {
        if (k != small)
            free(k);
        r->fatal = OT_ENOMEM;
        return;
    }
    memcpy(k, what, wl);
    k[wl] = ':';
    memcpy(k + wl + 1, key, kl);
    int seen = ot_idset_add(r->keys_named, k, wl + 1 + kl);
    if (k != small)
        free(k);
    if (seen < 0)
        r->fatal = OT_ENOMEM;
    if (seen)
        return;
    char w[160];
    if (r->wrapper)
        snprintf(w, sizeof w, "%s%s%s", r->wrapper, where[0] ? "." : "", where);
    const char *place = r->wrapper ? w : where;
    note(r, "%s:%ld: patient %s: %s%s%s; named once a file (--strict rejects it)", r->file,
         r->line, ot_patient_id(r->filling), place, place[0] ? ": " : "", message);
}

static void on_bad(void *ctx, long line, const char *reason)
{
    ot_patient_reader *r = ctx;
    r->rows++;
    reject(r, r->file, line, NULL, NULL, reason);
}

/* Rejects a document read whole: each of its `parts` not rejected already
 * while it was read counts; one with none counts as one row, as a document
 * that cannot be read does. */
static void reject_doc(ot_patient_reader *r, size_t parts, long line, const char *patient,
                       const char *where, const char *reason)
{
    if (r->o.reject)
        r->o.reject(r->o.ctx, r->file, line, patient, where, reason);
    if (parts == 0)
        r->rows++;
    r->rejected += parts == 0 ? 1 : parts - r->doc_rejected;
}

#define CAME_BACK "came earlier and its report is written: the input is not grouped by " \
    "patient (use --grouping memory)"

static int on_doc(void *ctx, const char *doc, size_t len, long line, const char *where)
{
    ot_patient_reader *r = ctx;
    ot_error err; /* one a record: its "" set, not all 512 bytes zeroed */
    err.status = 0;
    err.message[0] = '\0';
    size_t n = 0;
    if (r->fatal || r->stop)
        return 1; /* the rest of the input is not read */
    flush_current(r);
    r->line = line;
    r->wrapper = where;
    r->doc_rejected = 0;
    if (r->grp && !r->doc && ot_patient_new(&r->doc, "") != OT_OK) {
        r->fatal = OT_ENOMEM;
        return 1;
    }
    ot_patient *p = r->grp ? r->doc : r->o.patient(r->o.ctx);
    r->filling = p; /* its id names its parts: set before they are read */
    int named = 0;
    int rc = ot_patient_from_json_keys(p, r->rd, doc, len, on_part, on_unknown_key,
                                       r->o.strict, r, &n, &named, &err);
    r->rows += n + (rc != OT_OK && n == 0);
    if (rc != OT_OK) { /* named: refused with its patient known (strict) */
        reject(r, r->file, line, named ? ot_patient_id(p) : NULL, where, err.message);
        return 0;
    }
    const char *id = ot_patient_id(p);
    if (r->grp) { /* gathered: joins the rows and documents of its patient id */
        rc = ot_group_add_patient(r->grp, p, line, where);
        if (rc == GROUP_ETOO_MANY_DEVICES) {
            snprintf(err.message, sizeof err.message, "device: more than %lu distinct device "
                     "names, too many to group in memory; the document is rejected",
                     (1ul << GROUP_DEVICE_BITS) - 1);
            reject_doc(r, n, line, id, where, err.message);
        } else if (rc != 0) {
            r->fatal = OT_ENOMEM;
        }
        return r->fatal != 0;
    }
    int seen = ot_idset_add(r->done, id, strlen(id));
    if (seen < 0)
        r->fatal = OT_ENOMEM;
    if (seen) { /* streamed: the patient's report is written */
        reject_doc(r, n, line, id, where, "data of this patient " CAME_BACK);
        return r->fatal != 0;
    }
    ready(r, p);
    return r->stop || r->fatal;
}

static int read_json(ot_patient_reader *r, FILE *in, ot_input_format f, ot_error *err)
{
    int e = f == OT_INPUT_NDJSON ? ot_ndjson_stream(in, (size_t)1 << 20, on_doc, on_bad, r)
                                 : ot_json_stream(in, (size_t)1 << 20, on_doc, on_bad, r);
    if (!e)
        return OT_OK;
    if (e == ENOMEM)
        return ot_err_set(err, OT_ENOMEM, "%s: out of memory", r->file);
    /* counted as a CSV file that cannot be read is (read_csv) */
    char msg[sizeof ((ot_error *)0)->message];
    snprintf(msg, sizeof msg, "%s: cannot read: %s", r->file, strerror(e));
    r->rows++;
    reject(r, NULL, 0, NULL, NULL, msg);
    return ot_err_set(err, OT_EIO, "%s", "");
}

/* ---- CSV rows ---- */

static int same_id(const ot_patient_reader *r, const ot_row *row)
{
    return r->cur && strlen(r->cur_id) == row->patient_id_len &&
           !memcmp(r->cur_id, row->patient_id, row->patient_id_len);
}

/* Stream: a row into the patient being filled; a new id hands the previous
 * patient on; a patient already handed on is not grouped input. */
static void stream_row(ot_patient_reader *r, const ot_row *row)
{
    ot_error err; /* one a record: its "" set, not all 512 bytes zeroed */
    err.status = 0;
    err.message[0] = '\0';
    if (!same_id(r, row)) {
        flush_current(r);
        int seen = ot_idset_add(r->done, row->patient_id, row->patient_id_len);
        if (seen) {
            char id[256];
            if (seen < 0)
                r->fatal = OT_ENOMEM;
            snprintf(id, sizeof id, "%.*s", (int)row->patient_id_len, row->patient_id);
            reject(r, r->file, row->line, id, NULL, "rows of this patient " CAME_BACK);
            return;
        }
        void *a = r->cur_id;
        if (ot_grow(&a, &r->cur_cap, row->patient_id_len + 1, 1) != OT_OK) {
            r->fatal = OT_ENOMEM;
            return;
        }
        r->cur_id = a;
        memcpy(r->cur_id, row->patient_id, row->patient_id_len);
        r->cur_id[row->patient_id_len] = '\0';
        r->cur = r->o.patient(r->o.ctx);
        if (ot_patient_reset(r->cur, r->cur_id) != OT_OK)
            r->fatal = OT_ENOMEM;
    }
    /* a duplicate or one past the limit is left out, the row's other records
     * still used; demographics that contradict an earlier row's leave out
     * the whole row (group_fill does the same); the row counts once */
    int rejected = 0;
    for (size_t i = 0; i < row->nrecords; i++) {
        int rc = ot_patient_add_record(r->cur, r->rd, &row->records[i], row->line, &err);
        if (rc == OT_OK)
            continue;
        if (rc == OT_ENOMEM)
            r->fatal = OT_ENOMEM;
        int drop = ot_group_row_left_out(rc, &row->records[i]);
        char msg[sizeof err.message + sizeof GROUP_ROW_LEFT_OUT];
        snprintf(msg, sizeof msg, "%s%s", err.message, drop ? GROUP_ROW_LEFT_OUT : "");
        if (r->o.reject)
            r->o.reject(r->o.ctx, r->file, row->line, r->cur_id, NULL, msg);
        rejected = 1;
        if (drop)
            break;
    }
    r->rejected += (size_t)rejected;
}

/* Gathered rows: a record the patient refused (group_fill). */
/* Gathered rows: a record the patient refused (group_fill). */
static void on_group_reject(void *ctx, const char *file, long line, const char *where,
                            size_t counts, const char *reason)
{
    ot_patient_reader *r = ctx;
    if (r->o.reject && reason)
        r->o.reject(r->o.ctx, file, line, ot_patient_id(r->filling), where, reason);
    r->rejected += counts;
}

/* The input's name, kept as long as the reader (gathered rows name it). */
static const char *keep_name(ot_patient_reader *r, const char *name)
{
    void *a = r->names;
    char *s = malloc(strlen(name) + 1);
    if (!s || ot_grow(&a, &r->capnames, r->nnames + 1, sizeof *r->names) != OT_OK) {
        free(s);
        return NULL;
    }
    r->names = a;
    strcpy(s, name);
    r->names[r->nnames++] = s;
    return s;
}

/* A row from the row reader: rc 1, or the negative status of a rejected one
 * with its message. 0 goes on; STOP_ROWS: the reading stops (r->fatal);
 * STOP_NOMEM: out of memory grouping, told in err. */
#define STOP_ROWS 1
#define STOP_NOMEM 2
static int take_row(ot_patient_reader *r, int rc, const ot_row *row, const char *msg,
                    ot_error *err)
{
    r->rows++;
    if (rc < 0) {
        reject(r, NULL, 0, NULL, NULL, msg);
        if (rc == OT_EIO || rc == OT_ENOMEM) {
            r->fatal = rc;
            return STOP_ROWS;
        }
        return 0;
    }
    if (!r->grp) {
        stream_row(r, row);
    } else if ((rc = ot_group_add(r->grp, row)) == GROUP_ETOO_MANY_DEVICES) {
        char m[200];
        snprintf(m, sizeof m, "device: more than %lu distinct device names, too many to "
                 "group in memory; the row is rejected (rows grouped by patient are streamed "
                 "and have no such limit)", (1ul << GROUP_DEVICE_BITS) - 1);
        reject(r, r->file, row->line, NULL, NULL, m);
    } else if (rc != 0) {
        ot_err_set(err, OT_ENOMEM, "%s:%ld: out of memory grouping the rows of %zu patients "
                   "in memory; the run stops (a file whose rows are grouped by patient is "
                   "streamed without this)", r->file, row->line, ot_group_patients(r->grp));
        r->fatal = OT_ENOMEM;
        return STOP_NOMEM;
    }
    return 0;
}

/* ---- CSV rows parsed on a thread of the reader's own ----
 * With threads, the row reader runs on a thread that parses rows into
 * batches (copies of the rows and the messages of rejected ones, in input
 * order) while the calling thread takes them in the same order and groups
 * them: the callbacks, the messages and their order are those of the
 * calling thread reading alone. PBATCHES batches bound the memory. */
typedef struct pitem {
    int rc;               /* 1: a row; else the status of a rejected one */
    long line;
    size_t id, idlen;     /* the patient id: offset in text, bytes */
    size_t rec, nrec;     /* its records: recs[rec, rec + nrec) */
    size_t msg;           /* rejected: its message's offset in text; NO_TEXT: out of memory */
} pitem;

typedef struct pbatch {
    pitem *items;
    size_t n;
    ot_record *recs;      /* device NULL: see devs */
    size_t *devs;         /* per record: 1 + offset of its device name in text; 0 none */
    size_t nrecs, caprecs, capdevs;
    char *text;
    size_t len, captext;
    int end;              /* nothing comes after this batch */
} pbatch;

#define PBATCHES 4
#define PBATCH_ROWS 1024
#define PBATCH_TEXT ((size_t)64 << 10)
#define NO_TEXT SIZE_MAX

typedef struct parser {
    ot_rowreader *rr;     /* the parsing thread's while it runs */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pbatch b[PBATCHES];
    size_t filled, taken; /* batches filled and taken so far (ring positions) */
    int quit;             /* the reader stops: the thread ends */
} parser;

static int text_add(pbatch *b, const char *s, size_t n, size_t *off)
{
    void *a = b->text;
    if (ot_grow(&a, &b->captext, b->len + n + 1, 1) != OT_OK)
        return -1;
    b->text = a;
    memcpy(b->text + b->len, s, n);
    b->text[b->len + n] = '\0';
    *off = b->len;
    b->len += n + 1;
    return 0;
}

/* Copies a row, or a rejected row's message, into the batch. -1 out of memory. */
static int batch_add(pbatch *b, int rc, const ot_row *row, const char *msg)
{
    pitem *it = &b->items[b->n];
    memset(it, 0, sizeof *it);
    it->rc = rc;
    it->line = row->line;
    if (rc < 0) {
        if (text_add(b, msg, strlen(msg), &it->msg) != 0)
            return -1;
        b->n++;
        return 0;
    }
    void *a = b->recs, *d = b->devs;
    if (ot_grow(&a, &b->caprecs, b->nrecs + row->nrecords, sizeof *b->recs) != OT_OK)
        return -1;
    b->recs = a;
    if (ot_grow(&d, &b->capdevs, b->nrecs + row->nrecords, sizeof *b->devs) != OT_OK)
        return -1;
    b->devs = d;
    if (text_add(b, row->patient_id, row->patient_id_len, &it->id) != 0)
        return -1;
    it->idlen = row->patient_id_len;
    it->rec = b->nrecs;
    it->nrec = row->nrecords;
    for (size_t i = 0; i < row->nrecords; i++) {
        ot_record *c = &b->recs[b->nrecs + i];
        *c = row->records[i];
        c->device = NULL;
        b->devs[b->nrecs + i] = 0;
        size_t off;
        if (row->records[i].device) {
            if (text_add(b, row->records[i].device, strlen(row->records[i].device), &off) != 0)
                return -1;
            b->devs[b->nrecs + i] = off + 1;
        }
    }
    b->nrecs += row->nrecords;
    b->n++;
    return 0;
}

static void *parse_rows(void *arg)
{
    parser *ps = arg;
    for (int end = 0; !end;) {
        pthread_mutex_lock(&ps->mu);
        while (!ps->quit && ps->filled - ps->taken == PBATCHES)
            pthread_cond_wait(&ps->cv, &ps->mu);
        int quit = ps->quit;
        pbatch *b = &ps->b[ps->filled % PBATCHES];
        pthread_mutex_unlock(&ps->mu);
        if (quit)
            break;
        b->n = b->nrecs = b->len = 0;
        while (b->n < PBATCH_ROWS && b->len < PBATCH_TEXT) {
            ot_row row;
            ot_error e; /* one a record: its "" set, not all 512 bytes zeroed */
            e.status = 0;
            e.message[0] = '\0';
            int rc = ot_rowreader_next(ps->rr, &row, &e);
            if (rc == 0) {
                end = 1;
                break;
            }
            if (batch_add(b, rc, &row, e.message) != 0) { /* told as the row reader would */
                pitem *it = &b->items[b->n++];
                memset(it, 0, sizeof *it);
                it->rc = OT_ENOMEM;
                it->msg = NO_TEXT;
                rc = OT_ENOMEM;
            }
            if (rc == OT_EIO || rc == OT_ENOMEM) { /* final */
                end = 1;
                break;
            }
        }
        b->end = end;
        pthread_mutex_lock(&ps->mu);
        ps->filled++;
        pthread_cond_broadcast(&ps->cv);
        pthread_mutex_unlock(&ps->mu);
    }
    return NULL;
}

static void parser_free(parser *ps)
{
    for (int i = 0; i < PBATCHES; i++) {
        free(ps->b[i].items);
        free(ps->b[i].recs);
        free(ps->b[i].devs);
        free(ps->b[i].text);
    }
    free(ps);
}

/* Reads the rows of rr on a thread while this one groups them. 1: done,
 * with take_row's result in *stop; 0: no thread could be had (nothing read). */
static int read_rows_threaded(ot_patient_reader *r, ot_rowreader *rr, ot_error *err, int *stop)
{
    parser *ps = calloc(1, sizeof *ps);
    if (!ps)
        return 0;
    ps->rr = rr;
    for (int i = 0; i < PBATCHES; i++)
        if (!(ps->b[i].items = malloc((PBATCH_ROWS + 1) * sizeof *ps->b[i].items))) {
            parser_free(ps);
            return 0;
        }
    if (pthread_mutex_init(&ps->mu, NULL) != 0) {
        parser_free(ps);
        return 0;
    }
    if (pthread_cond_init(&ps->cv, NULL) != 0) {
        pthread_mutex_destroy(&ps->mu);
        parser_free(ps);
        return 0;
    }
    /* the thread takes no signal: the caller's threads do what they do */
    sigset_t all, old;
    sigfillset(&all);
    pthread_t t;
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int made = pthread_create(&t, NULL, parse_rows, ps) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (made) {
        int st = 0;
        for (int end = 0; !end && !st;) {
            pthread_mutex_lock(&ps->mu);
            while (ps->taken == ps->filled)
                pthread_cond_wait(&ps->cv, &ps->mu);
            pbatch *b = &ps->b[ps->taken % PBATCHES];
            pthread_mutex_unlock(&ps->mu);
            for (size_t i = 0; i < b->n && !st && !r->fatal && !r->stop; i++) {
                const pitem *it = &b->items[i];
                ot_row row;
                row.line = it->line;
                row.nrecords = 0;
                row.patient_id = NULL;
                row.patient_id_len = 0;
                if (it->rc > 0) {
                    row.patient_id = b->text + it->id;
                    row.patient_id_len = it->idlen;
                    row.nrecords = it->nrec;
                    memcpy(row.records, b->recs + it->rec, it->nrec * sizeof *row.records);
                    for (size_t k = 0; k < it->nrec; k++)
                        if (b->devs[it->rec + k])
                            row.records[k].device = b->text + b->devs[it->rec + k] - 1;
                }
                st = take_row(r, it->rc, &row,
                              it->rc > 0 ? NULL : it->msg == NO_TEXT ? "out of memory"
                                                                     : b->text + it->msg,
                              err);
            }
            end = b->end || r->fatal || r->stop;
            pthread_mutex_lock(&ps->mu);
            ps->taken++;
            pthread_cond_broadcast(&ps->cv);
            pthread_mutex_unlock(&ps->mu);
        }
        pthread_mutex_lock(&ps->mu);
        ps->quit = 1;
        pthread_cond_broadcast(&ps->cv);
        pthread_mutex_unlock(&ps->mu);
        pthread_join(t, NULL);
        *stop = st;
    }
    pthread_cond_destroy(&ps->cv);
    pthread_mutex_destroy(&ps->mu);
    parser_free(ps);
    return made;
}

static int read_csv(ot_patient_reader *r, FILE *f, ot_input_format fmt, ot_error *err)
{
    ot_rowreader *rr = NULL;
    ot_error e = {0, ""};
    int rc = ot_rowreader_open_dialect(&rr, r->rd, f, r->file, fmt, r->o.delimiter,
                                       r->o.encoding, r->o.columns, &e);
    int detected = 0;
    char delim = rr ? ot_rowreader_delimiter(rr, &detected) : 0;
    if (rc != OT_OK) {
        r->rows++; /* the header (or the empty file), as a rejected JSON document is */
        reject(r, NULL, 0, NULL, NULL, e.message);
        return rc == OT_EIO ? ot_err_set(err, OT_EIO, "%s", "") : OT_OK;
    }
    if (detected && delim != ',')
        note(r, "%s: fields separated by %s (detected from the header)", r->file,
             delim == '\t' ? "tabs" : "';'");
    if (ot_rowreader_warning(rr))
        note(r, "%s", ot_rowreader_warning(rr));
    size_t rows_before = r->rows;
    int stop = 0;
    /* gathered rows are parsed on a thread of their own while these are grouped */
    if (!(r->grp && r->o.threads > 1 && read_rows_threaded(r, rr, err, &stop))) {
        ot_row row;
        while (!stop && !r->fatal && !r->stop && (rc = ot_rowreader_next(rr, &row, &e)) != 0)
            stop = take_row(r, rc, &row, e.message, err);
    }
    ot_rowreader_close(rr);
    if (stop == STOP_NOMEM)
        return OT_ENOMEM;
    if (r->rows == rows_before && !r->fatal)
        note(r, "%s: no data rows after the header", r->file);
    if (r->fatal)
        return ot_err_set(err, r->fatal, "%s: %s", r->file,
                          r->fatal == OT_EIO ? "cannot read" : "out of memory");
    return OT_OK;
}

/* ---- inputs ---- */

int ot_patient_reader_add_file(ot_patient_reader *r, FILE *f, const char *name,
                               ot_input_format fmt, ot_error *err)
{
    if (!r || !f || !name)
        return ot_err_set(err, OT_EINVAL, "ot_patient_reader_add_file: NULL argument");
    if (r->fatal || r->stop)
        return r->fatal ? ot_err_set(err, r->fatal, "the reading has stopped") : OT_OK;
    if (!(r->file = keep_name(r, name)))
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    if (err)
        err->message[0] = '\0';
    ot_idset_free(r->keys_named); /* unknown keys are named again in each file */
    r->keys_named = NULL;
    if (r->grp && ot_group_set_file(r->grp, r->file) != 0)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    if (fmt == OT_INPUT_JSON || fmt == OT_INPUT_NDJSON)
        return read_json(r, f, fmt, err);
    if (fmt == OT_INPUT_FHIR)
        return read_fhir(r, f, err);
    return read_csv(r, f, fmt, err);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder: a FHIR Bulk Data export, its *.ndjson files read in the order of
 * their names. */
static int read_dir(ot_patient_reader *r, const char *path, ot_error *err)
{
    DIR *d = opendir(path);
    if (!d)
        return ot_err_set(err, OT_EIO, "%s: cannot open: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = OT_OK;
    struct dirent *e;
    while (rc == OT_OK && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 7 || strcmp(e->d_name + len - 7, ".ndjson") || e->d_name[0] == '.')
            continue;
        void *a = names;
        char *full = malloc(strlen(path) + len + 2);
        if (!full || ot_grow(&a, &cap, n + 1, sizeof *names) != OT_OK) {
            free(full);
            rc = ot_err_set(err, OT_ENOMEM, "out of memory");
            break;
        }
        names = a;
        sprintf(full, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        names[n++] = full;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    if (rc == OT_OK && n == 0)
        note(r, "%s: a folder with no .ndjson files: nothing read", path);
    for (size_t i = 0; i < n; i++) {
        if (rc == OT_OK || rc == OT_EIO) {
            FILE *f = fopen(names[i], "rb");
            int k = f ? ot_patient_reader_add_file(r, f, names[i], OT_INPUT_FHIR, err)
                      : ot_err_set(err, OT_EIO, "%s: cannot open: %s", names[i], strerror(errno));
            if (f)
                fclose(f);
            rc = rc == OT_OK ? k : rc;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int ot_patient_reader_add_path(ot_patient_reader *r, const char *path, ot_input_format fmt,
                               ot_error *err)
{
    if (!r || !path)
        return ot_err_set(err, OT_EINVAL, "ot_patient_reader_add_path: NULL argument");
    int in = !strcmp(path, "-");
    struct stat st;
    if (!in && fmt == OT_INPUT_FHIR && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return read_dir(r, path, err);
    FILE *f = in ? stdin : fopen(path, "rb");
    if (!f)
        return ot_err_set(err, OT_EIO, "%s: cannot open: %s", path, strerror(errno));
    int rc = ot_patient_reader_add_file(r, f, in ? "<stdin>" : path, fmt, err);
    if (!in)
        fclose(f);
    return rc;
}

int ot_patient_reader_add_memory(ot_patient_reader *r, const void *data, size_t len,
                                 const char *name, ot_input_format fmt, ot_error *err)
{
    if (!r || (!data && len) || !name)
        return ot_err_set(err, OT_EINVAL, "ot_patient_reader_add_memory: NULL argument");
    static const char empty[1] = "";
    /* read only ("rb"): fmemopen's buffer is not written */
    FILE *f = fmemopen((void *)(uintptr_t)(len ? data : empty), len ? len : 1, "rb");
    if (!f)
        return ot_err_set(err, errno == ENOMEM ? OT_ENOMEM : OT_EIO, "%s: %s", name,
                          strerror(errno));
    if (!len)
        fgetc(f); /* fmemopen wants a size: an empty input is one byte read */
    int rc = ot_patient_reader_add_file(r, f, name, fmt, err);
    fclose(f);
    return rc;
}

int ot_patient_reader_finish(ot_patient_reader *r, ot_error *err)
{
    if (!r)
        return ot_err_set(err, OT_EINVAL, "ot_patient_reader_finish: NULL argument");
    if (!r->stop && !r->fatal)
        flush_current(r);
    /* FHIR resources: made into patients now that every input is read */
    if (r->fhir && !r->stop && !r->fatal && ot_fhir_in_finish(r->fhir, err) != OT_OK)
        r->fatal = OT_ENOMEM;
    if (r->grp) /* no more rows: the patients are only filled from here */
        ot_group_done(r->grp);
    for (size_t i = 0; r->grp && i < ot_group_patients(r->grp) && !r->stop && !r->fatal; i++) {
        ot_patient *p = r->o.patient(r->o.ctx);
        r->filling = p;
        int rc = ot_group_fill(r->grp, i, p, r->rd, on_group_reject, r);
        if (rc != OT_OK) {
            r->fatal = rc;
            break;
        }
        ready(r, p);
    }
    free(r->cur_id);
    r->cur_id = NULL;
    r->cur_cap = 0;
    if (r->fatal)
        return ot_err_set(err, r->fatal, "%s", r->fatal == OT_ENOMEM
                                                   ? "out of memory"
                                                   : "a temporary file could not be read back");
    return OT_OK;
}

/* osteotrack batch: one report a patient from files of patients. */
#include "cli.h"
#include "group.h"
#include "input_json.h"
#include "output.h"
#include "pool.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The --help text: made at build time from the section "osteotrack batch"
 * of docs/osteotrack.1.md, as the man page is (edit it there). */
static const char help[] =
#include "help_batch.inc"
    ;

enum { OPT_INFMT = 256, OPT_FORMAT, OPT_OUTPUT, OPT_ASOF, OPT_CONFIG, OPT_DATA_DIR, OPT_PRETTY,
       OPT_JOBS, OPT_GROUPING, OPT_HELP };

static const struct option options[] = {
    {"input-format", required_argument, NULL, OPT_INFMT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"as-of", required_argument, NULL, OPT_ASOF},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"pretty", no_argument, NULL, OPT_PRETTY},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"grouping", required_argument, NULL, OPT_GROUPING},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

#define CMD "batch"
#define FMT_UNKNOWN ((ot_input_format)-1)

typedef enum { GROUP_AUTO, GROUP_STREAM, GROUP_MEMORY } grouping;

typedef struct batch {
    const ot_refdata *rd;
    pool *pool;
    ot_patient *cur;     /* stream mode: the patient being filled */
    char *cur_id;
    size_t cur_cap;
    int stream;          /* CSV rows are grouped: stream them */
    group *grp;          /* otherwise: gathered here */
    idset *done;         /* stream mode: patients already reported */
    int json_array;
    out_t out;
    const char *file;    /* current input's name for messages */
    long line;           /* current document's line (JSON) */
    const char *where;
    size_t rows, rejected, reported;
    const char *rej_file; /* memory mode: the row last rejected */
    long rej_line;
    int fatal;
    int tty;
    time_t last_progress;
} batch;

static void progress(batch *b, int final)
{
    if (!b->tty)
        return;
    time_t now = time(NULL);
    if (!final && now == b->last_progress)
        return;
    b->last_progress = now;
    fprintf(stderr, "\r%zu rows read, %zu patients reported...%s", b->rows, b->reported,
            final ? "\r\033[K" : "");
}

static void emit(void *ctx, const char *id, const char *json, const char *err)
{
    batch *b = ctx;
    if (!json) {
        fprintf(stderr, "%s: patient %s: no report: %s\n", b->file, id, err);
        b->rejected++;
        return;
    }
    if (b->json_array)
        out_write(&b->out, b->reported ? ",\n" : "[\n", 2);
    out_write(&b->out, json, strlen(json));
    if (!b->json_array)
        out_write(&b->out, "\n", 1);
    if (b->out.failed && !b->fatal)
        b->fatal = EXIT_IOERR; /* a full disk or a closed pipe: stop reading */
    b->reported++;
    if ((b->reported & 4095) == 0)
        progress(b, 0);
}

static void on_reject(void *ctx, const char *where, const char *reason)
{
    batch *b = ctx;
    fprintf(stderr, "%s:%ld: patient %s: %s%s%s: %s\n", b->file, b->line,
            ot_patient_id(pool_patient(b->pool)), b->where ? b->where : "", b->where ? "." : "",
            where, reason);
    b->rejected++;
}

static void on_bad(void *ctx, long line, const char *reason)
{
    batch *b = ctx;
    fprintf(stderr, "%s:%ld: %s\n", b->file, line, reason);
    b->rows++;
    b->rejected++;
}

/* Reports the patient being streamed, if any. */
static void flush_current(batch *b)
{
    if (!b->cur)
        return;
    if (b->done && idset_add(b->done, b->cur_id, strlen(b->cur_id)) < 0)
        b->fatal = EXIT_SOFTWARE;
    pool_submit(b->pool);
    b->cur = NULL;
}

static int on_doc(void *ctx, const char *doc, size_t len, long line, const char *where)
{
    batch *b = ctx;
    ot_error err = {0, ""};
    size_t n = 0;
    if (b->fatal)
        return 1; /* the run stops: the rest of the input is not read */
    flush_current(b);
    b->line = line;
    b->where = where;
    ot_patient *p = pool_patient(b->pool);
    int rc = ot_patient_from_json(p, b->rd, doc, len, on_reject, b, &n, &err);
    b->rows += n;
    if (rc != OT_OK) {
        fprintf(stderr, "%s:%ld: %s%s%s\n", b->file, line, where ? where : "", where ? ": " : "",
                err.message);
        b->rows += n == 0;
        b->rejected++;
        return 0;
    }
    pool_submit(b->pool);
    return b->fatal;
}

static int same_id(const batch *b, const ot_row *row)
{
    return b->cur && strlen(b->cur_id) == row->patient_id_len &&
           !memcmp(b->cur_id, row->patient_id, row->patient_id_len);
}

static void stream_row(batch *b, const ot_row *row)
{
    ot_error err = {0, ""};
    if (!same_id(b, row)) {
        flush_current(b);
        int seen = idset_add(b->done, row->patient_id, row->patient_id_len);
        if (seen) {
            if (seen < 0)
                b->fatal = EXIT_SOFTWARE;
            fprintf(stderr, "%s:%ld: patient %.*s: rows of this patient came earlier and its "
                    "report is written: the input is not grouped by patient (use --grouping "
                    "memory)\n", b->file, row->line, (int)row->patient_id_len, row->patient_id);
            b->rejected++;
            return;
        }
        void *buf = b->cur_id;
        if (b->cur_cap < row->patient_id_len + 1) {
            buf = realloc(b->cur_id, row->patient_id_len + 1);
            if (!buf) {
                b->fatal = EXIT_SOFTWARE;
                return;
            }
            b->cur_cap = row->patient_id_len + 1;
        }
        b->cur_id = buf;
        memcpy(b->cur_id, row->patient_id, row->patient_id_len);
        b->cur_id[row->patient_id_len] = '\0';
        b->cur = pool_patient(b->pool);
        if (ot_patient_reset(b->cur, b->cur_id) != OT_OK)
            b->fatal = EXIT_SOFTWARE;
    }
    /* a duplicate or one past the limit is left out; the row's other
     * records are still used, and the row is counted once as rejected;
     * demographics that contradict an earlier row's leave out the whole row
     * (group_fill does the same) */
    int rejected = 0;
    for (size_t i = 0; i < row->nrecords; i++) {
        int rc = ot_patient_add_record(b->cur, b->rd, &row->records[i], row->line, &err);
        if (rc == OT_OK)
            continue;
        if (rc == OT_ENOMEM)
            b->fatal = EXIT_SOFTWARE;
        int drop = group_row_left_out(rc, &row->records[i]);
        fprintf(stderr, "%s:%ld: patient %s: %s%s\n", b->file, row->line, b->cur_id, err.message,
                drop ? GROUP_ROW_LEFT_OUT : "");
        rejected = 1;
        if (drop)
            break;
    }
    b->rejected += (size_t)rejected;
}

/* Memory mode: a record that its patient refused (group_fill). */
static void on_group_reject(void *ctx, const char *file, long line, const char *reason)
{
    batch *b = ctx;
    fprintf(stderr, "%s:%ld: patient %s: %s\n", file, line,
            ot_patient_id(pool_patient(b->pool)), reason);
    if (file != b->rej_file || line != b->rej_line) /* a row's records come together */
        b->rejected++;
    b->rej_file = file;
    b->rej_line = line;
}

static FILE *open_input(const char *path, int *status)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    *status = EXIT_OK;
    if (!f) {
        cli_error(CMD, "%s: cannot open: %s", path, strerror(errno));
        *status = EXIT_NOINPUT;
    }
    return f;
}

static int run_csv(batch *b, const char *path, ot_input_format fmt)
{
    int status;
    FILE *f = open_input(path, &status);
    if (!f)
        return status;
    ot_rowreader *rr = NULL;
    ot_error err = {0, ""};
    int rc = ot_rowreader_open(&rr, b->rd, f, b->file, fmt, &err);
    if (rc != OT_OK) {
        fprintf(stderr, "%s\n", err.message);
        if (f != stdin)
            fclose(f);
        b->rows++; /* the header (or the empty file), as a rejected JSON document is */
        b->rejected++;
        return rc == OT_EIO ? EXIT_NOINPUT : EXIT_OK;
    }
    if (ot_rowreader_warning(rr))
        fprintf(stderr, "%s\n", ot_rowreader_warning(rr));
    if (b->grp && group_set_file(b->grp, b->file) != 0)
        b->fatal = EXIT_SOFTWARE;
    size_t rows_before = b->rows;
    ot_row row;
    while (!b->fatal && (rc = ot_rowreader_next(rr, &row, &err)) != 0) {
        b->rows++;
        if (rc < 0) {
            fprintf(stderr, "%s\n", err.message);
            b->rejected++;
            if (rc == OT_EIO || rc == OT_ENOMEM) {
                b->fatal = rc == OT_EIO ? EXIT_NOINPUT : EXIT_SOFTWARE;
                break;
            }
            continue;
        }
        if (b->stream) {
            stream_row(b, &row);
        } else if ((rc = group_add(b->grp, &row)) == GROUP_ETOO_MANY_DEVICES) {
            fprintf(stderr, "%s:%ld: device: more than %lu distinct device names, too many to "
                    "group in memory; the row is rejected (rows grouped by patient are streamed "
                    "and have no such limit)\n", b->file, row.line,
                    (1ul << GROUP_DEVICE_BITS) - 1);
            b->rejected++;
        } else if (rc != 0) {
            fprintf(stderr, "%s:%ld: out of memory grouping the rows of %zu patients in memory; "
                    "the run stops (a file whose rows are grouped by patient is streamed "
                    "without this)\n", b->file, row.line,
                    group_patients(b->grp));
            b->fatal = EXIT_SOFTWARE;
        }
        if ((b->rows & 65535) == 0)
            progress(b, 0);
    }
    if (b->rows == rows_before && !b->fatal)
        fprintf(stderr, "%s: no data rows after the header\n", b->file);
    ot_rowreader_close(rr);
    if (f != stdin)
        fclose(f);
    return EXIT_OK;
}

/* Whether the rows of these CSV files come grouped by patient (a first pass
 * over the patient ids only). Standard input cannot be read twice: no. */
static int csv_grouped(const batch *b, char **paths, const ot_input_format *fmts, int n)
{
    idset *seen = NULL;
    int grouped = idset_new(&seen) == 0;
    for (int i = 0; grouped && i < n; i++) {
        if (fmts[i] == OT_INPUT_JSON || fmts[i] == OT_INPUT_NDJSON)
            continue;
        struct stat st;
        FILE *f = strcmp(paths[i], "-") && stat(paths[i], &st) == 0 && S_ISREG(st.st_mode)
                      ? fopen(paths[i], "rb")
                      : NULL;
        ot_rowreader *rr = NULL;
        if (!f || ot_rowreader_open(&rr, b->rd, f, paths[i], fmts[i], NULL) != OT_OK) {
            grouped = f != NULL; /* a file that cannot be read is reported in the second pass */
            if (f)
                fclose(f);
            if (!grouped)
                break;
            continue;
        }
        ot_row row;
        int rc;
        char *prev = NULL;
        size_t prevlen = 0;
        while (grouped && (rc = ot_rowreader_next_id(rr, &row, NULL)) != 0) {
            if (rc < 0 || (prev && prevlen == row.patient_id_len &&
                           !memcmp(prev, row.patient_id, prevlen)))
                continue;
            int r = idset_add(seen, row.patient_id, row.patient_id_len);
            grouped = r == 0;
            free(prev);
            prev = malloc(row.patient_id_len + 1);
            if (!prev)
                grouped = 0;
            else
                memcpy(prev, row.patient_id, row.patient_id_len);
            prevlen = row.patient_id_len;
        }
        free(prev);
        ot_rowreader_close(rr);
        fclose(f);
    }
    idset_free(seen);
    return grouped;
}

static ot_input_format format_of(const char *path, ot_input_format given)
{
    if (given != FMT_UNKNOWN)
        return given;
    const char *dot = strrchr(path, '.');
    if (dot && !strcmp(dot, ".json"))
        return OT_INPUT_JSON;
    if (dot && (!strcmp(dot, ".ndjson") || !strcmp(dot, ".jsonl")))
        return OT_INPUT_NDJSON;
    if (dot && !strcmp(dot, ".csv"))
        return OT_INPUT_AUTO;
    return FMT_UNKNOWN;
}

/* NDJSON is read a line at a time, JSON a document at a time. */
static int run_json(batch *b, const char *path, ot_input_format f)
{
    int status;
    FILE *in = open_input(path, &status);
    if (!in)
        return status;
    int e = f == OT_INPUT_NDJSON ? ndjson_stream(in, (size_t)1 << 20, on_doc, on_bad, b)
                                 : json_stream(in, (size_t)1 << 20, on_doc, on_bad, b);
    if (in != stdin)
        fclose(in);
    if (e)
        cli_error(CMD, "%s: cannot read: %s", path, strerror(e));
    return !e ? EXIT_OK : e == ENOMEM ? EXIT_SOFTWARE : EXIT_NOINPUT;
}

static ot_date today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    char buf[16];
    ot_date d = OT_DATE_NONE;
    if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d", &tm))
        ot_date_parse(&d, buf);
    return d;
}

typedef struct args {
    ot_input_format infmt;
    const char *output, *config, *datadir;
    ot_date as_of;
    int pretty, json_array, jobs;
    grouping grouping;
} args;

static int parse_args(args *a, int argc, char **argv)
{
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        double jobs;
        switch (c) {
        case OPT_INFMT:
            if (ot_input_format_parse(&a->infmt, optarg) != OT_OK)
                return cli_usage(CMD, "--input-format: '%s' is not csv, long-csv, wide-csv, json "
                                      "or ndjson", optarg);
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") && strcmp(optarg, "ndjson"))
                return cli_usage(CMD, "--format: '%s' is not ndjson or json", optarg);
            a->json_array = !strcmp(optarg, "json");
            break;
        case OPT_ASOF:
            if (ot_date_parse(&a->as_of, optarg) != OT_OK)
                return cli_usage(CMD, "--as-of: '%s' is not a valid date (expected YYYY-MM-DD)",
                                 optarg);
            break;
        case OPT_JOBS:
            if (strspn(optarg, "0123456789") != strlen(optarg) || cli_parse_double(&jobs, optarg) ||
                jobs < 1 || jobs > 256)
                return cli_usage(CMD, "--jobs: '%s' is not a number of threads from 1 to 256",
                                 optarg);
            a->jobs = (int)jobs;
            break;
        case OPT_GROUPING:
            if (!strcmp(optarg, "auto"))
                a->grouping = GROUP_AUTO;
            else if (!strcmp(optarg, "stream"))
                a->grouping = GROUP_STREAM;
            else if (!strcmp(optarg, "memory"))
                a->grouping = GROUP_MEMORY;
            else
                return cli_usage(CMD, "--grouping: '%s' is not auto, stream or memory", optarg);
            break;
        case OPT_OUTPUT: a->output = optarg; break;
        case OPT_CONFIG: a->config = optarg; break;
        case OPT_DATA_DIR: a->datadir = optarg; break;
        case OPT_PRETTY: a->pretty = 1; break;
        case OPT_HELP: fputs(help, stdout); return -1;
        case ':': return cli_usage(CMD, "%s needs a value", argv[optind - 1]);
        default: return cli_usage(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc && a->infmt == FMT_UNKNOWN)
        return cli_usage(CMD, "reading standard input needs --input-format");
    for (int i = optind; i < argc; i++)
        if (format_of(argv[i], a->infmt) == FMT_UNKNOWN)
            return cli_usage(CMD, "%s: cannot tell the input format from the name (use "
                                  "--input-format)", argv[i]);
    return EXIT_OK;
}

static int run(batch *b, const args *a, char **paths, int n)
{
    char *stdin_path[1] = {"-"};
    if (n == 0) {
        paths = stdin_path;
        n = 1;
    }
    ot_input_format *fmts = malloc((size_t)n * sizeof *fmts);
    if (!fmts)
        return EXIT_SOFTWARE;
    int any_csv = 0;
    for (int i = 0; i < n; i++) {
        fmts[i] = format_of(paths[i], a->infmt);
        any_csv |= fmts[i] != OT_INPUT_JSON && fmts[i] != OT_INPUT_NDJSON;
    }
    b->stream = any_csv && (a->grouping == GROUP_STREAM ||
                            (a->grouping == GROUP_AUTO && csv_grouped(b, paths, fmts, n)));
    if (any_csv && (b->stream ? idset_new(&b->done) : group_new(&b->grp)) != 0) {
        free(fmts);
        return EXIT_SOFTWARE;
    }
    int rc = EXIT_OK;
    for (int i = 0; i < n && !b->fatal; i++) {
        b->file = strcmp(paths[i], "-") ? paths[i] : "<stdin>";
        int r = fmts[i] == OT_INPUT_JSON || fmts[i] == OT_INPUT_NDJSON
                    ? run_json(b, paths[i], fmts[i])
                    : run_csv(b, paths[i], fmts[i]);
        rc = rc == EXIT_OK ? r : rc;
    }
    flush_current(b);
    for (size_t i = 0; b->grp && i < group_patients(b->grp) && !b->fatal; i++) {
        if (group_fill(b->grp, i, pool_patient(b->pool), b->rd, on_group_reject, b) != OT_OK)
            b->fatal = EXIT_SOFTWARE;
        else
            pool_submit(b->pool);
    }
    pool_finish(b->pool);
    free(fmts);
    return rc;
}

int cmd_batch(int argc, char **argv)
{
    args a = {FMT_UNKNOWN, NULL, NULL, NULL, OT_DATE_NONE, 0, 0, 0, GROUP_AUTO};
    int rc = parse_args(&a, argc, argv);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (a.as_of == OT_DATE_NONE)
        a.as_of = today();
    if (a.jobs == 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        a.jobs = nc > 0 && nc < 256 ? (int)nc : 1;
    }
    ot_refdata *rd = NULL;
    if ((rc = cli_load_refdata(&rd, CMD, a.datadir, a.config)) != EXIT_OK)
        return rc;
    batch b;
    memset(&b, 0, sizeof b);
    b.rd = rd;
    b.json_array = a.json_array;
    b.tty = isatty(STDERR_FILENO);
    b.file = "<stdin>";
    if (pool_new(&b.pool, a.jobs, rd, a.as_of, a.pretty, emit, &b) != OT_OK) {
        ot_refdata_free(rd);
        cli_error(CMD, "out of memory");
        return EXIT_SOFTWARE;
    }
    rc = out_open(&b.out, CMD, a.output);
    if (rc == EXIT_OK) {
        rc = run(&b, &a, argv + optind, argc - optind);
        if (b.json_array)
            out_write(&b.out, b.reported ? "\n]\n" : "[]\n", 3);
        int wrc = out_close(&b.out, !b.fatal && rc == EXIT_OK);
        rc = b.fatal ? b.fatal : wrc != EXIT_OK ? wrc : rc;
    }
    progress(&b, 1);
    /* the count is of reports made: say when they did not all reach the output */
    fprintf(stderr, "osteotrack batch: %zu rows read, %zu patients reported, %zu rows rejected",
            b.rows, b.reported, b.rejected);
    if (rc == EXIT_IOERR && a.output)
        fprintf(stderr, "; the output failed: %s was not written", a.output);
    else if (rc == EXIT_IOERR)
        fputs("; the output failed: not every report reached it", stderr);
    fputc('\n', stderr);
    pool_free(b.pool);
    group_free(b.grp);
    idset_free(b.done);
    free(b.cur_id);
    ot_refdata_free(rd);
    return rc == EXIT_OK && b.rejected ? EXIT_DATAERR : rc;
}

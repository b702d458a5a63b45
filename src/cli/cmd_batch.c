/* osteotrack batch: one report a patient from files of patients. */
#include "cli.h"
#include "output.h"
#include "pool.h"
#include "progress.h"

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
       OPT_JOBS, OPT_GROUPING, OPT_DETAIL, OPT_STRICT, OPT_HELP, OPT_DELIMITER, OPT_ENCODING,
       OPT_COLUMNS };

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
    {"detail", required_argument, NULL, OPT_DETAIL},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"help", no_argument, NULL, OPT_HELP},
    {"delimiter", required_argument, NULL, OPT_DELIMITER},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"columns", required_argument, NULL, OPT_COLUMNS},
    {NULL, 0, NULL, 0}};

#define CMD "batch"
#define FMT_UNKNOWN ((ot_input_format)-1)

typedef struct batch {
    pool *pool;
    int json_array;
    int text;                 /* --format text: a blank line between blocks */
    int html; /* --format html: one page, a section a report */
    out_t out;
    ot_patient_reader *reader;
    size_t reported, no_report;
    int fatal;
    int grouping; /* the progress line says "grouping", then counts reports */
    int fhir;     /* a FHIR input was read: the closing line counts what was not relevant */
} batch;

/* The reader's counts are read here, on the main thread, for the progress line. */
static void progress_update(batch *b)
{
    size_t rows = 0;
    ot_patient_reader_counts(b->reader, &rows, NULL);
    progress_counts(rows, b->reported);
}

static void emit(void *ctx, const char *id, const char *json, const char *err)
{
    batch *b = ctx;
    if (!json) {
        cli_msg("patient %s: no report: %s", id, err);
        b->no_report++;
        return;
    }
    if (b->json_array)
        out_write(&b->out, b->reported ? ",\n" : "[\n", 2);
    if (b->text && b->reported) /* text: each block ends in a newline */
        out_write(&b->out, "\n", 1);
    out_write(&b->out, json, strlen(json));
    if (!b->json_array && !b->text && !b->html)
        out_write(&b->out, "\n", 1);
    if (b->out.failed && !b->fatal)
        b->fatal = EXIT_IOERR; /* a full disk or a closed pipe: stop reading */
    b->reported++;
    if (b->grouping == 1) {
        b->grouping = 2;
        progress_update(b);
        progress_phase(PROGRESS_REPORTING);
    }
    if ((b->reported & 63) == 0)
        progress_update(b);
}

/* The reader's callbacks: patients come from the pool's free slot and go
 * back to it to be reported; every rejection is one line on stderr,
 * FILE:LINE: [patient ID: ][WHERE: ]REASON. */
static ot_patient *next_patient(void *ctx) { return pool_patient(((batch *)ctx)->pool); }

static int patient_ready(void *ctx, ot_patient *p)
{
    batch *b = ctx;
    (void)p;
    pool_submit(b->pool);
    progress_update(b);
    return b->fatal != 0; /* an output that failed stops the reading */
}

static void on_reject(void *ctx, const char *file, long line, const char *patient,
                      const char *where, const char *reason)
{
    (void)ctx;
    if (!file) {
        cli_msg("%s", reason);
        return;
    }
    cli_msg("%s:%ld: %s%s%s%s%s%s", file, line, patient ? "patient " : "",
            patient ? patient : "", patient ? ": " : "", where ? where : "", where ? ": " : "",
            reason);
}

static void on_note(void *ctx, const char *message)
{
    (void)ctx;
    cli_msg("%s", message);
}

static int is_dir(const char *path)
{
    struct stat st;
    return strcmp(path, "-") && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A .json or .ndjson file that starts like FHIR (a resource or a Bundle).
 * Only a regular file is looked into: a FIFO or a device would be read (and
 * its bytes lost) before the reader gets them. */
static int looks_fhir(const char *path)
{
    char head[65536];
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0; /* the reader says why it cannot be opened */
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return ot_input_looks_fhir(head, n);
}

static ot_input_format format_of(const char *path, ot_input_format given)
{
    if (given != FMT_UNKNOWN)
        return given;
    if (is_dir(path)) /* a FHIR Bulk Data export: its .ndjson files */
        return OT_INPUT_FHIR;
    const char *dot = strrchr(path, '.');
    if (dot && !strcmp(dot, ".json"))
        return looks_fhir(path) ? OT_INPUT_FHIR : OT_INPUT_JSON;
    if (dot && (!strcmp(dot, ".ndjson") || !strcmp(dot, ".jsonl")))
        return looks_fhir(path) ? OT_INPUT_FHIR : OT_INPUT_NDJSON;
    if (dot && (!strcmp(dot, ".csv") || !strcmp(dot, ".tsv")))
        return OT_INPUT_AUTO;
    return FMT_UNKNOWN;
}

/* --format html: the page's head (begin) or its end. */
static void html_page(batch *b, int begin)
{
    char *s = NULL;
    if ((begin ? ot_html_page_begin(&s, "osteotrack report") : ot_html_page_end(&s)) != OT_OK) {
        b->fatal = EXIT_SOFTWARE;
        return;
    }
    out_write(&b->out, s, strlen(s));
    ot_free(s);
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
    int pretty, json_array, jobs, summary;
    int html; /* --format html */
    ot_grouping grouping;
    int strict; /* an unknown key of a JSON document is a rejection */
    char delimiter;           /* 0: detected from each CSV's header */
    ot_encoding encoding;
    const char *columns;      /* --columns FILE */
    int text;                 /* --format text: one block a patient */
    int fhir;                 /* --format fhir: one FHIR Bundle a line */
} args;

static int parse_args(args *a, int argc, char **argv)
{
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        double jobs;
        switch (c) {
        case OPT_INFMT:
            if (ot_input_format_parse(&a->infmt, optarg) != OT_OK)
                return cli_usage(CMD, "--input-format: '%s' is not csv, long-csv, wide-csv, json, "
                                      "ndjson or fhir", optarg);
            break;
        case OPT_FORMAT:
            a->fhir = !strcmp(optarg, "fhir"); /* one Bundle a line, like ndjson */
            if (!strcmp(optarg, "html") || a->fhir) { /* --format html */
                a->html = !a->fhir;
                a->text = 0;
                a->json_array = 0;
                break;
            }
            if (strcmp(optarg, "json") && strcmp(optarg, "ndjson") && strcmp(optarg, "text"))
                return cli_usage(CMD, "--format: '%s' is not ndjson, json, text, html or fhir",
                                 optarg);
            a->text = !strcmp(optarg, "text");
            a->json_array = !strcmp(optarg, "json");
            a->html = 0;
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
            if (ot_grouping_parse(&a->grouping, optarg) != OT_OK)
                return cli_usage(CMD, "--grouping: '%s' is not auto, stream or memory", optarg);
            break;
        case OPT_DETAIL:
            if (strcmp(optarg, "full") && strcmp(optarg, "summary"))
                return cli_usage(CMD, "--detail: '%s' is not full or summary", optarg);
            a->summary = !strcmp(optarg, "summary");
            break;
        case OPT_DELIMITER:
            if (!strcmp(optarg, "tab") || !strcmp(optarg, "\t"))
                a->delimiter = '\t';
            else if (!strcmp(optarg, ",") || !strcmp(optarg, ";"))
                a->delimiter = optarg[0];
            else
                return cli_usage(CMD, "--delimiter: '%s' is not ',', ';' or tab", optarg);
            break;
        case OPT_ENCODING:
            if (ot_encoding_parse(&a->encoding, optarg) != OT_OK)
                return cli_usage(CMD, "--encoding: '%s' is not utf-8, latin1 or cp1252", optarg);
            break;
        case OPT_COLUMNS: a->columns = optarg; break;
        case OPT_OUTPUT: a->output = optarg; break;
        case OPT_CONFIG: a->config = optarg; break;
        case OPT_DATA_DIR: a->datadir = optarg; break;
        case OPT_PRETTY: a->pretty = 1; break;
        case OPT_STRICT: a->strict = 1; break;
        case 'h':
        case OPT_HELP: fputs(help, stdout); return -1;
        case ':': return cli_usage(CMD, "%s needs a value", argv[optind - 1]);
        default: return cli_bad_option(CMD, options, argv);
        }
    }
    if (a->text && a->pretty) /* text: --pretty indents JSON only */
        return cli_usage(CMD, "--pretty indents JSON: it cannot go with --format text");
    /* indented reports are not NDJSON (one report a line): --pretty writes a
     * JSON array unless NDJSON was asked for, which it cannot be */
    if (a->html && (a->pretty || a->summary)) /* --format html */
        return cli_usage(CMD, "--format html is a page: --pretty and --detail do not apply");
    if (a->fhir && (a->pretty || a->summary)) /* --format fhir */
        return cli_usage(CMD, "--format fhir writes one whole Bundle a line: --pretty and "
                              "--detail do not apply");
    if (a->pretty && a->json_array == 0 && !a->text)
        return cli_usage(CMD, "--pretty cannot be NDJSON: one report a line (use --format json)");
    if (a->json_array < 0)
        a->json_array = a->pretty;
    if (optind == argc && a->infmt == FMT_UNKNOWN)
        return cli_usage(CMD, "reading standard input needs --input-format");
    for (int i = optind; i < argc; i++)
        if (format_of(argv[i], a->infmt) == FMT_UNKNOWN)
            return cli_usage(CMD, "%s: cannot tell the input format from the name (use "
                                  "--input-format)", argv[i]);
    return EXIT_OK;
}

static int run(batch *b, const ot_refdata *rd, const args *a, const ot_column_map *columns,
               char **paths, int n)
{
    char *stdin_path[1] = {"-"};
    if (n == 0) {
        paths = stdin_path;
        n = 1;
    }
    ot_patient_reader_options o = OT_PATIENT_READER_OPTIONS_INIT;
    o.grouping = a->grouping;
    o.patient = next_patient;
    o.ready = patient_ready;
    o.reject = on_reject;
    o.note = on_note;
    o.ctx = b;
    o.threads = (unsigned)a->jobs; /* gathered CSV rows are parsed on a thread of their own */
    o.strict = a->strict;
    o.delimiter = a->delimiter;
    o.encoding = a->encoding;
    o.columns = columns;
    ot_error err = {0, ""};
    if (ot_patient_reader_new(&b->reader, rd, &o, &err) != OT_OK)
        return EXIT_SOFTWARE;
    /* the progress line's percentage: the inputs' bytes, when all are files */
    long long total = 0, before = 0;
    for (int i = 0; i < n && total >= 0; i++) {
        struct stat st;
        int ok = strcmp(paths[i], "-") ? stat(paths[i], &st) : fstat(STDIN_FILENO, &st);
        total = ok == 0 && S_ISREG(st.st_mode) ? total + (long long)st.st_size : -1;
    }
    out_block_signals(1);
    progress_start("osteotrack " CMD, total);
    out_block_signals(0);
    int rc = EXIT_OK;
    for (int i = 0; i < n && !b->fatal; i++) {
        ot_input_format fmt = format_of(paths[i], a->infmt);
        b->fhir |= fmt == OT_INPUT_FHIR;
        /* opened here, as ot_patient_reader_add_path() would, so that the
         * progress line sees its offset; one that cannot be opened is left
         * to the library, which says why (and a folder too: it reads the
         * FHIR export in it) */
        FILE *f = strcmp(paths[i], "-") && !(fmt == OT_INPUT_FHIR && is_dir(paths[i]))
                      ? fopen(paths[i], "rb")
                      : NULL;
        progress_input(f ? fileno(f) : !strcmp(paths[i], "-") ? STDIN_FILENO : -1, before);
        int r = f ? ot_patient_reader_add_file(b->reader, f, paths[i], fmt, &err)
                  : ot_patient_reader_add_path(b->reader, paths[i], fmt, &err);
        progress_input(-1, before);
        if (f) {
            struct stat st;
            before += fstat(fileno(f), &st) == 0 ? (long long)st.st_size : 0;
            fclose(f);
        }
        progress_update(b);
        if (r != OT_OK && err.message[0]) /* (a header that cannot be read was said already) */
            cli_error(CMD, "%s", err.message);
        if (r == OT_ENOMEM)
            b->fatal = EXIT_SOFTWARE;
        rc = rc == EXIT_OK ? cli_exit_for(r) : rc;
    }
    if (a->grouping != OT_GROUPING_STREAM && !b->fatal) {
        b->grouping = 1;
        progress_phase(PROGRESS_GROUPING);
    }
    if (!b->fatal && ot_patient_reader_finish(b->reader, &err) != OT_OK) {
        cli_error(CMD, "%s", err.message);
        b->fatal = EXIT_SOFTWARE;
    }
    pool_finish(b->pool);
    return rc;
}

int cmd_batch(int argc, char **argv)
{
    /* json_array -1: --format not given */
    args a = {FMT_UNKNOWN, NULL, NULL, NULL, OT_DATE_NONE, 0, -1, 0, 0, 0, OT_GROUPING_AUTO,
              0, 0, OT_ENCODING_UTF8, NULL, 0, 0};
    int rc = parse_args(&a, argc, argv);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (a.as_of == OT_DATE_NONE)
        a.as_of = today();
    if (a.jobs == 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        a.jobs = nc > 0 && nc < 256 ? (int)nc : 1;
    }
    ot_column_map *columns = NULL;
    ot_error cerr = {0, ""};
    if (a.columns && (rc = ot_column_map_load(&columns, a.columns, &cerr)) != OT_OK) {
        cli_error(CMD, "--columns: %s", cerr.message);
        return cli_exit_for(rc);
    }
    ot_refdata *rd = NULL;
    if ((rc = cli_load_refdata(&rd, CMD, a.datadir, a.config)) != EXIT_OK) {
        ot_column_map_free(columns);
        return rc;
    }
    batch b;
    memset(&b, 0, sizeof b);
    b.json_array = a.json_array;
    b.text = a.text;
    b.html = a.html;
    /* the workers never take SIGINT, SIGTERM or SIGHUP: their handler runs on
     * this thread (output.c says why) */
    out_block_signals(1);
    int prc = pool_new(&b.pool, a.jobs, rd, a.as_of,
                       (a.pretty ? POOL_PRETTY : 0) | (a.summary ? POOL_SUMMARY : 0) |
                           (a.text ? POOL_TEXT : 0) | (a.html ? POOL_HTML : 0) |
                           (a.fhir ? POOL_FHIR : 0) |
                           (a.text && !a.output && (cli_text_flags() & OT_TEXT_COLOR) ? POOL_COLOR
                                                                                       : 0),
                       emit, &b);
    out_block_signals(0);
    if (prc != OT_OK) {
        ot_refdata_free(rd);
        ot_column_map_free(columns);
        cli_error(CMD, "out of memory");
        return EXIT_SOFTWARE;
    }
    int unwritten = 0;
    rc = out_open(&b.out, CMD, a.output);
    if (rc == EXIT_OK) {
        if (b.html) /* --format html: the page around the sections */
            html_page(&b, 1);
        rc = run(&b, rd, &a, columns, argv + optind, argc - optind);
        if (b.json_array)
            out_write(&b.out, b.reported ? "\n]\n" : "[]\n", 3);
        if (b.html)
            html_page(&b, 0);
        int ok = !b.fatal && rc == EXIT_OK;
        unwritten = !ok && b.out.final; /* a file, not a device written in place */
        int wrc = out_close(&b.out, ok);
        rc = b.fatal ? b.fatal : wrc != EXIT_OK ? wrc : rc;
    }
    progress_stop();
    /* the count is of reports made: say when they did not all reach the output */
    size_t rows = 0, rejected = 0, not_relevant = 0;
    ot_patient_reader_counts2(b.reader, &rows, &rejected, &not_relevant);
    rejected += b.no_report;
    /* FILE not written: no patient is reported, whatever reports were made */
    int none = a.output && (unwritten || rc == EXIT_IOERR);
    fprintf(stderr, "osteotrack batch: %zu rows read, %zu patients reported, %zu rows rejected",
            rows, none ? 0 : b.reported, rejected);
    if (b.fhir) /* FHIR: read = used + rejected + not relevant */
        fprintf(stderr, ", %zu not relevant", not_relevant);
    char *shown = a.output ? cli_shown(a.output) : NULL; /* the path, safe for a terminal */
    const char *out_name = shown ? shown : "the output";
    if (rc == EXIT_IOERR && a.output)
        fprintf(stderr, "; the output failed: %s was not written (%zu reports made)", out_name,
                b.reported);
    else if (rc == EXIT_IOERR)
        fputs("; the output failed: not every report reached it", stderr);
    else if (unwritten) /* an input that cannot be read (66), out of memory (70) */
        fprintf(stderr, "; %s was not written: not all the input could be read (%zu reports "
                "made)", out_name, b.reported);
    free(shown);
    fputc('\n', stderr);
    pool_free(b.pool);
    ot_patient_reader_free(b.reader);
    ot_refdata_free(rd);
    ot_column_map_free(columns);
    return rc == EXIT_OK && rejected ? EXIT_DATAERR : rc;
}

/* osteotrack sources: every source id of the reference data, with its
 * citation and confirmed mark, and the data's version and digest. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* The --help text: made at build time from the section "osteotrack sources"
 * of docs/osteotrack.1.md, as the man page is (edit it there). */
static const char help[] =
#include "help_sources.inc"
    ;

enum { OPT_CONFIG = 256, OPT_DATA_DIR, OPT_PRETTY, OPT_HELP };

static const struct option options[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"pretty", no_argument, NULL, OPT_PRETTY},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

#define CMD "sources"

int cmd_sources(int argc, char **argv)
{
    const char *config = NULL, *datadir = NULL;
    int pretty = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG: config = optarg; break;
        case OPT_DATA_DIR: datadir = optarg; break;
        case OPT_PRETTY: pretty = 1; break;
        case 'h':
        case OPT_HELP: fputs(help, stdout); return EXIT_OK;
        case ':': return cli_usage(CMD, "%s needs a value", argv[optind - 1]);
        default: return cli_bad_option(CMD, options, argv);
        }
    }
    if (optind < argc)
        return cli_usage(CMD, "unexpected argument '%s'", argv[optind]);
    ot_refdata *rd;
    int rc = cli_load_refdata(&rd, CMD, datadir, config);
    if (rc != EXIT_OK)
        return rc;
    char *text = NULL;
    rc = ot_refdata_sources_to_json(&text, rd, pretty);
    if (rc != OT_OK) {
        cli_error(CMD, "%s", ot_strerror(rc));
        ot_refdata_free(rd);
        return EXIT_SOFTWARE;
    }
    rc = cli_emit(CMD, text);
    ot_free(text);
    ot_refdata_free(rd);
    return rc;
}

/* osteotrack: the command. A table of subcommands, one file each. */
#include "cli.h"

#include <gsl/gsl_errno.h>
#include <signal.h>
#include <string.h>

typedef struct command {
    const char *name;
    cmd_fn fn;
    const char *summary;
} command;

static const command commands[] = {
    {"compare", cmd_compare, "compare two BMD scans of one site against the LSC"},
    {"markers", cmd_markers, "assess a bone turnover marker (P1NP, CTX) on therapy"},
    {"batch", cmd_batch, "one report a patient from files of patients"},
    {"precision", cmd_precision, "a precision study: RMS-SD and LSC of the facility"},
    {"sources", cmd_sources, "every source of the reference data, and its version"},
};

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: osteotrack COMMAND [OPTIONS]\n"
            "       osteotrack --version | --help | help [COMMAND]\n\n"
            "Tells whether an osteoporosis treatment is working, from DXA scans and bone\n"
            "turnover markers, against the facility's least significant change (LSC).\n\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\nRun 'osteotrack COMMAND --help' (or -h, or 'osteotrack help COMMAND') for a\n"
                "command's options.\n"
                "Exit status: 0 all input used; 2 bad arguments; 65 some input rejected;\n"
                "66 an input cannot be opened; 70 an internal error (out of memory);\n"
                "74 an output cannot be written; 128+N interrupted by signal N.\n");
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    /* A closed pipe is a write error (EPIPE: a message and exit 74), not a
     * silent death by SIGPIPE that leaves a reader with a truncated stream. */
    signal(SIGPIPE, SIG_IGN);
    /* Likewise a file size limit (ulimit -f): the write fails with EFBIG, a
     * message and exit 74, instead of a death by SIGXFSZ (exit 153). */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return EXIT_OK;
    }
    /* help [COMMAND]: the top-level help, or the command's (its --help) */
    if (!strcmp(argv[1], "help")) {
        if (argc == 2) {
            usage(stdout);
            return EXIT_OK;
        }
        if (argc > 3) {
            cli_msg("osteotrack help: unexpected argument '%s' (one COMMAND)", argv[3]);
            return EXIT_USAGE;
        }
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (!strcmp(argv[2], commands[i].name)) {
                static char help_opt[] = "--help";
                char *args[] = {argv[2], help_opt, NULL};
                return commands[i].fn(2, args);
            }
        cli_msg("osteotrack help: unknown command '%s' (see osteotrack --help)", argv[2]);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("osteotrack %s\n", ot_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    cli_msg("osteotrack: unknown command '%s' (see osteotrack --help)", argv[1]);
    return EXIT_USAGE;
}

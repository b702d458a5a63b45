/*
 * A precision-study file (ot_precision_read_file): the first byte picks CSV
 * (even) or JSON (odd), the rest is the file. A study that is read must
 * write a facility configuration that the library accepts again (the
 * precision -> config -> compare workflow), every row read must be used,
 * rejected or left out (one scan), and every message must be one line. The input goes through a file because the reader takes a path.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64]; /* this process's scratch file */

static void one_line(const char *s)
{
    if (strchr(s, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/ot-fuzz-precision-%ld", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
        abort();
    static const double levels[] = {80.0, 99.0};
    ot_precision_options opts = OT_PRECISION_OPTIONS_INIT;
    opts.input = data[0] & 1 ? OT_PRECISION_INPUT_JSON : OT_PRECISION_INPUT_CSV;
    opts.confidence = levels;
    opts.nconfidence = 2;
    ot_precision_result *r = NULL;
    ot_error err = {0, ""};
    int rc = ot_precision_read_file(&r, fuzz_refdata(), path, &opts, &err);
    if (rc != OT_OK) {
        if (!err.message[0] || r)
            abort();
        one_line(err.message);
        return 0;
    }
    /* the accounting: every row read is used, rejected or left out */
    if (r->rows_read != r->rows_used + r->rows_rejected + r->rows_single) {
        fprintf(stderr, "fuzz: %zu rows read, %zu used, %zu rejected, %zu single\n", r->rows_read,
                r->rows_used, r->rows_rejected, r->rows_single);
        abort();
    }
    for (size_t i = 0; i < r->nnotes; i++)
        one_line(r->notes[i].message);
    char *config = NULL;
    if (ot_precision_result_to_config(&config, r, "fuzz facility") == OT_OK) {
        ot_refdata *rd = fuzz_refdata_fresh();
        if (ot_refdata_apply_config_text(rd, config, "study.json", &err) != OT_OK) {
            fprintf(stderr, "fuzz: the study's configuration is refused: %s\n", err.message);
            abort();
        }
        ot_refdata_free(rd);
        ot_free(config);
    }
    ot_precision_result_free(r);
    return 0;
}

/*
 * The patient reader (src/lib/reader.c, rowgroup.c) as batch drives it: the
 * first byte chooses the grouping, the format and the CSV encoding (utf-8,
 * latin1, cp1252; the delimiter is detected), the second where the rest
 * is cut in two inputs, so that one patient's rows and documents come in two
 * inputs and are merged (or, streamed, rejected when they come back); it
 * also chooses strict (unknown JSON keys rejected, else noted). Every
 * patient handed on is reported; every rejection and note is one line;
 * the counts close: no more rows rejected than read.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ot_input_format formats[] = {OT_INPUT_AUTO, OT_INPUT_LONG_CSV,
                                              OT_INPUT_WIDE_CSV, OT_INPUT_JSON,
                                              OT_INPUT_NDJSON};
    if (size < 2)
        return 0;
    ot_grouping grouping = (ot_grouping)(data[0] % 3);
    ot_input_format fmt = formats[(data[0] / 3) % 5];
    size_t rest = size - 2, cut = rest ? data[1] % (rest + 1) : 0;
    fuzz_reader c;
    ot_patient_reader_options o;
    fuzz_reader_init(&c, &o);
    o.grouping = grouping;
    o.encoding = (ot_encoding)((data[0] / 15) % 3);
    o.strict = (data[0] / 15) & 1;
    ot_patient_reader *r = NULL;
    ot_error err = {0, ""};
    if (ot_patient_reader_new(&r, fuzz_refdata(), &o, &err) != OT_OK)
        abort();
    /* both halves in the same format (a CSV half without its header is a
     * header of its own: rejected or read, never lost) */
    int rc = ot_patient_reader_add_memory(r, data + 2, cut, "a", fmt, &err);
    if (rc == OT_OK || rc == OT_EIO)
        rc = ot_patient_reader_add_memory(r, data + 2 + cut, rest - cut, "b", fmt, &err);
    if (rc != OT_ENOMEM && ot_patient_reader_finish(r, &err) != OT_OK)
        abort(); /* only running out of memory (or a spill file) may stop it */
    size_t rows = 0, rejected = 0;
    ot_patient_reader_counts(r, &rows, &rejected);
    if (rejected > rows)
        abort();
    ot_patient_reader_free(r);
    ot_patient_free(c.p);
    return 0;
}

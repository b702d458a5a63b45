/*
 * The reference data files (the .json files of data/): the first byte of the input picks
 * a file of a copy of data/, the rest replaces it, and the copy is loaded
 * with ot_refdata_load(). A refused file is named on one line; accepted data
 * reports a patient.
 */
#include "fuzz.h"
#include "fuzz_patient.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 16

static char dir[256];
static char *names[MAX_FILES], *texts[MAX_FILES];
static size_t lens[MAX_FILES], nfiles;

static void path_of(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static void put(const char *name, const void *data, size_t size)
{
    char p[512];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
}

static void cleanup(void)
{
    char p[512];
    for (size_t i = 0; i < nfiles; i++) {
        path_of(p, sizeof p, names[i]);
        unlink(p);
        free(names[i]);
        free(texts[i]);
    }
    rmdir(dir);
}

/* Copies data/'s files into a temporary folder, once. */
static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/ot-fuzz-data.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    DIR *d = opendir(OT_FUZZ_DATA_DIR);
    if (!d)
        abort();
    for (struct dirent *e; (e = readdir(d)) && nfiles < MAX_FILES;) {
        char src[512];
        struct stat st;
        size_t n = strlen(e->d_name);
        snprintf(src, sizeof src, "%s/%s", OT_FUZZ_DATA_DIR, e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") || stat(src, &st) || !S_ISREG(st.st_mode))
            continue;
        FILE *f = fopen(src, "rb");
        char *t = malloc((size_t)st.st_size + 1);
        if (!f || !t || fread(t, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
            abort();
        fclose(f);
        names[nfiles] = fuzz_text((const uint8_t *)e->d_name, n);
        texts[nfiles] = t;
        lens[nfiles] = (size_t)st.st_size;
        put(names[nfiles], t, lens[nfiles]);
        nfiles++;
    }
    closedir(d);
    /* name order, so that a saved input picks the same file on any machine */
    for (size_t i = 1; i < nfiles; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *a = names[j], *b = texts[j];
            size_t l = lens[j];
            names[j] = names[j - 1], texts[j] = texts[j - 1], lens[j] = lens[j - 1];
            names[j - 1] = a, texts[j - 1] = b, lens[j - 1] = l;
        }
    if (nfiles == 0)
        abort();
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!nfiles)
        setup();
    if (size == 0)
        return 0;
    size_t k = data[0] % nfiles;
    put(names[k], data + 1, size - 1);
    ot_refdata *rd = NULL;
    ot_error err = {0, ""};
    int rc = ot_refdata_load(&rd, dir, &err);
    if (rc == OT_OK) {
        ot_patient *p = NULL;
        ot_report *r = NULL;
        ot_date as_of;
        char *json = NULL;
        if (ot_patient_new(&p, "") != OT_OK || ot_date_parse(&as_of, "2024-06-01") != OT_OK)
            abort();
        /* the data may make the fixed patient's values implausible: parts rejected */
        if (ot_patient_from_json(p, rd, fuzz_patient_json, strlen(fuzz_patient_json), NULL,
                                 NULL, NULL, NULL) != OT_OK)
            abort();
        rc = ot_report_build(&r, rd, p, as_of, &err);
        if (rc != OT_OK && rc != OT_ENUMERIC) {
            fprintf(stderr, "fuzz: no report: %s\n", err.message);
            abort();
        }
        if (rc == OT_OK && ot_report_to_json(&json, r, 1) != OT_OK)
            abort();
        ot_free(json);
        ot_report_free(r);
        ot_patient_free(p);
        ot_refdata_free(rd);
    } else if (!err.message[0] || strchr(err.message, '\n')) {
        abort();
    }
    put(names[k], texts[k], lens[k]);
    return 0;
}

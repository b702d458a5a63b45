/* Where every threshold comes from: the registry of source ids (each figure of
 * data/ names one by "source_id"), and the digest of the data files loaded and
 * of the facility configurations applied, named in every report. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 63 || id[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '_'))
            return 0;
    return 1;
}

static ot_source *find(const ot_refdata *rd, const char *id)
{
    if (!rd || !id)
        return NULL;
    for (size_t i = 0; i < rd->nsources; i++)
        if (strcmp(rd->sources[i].id, id) == 0)
            return &rd->sources[i];
    return NULL;
}

static int by_id(const void *a, const void *b)
{
    return strcmp((*(ot_source *const *)a)->id, (*(ot_source *const *)b)->id);
}

int ot_sources_index(ot_refdata *rd)
{
    ot_source **idx = realloc(rd->sorted, (rd->nsources ? rd->nsources : 1) * sizeof *idx);
    if (!idx)
        return OT_ENOMEM;
    for (size_t i = 0; i < rd->nsources; i++)
        idx[i] = &rd->sources[i];
    qsort(idx, rd->nsources, sizeof *idx, by_id);
    rd->sorted = idx;
    rd->nsorted = rd->nsources;
    return OT_OK;
}

/* Writing a report looks up each id it used: a binary search once indexed. */
const ot_source *ot_source_find(const ot_refdata *rd, const char *id)
{
    if (!rd || !id)
        return NULL;
    if (rd->nsorted != rd->nsources || !rd->sorted)
        return find(rd, id);
    size_t lo = 0, hi = rd->nsorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(rd->sorted[mid]->id, id);
        if (c == 0)
            return rd->sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int ot_source_add(ot_refdata *rd, const char *id, const char *citation, int confirmed,
                  int replace, const char *where, ot_error *err)
{
    ot_source *s = find(rd, id);
    if (s && !replace) {
        if (strcmp(s->citation, citation) == 0 && s->confirmed == confirmed)
            return OT_OK; /* the same source named by a second figure */
        return ot_err_set(err, OT_EDATA, "%s: source_id \"%s\" names two different sources "
                          "(an id names one citation and one confirmed mark)", where, id);
    }
    char *c = strdup(citation);
    if (!c)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    if (s) {
        free(s->citation);
        s->citation = c;
        s->confirmed = confirmed;
        return OT_OK;
    }
    if (rd->nsources == rd->capsources) {
        size_t cap = rd->capsources ? rd->capsources * 2 : 64;
        ot_source *p = realloc(rd->sources, cap * sizeof *p);
        if (!p) {
            free(c);
            return ot_err_set(err, OT_ENOMEM, "out of memory");
        }
        rd->sources = p;
        rd->capsources = cap;
    }
    char *i = strdup(id);
    if (!i) {
        free(c);
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    }
    rd->sources[rd->nsources++] = (ot_source){i, c, confirmed};
    return OT_OK;
}

/* Every object that has a "source" registers its "source_id" (the loaders
 * then keep the id where they kept the text). */
static int walk(ot_refdata *rd, const cJSON *o, const char *path, int depth, ot_error *err)
{
    if (depth > 32)
        return ot_err_set(err, OT_EDATA, "%s: nested too deeply", path);
    if (cJSON_IsObject(o)) {
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(o, "source");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "source_id");
        const cJSON *conf = cJSON_GetObjectItemCaseSensitive(o, "confirmed");
        if (src || id) {
            if (!cJSON_IsString(src) || !src->valuestring[0])
                return ot_err_set(err, OT_EDATA, "%s: a source_id without its source text", path);
            if (!cJSON_IsString(id) || !valid_id(id->valuestring))
                return ot_err_set(err, OT_EDATA,
                                  "%s: the source \"%.40s...\" has no valid source_id (1-63 of "
                                  "a-z, 0-9 and '-'): every figure names its source by a stable id",
                                  path, src->valuestring);
            if (!cJSON_IsBool(conf))
                return ot_err_set(err, OT_EDATA, "%s: source_id \"%s\": confirmed: expected true "
                                  "or false", path, id->valuestring);
            int rc = ot_source_add(rd, id->valuestring, src->valuestring, cJSON_IsTrue(conf), 0,
                                   path, err);
            if (rc != OT_OK)
                return rc;
        }
    }
    if (cJSON_IsObject(o) || cJSON_IsArray(o))
        for (const cJSON *c = o->child; c; c = c->next) {
            int rc = walk(rd, c, path, depth + 1, err);
            if (rc != OT_OK)
                return rc;
        }
    return OT_OK;
}

int ot_sources_register_doc(ot_refdata *rd, const cJSON *doc, const char *path, ot_error *err)
{
    return walk(rd, doc, path, 0, err);
}

void ot_refdata_digest_file(ot_refdata *rd, const char *name, const char *hex)
{
    /* name NUL sha256-hex LF, for each file in the fixed order of loading */
    ot_sha256_update(&rd->digesting, name, strlen(name) + 1);
    ot_sha256_update(&rd->digesting, hex, 64);
    ot_sha256_update(&rd->digesting, "\n", 1);
}

/* Parses <dir>/<name> and checks its "kind"; adds the file to the digest and
 * registers its sources. */
int ot_load_doc(cJSON **out, ot_refdata *rd, const char *name,
                    const char *kind, char *path, size_t pathsz, ot_error *err)
{
    snprintf(path, pathsz, "%s/%s", rd->dir, name);
    char hex[65];
    int rc = ot_json_parse_file(out, path, hex, err);
    if (rc != OT_OK)
        return rc;
    ot_refdata_digest_file(rd, name, hex);
    if ((rc = ot_sources_register_doc(rd, *out, path, err)) != OT_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return rc;
    }
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(*out, "kind");
    if (!cJSON_IsString(k) || strcmp(k->valuestring, kind) != 0) {
        cJSON_Delete(*out);
        *out = NULL;
        return ot_err_set(err, OT_EDATA, "%s: kind: expected \"%s\"", path, kind);
    }
    return OT_OK;
}

/* ---- public ---- */

const char *ot_refdata_version(const ot_refdata *rd)
{
    return rd ? rd->data_version : NULL;
}

const char *ot_refdata_digest(const ot_refdata *rd)
{
    return rd ? rd->digest : NULL;
}

size_t ot_refdata_source_count(const ot_refdata *rd)
{
    return rd ? rd->nsources : 0;
}

int ot_refdata_source(const ot_refdata *rd, size_t i, const char **id, const char **citation,
                      int *confirmed)
{
    if (!rd || i >= rd->nsources)
        return OT_EINVAL;
    const ot_source *s = &rd->sources[i];
    if (id)
        *id = s->id;
    if (citation)
        *citation = s->citation;
    if (confirmed)
        *confirmed = s->confirmed;
    return OT_OK;
}

int ot_refdata_source_find(const ot_refdata *rd, const char *id, const char **citation,
                           int *confirmed)
{
    const ot_source *s = ot_source_find(rd, id);
    if (!s)
        return OT_EVOCAB;
    if (citation)
        *citation = s->citation;
    if (confirmed)
        *confirmed = s->confirmed;
    return OT_OK;
}

size_t ot_refdata_config_count(const ot_refdata *rd)
{
    return rd ? rd->nconfigs : 0;
}

int ot_refdata_config(const ot_refdata *rd, size_t i, const char **name, const char **digest)
{
    if (!rd || i >= rd->nconfigs)
        return OT_EINVAL;
    if (name)
        *name = rd->configs[i].name;
    if (digest)
        *digest = rd->configs[i].digest;
    return OT_OK;
}

/* CSV dialects: the encoding's names, and column maps from an export's
 * column names to osteotrack's (osteotrack.h, ot_column_map). */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int ot_encoding_parse(ot_encoding *out, const char *s)
{
    static const struct {
        const char *name;
        ot_encoding e;
    } names[] = {{"utf-8", OT_ENCODING_UTF8},        {"utf8", OT_ENCODING_UTF8},
                 {"latin1", OT_ENCODING_LATIN1},     {"iso-8859-1", OT_ENCODING_LATIN1},
                 {"cp1252", OT_ENCODING_CP1252},     {"windows-1252", OT_ENCODING_CP1252}};
    if (!out || !s)
        return OT_EINVAL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ot_ascii_casecmp(s, strlen(s), names[i].name) == 0) {
            *out = names[i].e;
            return OT_OK;
        }
    return OT_EVOCAB;
}


void ot_column_map_free(ot_column_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->from[i]);
    free(m->from);
    free(m->to);
    free(m);
}

#define SHOW(buf, s) ot_text_shown(buf, sizeof buf, s, strlen(s))

static int from_doc(ot_column_map *m, const cJSON *doc, const char *name, ot_error *err)
{
    char a[80], b[80];
    if (!cJSON_IsObject(doc))
        return ot_err_set(err, OT_EDATA, "%s: expected an object {\"kind\": "
                          "\"osteotrack-columns\", \"columns\": {...}}", name);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "osteotrack-columns") != 0)
        return ot_err_set(err, OT_EDATA, "%s: kind: expected \"osteotrack-columns\"", name);
    for (const cJSON *it = doc->child; it; it = it->next)
        if (strcmp(it->string, "kind") && strcmp(it->string, "columns") &&
            strcmp(it->string, "description"))
            return ot_err_set(err, OT_EDATA, "%s: \"%s\": unknown key (expected kind, columns "
                              "and description)", name, SHOW(a, it->string));
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(doc, "columns");
    if (!cJSON_IsObject(cols))
        return ot_err_set(err, OT_EDATA, "%s: columns: expected an object from the export's "
                          "column names to osteotrack's", name);
    size_t n = 0;
    for (const cJSON *it = cols->child; it; it = it->next)
        n++;
    m->from = calloc(n ? n : 1, sizeof *m->from);
    m->to = calloc(n ? n : 1, sizeof *m->to);
    if (!m->from || !m->to)
        return ot_err_set(err, OT_ENOMEM, "%s: out of memory", name);
    for (const cJSON *it = cols->child; it; it = it->next) {
        size_t len = strlen(it->string);
        const char *key = ot_trim_blanks(it->string, &len);
        SHOW(a, it->string);
        if (!len)
            return ot_err_set(err, OT_EDATA, "%s: columns.\"%s\": an empty column name", name, a);
        if (!cJSON_IsString(it))
            return ot_err_set(err, OT_EDATA, "%s: columns.\"%s\": expected a string, the name "
                              "of an osteotrack column", name, a);
        const char *to = ot_rows_column_name(it->valuestring);
        if (!to)
            return ot_err_set(err, OT_EDATA, "%s: columns.\"%s\": \"%s\" is not an osteotrack "
                              "column (expected one of %s)", name, a, SHOW(b, it->valuestring),
                              "patient_id, date, analyte, site, value, unit, tscore, zscore, "
                              "device, manufacturer, therapy, ... as osteotrack(1) INPUT FILES "
                              "lists");
        for (size_t i = 0; i < m->n; i++) {
            if (ot_ascii_casecmp(key, len, m->from[i]) == 0)
                return ot_err_set(err, OT_EDATA, "%s: columns.\"%s\": given twice (names "
                                  "are matched in any case)", name, a);
            if (m->to[i] == to)
                return ot_err_set(err, OT_EDATA, "%s: columns.\"%s\": %s is already read "
                                  "from \"%s\" (a column is read from one column)", name, a,
                                  to, SHOW(b, m->from[i]));
        }
        if (!(m->from[m->n] = malloc(len + 1)))
            return ot_err_set(err, OT_ENOMEM, "%s: out of memory", name);
        memcpy(m->from[m->n], key, len);
        m->from[m->n][len] = '\0';
        m->to[m->n++] = to;
    }
    return OT_OK;
}

int ot_column_map_parse(ot_column_map **out, const char *json, size_t len, const char *name,
                        ot_error *err)
{
    if (!out || (!json && len) || !name)
        return ot_err_set(err, OT_EINVAL, "ot_column_map_parse: NULL argument");
    *out = NULL;
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(json ? json : "", len, &end, 0);
    if (!doc) {
        size_t off = end ? (size_t)(end - json) : 0;
        long line = 1;
        for (size_t i = 0; i < off && i < len; i++)
            line += json[i] == '\n';
        return ot_err_set(err, OT_EPARSE, "%s:%ld: malformed JSON", name, line);
    }
    ot_column_map *m = calloc(1, sizeof *m);
    int rc = m ? from_doc(m, doc, name, err) : ot_err_set(err, OT_ENOMEM, "out of memory");
    cJSON_Delete(doc);
    if (rc != OT_OK) {
        ot_column_map_free(m);
        return rc;
    }
    *out = m;
    return OT_OK;
}

int ot_column_map_load(ot_column_map **out, const char *path, ot_error *err)
{
    if (!out || !path)
        return ot_err_set(err, OT_EINVAL, "ot_column_map_load: NULL argument");
    *out = NULL;
    char *buf;
    size_t len;
    int rc = ot_read_file(&buf, &len, path, err);
    if (rc != OT_OK)
        return rc;
    rc = ot_column_map_parse(out, buf, len, path, err);
    free(buf);
    return rc;
}

/* Private: the JSON of each result type, written through jsonw (the fields
 * of an object, without its braces). Defined in result_json.c. */
#ifndef OT_RESULT_JSON_H
#define OT_RESULT_JSON_H

#include "jsonw.h"

/* The source ids a result or report wrote, for its "sources" object. */
typedef struct ot_srcs {
    const char *fixed[32];
    const char **ids;          /* fixed, or malloc'd when more are used */
    size_t n, cap;
} ot_srcs;
void ot_srcs_init(ot_srcs *u);
void ot_srcs_free(ot_srcs *u);
int ot_srcs_add(ot_srcs *u, const char *id); /* OT_OK or OT_ENOMEM */
void ot_srcs_sort(ot_srcs *u); /* by id */
/* key: id, and the id remembered (a NULL id is null). */
void ot_src_write(jw *w, ot_srcs *u, jw_key key, const char *id);
/* "osteotrack_version", "reference_data" {version, digest, config [{name,
 * digest}]} and "sources" {id: {citation, confirmed}} of the ids in u, which
 * it sorts. */
void ot_provenance_write(jw *w, const ot_refdata *rd, ot_srcs *u);

void ot_flag_write(jw *w, const ot_flag *f);
void ot_bmd_change_write(jw *w, const ot_bmd_result *r);
/* The change fields of r that differ from those of `own` (vs_previous). */
void ot_bmd_change_diff_write(jw *w, const ot_bmd_result *r, const ot_bmd_result *own);
void ot_bmd_result_write(jw *w, ot_srcs *u, const ot_bmd_result *r, int with_flags);
void ot_marker_result_write(jw *w, ot_srcs *u, const ot_marker_result *r, int with_flags);

/* The source ids the report's JSON at `detail` names, into u (report_json.c). */
int ot_report_source_ids(const ot_report *r, ot_detail detail, ot_srcs *u);

#endif

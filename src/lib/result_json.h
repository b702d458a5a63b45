/* Private: the JSON of each result type, written through jsonw (the fields
 * of an object, without its braces). Defined in result_json.c. */
#ifndef OT_RESULT_JSON_H
#define OT_RESULT_JSON_H

#include "jsonw.h"

void ot_flag_write(jw *w, const ot_flag *f);
void ot_bmd_change_write(jw *w, const ot_bmd_result *r);
void ot_bmd_result_write(jw *w, const ot_bmd_result *r, int with_flags);
void ot_marker_result_write(jw *w, const ot_marker_result *r, int with_flags);

#endif

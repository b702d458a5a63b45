/* Private to libosteotrack: shared between its source files only. */
#ifndef OT_INTERNAL_H
#define OT_INTERNAL_H

#include "osteotrack.h"

#include <cjson/cJSON.h>
#include <stdarg.h>

#if defined(__GNUC__)
#define OT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define OT_PRINTF(f, a)
/* JSON builders shared by the result and report serialisers. */
cJSON *ot_flag_json(const ot_flag *f);
cJSON *ot_bmd_result_json(const ot_bmd_result *r);
cJSON *ot_marker_result_json(const ot_marker_result *r);
/* Rounds for display: 6 decimals for g/cm2, 4 for percent, 2 for months. */
double ot_round(double x, int decimals);
/* Adds "key": "YYYY-MM-DD" or null. */
void ot_json_add_date(cJSON *obj, const char *key, ot_date d);
/* Prints and frees `root` into a malloc'd string for the caller. */
int ot_json_finish(char **out, cJSON *root, int pretty);

#endif

/* Writes a message into err (if not NULL) and returns status. */
int ot_err_set(ot_error *err, int status, const char *fmt, ...) OT_PRINTF(3, 4);
/* snprintf that never overflows and tolerates truncation. */
void ot_strlcpy(char *dst, const char *src, size_t size);

/* A threshold and where it comes from. */
typedef struct ot_sourced {
    double value;            /* NaN when the source gives none */
    int confirmed;
    char source[OT_SOURCE_MAX];
} ot_sourced;

typedef struct ot_site_lsc {
    ot_sourced pct;          /* shipped default in percent (NaN for radius) */
    int facility;            /* 1: the facility configuration set this site */
    int facility_is_pct;     /* facility figure in percent, else g/cm2 */
    double facility_value;
    char facility_source[OT_SOURCE_MAX];
} ot_site_lsc;

typedef struct ot_range {
    double min, max;
    char source[OT_SOURCE_MAX];
} ot_range;

typedef struct ot_expected_entry {
    unsigned agents;         /* bit (1u << agent) for each agent named */
    unsigned nagents;
    ot_site site;
    double lo, hi, months, wlo, whi;
    int confirmed;
    char source[OT_SOURCE_MAX];
} ot_expected_entry;

typedef struct ot_marker_rules {
    ot_sourced lsc_pct;      /* antiresorptive: fall of more than this */
    ot_sourced target;       /* antiresorptive: follow-up below this */
    ot_sourced rise;         /* anabolic (P1NP only; NaN for CTX) */
    int facility_lsc, facility_target; /* set by the facility configuration */
} ot_marker_rules;

typedef struct ot_window {
    double lo, hi;           /* months after the therapy start */
    int confirmed;
    char source[OT_SOURCE_MAX];
} ot_window;

struct ot_refdata {
    char dir[1024];
    ot_marker_rules markers[OT_ANALYTE_FRACTURE]; /* index p1np, ctx */
    ot_window window_antiresorptive, window_anabolic;
    ot_sourced lsc_multiplier;
    ot_site_lsc lsc[OT_SITE_COUNT];
    ot_range plausible[OT_ANALYTE_FRACTURE]; /* bmd, p1np, ctx */
    ot_expected_entry *expected;
    size_t nexpected;
};

/* JSON helpers that name the file and the field in their errors. */
int ot_json_parse_file(cJSON **out, const char *path, ot_error *err);
int ot_json_number(double *out, const cJSON *obj, const char *key,
                   int required, double lo, double hi, const char *file,
                   const char *where, ot_error *err);
int ot_json_sourced(ot_sourced *out, const cJSON *obj, const char *file,
                    const char *where, ot_error *err);

/* Rounds to 1e-6 for the equal-or-exceed comparisons. */
long long ot_micro(double x);

/* Checks a value in canonical units against data/plausibility.json. */
int ot_check_plausible(const ot_refdata *rd, ot_analyte a, double canonical,
                       double given, ot_unit unit, const char *what,
                       ot_error *err);

/* Appends a flag; silently keeps the first `cap` (callers size for it). */
void ot_flag_add(ot_flag *flags, size_t *n, size_t cap, ot_flag_code code,
                 ot_severity sev, int site, int analyte, const char *fmt, ...)
    OT_PRINTF(8, 9);

/* cJSON helpers: a number or null when NaN. */
cJSON *ot_json_add_num(cJSON *obj, const char *key, double v);

/* JSON builders shared by the result and report serialisers. */
cJSON *ot_flag_json(const ot_flag *f);
cJSON *ot_bmd_result_json(const ot_bmd_result *r);
cJSON *ot_marker_result_json(const ot_marker_result *r);
/* Rounds for display: 6 decimals for g/cm2, 4 for percent, 2 for months. */
double ot_round(double x, int decimals);
/* Adds "key": "YYYY-MM-DD" or null. */
void ot_json_add_date(cJSON *obj, const char *key, ot_date d);
/* Prints and frees `root` into a malloc'd string for the caller. */
int ot_json_finish(char **out, cJSON *root, int pretty);

#endif

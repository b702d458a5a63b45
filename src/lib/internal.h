/* Private to libosteotrack: shared between its source files only. */
#ifndef OT_INTERNAL_H
#define OT_INTERNAL_H

#include "osteotrack.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdint.h>

#if defined(__GNUC__)
#define OT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define OT_PRINTF(f, a)
#endif

/* fmt.c. vsnprintf and snprintf, byte for byte (the same text, the same
 * truncation, the same return), fast for the conversions the library's
 * messages use: %% %s %.Ns %c %d %u %ld %lu %zu %.Nf %+.Nf %g %+g. */
int ot_vfmt(char *buf, size_t size, const char *fmt, va_list ap) OT_PRINTF(3, 0);
int ot_fmt(char *buf, size_t size, const char *fmt, ...) OT_PRINTF(3, 4);
/* For the tests: ot_fmt without the vsnprintf fallback, -2 where it would
 * take it. */
int ot_fmt_fast(char *buf, size_t size, const char *fmt, ...) OT_PRINTF(3, 4);

/* text.c. The length of the valid UTF-8 sequence at s (of n bytes), 0 if
 * there is none. */
size_t ot_utf8_seq(const unsigned char *s, size_t n);
/* 0 when s[0, n) is valid UTF-8 without control characters or NUL; else -1
 * with the reason in *why and the byte offset in *at. */
int ot_text_check(const char *s, size_t n, const char **why, size_t *at);
/* s[0, n) for a message: ot_text_escape() into buf (cut at its end when it
 * does not fit). Returns buf. */
const char *ot_text_shown(char *buf, size_t size, const char *s, size_t n);
/* The same, but a text too long for buf is cut in the middle, "...", so
 * that its start (the place) and its end (the reason) are both kept. */
const char *ot_text_fit(char *buf, size_t size, const char *s, size_t n);

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
    ot_sourced precision_pct; /* ISCD minimum per technologist, %CV (NaN for radius) */
    int facility;            /* 1: the facility configuration set this site */
    int facility_is_pct;     /* facility figure in percent, else g/cm2 */
    double facility_value;
    char facility_source[OT_SOURCE_MAX];
} ot_site_lsc;

typedef struct ot_range {
    double min, max;
    char source[OT_SOURCE_MAX];
    char below_hint[160];    /* what a value below min probably was; "" if nothing */
} ot_range;

typedef struct ot_expected_entry {
    unsigned agents;         /* bit (1u << agent) for each agent named */
    unsigned nagents;
    ot_site site;
    double lo, hi, months, wlo, whi;
    int confirmed;
    ot_expected_measure measure;
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

typedef struct ot_tscore_ref {
    ot_site site;
    ot_manufacturer manufacturer;
    double mean, sd;         /* g/cm2 */
    int confirmed;
    char source[OT_SOURCE_MAX];
} ot_tscore_ref;

#define OT_MAX_TSCORE_REFS 8

/* An in vivo cross-calibration from a facility configuration, at one site:
 * BMD on `to` = intercept + slope x BMD on `from`. */
typedef struct ot_crosscal {
    char from[OT_DEVICE_MAX], to[OT_DEVICE_MAX];
    ot_site site;
    double slope, intercept, lsc;  /* lsc in g/cm2 */
    char source[OT_SOURCE_MAX];
} ot_crosscal;

/* Standardized BMD of one manufacturer at one site (data/sbmd.json):
 * sBMD g/cm2 = intercept + slope x (BMD - center); x 1000 for mg/cm2. */
typedef struct ot_sbmd_eq {
    int known;
    double intercept, slope, center;
} ot_sbmd_eq;

typedef struct ot_sbmd_site {
    ot_sbmd_eq eq[OT_MFR_COUNT];   /* by manufacturer; none for unknown and other */
    int confirmed;
    char source[OT_SOURCE_MAX];
} ot_sbmd_site;

typedef struct ot_monitoring {
    ot_sourced dxa_interval, marker_followup, holiday_oral, holiday_iv, holiday_tscore,
        followon_grace, failure_min, secondary_causes, calcium, vitamin_d;
    ot_sourced anabolic_course[OT_AGENT_COUNT]; /* NaN for non-anabolics */
    ot_sourced review_oral_max, review_iv_max;  /* continue up to (high risk), months */
    ot_sourced holiday_review;                  /* a holiday is reviewed after, months */
    char causes_text[400];   /* "vitamin D deficiency, hypogonadism, ..." */
    double calcium_lo, calcium_hi, vitamin_d_lo, vitamin_d_hi;
} ot_monitoring;

/* An agent's dosing (data/agents.json): NaN where the agent has none. */
typedef struct ot_dosing {
    ot_sourced interval;     /* months from a dose to the next */
    ot_sourced late;         /* months after a dose past which the next is late */
} ot_dosing;

/* Fracture sites as clinicians classify them (data/fractures.json). */
enum { OT_NBHA_NONE = 0, OT_NBHA_ANY_BMD, OT_NBHA_LOW_BONE_MASS };
typedef struct ot_fx_class {
    int nbha;                /* OT_NBHA_*: when a fracture here means osteoporosis */
    int iof_counts;          /* counted by the IOF criteria of treatment failure */
    int major;               /* hip or vertebral (ASBMR 2016: continue treatment) */
} ot_fx_class;

/* Who the WHO T-score classification applies to, and the Z-score rule
 * (data/tscore.json). */
typedef struct ot_reference_rules {
    ot_sourced who_min_age;         /* men aged this or over (and postmenopausal women) */
    ot_sourced premenopausal_below; /* a woman under this age with no status: pre */
    ot_sourced peri_t_score;        /* 1: perimenopausal women are judged by T-scores */
    ot_sourced zscore_low;          /* Z at or below: below the expected range for age */
    ot_sourced men_reference;       /* the statement that men use the female reference */
    ot_sourced nbha;                /* fracture-based diagnosis */
    ot_sourced iof_fractures;       /* which fractures the IOF criteria count */
    ot_sourced cm_seventh;          /* ICD-10-CM 7th characters (data/fractures.json) */
    char cm_initial[32];            /* a new fracture (the initial encounter) */
    char cm_later[32];              /* a fracture already recorded (follow-up, sequela) */
} ot_reference_rules;

/* SHA-256 (sha256.c): the digest of the data files a report was made with. */
typedef struct ot_sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t n;
} ot_sha256;
void ot_sha256_init(ot_sha256 *s);
void ot_sha256_update(ot_sha256 *s, const void *data, size_t len);
void ot_sha256_hex(ot_sha256 *s, char hex[65]); /* finishes s */

/* One source (sources.c): a stable id, its citation, and whether the figure
 * was confirmed in it. Every figure of data/ names one by "source_id"; the
 * structs below keep the id in their `source` field. */
typedef struct ot_source {
    char *id, *citation;
    int confirmed;
} ot_source;

/* A facility configuration applied, named in every report's provenance. */
typedef struct ot_config_seen {
    char *name;
    char digest[13];
} ot_config_seen;

/* The digest of the data: the first 12 hex digits of a SHA-256. */
#define OT_DIGEST_CHARS 12

/* Registers id -> (citation, confirmed); `where` names the file for errors.
 * An id registered again must say the same, unless `replace` (a facility
 * configuration overriding its own earlier figure). */
int ot_source_add(ot_refdata *rd, const char *id, const char *citation, int confirmed,
                  int replace, const char *where, ot_error *err);
const ot_source *ot_source_find(const ot_refdata *rd, const char *id);
/* Sorts the index ot_source_find searches: after loading, after a config. */
int ot_sources_index(ot_refdata *rd);
/* Every object of a data file with a "source" registers its "source_id". */
int ot_sources_register_doc(ot_refdata *rd, const cJSON *doc, const char *path, ot_error *err);
/* Adds a file's bytes to the digest of the data loaded. */
void ot_refdata_digest_file(ot_refdata *rd, const char *name, const char *hex);

/* A scanner's label for a site (data/site_labels.json). */
#define OT_SITE_LABEL_MAX 40
typedef struct ot_site_label {
    char label[OT_SITE_LABEL_MAX]; /* as written in the data, matched in any ASCII case */
    ot_site site;
    char region[8];               /* "L1-L4", "L2-L4", or "" */
    char side[8];                 /* "left", "right", or "" */
} ot_site_label;

/* ---- FHIR code tables (fhir_codes.c): data/loinc.json,
 * data/fhir/medications.json, data/fhir/fractures.json ---- */
#define OT_FHIR_CODE_MAX 24
#define OT_FHIR_DISPLAY_MAX 96
#define OT_FHIR_SYSTEM_MAX 48
typedef enum ot_loinc_kind {
    OT_LOINC_BMD = 0,
    OT_LOINC_TSCORE,
    OT_LOINC_ZSCORE,
    OT_LOINC_MARKER,
    OT_LOINC_PANEL
} ot_loinc_kind;
typedef struct ot_loinc_code {
    char code[OT_FHIR_CODE_MAX];
    char display[OT_FHIR_DISPLAY_MAX];
    ot_loinc_kind kind;
    ot_site site;                 /* bmd, tscore, zscore */
    ot_side side;                 /* OT_SIDE_NONE: the code names no side */
    ot_analyte analyte;           /* marker: p1np or ctx */
    int preferred;                /* the code the writer uses for this meaning */
} ot_loinc_code;
typedef struct ot_med_code {
    char system[OT_FHIR_SYSTEM_MAX];
    char code[OT_FHIR_CODE_MAX];
    char display[OT_FHIR_DISPLAY_MAX];
    ot_agent agent;
    ot_agent iv_agent;            /* OT_AGENT_NONE, or the agent when given intravenously
                                     (oral and IV ibandronate share their codes) */
    int preferred;
} ot_med_code;
typedef struct ot_route_code {
    char system[OT_FHIR_SYSTEM_MAX];
    char code[OT_FHIR_CODE_MAX];
    char display[OT_FHIR_DISPLAY_MAX];
    int intravenous;              /* 1 intravenous, 0 oral */
} ot_route_code;
typedef struct ot_fx_code {
    char system[OT_FHIR_SYSTEM_MAX];
    char code[OT_FHIR_CODE_MAX];  /* as written; matched without its dots */
    char display[OT_FHIR_DISPLAY_MAX];
    int prefix;                   /* 1: the code and every code under it */
    ot_fracture_site site;
    int preferred;
} ot_fx_code;

struct ot_refdata {
    char dir[1024];
    ot_source *sources;           /* every source id known, in the order registered */
    size_t nsources, capsources;
    ot_source **sorted;           /* the same by id (ot_sources_index), for lookups */
    size_t nsorted;
    char data_version[64];        /* data/sources.json "version" */
    ot_sha256 digesting;          /* while loading */
    char digest[OT_DIGEST_CHARS + 1];
    ot_config_seen *configs;      /* --config files applied, in order */
    size_t nconfigs;
    size_t ncrosscal_ids;         /* facility-crosscal-N given so far */
    ot_monitoring mon;
    ot_sourced expected_baseline_tolerance;
    ot_sourced tscore_osteoporosis, tscore_normal;
    ot_tscore_ref tscore_refs[OT_MAX_TSCORE_REFS];
    size_t ntscore_refs;
    ot_marker_rules markers[OT_ANALYTE_FRACTURE]; /* index p1np, ctx */
    ot_window window_antiresorptive, window_anabolic;
    ot_sourced lsc_multiplier;
    ot_sourced min_study_dof;     /* precision study: fewest degrees of freedom */
    ot_site_lsc lsc[OT_SITE_COUNT];
    ot_range plausible[OT_ANALYTE_FRACTURE]; /* bmd, p1np, ctx */
    ot_expected_entry *expected;
    size_t nexpected;
    ot_crosscal *crosscal;        /* from facility configurations (malloc'd) */
    size_t ncrosscal;
    ot_sbmd_site sbmd[OT_SITE_COUNT];
    ot_dosing dosing[OT_AGENT_COUNT];
    ot_fx_class fx_class[OT_FX_COUNT];
    ot_reference_rules ref;
    ot_site_label *site_labels;   /* data/site_labels.json */
    size_t nsite_labels;
    ot_loinc_code *loinc;         /* data/loinc.json */
    size_t nloinc;
    ot_med_code *med_codes;       /* data/fhir/medications.json */
    size_t nmed_codes;
    ot_route_code *route_codes;
    size_t nroute_codes;
    ot_fx_code *fx_codes;         /* data/fhir/fractures.json */
    size_t nfx_codes;
};

/* A patient's data, in canonical units. */
typedef struct ot_obs {
    ot_date date;
    ot_analyte analyte;          /* bmd, p1np, ctx */
    ot_site site;                /* bmd only */
    double value;                /* g/cm2, ug/L, ng/L */
    double tscore;               /* scanner-reported; NaN if none */
    double zscore;               /* scanner-reported; NaN if none */
    ot_manufacturer manufacturer;
    char device[OT_DEVICE_MAX];
    long line;
    ot_side side;                /* bmd: OT_SIDE_NONE when not given */
    ot_spine_region region;      /* bmd: OT_REGION_NONE when not given (L1-L4) */
} ot_obs;

typedef struct ot_course {
    ot_agent agent;
    ot_date start, end;          /* end OT_DATE_NONE: ongoing; with doses: the last dose */
    ot_date until;               /* in effect before this date: the end, or for an agent
                                    with a dosing interval one interval after the last
                                    dose; OT_DATE_NONE: ongoing */
    int ndoses;                  /* doses on record in the course (0: none given) */
    int stopped;                 /* an end was recorded (doses alone: they simply stop) */
    int end_named;               /* the end is a later row naming another agent or none:
                                    nothing is in effect from then, whatever the dosing */
    int merged;                  /* therapies given again (same agent and start) folded
                                    into this one: each was read, and counts */
} ot_course;

typedef struct ot_dose {
    ot_date date;
    ot_agent agent;
} ot_dose;

typedef struct ot_fx {
    ot_date date;
    ot_fracture_site site;
} ot_fx;

typedef struct ot_tfact {     /* "agent in effect on date" from a row */
    ot_date date, start, end;
    ot_agent agent;
} ot_tfact;

struct ot_patient {
    char *id;
    size_t idcap;
    ot_tfact *facts;
    size_t nfacts, capfacts;
    ot_obs *obs;
    size_t nobs, capobs;
    ot_course *courses;
    size_t ncourses, capcourses;
    ot_fx *fx;
    size_t nfx, capfx;
    ot_dose *doses;
    size_t ndoses, capdoses;
    ot_sex sex;
    ot_date birth;
    ot_menopause menopause;
    /* Duplicate detection (patient.c): open addressing over obs and fx,
     * slot = 1 + index (fx with the top bit); covers the first dupobs
     * observations and dupfx fractures; stale after a reset. */
    unsigned *dup;
    size_t dupcap, dupobs, dupfx;
    int dupstale;
};

/* A spine region as compared: not given is L1-L4 (the default region). */
static inline ot_spine_region ot_region_or_default(ot_spine_region r)
{
    return r == OT_REGION_NONE ? OT_REGION_L1_L4 : r;
}
/* OT_EVOCAB unless the side fits the site (hips and radius) and the region
 * the site (lumbar spine); none given always fits. */
int ot_check_where(ot_site site, ot_side side, ot_spine_region region, ot_error *err);
/* "total_hip" or, with a side, "total_hip (left)": in buf or a literal. */
const char *ot_result_site_label(char *buf, size_t size, const ot_bmd_result *r);
/* A report's series of scans: a site and a side (OT_SIDE_COUNT per site). */
#define OT_SERIES_COUNT ((int)OT_SITE_COUNT * (int)OT_SIDE_COUNT)
static inline int ot_series(ot_site site, ot_side side)
{
    return (int)site * (int)OT_SIDE_COUNT + (int)side;
}

/* The patient's courses as of a date: those given, those made from therapy
 * facts, and those made from doses (ot_patient_add_dose; doses after as_of
 * are not yet given); a malloc'd array in *out (free()), sorted by start. */
int ot_patient_courses(const ot_patient *p, const ot_refdata *rd, ot_date as_of,
                       ot_course **out, size_t *n);
/* Loads data/agents.json and data/fractures.json. */
int ot_load_agents(ot_refdata *rd, ot_error *err);
int ot_load_fractures(ot_refdata *rd, ot_error *err);

/* Grows *arr (of elements of size `size`) to hold at least `need`. */
int ot_grow(void **arr, size_t *cap, size_t need, size_t size);

/* Reads f to its end into *out (NUL-terminated, malloc'd), at most max bytes:
 * OT_ELIMIT as soon as there is one more (nothing more is read), OT_EIO,
 * OT_ENOMEM. */
int ot_read_all(char **out, size_t *len, FILE *f, size_t max);

/* JSON helpers that name the file and the field in their errors. A file is
 * read whole, up to OT_CONFIG_MAX_FILE bytes. */
/* A whole file of at most OT_CONFIG_MAX_FILE bytes, NUL-terminated (free()). */
int ot_read_file(char **out, size_t *len, const char *path, ot_error *err);
/* s[0, n) without the blanks (spaces, tabs) around it; *n updated. */
const char *ot_trim_blanks(const char *s, size_t *n);
/* hex, unless NULL: the SHA-256 of the file's bytes. */
int ot_json_parse_file(cJSON **out, const char *path, char hex[65], ot_error *err);
int ot_json_number(double *out, const cJSON *obj, const char *key,
                   int required, double lo, double hi, const char *file,
                   const char *where, ot_error *err);
int ot_json_sourced(ot_sourced *out, const cJSON *obj, const char *file,
                    const char *where, ot_error *err);

/* {"value": X, "source": "...", "confirmed": bool} under `key`, X in [lo, hi]. */
int ot_json_sourced_value(ot_sourced *out, const cJSON *parent, const char *key, double lo,
                          double hi, const char *file, const char *where, ot_error *err);
/* Parses <rd->dir>/<name> into *out and checks its "kind"; path receives the path. */
int ot_load_doc(cJSON **out, ot_refdata *rd, const char *name, const char *kind,
                char *path, size_t pathsz, ot_error *err);
int ot_load_monitoring(ot_refdata *rd, ot_error *err);

/* ---- Scanner site labels (site_labels.c) ---- */
int ot_load_site_labels(ot_refdata *rd, ot_error *err);
/* The label s[0, n) (blanks around it ignored, any ASCII case), or NULL. */
const ot_site_label *ot_site_label_lookup(const ot_refdata *rd, const char *s, size_t n);
/* A site by osteotrack's name or alias (ot_site_parse), else by a scanner's
 * label: OT_OK, or OT_EVOCAB. */
int ot_site_parse_label(const ot_refdata *rd, ot_site *out, const char *s, size_t n);
/* What a scanner's label implies beyond the site (NULL when nothing, or for
 * a label not in site_labels.json): the lumbar spine region, "L1-L4" or
 * "L2-L4"; the side of a hip, "left" or "right". The strings live as long
 * as rd. For the readers of hip laterality and spine regions. */
const char *ot_site_label_region(const ot_refdata *rd, const char *label);
const char *ot_site_label_side(const ot_refdata *rd, const char *label);
/* The side and region a scanner's label s[0, n) implies, put into *side and
 * *region where those are not given; -1 with the reason in why when a given
 * one contradicts the label ("Left Hip" with side right). 0 otherwise. */
int ot_site_label_where(const ot_refdata *rd, const char *s, size_t n, ot_side *side,
                        ot_spine_region *region, char *why, size_t whysz);

/* ---- CSV dialects (colmap.c, rows.c) ---- */
/* 0 when s[0, n) is `name` in any ASCII case. */
int ot_ascii_casecmp(const char *s, size_t n, const char *name);
/* A column map (colmap.c makes it, rows.c reads the header with it). */
struct ot_column_map {
    size_t n;
    char **from;      /* the export's names, trimmed */
    const char **to;  /* osteotrack's (ot_rows_column_name: static) */
};
/* osteotrack's own name of a CSV column (static storage), or NULL. */
const char *ot_rows_column_name(const char *name);
/* ot_rowreader_open with a dialect: delimiter 0 detected from the header,
 * the input's encoding, a column map or NULL. */
int ot_rowreader_open_dialect(ot_rowreader **out, const ot_refdata *rd, FILE *f,
                              const char *name, ot_input_format fmt, char delimiter,
                              ot_encoding encoding, const ot_column_map *columns,
                              ot_error *err);
/* The delimiter the reader uses; *detected: taken from the header line. */
char ot_rowreader_delimiter(const ot_rowreader *r, int *detected);
int ot_load_tscore(ot_refdata *rd, ot_error *err);

/* crosscal.c: a configuration's "cross_calibration" list merged with those of
 * rd into a new malloc'd array (*out, *nout; rd unchanged), or an error naming
 * `name` and the field. The caller installs it or frees it. */
int ot_crosscal_parse(ot_crosscal **out, size_t *nout, const ot_refdata *rd, const cJSON *list,
                      const char *name, const char *facility, ot_error *err);
/* The calibration between devices a and b at site, either direction
 * (*inverted = 1 when it was recorded from b to a), or NULL. */
const ot_crosscal *ot_crosscal_find(const ot_refdata *rd, ot_site site, const char *a,
                                    const char *b, int *inverted);
/* sbmd.c: loads data/sbmd.json; fills the sBMD fields of a comparison. */
int ot_load_sbmd(ot_refdata *rd, ot_error *err);
void ot_sbmd_fill(ot_bmd_result *r, const ot_refdata *rd, ot_manufacturer from,
                  ot_manufacturer to);

/* patient_json.c: ot_patient_from_json, and the keys of the document that
 * osteotrack does not use (the document's own, an observation's, a
 * therapy's or a fracture's). Each goes to `unknown` (may be NULL): `where`
 * the item's place ("observations[2]", "" for the document itself), `what`
 * its kind ("document", "observation", "therapy", "fracture"), `key` as
 * given and `message` the key (shown) and the keys expected. With `strict`
 * they go to no one: an item holding one is rejected through `rej`, a
 * document holding one is refused whole (OT_EPARSE), naming them. *named
 * (may be NULL) is 1 when p holds the document's patient_id, also on such a
 * refusal: ot_patient_id(p) then names its patient. */
typedef void (*ot_unknown_key_fn)(void *ctx, const char *where, const char *what,
                                  const char *key, const char *message);
int ot_patient_from_json_keys(ot_patient *p, const ot_refdata *rd, const char *json,
                              size_t len, ot_reject_fn rej, ot_unknown_key_fn unknown,
                              int strict, void *ctx, size_t *nitems, int *named,
                              ot_error *err);
/* The same for a document already parsed (the FHIR reader builds its
 * documents as trees): none of the text's checks (size, depth, a key given
 * twice), the rest as above. */
int ot_patient_from_json_tree(ot_patient *p, const ot_refdata *rd, const cJSON *doc,
                              ot_reject_fn rej, ot_unknown_key_fn unknown, int strict,
                              void *ctx, size_t *nitems, int *named, ot_error *err);

/* Age in whole years on date d (a birthday counts from its day); -1 when
 * either date is unknown or d is before the birth. */
int ot_date_age(ot_date birth, ot_date d);

/* Rounds to 1e-6 for the equal-or-exceed comparisons. */
long long ot_micro(double x);

/* OT_EDATE with a message naming `what` when d is neither OT_DATE_NONE
 * nor a date the library accepts (OT_DATE_MIN to OT_DATE_MAX). */
int ot_check_date(ot_date d, const char *what, ot_error *err);

/* OT_ELIMIT with a message when a device name is too long to hold. */
int ot_check_device(const char *device, const char *what, ot_error *err);

/* Checks a value in canonical units against data/plausibility.json. */
int ot_check_plausible(const ot_refdata *rd, ot_analyte a, double canonical,
                       double given, ot_unit unit, const char *what,
                       ot_error *err);

/* ot_bmd_compare, with the flags (and their messages) only when asked:
 * a report needs them for few of its comparisons. */
int ot_bmd_compare_ex(ot_bmd_result *out, const ot_refdata *rd, const ot_bmd_measure *from,
                      const ot_bmd_measure *to, const ot_bmd_options *opts, int want_flags,
                      ot_error *err);

/* Appends a flag; silently keeps the first `cap` (callers size for it). */
void ot_flag_vadd(ot_flag *flags, size_t *n, size_t cap, ot_flag_code code, ot_severity sev,
                  int site, int analyte, const char *fmt, va_list ap) OT_PRINTF(8, 0);
void ot_flag_add(ot_flag *flags, size_t *n, size_t cap, ot_flag_code code,
                 ot_severity sev, int site, int analyte, const char *fmt, ...)
    OT_PRINTF(8, 9);

/* cJSON helpers: a number or null when NaN. */
cJSON *ot_json_add_num(cJSON *obj, const char *key, double v);

/* Rounds for display: 6 decimals for g/cm2, 4 for percent, 2 for months. */
double ot_round(double x, int decimals);
/* Adds "key": "YYYY-MM-DD" or null. */
void ot_json_add_date(cJSON *obj, const char *key, ot_date d);
/* Prints and frees `root` into a malloc'd string for the caller. */
int ot_json_finish(char **out, cJSON *root, int pretty);

#define OT_LOINC_SYSTEM "http://loinc.org"
#define OT_UCUM_SYSTEM "http://unitsofmeasure.org"
int ot_load_fhir_codes(ot_refdata *rd, ot_error *err);
/* From a code to its meaning (NULL: not in the tables). `system` may be
 * NULL for any system. A fracture code is matched exactly (SNOMED CT) or by
 * its longest listed prefix, dots ignored (ICD-10). */
const ot_loinc_code *ot_loinc_lookup(const ot_refdata *rd, const char *code);
const ot_med_code *ot_med_code_lookup(const ot_refdata *rd, const char *system,
                                      const char *code);
const ot_route_code *ot_route_code_lookup(const ot_refdata *rd, const char *system,
                                          const char *code);
const ot_fx_code *ot_fx_code_lookup(const ot_refdata *rd, const char *system, const char *code);
/* The i-th alias of an agent's name (vocab.c: brand names and other
 * spellings), its agent in *agent; NULL past the last. */
const char *ot_agent_alias(size_t i, ot_agent *agent);
/* From a meaning to the preferred code (NULL: none). The writer's side.
 * ot_loinc_for: site and side for bmd/tscore/zscore (a side with no code of
 * its own falls back to the code without a side), analyte for marker. */
const ot_loinc_code *ot_loinc_for(const ot_refdata *rd, ot_loinc_kind kind, ot_site site,
                                  ot_side side, ot_analyte analyte);
/* agent's preferred code in `system` (ibandronate_iv: the ibandronate code;
 * write the route of ot_route_for(rd, 1) with it). */
const ot_med_code *ot_med_code_for(const ot_refdata *rd, ot_agent agent, const char *system);
const ot_route_code *ot_route_for(const ot_refdata *rd, int intravenous);
const ot_fx_code *ot_fx_code_for(const ot_refdata *rd, ot_fracture_site site,
                                 const char *system);


/* osteotrack's FHIR identifiers (docs/fhir.md), shared by the reader
 * (fhir_read.c) and the writer (report_fhir.c). */
#define OT_FHIR_CS "http://osteotrack.org/fhir/CodeSystem/osteotrack"
#define OT_FHIR_PID "http://osteotrack.org/fhir/patient-id"
#define OT_FHIR_EXT_REGION "http://osteotrack.org/fhir/StructureDefinition/spine-region"
#define OT_FHIR_EXT_ROUTE "http://osteotrack.org/fhir/StructureDefinition/route"
#define OT_FHIR_EXT_PROV "http://osteotrack.org/fhir/StructureDefinition/provenance"

#endif

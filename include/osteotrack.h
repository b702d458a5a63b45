/*
 * osteotrack: is an osteoporosis treatment working?
 *
 * Public API of libosteotrack. Copyright (c) 2026 the osteotrack authors.
 * SPDX-License-Identifier: MIT
 *
 * Conventions
 * - Result structs point at source ids inside the ot_refdata they were
 *   computed with: keep the ot_refdata alive while you read them. An id
 *   names one citation and a confirmed mark (ot_refdata_source_find()).
 * - Every function that can fail returns an int status: OT_OK (0) or a
 *   negative OT_E* code. Codes are never renumbered. ot_strerror() names them.
 * - Output parameters come first and are named `out`.
 * - Where a function takes an `ot_error *err` (may be NULL), a detailed,
 *   human-readable message (file, field, value, what was expected) is written
 *   there on failure. Nothing is kept in a global.
 * - Ownership: every object a function allocates for the caller is released
 *   with the matching *_free() (NULL-safe); strings with ot_free().
 *   Pointers passed in are borrowed for the duration of the call only, except
 *   where a comment says otherwise.
 * - Thread safety: the library has no mutable global state. An ot_refdata is
 *   read-only after loading and may be shared by any number of threads;
 *   every other object belongs to one thread at a time.
 * - GSL: the library checks every GSL status and never passes GSL arguments
 *   that reach GSL's error handler; programs that embed it should still call
 *   gsl_set_error_handler_off() once at start (the osteotrack command does).
 * - ABI: a program linked to the shared library uses only what this header
 *   declares without OT_STATIC_LINKING_ONLY. Results are objects the library
 *   allocates (ot_bmd_compare_new(), ot_marker_assess_new(), reports,
 *   precision studies) and are read through accessors and JSON; options are
 *   filled by ot_*_options_init() or their INIT macro and carry a version.
 *   Defining OT_STATIC_LINKING_ONLY before including this header shows the
 *   result structs, whose layout may change in any release: for programs
 *   linked statically, such as the osteotrack command. ot_error's layout
 *   ({int status; char message[512]}) is fixed for good. For 0.x the SONAME
 *   carries the minor version (libosteotrack.so.0.2): every 0.x minor
 *   release may change the ABI, and a program built for one refuses to load
 *   with another.
 * - Units: BMD in g/cm2, P1NP in ug/L, CTX in ng/L, time in months and
 *   years, percentages as percent (5.0 means 5 %). An unknown number is NaN
 *   in C and null in JSON, never 0.
 */
#ifndef OSTEOTRACK_H
#define OSTEOTRACK_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The single source of the version: CMake reads these three lines. */
#define OT_VERSION_MAJOR 0
#define OT_VERSION_MINOR 2
#define OT_VERSION_PATCH 0
#define OT_VERSION_STRING "0.2.0"

#if defined(OT_BUILDING_LIBRARY) && defined(__GNUC__)
#define OT_EXTERN __attribute__((visibility("default")))
#else
#define OT_EXTERN
#endif

/* ------------------------------------------------------------------ */
/* Status codes                                                        */
/* ------------------------------------------------------------------ */
enum {
    OT_OK = 0,
    OT_EINVAL = -1,   /* invalid argument (NULL, out of domain) */
    OT_ENOMEM = -2,   /* out of memory */
    OT_EIO = -3,      /* a file cannot be opened or read */
    OT_EPARSE = -4,   /* malformed input (JSON, number, date) */
    OT_EVOCAB = -5,   /* value outside the vocabulary (site, agent, ...) */
    OT_EUNIT = -6,    /* unknown unit, or a unit that does not fit the analyte */
    OT_ERANGE = -7,   /* implausible value (negative BMD, CTX of 80,000 ng/L) */
    OT_EDATE = -8,    /* invalid date, or dates out of order */
    OT_EDATA = -9,    /* reference data or facility configuration invalid */
    OT_ENUMERIC = -10, /* a numerical routine failed */
    OT_EDUPLICATE = -11, /* the same observation is already on record */
    OT_ELIMIT = -12,   /* a limit of osteotrack is exceeded (README "Limits") */
    OT_ECONFLICT = -13 /* a value contradicts one already on record (a patient's sex) */
};

OT_EXTERN const char *ot_strerror(int status);
OT_EXTERN const char *ot_version(void);

/* Detailed error message, filled on failure by calls that take one. */
typedef struct ot_error {
    int status;
    char message[512];
} ot_error;

/* Frees strings returned by the library. NULL-safe. */
OT_EXTERN void ot_free(void *p);

/*
 * Text for a terminal: writes s[0, n) to buf (size bytes, NUL included) so
 * that a terminal shows it and acts on none of it. Each control character
 * (U+0000-U+001F, U+007F-U+009F: ESC, CR, the C1 controls) and each bidi
 * control (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) becomes \u
 * and four lowercase hex digits ("\u001b", "\u202e"), each byte that is not
 * valid UTF-8 \x and two ("\xff"); the rest is copied (a backslash too, so
 * escaping twice changes nothing). The text is cut before a character or an
 * escape that does not fit, never inside one. Returns the length of the whole
 * text shown, without the NUL, as snprintf does: it was cut when that is
 * >= size. buf may be NULL when size is 0. Every message of the library
 * (ot_error, notes) is already shown so.
 */
OT_EXTERN size_t ot_text_escape(char *buf, size_t size, const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Vocabulary (osteotrack(1)). Parsing is case-insensitive and accepts   */
/* the aliases; names are the canonical lower_snake_case spellings.    */
/* Parse functions return OT_EVOCAB for a value outside the vocabulary,*/
/* OT_EINVAL when out or s is NULL.                                    */
/* ------------------------------------------------------------------ */
typedef enum ot_site {
    OT_SITE_LUMBAR_SPINE = 0,
    OT_SITE_TOTAL_HIP,
    OT_SITE_FEMORAL_NECK,
    OT_SITE_RADIUS_33,
    OT_SITE_COUNT
} ot_site;

typedef enum ot_analyte {
    OT_ANALYTE_BMD = 0,
    OT_ANALYTE_P1NP,
    OT_ANALYTE_CTX,
    OT_ANALYTE_FRACTURE,
    OT_ANALYTE_DOSE,      /* a dose of a therapy given on a date (CSV input: "dose") */
    OT_ANALYTE_COUNT
} ot_analyte;

typedef enum ot_agent {
    OT_AGENT_NONE = 0,
    OT_AGENT_ALENDRONATE,
    OT_AGENT_RISEDRONATE,
    OT_AGENT_IBANDRONATE,
    OT_AGENT_ZOLEDRONATE,
    OT_AGENT_DENOSUMAB,
    OT_AGENT_TERIPARATIDE,
    OT_AGENT_ABALOPARATIDE,
    OT_AGENT_ROMOSOZUMAB,
    OT_AGENT_RALOXIFENE,
    OT_AGENT_BAZEDOXIFENE,
    OT_AGENT_ESTROGEN,        /* menopausal hormone therapy */
    OT_AGENT_IBANDRONATE_IV,  /* intravenous ibandronate ("ibandronate" is oral) */
    OT_AGENT_VITAMIN_D,       /* a supplement: recorded, never osteoporosis therapy */
    OT_AGENT_CALCIUM,         /* a supplement: recorded, never osteoporosis therapy */
    OT_AGENT_COUNT
} ot_agent;

typedef enum ot_agent_class {
    OT_CLASS_NONE = 0,
    OT_CLASS_ORAL_BISPHOSPHONATE,
    OT_CLASS_IV_BISPHOSPHONATE,
    OT_CLASS_DENOSUMAB,
    OT_CLASS_ANABOLIC,     /* teriparatide, abaloparatide */
    OT_CLASS_ROMOSOZUMAB,  /* dual action */
    OT_CLASS_SERM,         /* raloxifene, bazedoxifene */
    OT_CLASS_HORMONE_THERAPY, /* menopausal hormone therapy (estrogen) */
    OT_CLASS_SUPPLEMENT    /* vitamin D, calcium: not osteoporosis therapy */
} ot_agent_class;

typedef enum ot_manufacturer {
    OT_MFR_UNKNOWN = 0, /* not given */
    OT_MFR_HOLOGIC,
    OT_MFR_GE_LUNAR,
    OT_MFR_NORLAND,
    OT_MFR_OTHER,
    OT_MFR_COUNT
} ot_manufacturer;

typedef enum ot_fracture_site {
    OT_FX_VERTEBRAL = 0,
    OT_FX_HIP,
    OT_FX_WRIST,
    OT_FX_HUMERUS,
    OT_FX_PELVIS,
    OT_FX_OTHER,
    /* Sites the IOF criteria of treatment failure do not count: */
    OT_FX_SKULL_FACE,
    OT_FX_HAND_FINGER,
    OT_FX_FOOT_TOE,
    OT_FX_ANKLE,
    OT_FX_COUNT
} ot_fracture_site;

/* Sex and menopausal status; UNKNOWN when not given. */
typedef enum ot_sex {
    OT_SEX_UNKNOWN = 0,
    OT_SEX_FEMALE,
    OT_SEX_MALE
} ot_sex;

typedef enum ot_menopause {
    OT_MENOPAUSE_UNKNOWN = 0,
    OT_MENOPAUSE_PRE,
    OT_MENOPAUSE_PERI,
    OT_MENOPAUSE_POST
} ot_menopause;

typedef enum ot_unit {
    OT_UNIT_G_CM2 = 0,
    OT_UNIT_MG_CM2,
    OT_UNIT_UG_L,
    OT_UNIT_NG_ML,
    OT_UNIT_NG_L,
    OT_UNIT_PG_ML,
    OT_UNIT_COUNT
} ot_unit;

OT_EXTERN int ot_site_parse(ot_site *out, const char *s);
OT_EXTERN const char *ot_site_name(ot_site v);

/* The side of a hip (total_hip, femoral_neck) or forearm scan: "left",
 * "right" (also "l", "r"; any case). OT_SIDE_NONE: not given, and has no
 * name to parse. Scans of two sides are two series, never compared. */
typedef enum ot_side {
    OT_SIDE_NONE = 0,
    OT_SIDE_LEFT,
    OT_SIDE_RIGHT,
    OT_SIDE_COUNT
} ot_side;
OT_EXTERN int ot_side_parse(ot_side *out, const char *s);
OT_EXTERN const char *ot_side_name(ot_side v);

/* The vertebrae of a lumbar spine scan: a range or a single vertebra of
 * L1-L4, written "L1-L4", "L2-L4", "L3" (any case; "L1L4" and "L1-4" too).
 * OT_REGION_NONE: not given, taken as L1-L4 (the default region), with no
 * name to parse. ISCD: follow-up compares the same vertebrae; scans of two
 * regions are not_comparable (REGION_CHANGED). */
typedef enum ot_spine_region {
    OT_REGION_NONE = 0,
    OT_REGION_L1_L4,
    OT_REGION_L1_L3,
    OT_REGION_L2_L4,
    OT_REGION_L1_L2,
    OT_REGION_L2_L3,
    OT_REGION_L3_L4,
    OT_REGION_L1,
    OT_REGION_L2,
    OT_REGION_L3,
    OT_REGION_L4,
    OT_REGION_COUNT
} ot_spine_region;
OT_EXTERN int ot_spine_region_parse(ot_spine_region *out, const char *s);
OT_EXTERN const char *ot_spine_region_name(ot_spine_region v);
OT_EXTERN int ot_analyte_parse(ot_analyte *out, const char *s);
OT_EXTERN const char *ot_analyte_name(ot_analyte v);
OT_EXTERN int ot_agent_parse(ot_agent *out, const char *s);
OT_EXTERN const char *ot_agent_name(ot_agent v);
OT_EXTERN ot_agent_class ot_agent_class_of(ot_agent v);
OT_EXTERN int ot_manufacturer_parse(ot_manufacturer *out, const char *s);
OT_EXTERN const char *ot_manufacturer_name(ot_manufacturer v);
OT_EXTERN int ot_fracture_site_parse(ot_fracture_site *out, const char *s);
OT_EXTERN const char *ot_fracture_site_name(ot_fracture_site v);
/* "F", "female", "M", "male"; names "female", "male". */
OT_EXTERN int ot_sex_parse(ot_sex *out, const char *s);
OT_EXTERN const char *ot_sex_name(ot_sex v);
/* "pre", "peri", "post" (also premenopausal, perimenopausal, postmenopausal). */
OT_EXTERN int ot_menopause_parse(ot_menopause *out, const char *s);
OT_EXTERN const char *ot_menopause_name(ot_menopause v);
OT_EXTERN int ot_unit_parse(ot_unit *out, const char *s);
OT_EXTERN const char *ot_unit_name(ot_unit v);

/* The canonical unit of an analyte: g/cm2, ug/L, ng/L. */
OT_EXTERN ot_unit ot_unit_canonical(ot_analyte a);

/*
 * Converts `value` in `unit` to the analyte's canonical unit:
 * BMD mg/cm2 / 1000; P1NP ng/mL = ug/L; CTX pg/mL = ng/L, ng/mL and ug/L
 * (the same amount) x 1000.
 * OT_EUNIT when the unit does not belong to the analyte (mg/cm2 for CTX);
 * OT_EINVAL when out is NULL.
 */
OT_EXTERN int ot_unit_to_canonical(double *out, ot_analyte a, ot_unit unit,
                                   double value);

/* ------------------------------------------------------------------ */
/* Dates: days since 1970-01-01 in the proleptic Gregorian calendar.   */
/* ------------------------------------------------------------------ */
/*
 * The dates the library accepts are OT_DATE_MIN (1900-01-01) to OT_DATE_MAX
 * (2199-12-31), the ones ot_date_parse() gives. Every function that takes a
 * date as input (a scan's, a marker's, a therapy's, a birth date, the
 * report's as_of, a precision scan's) refuses any other day number than
 * these and OT_DATE_NONE where a date may be unknown: OT_EDATE, with the day
 * number in the message (a precision scan is left out with a REJECTED note).
 * The date arithmetic below takes any ot_date and computes for 0000-01-01 to
 * 9999-12-31 (what YYYY-MM-DD can write: a date computed from an accepted
 * one, a due date, may pass 2199); outside that it gives no date.
 */
typedef long ot_date;
#define OT_DATE_NONE (-2147483647L - 1L)
#define OT_DATE_MIN (-25567L) /* 1900-01-01 */
#define OT_DATE_MAX 84005L    /* 2199-12-31 */

/* Strict YYYY-MM-DD, years 1900-2199, days that exist. OT_EDATE else;
 * OT_EINVAL when out or s is NULL. */
OT_EXTERN int ot_date_parse(ot_date *out, const char *s);
/* Writes YYYY-MM-DD and a NUL into buf (at least 11 bytes); "" for
 * OT_DATE_NONE and any date outside 0000-01-01..9999-12-31. buf NULL:
 * nothing. */
OT_EXTERN void ot_date_format(char buf[11], ot_date d);
/*
 * Calendar months from a to b: whole months by year and month, plus the
 * difference of days of month / 30.4375. 2019-01-10 to 2021-01-10 is 24.
 * NaN when a or b is OT_DATE_NONE or outside 0000-01-01..9999-12-31.
 */
OT_EXTERN double ot_date_months_between(ot_date a, ot_date b);
/* a plus n calendar months (day clamped to the month's last day).
 * OT_DATE_NONE when a or the result is outside 0000-01-01..9999-12-31. */
OT_EXTERN ot_date ot_date_add_months(ot_date a, int n);

/* ------------------------------------------------------------------ */
/* Reference data (the JSON files in data/) and facility configuration             */
/* ------------------------------------------------------------------ */
typedef struct ot_refdata ot_refdata;

/*
 * Loads and validates the reference data from `datadir`. When datadir is
 * NULL: $OSTEOTRACK_DATA_DIR, else the installed data directory (the one
 * configured at build time; the library holds no other path). A directory
 * that is "" or longer than 1,023 bytes is refused (OT_EINVAL), the one of
 * $OSTEOTRACK_DATA_DIR too (an empty one counts as not set).
 * The caller frees *out with ot_refdata_free(). Once loaded it is read-only
 * and may be shared between threads.
 */
OT_EXTERN int ot_refdata_load(ot_refdata **out, const char *datadir,
                              ot_error *err);
/*
 * Applies a facility configuration file (osteotrack(1)): per-site LSC in g/cm2
 * or percent, marker LSCs and targets, and in vivo cross-calibrations between
 * devices ("cross_calibration": [{"from_device", "to_device", "site", "slope",
 * "intercept", "lsc_g_cm2", "source"}], meaning BMD on to_device = intercept +
 * slope x BMD on from_device). Values it gives override the shipped defaults
 * (a calibration of the same two devices and site replaces an earlier one) and
 * are reported with the configuration as their source. A bad file is an error
 * naming the file and the field, and changes nothing.
 */
OT_EXTERN int ot_refdata_apply_config(ot_refdata *rd, const char *path,
                                      ot_error *err);
/* The largest data file or configuration file read, in bytes: a larger one
 * is refused (OT_ELIMIT) after reading no more than that. */
#define OT_CONFIG_MAX_FILE (16u * 1024u * 1024u)
/* Same as ot_refdata_apply_config(), from a JSON text; `name` labels errors. */
OT_EXTERN int ot_refdata_apply_config_text(ot_refdata *rd, const char *json,
                                           const char *name, ot_error *err);
OT_EXTERN void ot_refdata_free(ot_refdata *rd);
/* The directory the data was loaded from (borrowed). */
OT_EXTERN const char *ot_refdata_dir(const ot_refdata *rd);
/*
 * Provenance. Every figure of the reference data names its source by a stable
 * id ("iscd-2005-technologist-precision-spine"); results and reports carry the
 * ids, and the JSON of each lists the ids it used with their citations.
 * ot_refdata_version(): the data's version (data/sources.json); ot_refdata_digest():
 * the first 12 hex digits of a SHA-256 over the data files loaded (name and
 * SHA-256 of each, in a fixed order). Both borrowed.
 */
OT_EXTERN const char *ot_refdata_version(const ot_refdata *rd);
OT_EXTERN const char *ot_refdata_digest(const ot_refdata *rd);
/* The sources known, in the order registered: the shipped ones, then those of
 * facility configurations (facility-lsc-SITE, facility-markers-ANALYTE,
 * facility-crosscal-N). Outputs may be NULL; strings are borrowed. */
OT_EXTERN size_t ot_refdata_source_count(const ot_refdata *rd);
OT_EXTERN int ot_refdata_source(const ot_refdata *rd, size_t i, const char **id,
                                const char **citation, int *confirmed);
/* By id: OT_EVOCAB when no source has it. */
OT_EXTERN int ot_refdata_source_find(const ot_refdata *rd, const char *id,
                                     const char **citation, int *confirmed);
/* {"osteotrack_version", "reference_data", "sources": {id: {citation,
 * confirmed}}} of every source known (osteotrack sources). Free with ot_free. */
OT_EXTERN int ot_refdata_sources_to_json(char **out, const ot_refdata *rd, int pretty);
/* The facility configurations applied, in order: the name as given and the
 * first 12 hex digits of the SHA-256 of its bytes. */
OT_EXTERN size_t ot_refdata_config_count(const ot_refdata *rd);
OT_EXTERN int ot_refdata_config(const ot_refdata *rd, size_t i, const char **name,
                                const char **digest);

/* ------------------------------------------------------------------ */
/* Flags                                                               */
/* ------------------------------------------------------------------ */
typedef enum ot_flag_code {
    OT_FLAG_CHANGE_WITHIN_LSC = 0,
    OT_FLAG_SIGNIFICANT_BMD_LOSS,
    OT_FLAG_BELOW_EXPECTED_GAIN,
    OT_FLAG_DEVICE_CHANGED,
    OT_FLAG_SUBOPTIMAL_SUPPRESSION,
    OT_FLAG_INADEQUATE_ANABOLIC_RESPONSE,
    OT_FLAG_DIAGNOSIS_PERSISTS,
    OT_FLAG_DXA_DUE,
    OT_FLAG_MARKER_FOLLOWUP_DUE,
    OT_FLAG_DRUG_HOLIDAY_REVIEW,
    OT_FLAG_DENOSUMAB_DISCONTINUATION_RISK,
    OT_FLAG_SEQUENTIAL_THERAPY_NEEDED,
    OT_FLAG_POSSIBLE_TREATMENT_FAILURE,
    OT_FLAG_DEFAULT_LSC_USED,
    OT_FLAG_UNTREATED_OSTEOPOROSIS,
    OT_FLAG_DEMOGRAPHICS_ASSUMED,
    OT_FLAG_DENOSUMAB_DOSE_OVERDUE,
    OT_FLAG_BMD_LOSS_OFF_TREATMENT,
    OT_FLAG_FRACTURE_WITHOUT_DIAGNOSIS,
    OT_FLAG_REGION_CHANGED,   /* spine scans of different vertebrae: not compared */
    OT_FLAG_COUNT
} ot_flag_code;

typedef enum ot_severity {
    OT_SEV_INFO = 0,
    OT_SEV_WARNING,
    OT_SEV_ALERT
} ot_severity;

OT_EXTERN const char *ot_flag_code_name(ot_flag_code c);
OT_EXTERN const char *ot_severity_name(ot_severity s);

#define OT_FLAG_MESSAGE_MAX 400
#if defined(OT_STATIC_LINKING_ONLY)
typedef struct ot_flag {
    ot_flag_code code;
    ot_severity severity;
    int has_site;          /* site applies */
    ot_site site;
    int has_analyte;       /* analyte applies */
    ot_analyte analyte;
    char message[OT_FLAG_MESSAGE_MAX];
} ot_flag;
#else
typedef struct ot_flag ot_flag;
#endif

/* A flag's parts (a flag is owned by the result or report that holds it). */
OT_EXTERN ot_flag_code ot_flag_get_code(const ot_flag *f);
OT_EXTERN ot_severity ot_flag_get_severity(const ot_flag *f);
OT_EXTERN const char *ot_flag_get_message(const ot_flag *f);
/* The site (or analyte) the flag concerns: 1 with *out set, 0 when none applies. */
OT_EXTERN int ot_flag_get_site(const ot_flag *f, ot_site *out);
OT_EXTERN int ot_flag_get_analyte(const ot_flag *f, ot_analyte *out);

#define OT_SOURCE_MAX 320

/* ------------------------------------------------------------------ */
/* BMD comparison                                                      */
/* ------------------------------------------------------------------ */
/* A device (scanner) name holds at most OT_DEVICE_MAX - 1 bytes: a longer one
 * is refused (OT_ELIMIT), never cut, so two names never compare equal by
 * their first bytes alone. */
#define OT_DEVICE_MAX 64

typedef struct ot_bmd_measure {
    ot_site site;
    double value;           /* in `unit` */
    ot_unit unit;           /* OT_UNIT_G_CM2 or OT_UNIT_MG_CM2 */
    ot_date date;           /* OT_DATE_NONE when not known */
    const char *device;     /* scanner identity, NULL when not known */
    ot_manufacturer manufacturer;
} ot_bmd_measure;

#define OT_BMD_MEASURE_INIT \
    { OT_SITE_LUMBAR_SPINE, 0.0, OT_UNIT_G_CM2, OT_DATE_NONE, NULL, OT_MFR_UNKNOWN }

typedef enum ot_lsc_kind {
    OT_LSC_FROM_DATA = 0,   /* facility configuration, else shipped default */
    OT_LSC_G_CM2,           /* lsc_value in g/cm2 */
    OT_LSC_PERCENT          /* lsc_value in percent of the baseline */
} ot_lsc_kind;

typedef struct ot_bmd_options {
    unsigned version;         /* OT_BMD_OPTIONS_VERSION */
    ot_lsc_kind lsc_kind;
    double lsc_value;
    ot_agent therapy;         /* agent in effect; OT_AGENT_NONE if none */
    double months_on_therapy; /* < 0: take the interval between the scans */
    /* Version 2: where the scans were taken. The side of both scans (hips,
     * radius; OT_SIDE_NONE: not given) and each spine scan's vertebrae
     * (OT_REGION_NONE: L1-L4). Spine scans of two regions are not_comparable
     * (REGION_CHANGED); a side or region at another site is OT_EVOCAB. */
    ot_side side;
    ot_spine_region from_region, to_region;
} ot_bmd_options;

/* Version 1 (without side and regions) is still accepted. */
#define OT_BMD_OPTIONS_VERSION 2u
#define OT_BMD_OPTIONS_INIT \
    { OT_BMD_OPTIONS_VERSION, OT_LSC_FROM_DATA, 0.0, OT_AGENT_NONE, -1.0, OT_SIDE_NONE, \
      OT_REGION_NONE, OT_REGION_NONE }
/* Fills *opts with the defaults of `version` (OT_BMD_OPTIONS_VERSION): what
 * a program that does not compile the INIT macro in (a binding) calls.
 * OT_EINVAL for a version this library does not know. */
OT_EXTERN int ot_bmd_options_init(ot_bmd_options *opts, unsigned version);

typedef enum ot_significance {
    OT_SIG_INCREASE = 0,
    OT_SIG_STABLE,
    OT_SIG_DECREASE,
    OT_SIG_NOT_COMPARABLE
} ot_significance;

typedef enum ot_vs_expected {
    OT_VS_BELOW = 0,
    OT_VS_WITHIN,
    OT_VS_ABOVE,
    OT_VS_UNKNOWN,
    OT_VS_CONTEXT_ONLY   /* the figure is no change from baseline: shown, not compared */
} ot_vs_expected;

OT_EXTERN const char *ot_significance_name(ot_significance s);
OT_EXTERN const char *ot_vs_expected_name(ot_vs_expected v);

/* What a trial figure measures: only a change from baseline may be set
 * against a patient's change; the others are shown as context. */
typedef enum ot_expected_measure {
    OT_MEASURE_DIFFERENCE_FROM_PLACEBO = 0,
    OT_MEASURE_CHANGE_FROM_BASELINE,
    OT_MEASURE_NOT_KNOWN        /* the source seen does not say which */
} ot_expected_measure;

#if defined(OT_STATIC_LINKING_ONLY)
typedef struct ot_expected {
    int found;                /* 0: no expected range applies */
    ot_agent agent;
    ot_site site;
    double range_lo_pct, range_hi_pct;
    double months;            /* time point of the source figure; NaN if none */
    double window_lo_months, window_hi_months;
    int confirmed;
    const char *source;       /* borrowed from the ot_refdata */
    ot_expected_measure measure;
} ot_expected;

#define OT_BMD_MAX_FLAGS 6
typedef struct ot_bmd_result {
    ot_site site;
    ot_date baseline_date, date;       /* OT_DATE_NONE when not given */
    char baseline_device[OT_DEVICE_MAX], device[OT_DEVICE_MAX]; /* "" when not given */
    double baseline_g_cm2, value_g_cm2;
    double change_g_cm2;      /* value - baseline */
    double change_pct;        /* 100 x change / baseline */
    double months;            /* NaN when a date is missing */
    double annualized_pct;    /* simple: change_pct x 12 / months; NaN if months <= 0 */
    double lsc_g_cm2;         /* NaN when no LSC is known (radius without a study) */
    double lsc_pct;           /* the percent the LSC came from; NaN if given in g/cm2 */
    int lsc_is_default;       /* 1: the ISCD-derived default, not a facility figure */
    int lsc_confirmed;
    const char *lsc_source;   /* borrowed from the ot_refdata (or a literal) */
    ot_significance significance;
    int device_changed;       /* devices or manufacturers differ */
    ot_expected expected;
    ot_vs_expected vs_expected;
    size_t nflags;
    ot_flag flags[OT_BMD_MAX_FLAGS];
    /* Scanner changes (fields added at the end so the ones above keep their place). */
    int cross_calibrated;     /* 1: device_changed, and an in vivo cross-calibration of
                                 the facility configuration put the baseline on the
                                 follow-up device's scale; change_g_cm2, change_pct and
                                 significance are then against that converted baseline,
                                 with the calibration's LSC (unless the options give one) */
    double baseline_converted_g_cm2; /* the baseline on the follow-up device's scale;
                                 NaN unless cross_calibrated */
    double crosscal_slope, crosscal_intercept; /* the equation as recorded: BMD on its
                                 to_device = intercept + slope x BMD on its from_device */
    double crosscal_lsc_g_cm2; /* the calibration's own LSC; NaN unless cross_calibrated */
    int crosscal_inverted;    /* 1: recorded from the follow-up device to the baseline's
                                 device, so applied inverted: (BMD - intercept) / slope */
    const char *crosscal_source; /* borrowed from the ot_refdata; NULL unless cross_calibrated */
    /* Standardized BMD (sBMD, mg/cm2) of both scans when their manufacturers differ and
     * data/sbmd.json has an equation for each at this site: for display only, it never
     * changes the significance. */
    int has_sbmd;
    double sbmd_baseline_mg_cm2, sbmd_value_mg_cm2; /* NaN unless has_sbmd */
    int sbmd_confirmed;
    const char *sbmd_source;  /* borrowed from the ot_refdata; NULL unless has_sbmd */
    /* The reference data compared with: its sources' citations and its version
     * are written with the result. Borrowed; it must outlive the result. */
    const ot_refdata *rd;
    /* Where the scans were taken (options version 2): the side (OT_SIDE_NONE
     * when not given) and the spine regions (OT_REGION_NONE: not given, L1-L4). */
    ot_side side;
    ot_spine_region baseline_region, region;
    int region_changed;       /* the spine regions differ: not_comparable */
} ot_bmd_result;
#else
typedef struct ot_bmd_result ot_bmd_result;
#endif

/*
 * Compares a follow-up scan `to` with a baseline scan `from` of the same site.
 * Significance uses the ISCD rule: a change that equals or exceeds the LSC is
 * significant (compared at 1e-6 g/cm2 resolution, far below the 0.001 g/cm2
 * that scanners report). Scans on different devices or manufacturers are
 * not_comparable (DEVICE_CHANGED) unless the facility configuration holds an
 * in vivo cross-calibration between the two devices (named by `device`) at
 * this site, in either direction: the baseline is then converted to the
 * follow-up device's scale and compared with the calibration's LSC
 * (cross_calibrated; DEVICE_CHANGED is then information). Scans of two
 * manufacturers also get their standardized BMD (has_sbmd), for display.
 * Errors: OT_EINVAL (a NULL argument), OT_EVOCAB (sites differ or unknown),
 * OT_EUNIT, OT_ERANGE (implausible BMD), OT_EDATE (to before from, or a
 * date outside OT_DATE_MIN..OT_DATE_MAX).
 */
OT_EXTERN int ot_bmd_compare(ot_bmd_result *out, const ot_refdata *rd,
                             const ot_bmd_measure *from,
                             const ot_bmd_measure *to,
                             const ot_bmd_options *opts, ot_error *err);

/* The result as one JSON object (the fields of report.schema.json); free with ot_free(). */
OT_EXTERN int ot_bmd_result_to_json(char **out, const ot_bmd_result *r, int pretty);

/*
 * The same comparison into a result the library allocates (free it with
 * ot_bmd_result_free(), NULL-safe): what a program linked to the shared
 * library uses, read through the accessors below and ot_bmd_result_to_json().
 * *out is NULL on failure.
 */
OT_EXTERN int ot_bmd_compare_new(ot_bmd_result **out, const ot_refdata *rd,
                                 const ot_bmd_measure *from, const ot_bmd_measure *to,
                                 const ot_bmd_options *opts, ot_error *err);
OT_EXTERN void ot_bmd_result_free(ot_bmd_result *r);
OT_EXTERN ot_significance ot_bmd_result_significance(const ot_bmd_result *r);
OT_EXTERN ot_vs_expected ot_bmd_result_vs_expected(const ot_bmd_result *r);
/* g/cm2, percent, calendar months; NaN when not known */
OT_EXTERN double ot_bmd_result_change_g_cm2(const ot_bmd_result *r);
OT_EXTERN double ot_bmd_result_change_pct(const ot_bmd_result *r);
OT_EXTERN double ot_bmd_result_lsc_g_cm2(const ot_bmd_result *r);
OT_EXTERN double ot_bmd_result_months(const ot_bmd_result *r);
OT_EXTERN int ot_bmd_result_device_changed(const ot_bmd_result *r);
OT_EXTERN int ot_bmd_result_cross_calibrated(const ot_bmd_result *r);
OT_EXTERN size_t ot_bmd_result_flag_count(const ot_bmd_result *r);
/* The i-th flag (borrowed from r), or NULL past the end. */
OT_EXTERN const ot_flag *ot_bmd_result_flag(const ot_bmd_result *r, size_t i);

/* ------------------------------------------------------------------ */
/* Bone turnover markers (P1NP, CTX)                                   */
/* ------------------------------------------------------------------ */
/* In ot_marker_measure.unit: the analyte's canonical unit (ug/L, ng/L). */
#define OT_UNIT_CANONICAL OT_UNIT_COUNT

typedef struct ot_marker_measure {
    ot_analyte analyte;     /* OT_ANALYTE_P1NP or OT_ANALYTE_CTX */
    double value;           /* in `unit` */
    ot_unit unit;           /* ug/L, ng/mL (P1NP); ng/L, pg/mL, ng/mL (CTX) */
    ot_date date;           /* OT_DATE_NONE when not known */
} ot_marker_measure;

#define OT_MARKER_MEASURE_INIT { OT_ANALYTE_P1NP, 0.0, OT_UNIT_CANONICAL, OT_DATE_NONE }

typedef struct ot_marker_options {
    unsigned version;         /* OT_MARKER_OPTIONS_VERSION */
    ot_agent therapy;         /* agent in effect; OT_AGENT_NONE if none */
    ot_date therapy_start;    /* OT_DATE_NONE: taken as the baseline date */
} ot_marker_options;

#define OT_MARKER_OPTIONS_VERSION 1u
#define OT_MARKER_OPTIONS_INIT { OT_MARKER_OPTIONS_VERSION, OT_AGENT_NONE, OT_DATE_NONE }
OT_EXTERN int ot_marker_options_init(ot_marker_options *opts, unsigned version);

typedef enum ot_response {
    OT_RESP_RESPONDING = 0,
    OT_RESP_SUBOPTIMAL,
    OT_RESP_NOT_ASSESSABLE
} ot_response;

typedef enum ot_marker_rule {
    OT_RULE_NONE = 0,         /* no rule applies (see reason) */
    OT_RULE_ANTIRESORPTIVE,   /* fall > LSC, or follow-up < target */
    OT_RULE_ANABOLIC          /* P1NP rise > threshold */
} ot_marker_rule;

OT_EXTERN const char *ot_response_name(ot_response r);
OT_EXTERN const char *ot_marker_rule_name(ot_marker_rule r);

#if defined(OT_STATIC_LINKING_ONLY)
#define OT_MARKER_MAX_FLAGS 2
typedef struct ot_marker_result {
    ot_analyte analyte;
    ot_unit unit;                 /* canonical: ug/L or ng/L */
    ot_date baseline_date, date;
    double baseline, value;       /* canonical unit */
    double change_abs;            /* value - baseline */
    double change_pct;            /* 100 x change / baseline */
    double months_from_start;     /* follow-up date - therapy start; NaN if unknown */
    double window_lo_months, window_hi_months; /* NaN when no rule applies */
    ot_agent therapy;
    ot_marker_rule rule;
    double lsc_pct;               /* antiresorptive rule; NaN otherwise */
    double target;                /* antiresorptive rule, canonical unit; NaN otherwise */
    double rise_threshold;        /* anabolic rule, ug/L; NaN otherwise */
    int lsc_confirmed, target_confirmed, rise_confirmed;
    /* borrowed from the ot_refdata; NULL where the threshold is NaN */
    const char *lsc_source, *target_source, *rise_source;
    ot_response response;
    char reason[OT_FLAG_MESSAGE_MAX]; /* why, in one sentence */
    size_t nflags;
    ot_flag flags[OT_MARKER_MAX_FLAGS];
    const ot_refdata *rd;         /* as in ot_bmd_result: borrowed */
} ot_marker_result;
#else
typedef struct ot_marker_result ot_marker_result;
#endif

/*
 * Assesses a follow-up marker value against its baseline under a therapy
 * (docs/clinical-rules.md section 4, data/markers.json):
 * - antiresorptives: responding when the fall is more than the LSC or the
 *   follow-up is below the target; else suboptimal, SUBOPTIMAL_SUPPRESSION;
 * - teriparatide, abaloparatide: P1NP responding when it rises by more than
 *   the threshold; else suboptimal, INADEQUATE_ANABOLIC_RESPONSE; CTX is
 *   not_assessable;
 * - romosozumab, no therapy, a follow-up outside the rule's window, or a
 *   baseline after the therapy start: not_assessable, with the reason.
 * Without dates the rule is applied and the reason says the window was not
 * checked. Errors: OT_EINVAL (a NULL argument, bad options), OT_EVOCAB (not
 * a marker, analytes differ), OT_EUNIT, OT_ERANGE (implausible value),
 * OT_EDATE (follow-up before baseline, or a date or therapy_start outside
 * OT_DATE_MIN..OT_DATE_MAX).
 */
OT_EXTERN int ot_marker_assess(ot_marker_result *out, const ot_refdata *rd,
                               const ot_marker_measure *baseline,
                               const ot_marker_measure *followup,
                               const ot_marker_options *opts, ot_error *err);

/* The result as one JSON object; free with ot_free(). */
OT_EXTERN int ot_marker_result_to_json(char **out, const ot_marker_result *r,
                                       int pretty);

/* The same assessment into a result the library allocates (free it with
 * ot_marker_result_free(), NULL-safe), for programs linked to the shared
 * library. *out is NULL on failure. */
OT_EXTERN int ot_marker_assess_new(ot_marker_result **out, const ot_refdata *rd,
                                   const ot_marker_measure *baseline,
                                   const ot_marker_measure *followup,
                                   const ot_marker_options *opts, ot_error *err);
OT_EXTERN void ot_marker_result_free(ot_marker_result *r);
OT_EXTERN ot_response ot_marker_result_response(const ot_marker_result *r);
OT_EXTERN ot_marker_rule ot_marker_result_rule(const ot_marker_result *r);
/* percent, and canonical units (ug/L, ng/L); NaN when not known */
OT_EXTERN double ot_marker_result_change_pct(const ot_marker_result *r);
OT_EXTERN double ot_marker_result_change_abs(const ot_marker_result *r);
/* Why, in one sentence (borrowed from r). */
OT_EXTERN const char *ot_marker_result_reason(const ot_marker_result *r);
OT_EXTERN size_t ot_marker_result_flag_count(const ot_marker_result *r);
OT_EXTERN const ot_flag *ot_marker_result_flag(const ot_marker_result *r, size_t i);

/* ------------------------------------------------------------------ */
/* Patients                                                            */
/* ------------------------------------------------------------------ */
/*
 * A patient: observations (BMD scans, marker values), therapy courses and
 * fractures, in any order. The patient copies what it is given. One patient
 * belongs to one thread at a time; reuse it with ot_patient_reset() to avoid
 * allocation in a batch.
 */
typedef struct ot_patient ot_patient;

OT_EXTERN int ot_patient_new(ot_patient **out, const char *id);
OT_EXTERN void ot_patient_free(ot_patient *p);
/* Empties the patient and gives it a new id; keeps its memory. */
OT_EXTERN int ot_patient_reset(ot_patient *p, const char *id);
OT_EXTERN const char *ot_patient_id(const ot_patient *p);
/* The bytes of memory the patient holds (what a reset keeps): a caller that
 * reuses patients can give back a large one's (free it, make a new one). */
OT_EXTERN size_t ot_patient_memory(const ot_patient *p);

/* Most observations (BMD, markers and fractures together) and most therapy
 * records a patient holds; past it an add fails with OT_ELIMIT. */
#define OT_PATIENT_MAX_OBSERVATIONS 100000

/*
 * Adds a BMD scan (tscore: the scanner-reported T-score, NaN if none) or a
 * marker value; `line` is where it came from (0 if nowhere), kept for
 * messages. Values are checked and converted to canonical units here:
 * OT_EUNIT, OT_ERANGE, OT_EVOCAB, OT_EDATE (no date, or one outside
 * OT_DATE_MIN..OT_DATE_MAX) reject the observation
 * and leave the patient as it was. So do OT_EDUPLICATE, for an observation
 * already on record (the same date and analyte, and for BMD the same site
 * and device; the first is kept, so a report never counts one twice), and
 * OT_ELIMIT past OT_PATIENT_MAX_OBSERVATIONS. ot_patient_add_fracture()
 * rejects the same way a fracture of the same site on the same date.
 */
OT_EXTERN int ot_patient_add_bmd(ot_patient *p, const ot_refdata *rd,
                                 const ot_bmd_measure *m, double tscore,
                                 long line, ot_error *err);
/* The same with the scanner-reported Z-score too (NaN if none; -10 to 10). */
OT_EXTERN int ot_patient_add_scan(ot_patient *p, const ot_refdata *rd,
                                  const ot_bmd_measure *m, double tscore,
                                  double zscore, long line, ot_error *err);
/* The same with where the scan was taken: the side of a hip or radius scan
 * (OT_SIDE_NONE: not given) and the vertebrae of a spine scan
 * (OT_REGION_NONE: not given, taken as L1-L4). A side at the lumbar spine, or
 * a region at another site, is OT_EVOCAB. Each side of a hip is its own
 * series in the report; a spine scan of other vertebrae than the scan before
 * is not compared with it (REGION_CHANGED) and starts a new baseline. Scans
 * of two sides, or two regions, on one day are not duplicates. */
OT_EXTERN int ot_patient_add_scan_sided(ot_patient *p, const ot_refdata *rd,
                                        const ot_bmd_measure *m, double tscore,
                                        double zscore, ot_side side,
                                        ot_spine_region region, long line, ot_error *err);
/*
 * Who the patient is: sex, birth date (OT_DATE_NONE: unknown) and
 * menopausal status. Unknown parts leave what is on record; a known part that
 * differs from what is on record is OT_ECONFLICT and changes nothing (input
 * that repeats the demographics on every row stays consistent). A birth date
 * after a scan or after the report's as_of is not checked here; one outside
 * OT_DATE_MIN..OT_DATE_MAX is OT_EDATE and changes nothing.
 */
OT_EXTERN int ot_patient_set_demographics(ot_patient *p, ot_sex sex, ot_date birth_date,
                                          ot_menopause status, ot_error *err);
OT_EXTERN int ot_patient_add_marker(ot_patient *p, const ot_refdata *rd,
                                    const ot_marker_measure *m, long line,
                                    ot_error *err);
/* A course of an agent from start to end (OT_DATE_NONE: ongoing). A course
 * identical to one already added (agent and start) is merged, so input with
 * the therapy repeated on every row gives one course. The therapy, dose and
 * fracture functions below refuse with OT_EDATE a missing date and one
 * outside OT_DATE_MIN..OT_DATE_MAX, and with OT_EINVAL a NULL patient. */
OT_EXTERN int ot_patient_add_therapy(ot_patient *p, ot_agent agent,
                                     ot_date start, ot_date end, ot_error *err);
/*
 * A dose of `agent` given on `date` (an injection or an infusion). For an
 * agent with a dosing interval in data/agents.json (denosumab, zoledronate,
 * intravenous ibandronate) the doses decide the course: it starts at the
 * first dose (or at a course's start), ends at its last dose, and is in
 * effect until one interval after it; doses further apart than the interval
 * plus its tolerance split it in two. A repeated dose is OT_EDUPLICATE.
 */
OT_EXTERN int ot_patient_add_dose(ot_patient *p, const ot_refdata *rd, ot_agent agent,
                                  ot_date date, ot_error *err);
/* A fragility fracture (osteotrack cannot tell trauma; it counts all). */
OT_EXTERN int ot_patient_add_fracture(ot_patient *p, ot_fracture_site site,
                                      ot_date date, ot_error *err);

/* Called for each part of a document that is rejected; the rest is kept. */
typedef void (*ot_reject_fn)(void *ctx, const char *where, const char *reason);

/*
 * Fills `p` (after ot_patient_reset) from one patient document of
 * osteotrack(1) ({"patient_id", "sex", "birth_date", "menopausal_status",
 * "therapies", "observations", "fractures"}; a therapy may list "doses"). An invalid observation, therapy or fracture
 * is passed to `reject` (may be NULL) with its place, e.g.
 * "observations[2]", and left out. Fails (OT_EPARSE) only when the document
 * is not an object with a non-empty patient_id, or is a report of osteotrack
 * (it has "assessment" and no "observations"). Keys it does not use are
 * ignored here (ot_patient_reader names them, or with `strict` rejects them).
 * *nitems receives the number of observations, therapies and fractures seen,
 * plus one for the demographics (sex, birth_date, menopausal_status) when any
 * is given: they are used whole or rejected whole ("demographics"). A
 * therapy's "doses" are checked whole too.
 * Also refused: a document over OT_JSON_MAX_DOCUMENT bytes or nested deeper
 * than OT_JSON_MAX_DEPTH (OT_ELIMIT), one holding a NUL byte or a \u0000
 * escape, and a patient_id that is not valid UTF-8 or holds a control
 * character (OT_EPARSE). A device name that is not valid UTF-8 or holds a
 * control character rejects its observation.
 */
#define OT_JSON_MAX_DOCUMENT (64u * 1024u * 1024u)
#define OT_JSON_MAX_DEPTH 64
OT_EXTERN int ot_patient_from_json(ot_patient *p, const ot_refdata *rd,
                                   const char *json, size_t len,
                                   ot_reject_fn reject, void *ctx,
                                   size_t *nitems, ot_error *err);

/*
 * Fills `p` from one HL7 FHIR R4 document holding one patient: a Bundle (or
 * NDJSON lines) of a Patient and its Observation, MedicationStatement,
 * MedicationAdministration, MedicationRequest and Condition resources,
 * mapped as docs/fhir.md says ("FHIR in"): the same patient the JSON reader
 * makes from the same data. A rejected resource goes to `reject` (may be
 * NULL) with its place ("entry[3]", or "line 4" for NDJSON) and the reason,
 * and is left out. *nitems (may be NULL) receives the resources read, and
 * *not_relevant (may be NULL) those of a type or code osteotrack does not
 * use (not rejected: counted). Fails with OT_EDATA when the document holds
 * no Patient resource or more than one patient (the patient reader reads
 * any number), OT_ENOMEM.
 */
OT_EXTERN int ot_patient_from_fhir(ot_patient *p, const ot_refdata *rd, const char *json,
                                   size_t len, ot_reject_fn reject, void *ctx, size_t *nitems,
                                   size_t *not_relevant, ot_error *err);

/* 1 when the text s[0, n) (the start of an input is enough) looks like HL7
 * FHIR: a JSON object whose top level has "resourceType" (osteotrack's own
 * patient documents have none); else 0. For telling FHIR from osteotrack's
 * JSON and NDJSON by content. */
OT_EXTERN int ot_input_looks_fhir(const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* The patient report                                                  */
/* ------------------------------------------------------------------ */
typedef enum ot_assessment {
    OT_ASSESS_RESPONDING = 0,
    OT_ASSESS_STABLE,
    OT_ASSESS_INADEQUATE_RESPONSE,
    OT_ASSESS_POSSIBLE_TREATMENT_FAILURE,
    OT_ASSESS_INSUFFICIENT_DATA
} ot_assessment;

OT_EXTERN const char *ot_assessment_name(ot_assessment a);

typedef struct ot_report ot_report;

/*
 * Builds the report of one patient as of a date (docs/clinical-rules.md; README.md
 * "Reading a patient report" documents each rule and the order of
 * precedence of the assessment). Deterministic: the same patient, data and
 * as_of give the same report. Free with ot_report_free().
 * OT_EINVAL for a NULL argument; OT_EDATE when as_of is OT_DATE_NONE or
 * outside OT_DATE_MIN..OT_DATE_MAX.
 */
OT_EXTERN int ot_report_build(ot_report **out, const ot_refdata *rd,
                              const ot_patient *p, ot_date as_of,
                              ot_error *err);
OT_EXTERN void ot_report_free(ot_report *r);
OT_EXTERN ot_assessment ot_report_assessment(const ot_report *r);
OT_EXTERN const char *ot_report_summary(const ot_report *r);
OT_EXTERN size_t ot_report_flag_count(const ot_report *r);
/* The i-th flag (borrowed), or NULL past the end. */
OT_EXTERN const ot_flag *ot_report_flag(const ot_report *r, size_t i);
/* The report as one JSON object (the fields of report.schema.json); free with ot_free(). */
OT_EXTERN int ot_report_to_json(char **out, const ot_report *r, int pretty);
/* The detail of a report's JSON: full (ot_report_to_json), or a summary of the
 * latest comparison of each site (against its baseline and the scan before),
 * the trend, the T/Z-score, the markers of the current course, the flags, the
 * assessment, the summary sentence and what is due, with "detail": "summary";
 * no earlier pair, no list of courses, no assessed_course, bisphosphonate_review
 * or treatment_failure (their findings are among the flags). */
typedef enum ot_detail { OT_DETAIL_FULL = 0, OT_DETAIL_SUMMARY = 1 } ot_detail;
OT_EXTERN int ot_report_to_json_detail(char **out, const ot_report *r, int pretty,
                                       ot_detail detail);

/*
 * The report as HTML (osteotrack(1) batch --format html): one <section> of a
 * page, with an inline SVG chart of each site's BMD over time (the baseline
 * and its LSC band, each scan, scanner changes, the trend), the tables of
 * scans and markers, what is due and the sources of the thresholds. Every
 * number is the JSON's, rounded alike; every text from the input is escaped.
 * No script, no external file or font. Free *out with ot_free().
 * ot_html_page_begin() and ot_html_page_end() give the page around any number
 * of sections (title: escaped; NULL for a default). Errors: OT_EINVAL,
 * OT_ENOMEM.
 */
OT_EXTERN int ot_report_to_html(char **out, const ot_report *r);
OT_EXTERN int ot_html_page_begin(char **out, const char *title);
OT_EXTERN int ot_html_page_end(char **out);

/*
 * The report as a FHIR R4 Bundle of type "collection" (osteotrack(1) batch
 * --format fhir; docs/fhir.md "FHIR out"), one JSON object: the Patient, the
 * patient's input as osteotrack's FHIR reader reads it (Observations with
 * LOINC codes and UCUM units, MedicationStatements, MedicationAdministrations,
 * Conditions), a DiagnosticReport (LOINC 83311-1; conclusion: the summary;
 * conclusionCode: the assessment; result: the observations used and derived
 * ones; an extension with the provenance), and a DetectedIssue per flag.
 * `p` is the patient the report was built from (its id must be the
 * report's): the report keeps no copy of the input. Entry fullUrls are
 * urn:uuid: UUIDs derived from the patient id and the entry's place, so the
 * same report and patient give the same bytes. flags: 0 (one line), or
 * OT_FHIR_PRETTY (indented). Free *out with ot_free(). OT_EINVAL for a NULL
 * argument, another patient or an unknown flag; OT_ENOMEM.
 */
#define OT_FHIR_PRETTY 1u
OT_EXTERN int ot_report_to_fhir(char **out, const ot_report *r, const ot_patient *p,
                                unsigned flags);

/* ------------------------------------------------------------------ */
/* Results as text (--format text)                                     */
/* ------------------------------------------------------------------ */
/* A short block for a terminal or a letter: the verdict first, then the
 * figures, the flags (alerts first), what is due and the sources; lines of
 * at most 100 columns, each ending in a newline. Every number is a field the
 * JSON writes, with its unit. Text from the input (patient id, device names)
 * is shown through ot_text_escape(). flags: 0, or OT_TEXT_COLOR for ANSI
 * colour (the caller decides: the library never reads the environment).
 * Free *out with ot_free(). OT_EINVAL for a NULL argument or an unknown
 * flag, OT_ENOMEM. ot_report_to_text() is the full report; with
 * OT_TEXT_SUMMARY, the summary (as OT_DETAIL_SUMMARY: the latest scan of
 * each site, the markers of the current course; no trend). OT_TEXT_SUMMARY
 * is ignored by the two results. */
#define OT_TEXT_COLOR 1u
#define OT_TEXT_SUMMARY 2u
OT_EXTERN int ot_bmd_result_to_text(char **out, const ot_bmd_result *r, unsigned flags);
OT_EXTERN int ot_marker_result_to_text(char **out, const ot_marker_result *r, unsigned flags);
OT_EXTERN int ot_report_to_text(char **out, const ot_report *r, unsigned flags);

/* ------------------------------------------------------------------ */
/* Reading CSV input: long (one observation a row) and wide (one visit */
/* a row), as records of patients                                      */
/* ------------------------------------------------------------------ */
typedef enum ot_input_format {
    OT_INPUT_AUTO = 0,   /* CSV: long or wide, told apart by the header */
    OT_INPUT_LONG_CSV,
    OT_INPUT_WIDE_CSV,
    OT_INPUT_JSON,
    OT_INPUT_NDJSON,
    OT_INPUT_FHIR        /* HL7 FHIR R4: a Bundle, resources, or Bulk Data NDJSON */
} ot_input_format;

/*
 * The one number syntax of every input and option: [+-]digits[.digits]
 * [(e|E)[+-]digits], '.' as the decimal mark whatever the locale; no hex,
 * nan, inf or spaces. s holds n bytes (no NUL needed). OT_EPARSE for
 * anything else, OT_ERANGE when it overflows.
 */
OT_EXTERN int ot_parse_number(double *out, const char *s, size_t n);

/* "long-csv", "wide-csv", "csv" (AUTO), "json", "ndjson" (and "jsonl"), "fhir".
 * OT_EVOCAB for anything else, OT_EINVAL when out or s is NULL. */
OT_EXTERN int ot_input_format_parse(ot_input_format *out, const char *s);

/* The character encoding of a CSV input: read as UTF-8 (a byte order mark
 * skipped), or converted to UTF-8 as it is read from ISO-8859-1 (Latin-1)
 * or Windows-1252 (whose bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D are no
 * character: a row holding one is rejected). */
typedef enum ot_encoding {
    OT_ENCODING_UTF8 = 0,
    OT_ENCODING_LATIN1,
    OT_ENCODING_CP1252
} ot_encoding;

/* "utf-8" (and "utf8"), "latin1" (and "iso-8859-1"), "cp1252" (and
 * "windows-1252"), in any case. OT_EVOCAB for anything else, OT_EINVAL when
 * out or s is NULL. */
OT_EXTERN int ot_encoding_parse(ot_encoding *out, const char *s);

/*
 * A map from an export's column names to osteotrack's, for CSV inputs: a
 * JSON document {"kind": "osteotrack-columns", "columns": {"PatID":
 * "patient_id", "ScanDate": "date", ...}}. A header's column named by a key
 * (ASCII case-insensitive, blanks around it ignored) is read as the
 * osteotrack column it maps to; other columns keep their names. A value that
 * is not an osteotrack column, two keys that differ only in case, or two keys
 * mapped to one column are refused (OT_EPARSE for JSON that cannot be read,
 * OT_EDATA for a bad map, naming the file and the key). `name` labels
 * messages. Free with ot_column_map_free().
 */
typedef struct ot_column_map ot_column_map;
OT_EXTERN int ot_column_map_parse(ot_column_map **out, const char *json, size_t len,
                                  const char *name, ot_error *err);
/* The same from a file (OT_EIO when it cannot be read). */
OT_EXTERN int ot_column_map_load(ot_column_map **out, const char *path, ot_error *err);
OT_EXTERN void ot_column_map_free(ot_column_map *m);

/* The row reader and its records: for programs linked statically (the
 * structs' layout may change in any release). A program linked to the
 * shared library reads patients with ot_patient_reader instead. */
#if defined(OT_STATIC_LINKING_ONLY)
typedef enum ot_record_kind {
    OT_REC_BMD = 0,
    OT_REC_MARKER,
    OT_REC_FRACTURE,
    OT_REC_THERAPY,       /* agent in effect on `date` (and since `start`) */
    OT_REC_DOSE,          /* a dose of `agent` given on `date` */
    OT_REC_DEMOGRAPHICS,  /* sex, birth_date, menopause (unknown parts: none) */
    OT_REC_COURSE         /* a course of `agent` from `start` to `end` (OT_DATE_NONE:
                             ongoing), as ot_patient_add_therapy: a JSON therapy */
} ot_record_kind;

/* One fact about a patient, in canonical units, already checked. */
typedef struct ot_record {
    ot_record_kind kind;
    ot_date date;
    ot_site site;                 /* BMD */
    ot_fracture_site fracture;    /* FRACTURE */
    ot_analyte analyte;           /* MARKER: p1np or ctx */
    double value;                 /* BMD g/cm2, P1NP ug/L, CTX ng/L */
    double tscore;                /* BMD: scanner-reported, NaN if none */
    ot_manufacturer manufacturer; /* BMD */
    const char *device;           /* BMD: borrowed until the next row; NULL */
    ot_agent agent;               /* THERAPY */
    ot_date start, end;           /* THERAPY: OT_DATE_NONE when not given */
    double zscore;                /* BMD: scanner-reported, NaN if none */
    ot_sex sex;                   /* DEMOGRAPHICS */
    ot_date birth_date;           /* DEMOGRAPHICS: OT_DATE_NONE when not given */
    ot_menopause menopause;       /* DEMOGRAPHICS */
    ot_side side;                 /* BMD: OT_SIDE_NONE when not given */
    ot_spine_region region;       /* BMD: OT_REGION_NONE when not given */
} ot_record;

#define OT_ROW_MAX_RECORDS 14
typedef struct ot_row {
    const char *patient_id;       /* borrowed until the next row */
    size_t patient_id_len;
    long line;                    /* physical line where the row starts */
    size_t nrecords;
    ot_record records[OT_ROW_MAX_RECORDS];
} ot_row;

typedef struct ot_rowreader ot_rowreader;

/*
 * Reads CSV rows from `f` (borrowed; the caller closes it after
 * ot_rowreader_close). The header decides long or wide when fmt is
 * OT_INPUT_AUTO; columns are found by name in any order and case. A header
 * that fits neither is an error (OT_EPARSE, naming the file).
 * ot_rowreader_warning() then tells of columns that are not used (or NULL).
 */
OT_EXTERN int ot_rowreader_open(ot_rowreader **out, const ot_refdata *rd, FILE *f,
                                const char *name, ot_input_format fmt,
                                ot_error *err);
OT_EXTERN const char *ot_rowreader_warning(const ot_rowreader *r);
OT_EXTERN ot_input_format ot_rowreader_format(const ot_rowreader *r);
/*
 * Reads the next row: 1 with *row filled, 0 at the end, or a negative status
 * for a rejected row with "NAME:LINE: reason (what was expected)" in err;
 * reading goes on with the next call (OT_EIO and OT_ENOMEM are final).
 * A row is used whole or rejected whole.
 */
OT_EXTERN int ot_rowreader_next(ot_rowreader *r, ot_row *row, ot_error *err);
/* The same, but only the patient id (no checks): for a quick first pass. */
OT_EXTERN int ot_rowreader_next_id(ot_rowreader *r, ot_row *row, ot_error *err);
OT_EXTERN void ot_rowreader_close(ot_rowreader *r);

/* Adds a record to a patient (ot_patient_add_bmd and the others). A
 * THERAPY record says the agent was in effect on its date: consecutive
 * records of one agent make a course, which starts at `start` when given
 * (else at the first date named) and ends at `end` when given, else on the
 * first later date that names another agent (or none). */
OT_EXTERN int ot_patient_add_record(ot_patient *p, const ot_refdata *rd,
                                    const ot_record *rec, long line,
                                    ot_error *err);
#endif /* OT_STATIC_LINKING_ONLY */

/* ------------------------------------------------------------------ */
/* Reading patients: any input format into patients                   */
/* ------------------------------------------------------------------ */
/*
 * Turns inputs of any format (paths, FILE*s or memory; long or wide CSV,
 * JSON, NDJSON) into patients, handing each to the caller when it is
 * complete. CSV rows and JSON or NDJSON documents are gathered by
 * patient_id: the rows and documents of one id, in any of the inputs, are
 * one patient (a document whose demographics contradict the patient's
 * earlier ones is left out whole, rejected):
 * - OT_GROUPING_STREAM trusts that each patient's rows or document are
 *   contiguous and hands each patient on as soon as they end (constant
 *   memory); a patient that comes back is rejected, row by row or document
 *   by document;
 * - OT_GROUPING_MEMORY gathers every row in memory (about half the size of
 *   the CSV text) and hands the patients on at ot_patient_reader_finish(),
 *   in order of first appearance;
 * - OT_GROUPING_AUTO reads each input once: while the rows come grouped by
 *   patient the older rows go to a temporary file (a few MB of memory
 *   whatever the size); when a patient comes back they return to memory.
 *   The patients are handed on at ot_patient_reader_finish(), in order of
 *   first appearance, so the result is the same as OT_GROUPING_MEMORY.
 * FHIR input (OT_INPUT_FHIR: a Bundle, resources, Bulk Data NDJSON; a
 * folder given to ot_patient_reader_add_path is a bulk export, its *.ndjson
 * files read by name) is always gathered in memory, whatever the grouping:
 * one patient's resources come in several files, in any order. Its patients
 * are made at ot_patient_reader_finish(), in the order of their Patient
 * resources, each the patient the JSON reader makes of the same data
 * (docs/fhir.md); with stream grouping they are then handed on, with auto
 * or memory they join the rows and documents of their id.
 * Every rejected row, document or part of one goes to `reject` with its
 * place; the counts close the run (ot_patient_reader_counts).
 */
typedef struct ot_patient_reader ot_patient_reader;

typedef enum ot_grouping {
    OT_GROUPING_AUTO = 0,
    OT_GROUPING_STREAM,
    OT_GROUPING_MEMORY
} ot_grouping;

typedef struct ot_patient_reader_options {
    unsigned version;          /* OT_PATIENT_READER_OPTIONS_VERSION */
    ot_grouping grouping;
    /* A patient to fill (the reader resets it): the caller's, e.g. one slot
     * of a pool of threads. Required. */
    ot_patient *(*patient)(void *ctx);
    /* That patient is complete (rejected parts left out): report it.
     * Nonzero stops the reading (an output that failed). Required. */
    int (*ready)(void *ctx, ot_patient *p);
    /* A rejected row, document or part, counted: `file` and `line` its
     * place (file NULL: `reason` is already the whole message, with its
     * place), `patient` its patient_id or NULL, `where` the part of a
     * document ("observations[2]") or NULL. May be NULL. */
    void (*reject)(void *ctx, const char *file, long line, const char *patient,
                   const char *where, const char *reason);
    /* A note that rejects nothing (columns not used, a file with no rows).
     * May be NULL. */
    void (*note)(void *ctx, const char *message);
    void *ctx;
    /* Threads that read (0 or 1: none, the calling thread alone). With 2 or
     * more, CSV rows gathered by auto or memory grouping are parsed on a
     * thread of the reader's own while the calling thread groups them; the
     * callbacks are still called on the calling thread only, in the same
     * order with the same arguments as with none. */
    unsigned threads;
    /* A key of a JSON or NDJSON document that osteotrack does not use (a
     * typo: "observation", "valeu"). 0: a note through `note`, once a kind
     * of object (document, observation, therapy, fracture) and key a file;
     * the rest is read. Nonzero (strict): a rejection, counted: of its
     * observation, therapy or fracture, or of the whole document when the
     * key is the document's own. (Version 3.) */
    int strict;
    /* Version 3: CSV inputs' dialect. The delimiter is ',', ';' or '	', or
     * 0 to take the one of them found most often on the header line (a
     * note says which when it is not ','); the encoding as above; the
     * column map (borrowed for the reader's life) or NULL for osteotrack's
     * own column names. */
    char delimiter;
    ot_encoding encoding;
    const ot_column_map *columns;
} ot_patient_reader_options;

#define OT_PATIENT_READER_OPTIONS_VERSION 3u
#define OT_PATIENT_READER_OPTIONS_INIT                                                    \
    { OT_PATIENT_READER_OPTIONS_VERSION, OT_GROUPING_AUTO, NULL, NULL, NULL, NULL, NULL, 0, \
      0, 0, OT_ENCODING_UTF8, NULL }
OT_EXTERN int ot_patient_reader_options_init(ot_patient_reader_options *opts, unsigned version);

/* "auto", "stream", "memory". */
OT_EXTERN int ot_grouping_parse(ot_grouping *out, const char *s);

OT_EXTERN int ot_patient_reader_new(ot_patient_reader **out, const ot_refdata *rd,
                                    const ot_patient_reader_options *opts, ot_error *err);
/*
 * Reads one input to its end: `path` ("-" is standard input), or an open
 * FILE* (borrowed; `name` labels messages), or `len` bytes of memory.
 * `fmt` OT_INPUT_AUTO takes a CSV's header to tell long from wide.
 * OT_EIO when it cannot be opened or read (named in err; the reader goes
 * on with the next input), OT_ENOMEM (final). Reading stops early, with
 * OT_OK, once `ready` asked to stop.
 */
OT_EXTERN int ot_patient_reader_add_path(ot_patient_reader *r, const char *path,
                                         ot_input_format fmt, ot_error *err);
OT_EXTERN int ot_patient_reader_add_file(ot_patient_reader *r, FILE *f, const char *name,
                                         ot_input_format fmt, ot_error *err);
OT_EXTERN int ot_patient_reader_add_memory(ot_patient_reader *r, const void *data, size_t len,
                                           const char *name, ot_input_format fmt,
                                           ot_error *err);
/* Hands on the patients still held (grouped CSV rows). OT_ENOMEM, or OT_EIO
 * when a temporary file cannot be read back. */
OT_EXTERN int ot_patient_reader_finish(ot_patient_reader *r, ot_error *err);
/* Rows read (CSV rows; JSON observations, therapies, fractures and
 * demographics; rejected documents; FHIR resources) and rejected so far. */
OT_EXTERN void ot_patient_reader_counts(const ot_patient_reader *r, size_t *rows,
                                        size_t *rejected);
/* The same, and the FHIR resources that were not relevant (of a type or code
 * osteotrack does not use: counted, each type and code named once through
 * `note`). After ot_patient_reader_finish(), for FHIR input: rows = resources
 * used + rejected + not relevant. Any pointer may be NULL. */
OT_EXTERN void ot_patient_reader_counts2(const ot_patient_reader *r, size_t *rows,
                                         size_t *rejected, size_t *not_relevant);
OT_EXTERN void ot_patient_reader_free(ot_patient_reader *r);

/* ------------------------------------------------------------------ */
/* Precision studies (ISCD): osteotrack precision                      */
/* ------------------------------------------------------------------ */
/*
 * A facility's own precision study: repeated scans of the same patients,
 * repositioned between scans (ISCD: 15 patients x 3 scans or 30 x 2, 30
 * degrees of freedom). Per site, and per device and technologist when the
 * scans name them, it gives the precision error (RMS-SD, in g/cm2) and the
 * LSC, which ot_precision_result_to_config() writes as a facility
 * configuration that ot_refdata_apply_config() accepts.
 */

/* One scan. The strings are borrowed for the call. */
typedef struct ot_precision_scan {
    const char *patient_id;    /* required, non-empty */
    ot_site site;
    double value;              /* in `unit`, positive */
    ot_unit unit;              /* OT_UNIT_G_CM2 or OT_UNIT_MG_CM2; one unit a site */
    const char *device;        /* scanner identity; NULL or "" when not known */
    const char *technologist;  /* NULL or "" when not known */
    ot_date date;              /* OT_DATE_NONE when not known */
    long line;                 /* input line, for messages; 0 when none */
} ot_precision_scan;

#define OT_PRECISION_SCAN_INIT \
    { NULL, OT_SITE_LUMBAR_SPINE, 0.0, OT_UNIT_G_CM2, NULL, NULL, OT_DATE_NONE, 0 }

typedef enum ot_precision_input {
    OT_PRECISION_INPUT_AUTO = 0, /* by the file name: *.json is JSON, else CSV */
    OT_PRECISION_INPUT_CSV,
    OT_PRECISION_INPUT_JSON
} ot_precision_input;

#define OT_PRECISION_MAX_LEVELS 8

typedef struct ot_precision_options {
    unsigned version;          /* OT_PRECISION_OPTIONS_VERSION */
    ot_precision_input input;  /* ot_precision_read_file() only */
    /*
     * Confidence levels in percent (50 to 99.9) at which to give the LSC
     * besides 95 % (always given, with lsc_multiplier_95 of data/lsc.json):
     * LSC = z x sqrt(2) x RMS-SD, z the two-sided standard normal quantile.
     * Borrowed for the call; at most OT_PRECISION_MAX_LEVELS; 95 and
     * repeats are dropped.
     */
    const double *confidence;
    size_t nconfidence;
} ot_precision_options;

#define OT_PRECISION_OPTIONS_VERSION 1u
#define OT_PRECISION_OPTIONS_INIT \
    { OT_PRECISION_OPTIONS_VERSION, OT_PRECISION_INPUT_AUTO, NULL, 0 }
OT_EXTERN int ot_precision_options_init(ot_precision_options *opts, unsigned version);

typedef enum ot_precision_by {
    OT_PRECISION_BY_SITE = 0,     /* every scan of the site */
    OT_PRECISION_BY_DEVICE,       /* the site's scans on one device */
    OT_PRECISION_BY_TECHNOLOGIST  /* the site's scans by one technologist */
} ot_precision_by;

/* "site", "device", "technologist". */
OT_EXTERN const char *ot_precision_by_name(ot_precision_by b);

/*
 * One line of the study. A "patient" is one patient on one device: scans
 * on different scanners are not repeats. Patients with one scan in the
 * group are counted in single_scan and left out of every figure.
 */
typedef struct ot_precision_group {
    ot_precision_by by;
    ot_site site;
    char key[128];             /* the device or technologist; "" for BY_SITE */
    size_t patients;           /* with two or more scans */
    size_t scans;              /* theirs */
    size_t single_scan;        /* patients left out */
    size_t df;                 /* degrees of freedom: sum over patients of (scans - 1) */
    double mean_g_cm2;         /* mean of the patients' mean BMD */
    double rms_sd_g_cm2;       /* precision error: sqrt(sum SD_j^2 / patients) */
    /* 95 % CI of the RMS-SD from the chi-square distribution on df degrees
     * of freedom (exact when every patient has the same number of scans). */
    double rms_sd_ci95_lo, rms_sd_ci95_hi;
    double rms_cv_pct;         /* sqrt(sum (100 SD_j / mean_j)^2 / patients) */
    double lsc_g_cm2;          /* 95 %: lsc_multiplier_95 x RMS-SD */
    double lsc_pct;            /* 95 %: lsc_multiplier_95 x RMS-%CV */
    double lsc_level_g_cm2[OT_PRECISION_MAX_LEVELS]; /* at result confidence[i] */
    double lsc_level_pct[OT_PRECISION_MAX_LEVELS];
    double iscd_max_cv_pct;    /* ISCD minimum acceptable precision of a
                                  technologist (data/lsc.json); NaN: none */
    int worse_than_iscd;       /* rms_cv_pct > iscd_max_cv_pct */
    int retraining_advised;    /* BY_TECHNOLOGIST and worse_than_iscd */
} ot_precision_group;

typedef enum ot_precision_note_kind {
    OT_PRECISION_NOTE_REJECTED = 0, /* an invalid row, left out */
    OT_PRECISION_NOTE_SINGLE_SCAN,  /* a patient with one scan at a site, left out */
    OT_PRECISION_NOTE_INPUT,        /* about the input: a column or key not used */
    OT_PRECISION_NOTE_STUDY         /* about the results: too few degrees of
                                       freedom, retraining advised, ... */
} ot_precision_note_kind;

typedef struct ot_precision_note {
    ot_precision_note_kind kind;
    long line;                 /* input line; 0 when it is about the file or study */
    char message[OT_FLAG_MESSAGE_MAX]; /* without "FILE:LINE: " */
} ot_precision_note;

typedef struct ot_precision_result {
    char *name;                /* the input's name, as given */
    size_t rows_read;          /* data rows (or JSON scans) */
    size_t rows_used;          /* in at least one figure */
    size_t rows_rejected;      /* invalid: OT_PRECISION_NOTE_REJECTED */
    size_t rows_single;        /* of patients with one scan at the site */
    double multiplier_95;      /* lsc_multiplier_95 of data/lsc.json (2.77) */
    int multiplier_confirmed;
    char multiplier_source[OT_SOURCE_MAX];
    size_t nconfidence;        /* the other levels, in the order given */
    double confidence[OT_PRECISION_MAX_LEVELS]; /* percent */
    double multiplier[OT_PRECISION_MAX_LEVELS]; /* z x sqrt 2 */
    ot_unit unit[OT_SITE_COUNT]; /* the unit each site's rows were given in */
    ot_date first_date, last_date; /* of the scans used; OT_DATE_NONE if none */
    size_t ngroups;            /* 0: nothing usable (no patient with two scans) */
    ot_precision_group *groups; /* by site, then device, then technologist;
                                   each in site order, then by key */
    size_t nnotes;
    ot_precision_note *notes;  /* input notes in line order, then study notes */
} ot_precision_result;

/*
 * Computes a precision study from scans. Invalid scans (empty patient_id,
 * unknown site, a unit that is not a BMD unit or differs from the unit of
 * the site's first scan, a value that is not positive or outside
 * data/plausibility.json, a date outside OT_DATE_MIN..OT_DATE_MAX) are left
 * out with a REJECTED note. Returns OT_OK
 * with *out (free with ot_precision_result_free) even when scans were left
 * out or nothing is usable (ngroups 0); OT_EINVAL for bad options,
 * OT_ENOMEM, OT_ENUMERIC if a GSL routine returns a non-finite value.
 * `name` labels the study (the input file); it may be NULL.
 */
OT_EXTERN int ot_precision_compute(ot_precision_result **out, const ot_refdata *rd,
                                   const ot_precision_scan *scans, size_t nscans,
                                   const char *name, const ot_precision_options *opts,
                                   ot_error *err);
/*
 * Reads a study file and computes it. CSV: a header row naming patient_id,
 * site, value and optionally unit, device, technologist, date, in any order
 * and case (other columns are ignored with an INPUT note); RFC 4180. JSON:
 * an array of objects with those keys, or {"scans": [...]}. A row that
 * cannot be read (a value that is not a number, an unknown site or unit, a
 * bad date, a malformed CSV record) is left out with a REJECTED note naming
 * its line, as ot_precision_compute() does for invalid scans.
 * Errors: OT_EIO (cannot open or read), OT_EPARSE (no header, a required
 * column missing, malformed JSON), OT_ELIMIT (a JSON file of more than
 * OT_JSON_MAX_DOCUMENT bytes: it is read whole; a CSV file is streamed and
 * has no such limit), and those of ot_precision_compute().
 */
OT_EXTERN int ot_precision_read_file(ot_precision_result **out, const ot_refdata *rd,
                                     const char *path, const ot_precision_options *opts,
                                     ot_error *err);
OT_EXTERN void ot_precision_result_free(ot_precision_result *r);

/*
 * The facility configuration of a study (kind "osteotrack-facility"): "lsc"
 * gives each site's LSC at 95 % in g/cm2 with a source naming the study, and
 * "study" the whole result. `facility` (may be NULL) names the facility.
 * A site whose LSC is outside what a configuration accepts (0.0001 to 0.5
 * g/cm2: an RMS-SD of 0 means the scans were not repeated) is left out of
 * "lsc" with a note in "study". Free *out with ot_free().
 */
OT_EXTERN int ot_precision_result_to_config(char **out, const ot_precision_result *r,
                                            const char *facility);

#ifdef __cplusplus
}
#endif

#endif /* OSTEOTRACK_H */

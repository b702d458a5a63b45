/* Private: the patient report's parts, shared by report*.c. */
#ifndef OT_REPORT_H
#define OT_REPORT_H

#include "internal.h"

/* Where a date falls against the patient's therapy. */
typedef enum ot_period {
    OT_PERIOD_NO_TREATMENT = 0, /* no course began on or before it */
    OT_PERIOD_BEFORE,           /* before the first course began (or on its first day) */
    OT_PERIOD_ON,               /* a course was in effect (after its first day) */
    OT_PERIOD_OFF               /* a course had stopped and none was in effect */
} ot_period;

typedef struct ot_bmd_entry {
    ot_bmd_result base;      /* against the baseline of its segment */
    ot_bmd_result prev;      /* against the previous scan */
    int new_baseline;        /* this scan starts a new baseline (device change) */
    int device_step;         /* the scanner differs from the previous scan's */
    ot_agent therapy;        /* in effect at the scan */
    ot_period period;        /* of the scan */
} ot_bmd_entry;

/* A site's change during the course the assessment judges: from its
 * treatment baseline (the last scan on or before the start, else the first
 * scan of the course) to its latest scan on the course. */
typedef struct ot_course_change {
    ot_bmd_result cmp;       /* against the treatment baseline */
    ot_bmd_result prev;      /* the latest against the scan before it, if that
                                is no earlier than the baseline; else = cmp */
} ot_course_change;

/* A loss after a course stopped: the last scan while it was in effect (or
 * before it) against a later one with no course in effect. */
typedef struct ot_off_loss {
    ot_bmd_result cmp;
    const struct ot_course *course; /* the course that had stopped */
} ot_off_loss;

/* ASBMR 2016 bisphosphonate review (report_rules.c). */
typedef struct ot_bp_review {
    int active;              /* 0: no bisphosphonate now, nor a holiday from one */
    int holiday;             /* off treatment after a full course */
    ot_date since;           /* start of the bisphosphonate course(s), or of the holiday */
    ot_date due;
    double years;            /* of treatment (infusions count by their interval) */
    int recommendation;      /* -1 not yet due, 0 continue, 1 consider_holiday,
                                2 individual_decision */
    unsigned reasons;        /* bit i: reason_names[i] (report_rules.c) */
    const char *source;
} ot_bp_review;

typedef struct ot_trend {
    ot_site site;
    ot_side side;            /* OT_SIDE_NONE when not given */
    ot_spine_region region;  /* OT_REGION_NONE when not given */
    size_t n;
    ot_date first, last;
    double slope, slope_pct, lo, hi, lo_pct, hi_pct, intercept, dof;
    int excludes_zero;
} ot_trend;

typedef struct ot_action {
    ot_flag_code code;
    ot_date due;
    char action[200];
} ot_action;

typedef struct ot_tscore_summary {
    double lowest;           /* latest per site, lowest of them; NaN if none */
    ot_site lowest_site;
    ot_side lowest_side;     /* the side of that scan; OT_SIDE_NONE if not given */
    ot_date date;
    int computed;            /* computed from BMD, not scanner-reported */
    const char *computed_source;
    int category;            /* -1 unknown, 0 normal, 1 low bone mass, 2 osteoporosis */
    int diagnosis;
    char basis[160];         /* why the diagnosis holds */
    int rule;                /* 0 none, 1 who_t_score, 2 nbha_fracture_any_bmd,
                                3 nbha_fracture_with_low_bone_mass */
    double hip_latest;       /* latest total hip / femoral neck T-score; NaN */
    int zref;                /* the reference of the latest scan: 0 T-score (WHO),
                                1 Z-score (premenopausal women, men under 50) */
    double zlowest;          /* latest per site, lowest of them; NaN if none */
    ot_site zsite;
    ot_date zdate;
    int zcategory;           /* -1 unknown, 0 within, 1 below the expected range */
    char note[320];          /* what a reader must know about the reference */
} ot_tscore_summary;

struct ot_report {
    char *id;
    ot_date as_of;
    /* The snapshot the rules read while the report is built (NULL after):
     * the patient's observations dated on or before as_of, sorted by
     * analyte, site, date and input line. Fractures and courses are copied
     * below, already cut at as_of. */
    const ot_obs *const *obs;
    size_t nobs;
    const ot_refdata *rd;
    const ot_course *current;   /* in effect at as_of, into `courses` */
    ot_course *courses;         /* sorted by start */
    size_t ncourses;
    ot_fx *fx;                  /* sorted by date */
    size_t nfx;
    ot_sex sex;
    ot_date birth;
    ot_menopause menopause;     /* as given */
    const ot_course *assessed;  /* the course the assessment judges: the current
                                   one, else the one that stopped last; NULL */
    int has_cc[OT_SERIES_COUNT];  /* which of cc[] are set (by ot_series) */
    int has_off[OT_SERIES_COUNT]; /* which of off[] are set */
    ot_bp_review review;
    ot_date last_dxa;
    size_t nafter;              /* observations, fractures and courses dated after */
    ot_date first_after;        /* as_of, left out of the report: said in "after_as_of" */
    ot_bmd_entry *bmd;
    size_t nbmd, capbmd;
    ot_trend *trend;
    size_t ntrend, captrend;
    ot_marker_result *markers;
    size_t nmarkers, capmarkers;
    const ot_course **marker_course; /* the course each marker entry assesses */
    ot_tscore_summary ts;
    int loss_on_treatment;      /* a site lost BMD from its treatment baseline */
    char failure[300];          /* the criterion that matched, "" if none */
    ot_flag *flags;
    size_t nflags, capflags;
    ot_action *actions;
    size_t nactions, capactions;
    ot_assessment assessment;
    char summary[700];
    /* Last, and not zeroed when a report is made (36 of its 38 KB): each
     * is read only once has_cc or has_off says it was written whole. */
    ot_course_change cc[OT_SERIES_COUNT];
    ot_off_loss off[OT_SERIES_COUNT];
};

/* The series (ot_series) of a comparison: its site and side. */
static inline int ot_result_series(const ot_bmd_result *b) { return ot_series(b->site, b->side); }

/* The course in effect on date d (latest start), or NULL. Supplements are
 * never osteoporosis therapy. */
const ot_course *ot_course_at(const ot_report *r, ot_date d);
int ot_is_therapy(ot_agent a);
/* The therapy course in effect last (latest `until`; ongoing ones count as
 * latest), or NULL when no therapy is on record. */
const ot_course *ot_last_course(const ot_report *r);
ot_period ot_period_at(const ot_report *r, ot_date d);
const char *ot_period_name(ot_period p);
int ot_report_flag_add(ot_report *r, const ot_flag *f);
int ot_report_add_flag(ot_report *r, ot_flag_code code, ot_severity sev, int site, int analyte,
                   const char *fmt, ...) OT_PRINTF(6, 7);
int ot_report_action(ot_report *r, ot_flag_code code, ot_date due, const char *fmt, ...)
    OT_PRINTF(4, 5);

/* report_rules.c */
int ot_report_tscore(ot_report *r);
int ot_report_periods(ot_report *r, const ot_obs *const *s, size_t n);
int ot_report_failure(ot_report *r);
int ot_report_due(ot_report *r);
void ot_report_assess(ot_report *r);
void ot_report_summarise(ot_report *r);
/* The bisphosphonate review's reason code i (NULL past the last) and
 * recommendation name (NULL for -1). */
const char *ot_review_reason(unsigned i);
const char *ot_review_recommendation(int rec);

#endif

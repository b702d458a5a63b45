/* Private: the patient report's parts, shared by report*.c. */
#ifndef OT_REPORT_H
#define OT_REPORT_H

#include "internal.h"

typedef struct ot_bmd_entry {
    ot_bmd_result base;      /* against the baseline of its segment */
    ot_bmd_result prev;      /* against the previous scan */
    int new_baseline;        /* this scan starts a new baseline (device change) */
    int device_step;         /* the scanner differs from the previous scan's */
    ot_agent therapy;        /* in effect at the scan */
} ot_bmd_entry;

typedef struct ot_trend {
    ot_site site;
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
    ot_date date;
    int computed;            /* computed from BMD, not scanner-reported */
    const char *computed_source;
    int category;            /* -1 unknown, 0 normal, 1 low bone mass, 2 osteoporosis */
    int diagnosis;
    char basis[160];         /* why the diagnosis holds */
    double hip_latest;       /* latest total hip / femoral neck T-score; NaN */
} ot_tscore_summary;

struct ot_report {
    char *id;
    ot_date as_of;
    const ot_refdata *rd;
    const ot_course *current;   /* in effect at as_of, into `courses` */
    ot_course *courses;         /* sorted by start */
    size_t ncourses;
    ot_fx *fx;                  /* sorted by date */
    size_t nfx;
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
};

/* The course in effect on date d (latest start), or NULL. */
const ot_course *ot_course_at(const ot_report *r, ot_date d);
int ot_report_flag_add(ot_report *r, const ot_flag *f);
int ot_report_add_flag(ot_report *r, ot_flag_code code, ot_severity sev, int site, int analyte,
                   const char *fmt, ...) OT_PRINTF(6, 7);
int ot_report_action(ot_report *r, ot_flag_code code, ot_date due, const char *fmt, ...)
    OT_PRINTF(4, 5);

/* report_rules.c */
int ot_report_tscore(ot_report *r, const ot_patient *p);
int ot_report_failure(ot_report *r);
int ot_report_due(ot_report *r, const ot_patient *p);
void ot_report_assess(ot_report *r);
void ot_report_summarise(ot_report *r);

#endif

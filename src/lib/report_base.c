/* What the report's builder and its rules share, below both: which course
 * is in effect and when, and adding flags and actions to the report. */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>

int ot_is_therapy(ot_agent a)
{
    return a != OT_AGENT_NONE && ot_agent_class_of(a) != OT_CLASS_SUPPLEMENT;
}

const ot_course *ot_course_at(const ot_report *r, ot_date d)
{
    const ot_course *best = NULL;
    for (size_t i = 0; i < r->ncourses; i++) {
        const ot_course *c = &r->courses[i];
        if (ot_is_therapy(c->agent) && c->start <= d && (c->until == OT_DATE_NONE || c->until > d))
            best = c; /* sorted by start: the latest wins */
    }
    return best;
}

const ot_course *ot_last_course(const ot_report *r)
{
    const ot_course *l = NULL;
    for (size_t i = 0; i < r->ncourses; i++) {
        const ot_course *c = &r->courses[i];
        if (!ot_is_therapy(c->agent))
            continue;
        if (!l || c->until == OT_DATE_NONE || (l->until != OT_DATE_NONE && c->until >= l->until))
            l = c;
    }
    return l;
}

const char *ot_period_name(ot_period p)
{
    static const char *const names[] = {"no_treatment", "before_treatment", "on_treatment",
                                        "off_treatment"};
    return (unsigned)p < 4 ? names[p] : "unknown";
}

/* A scan on a course's first day is its treatment baseline, not on it. */
ot_period ot_period_at(const ot_report *r, ot_date d)
{
    int began = 0, later = 0;
    for (size_t i = 0; i < r->ncourses; i++) {
        const ot_course *c = &r->courses[i];
        if (!ot_is_therapy(c->agent))
            continue;
        if (c->start < d && (c->until == OT_DATE_NONE || c->until > d))
            return OT_PERIOD_ON;
        began |= c->start < d;
        later |= c->start >= d;
    }
    return began ? OT_PERIOD_OFF : later ? OT_PERIOD_BEFORE : OT_PERIOD_NO_TREATMENT;
}

int ot_report_flag_add(ot_report *r, const ot_flag *f)
{
    void *a = r->flags;
    if (ot_grow(&a, &r->capflags, r->nflags + 1, sizeof *r->flags) != OT_OK)
        return OT_ENOMEM;
    r->flags = a;
    r->flags[r->nflags++] = *f;
    return OT_OK;
}

int ot_report_add_flag(ot_report *r, ot_flag_code code, ot_severity sev, int site, int analyte,
                   const char *fmt, ...)
{
    ot_flag f;
    size_t n = 0;
    va_list ap;
    va_start(ap, fmt);
    ot_flag_vadd(&f, &n, 1, code, sev, site, analyte, fmt, ap);
    va_end(ap);
    return ot_report_flag_add(r, &f);
}

int ot_report_action(ot_report *r, ot_flag_code code, ot_date due, const char *fmt, ...)
{
    void *a = r->actions;
    if (ot_grow(&a, &r->capactions, r->nactions + 1, sizeof *r->actions) != OT_OK)
        return OT_ENOMEM;
    r->actions = a;
    ot_action *x = &r->actions[r->nactions++];
    x->code = code;
    x->due = due;
    va_list ap;
    va_start(ap, fmt);
    ot_vfmt(x->action, sizeof x->action, fmt, ap);
    va_end(ap);
    return OT_OK;
}

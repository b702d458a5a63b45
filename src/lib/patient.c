/* The patient model: observations, therapy courses, fractures. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ot_grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return OT_OK;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    if (n > ((size_t)-1) / size)
        return OT_ENOMEM;
    void *p = realloc(*arr, n * size);
    if (!p)
        return OT_ENOMEM;
    *arr = p;
    *cap = n;
    return OT_OK;
}

int ot_patient_new(ot_patient **out, const char *id)
{
    if (!out)
        return OT_EINVAL;
    *out = NULL;
    ot_patient *p = calloc(1, sizeof *p);
    if (!p)
        return OT_ENOMEM;
    int rc = ot_patient_reset(p, id ? id : "");
    if (rc != OT_OK) {
        ot_patient_free(p);
        return rc;
    }
    *out = p;
    return OT_OK;
}

void ot_patient_free(ot_patient *p)
{
    if (!p)
        return;
    free(p->id);
    free(p->obs);
    free(p->courses);
    free(p->fx);
    free(p->facts);
    free(p);
}

int ot_patient_reset(ot_patient *p, const char *id)
{
    if (!p || !id)
        return OT_EINVAL;
    size_t n = strlen(id) + 1;
    void *buf = p->id;
    if (ot_grow(&buf, &p->idcap, n, 1) != OT_OK)
        return OT_ENOMEM;
    p->id = buf;
    memcpy(p->id, id, n);
    p->nobs = p->ncourses = p->nfx = p->nfacts = 0;
    return OT_OK;
}

const char *ot_patient_id(const ot_patient *p) { return p ? p->id : NULL; }

static ot_obs *new_obs(ot_patient *p)
{
    void *a = p->obs;
    if (ot_grow(&a, &p->capobs, p->nobs + 1, sizeof *p->obs) != OT_OK)
        return NULL;
    p->obs = a;
    ot_obs *o = &p->obs[p->nobs];
    memset(o, 0, sizeof *o);
    return o;
}

int ot_patient_add_bmd(ot_patient *p, const ot_refdata *rd, const ot_bmd_measure *m,
                       double tscore, long line, ot_error *err)
{
    if (!p || !rd || !m)
        return ot_err_set(err, OT_EINVAL, "ot_patient_add_bmd: NULL argument");
    double v;
    if ((unsigned)m->site >= OT_SITE_COUNT)
        return ot_err_set(err, OT_EVOCAB, "unknown site");
    if (m->date == OT_DATE_NONE)
        return ot_err_set(err, OT_EDATE, "a BMD scan needs a date");
    if (ot_unit_to_canonical(&v, OT_ANALYTE_BMD, m->unit, m->value) != OT_OK)
        return ot_err_set(err, OT_EUNIT, "unit %s is not a BMD unit (expected g/cm2 or mg/cm2)",
                          ot_unit_name(m->unit));
    int rc = ot_check_plausible(rd, OT_ANALYTE_BMD, v, m->value, m->unit, "", err);
    if (rc != OT_OK)
        return rc;
    if (!isnan(tscore) && !(tscore >= -10.0 && tscore <= 10.0))
        return ot_err_set(err, OT_ERANGE, "T-score %g is outside -10 to 10", tscore);
    ot_obs *o = new_obs(p);
    if (!o)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    o->date = m->date;
    o->analyte = OT_ANALYTE_BMD;
    o->site = m->site;
    o->value = v;
    o->tscore = tscore;
    o->manufacturer = m->manufacturer;
    ot_strlcpy(o->device, m->device ? m->device : "", sizeof o->device);
    o->line = line;
    p->nobs++;
    return OT_OK;
}

int ot_patient_add_marker(ot_patient *p, const ot_refdata *rd, const ot_marker_measure *m,
                          long line, ot_error *err)
{
    if (!p || !rd || !m)
        return ot_err_set(err, OT_EINVAL, "ot_patient_add_marker: NULL argument");
    if (m->analyte != OT_ANALYTE_P1NP && m->analyte != OT_ANALYTE_CTX)
        return ot_err_set(err, OT_EVOCAB, "analyte %s is not a marker", ot_analyte_name(m->analyte));
    if (m->date == OT_DATE_NONE)
        return ot_err_set(err, OT_EDATE, "a marker value needs a date");
    ot_unit unit = m->unit == OT_UNIT_CANONICAL ? ot_unit_canonical(m->analyte) : m->unit;
    double v;
    if ((unsigned)unit >= OT_UNIT_COUNT || ot_unit_to_canonical(&v, m->analyte, unit, m->value))
        return ot_err_set(err, OT_EUNIT, "unit %s is not a %s unit (expected %s)",
                          ot_unit_name(unit), m->analyte == OT_ANALYTE_P1NP ? "P1NP" : "CTX",
                          m->analyte == OT_ANALYTE_P1NP ? "ug/L or ng/mL" : "ng/L, pg/mL or ng/mL");
    int rc = ot_check_plausible(rd, m->analyte, v, m->value, unit, "", err);
    if (rc != OT_OK)
        return rc;
    ot_obs *o = new_obs(p);
    if (!o)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    o->date = m->date;
    o->analyte = m->analyte;
    o->value = v;
    o->tscore = NAN;
    o->line = line;
    p->nobs++;
    return OT_OK;
}

int ot_patient_add_therapy(ot_patient *p, ot_agent agent, ot_date start, ot_date end,
                           ot_error *err)
{
    if (!p || (unsigned)agent >= OT_AGENT_COUNT)
        return ot_err_set(err, OT_EINVAL, "ot_patient_add_therapy: bad argument");
    if (start == OT_DATE_NONE)
        return ot_err_set(err, OT_EDATE, "a therapy needs a start date");
    if (end != OT_DATE_NONE && end < start)
        return ot_err_set(err, OT_EDATE, "therapy end is before its start");
    for (size_t i = 0; i < p->ncourses; i++) {
        ot_course *c = &p->courses[i];
        if (c->agent == agent && c->start == start) {
            if (end != OT_DATE_NONE && (c->end == OT_DATE_NONE || end > c->end))
                c->end = end; /* the more specific (ended) record wins */
            return OT_OK;
        }
    }
    void *a = p->courses;
    if (ot_grow(&a, &p->capcourses, p->ncourses + 1, sizeof *p->courses) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    p->courses = a;
    p->courses[p->ncourses++] = (ot_course){agent, start, end};
    return OT_OK;
}

int ot_patient_add_fracture(ot_patient *p, ot_fracture_site site, ot_date date, ot_error *err)
{
    if (!p || (unsigned)site >= OT_FX_COUNT)
        return ot_err_set(err, OT_EINVAL, "ot_patient_add_fracture: bad argument");
    if (date == OT_DATE_NONE)
        return ot_err_set(err, OT_EDATE, "a fracture needs a date");
    void *a = p->fx;
    if (ot_grow(&a, &p->capfx, p->nfx + 1, sizeof *p->fx) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    p->fx = a;
    p->fx[p->nfx++] = (ot_fx){date, site};
    return OT_OK;
}

static int add_fact(ot_patient *p, const ot_record *rec, ot_error *err)
{
    if ((unsigned)rec->agent >= OT_AGENT_COUNT || rec->date == OT_DATE_NONE)
        return ot_err_set(err, OT_EINVAL, "a therapy record needs an agent and a date");
    void *a = p->facts;
    if (ot_grow(&a, &p->capfacts, p->nfacts + 1, sizeof *p->facts) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    p->facts = a;
    p->facts[p->nfacts++] = (ot_tfact){rec->date, rec->start, rec->end, rec->agent};
    return OT_OK;
}

int ot_patient_add_record(ot_patient *p, const ot_refdata *rd, const ot_record *rec, long line,
                          ot_error *err)
{
    if (!p || !rd || !rec)
        return ot_err_set(err, OT_EINVAL, "ot_patient_add_record: NULL argument");
    switch (rec->kind) {
    case OT_REC_BMD: {
        ot_bmd_measure m = OT_BMD_MEASURE_INIT;
        m.site = rec->site;
        m.value = rec->value;
        m.date = rec->date;
        m.device = rec->device;
        m.manufacturer = rec->manufacturer;
        return ot_patient_add_bmd(p, rd, &m, rec->tscore, line, err);
    }
    case OT_REC_MARKER: {
        ot_marker_measure m = OT_MARKER_MEASURE_INIT;
        m.analyte = rec->analyte;
        m.value = rec->value;
        m.date = rec->date;
        return ot_patient_add_marker(p, rd, &m, line, err);
    }
    case OT_REC_FRACTURE: return ot_patient_add_fracture(p, rec->fracture, rec->date, err);
    case OT_REC_THERAPY: return add_fact(p, rec, err);
    }
    return ot_err_set(err, OT_EINVAL, "unknown record kind");
}

static int cmp_fact(const void *a, const void *b)
{
    const ot_tfact *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return (int)x->agent - (int)y->agent;
}

/* Runs of one agent in date order make courses (see ot_patient_add_record). */
static int courses_from_facts(const ot_patient *p, ot_course *out, size_t *n)
{
    ot_tfact *f = malloc((p->nfacts + 1) * sizeof *f);
    if (!f)
        return OT_ENOMEM;
    if (p->nfacts)
        memcpy(f, p->facts, p->nfacts * sizeof *f);
    qsort(f, p->nfacts, sizeof *f, cmp_fact);
    for (size_t i = 0; i < p->nfacts;) {
        size_t j = i;
        ot_date start = f[i].date, end = OT_DATE_NONE;
        for (; j < p->nfacts && f[j].agent == f[i].agent; j++) {
            if (f[j].start != OT_DATE_NONE && f[j].start < start)
                start = f[j].start;
            if (f[j].end != OT_DATE_NONE && (end == OT_DATE_NONE || f[j].end > end))
                end = f[j].end;
        }
        if (end == OT_DATE_NONE && j < p->nfacts)
            end = f[j].date; /* the first date that names another agent */
        if (f[i].agent != OT_AGENT_NONE)
            out[(*n)++] = (ot_course){f[i].agent, start, end};
        i = j;
    }
    free(f);
    return OT_OK;
}

int ot_patient_courses(const ot_patient *p, ot_course **out, size_t *n)
{
    *n = 0;
    *out = malloc((p->ncourses + p->nfacts + 1) * sizeof **out);
    if (!*out)
        return OT_ENOMEM;
    if (p->ncourses)
        memcpy(*out, p->courses, p->ncourses * sizeof **out);
    *n = p->ncourses;
    if (p->nfacts == 0)
        return OT_OK;
    size_t first = *n;
    int rc = courses_from_facts(p, *out, n);
    /* a derived course identical in agent and start to a given one is that one */
    for (size_t i = first; rc == OT_OK && i < *n; i++)
        for (size_t k = 0; k < first; k++)
            if ((*out)[k].agent == (*out)[i].agent && (*out)[k].start == (*out)[i].start) {
                (*out)[i--] = (*out)[--*n];
                break;
            }
    return rc;
}

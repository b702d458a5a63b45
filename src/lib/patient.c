/* The patient model: observations, therapy courses, fractures. */
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
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
    free(p->doses);
    free(p->dup);
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
    p->nobs = p->ncourses = p->nfx = p->nfacts = p->ndoses = 0;
    p->sex = OT_SEX_UNKNOWN;
    p->birth = OT_DATE_NONE;
    p->menopause = OT_MENOPAUSE_UNKNOWN;
    p->dupobs = p->dupfx = 0;
    p->dupstale = 1;
    return OT_OK;
}

const char *ot_patient_id(const ot_patient *p) { return p ? p->id : NULL; }

size_t ot_patient_memory(const ot_patient *p)
{
    if (!p)
        return 0;
    return sizeof *p + p->idcap + p->capfacts * sizeof *p->facts + p->capobs * sizeof *p->obs +
           p->capcourses * sizeof *p->courses + p->capfx * sizeof *p->fx +
           p->capdoses * sizeof *p->doses + p->dupcap * sizeof *p->dup;
}

/* ---- Duplicates: the same observation twice is kept once. ---- */

#define DUP_LINEAR 16u          /* up to this many items a linear search is quicker */
#define DUP_FX 0x80000000u      /* slot bit: a fracture */

static int same_obs(const ot_obs *a, const ot_obs *b)
{
    if (a->date != b->date || a->analyte != b->analyte)
        return 0;
    /* One scan of a site (side, region) a day on a scanner: a second one
     * that day is a repositioned repeat (a precision study), never a change
     * of BMD. A scanner not named may be the one on record. Scans on two
     * scanners known to differ are both kept: a cross-calibration, where the
     * series moves to the new scanner. */
    if (a->analyte != OT_ANALYTE_BMD)
        return 1;
    if (a->site != b->site || a->side != b->side ||
        ot_region_or_default(a->region) != ot_region_or_default(b->region))
        return 0;
    if (a->device[0] && b->device[0] && strcmp(a->device, b->device))
        return 0;
    return a->manufacturer == OT_MFR_UNKNOWN || b->manufacturer == OT_MFR_UNKNOWN ||
           a->manufacturer == b->manufacturer;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

static uint64_t obs_hash(const ot_obs *o)
{
    uint64_t h = mix(mix(1, (uint64_t)o->date), (uint64_t)o->analyte);
    if (o->analyte == OT_ANALYTE_BMD) {
        h = mix(h, (uint64_t)o->site);
        h = mix(mix(h, (uint64_t)o->side), (uint64_t)ot_region_or_default(o->region));
    }
    return h;
}

static uint64_t fx_hash(const ot_fx *f) { return mix(mix(2, (uint64_t)f->date), (uint64_t)f->site); }

static void dup_put(ot_patient *p, unsigned v, uint64_t h)
{
    size_t mask = p->dupcap - 1, j = (size_t)h & mask;
    while (p->dup[j])
        j = (j + 1) & mask;
    p->dup[j] = v;
}

/* Makes the table hold every item; 0, or -1 (then search linearly). */
static int dup_index(ot_patient *p)
{
    size_t n = p->nobs + p->nfx, want = 64;
    while (want < 4 * (n + 1))
        want *= 2;
    if (p->dupstale || p->dupcap < 2 * (n + 1) || p->dupcap > 64 * want) {
        if (p->dupcap != want) {
            free(p->dup);
            p->dupcap = 0;
            if (!(p->dup = malloc(want * sizeof *p->dup)))
                return -1;
            p->dupcap = want;
        }
        memset(p->dup, 0, p->dupcap * sizeof *p->dup);
        p->dupobs = p->dupfx = 0;
        p->dupstale = 0;
    }
    for (; p->dupobs < p->nobs; p->dupobs++)
        dup_put(p, (unsigned)p->dupobs + 1, obs_hash(&p->obs[p->dupobs]));
    for (; p->dupfx < p->nfx; p->dupfx++)
        dup_put(p, ((unsigned)p->dupfx + 1) | DUP_FX, fx_hash(&p->fx[p->dupfx]));
    return 0;
}

/* The observation already on record that `o` repeats, or NULL. */
static const ot_obs *find_obs(ot_patient *p, const ot_obs *o)
{
    if (p->nobs + p->nfx <= DUP_LINEAR || dup_index(p) != 0) {
        for (size_t i = 0; i < p->nobs; i++)
            if (same_obs(&p->obs[i], o))
                return &p->obs[i];
        return NULL;
    }
    size_t mask = p->dupcap - 1;
    for (size_t j = (size_t)obs_hash(o) & mask; p->dup[j]; j = (j + 1) & mask)
        if (!(p->dup[j] & DUP_FX) && same_obs(&p->obs[p->dup[j] - 1], o))
            return &p->obs[p->dup[j] - 1];
    return NULL;
}

static int has_fx(ot_patient *p, const ot_fx *f)
{
    if (p->nobs + p->nfx <= DUP_LINEAR || dup_index(p) != 0) {
        for (size_t i = 0; i < p->nfx; i++)
            if (p->fx[i].date == f->date && p->fx[i].site == f->site)
                return 1;
        return 0;
    }
    size_t mask = p->dupcap - 1;
    for (size_t j = (size_t)fx_hash(f) & mask; p->dup[j]; j = (j + 1) & mask) {
        if (!(p->dup[j] & DUP_FX))
            continue;
        const ot_fx *g = &p->fx[(p->dup[j] & ~DUP_FX) - 1];
        if (g->date == f->date && g->site == f->site)
            return 1;
    }
    return 0;
}

static int over_limit(const ot_patient *p, ot_error *err)
{
    if (p->nobs + p->nfx < OT_PATIENT_MAX_OBSERVATIONS)
        return OT_OK;
    return ot_err_set(err, OT_ELIMIT, "the limit of %d observations and fractures a patient "
                      "is reached: this one is left out", OT_PATIENT_MAX_OBSERVATIONS);
}

/* OT_EDUPLICATE with a message when `o` repeats an observation on record. */
static int check_dup(ot_patient *p, const ot_obs *o, const char *what, const char *what2,
                     const char *unit, ot_error *err)
{
    const ot_obs *d = find_obs(p, o);
    if (!d)
        return OT_OK;
    char date[11], line[32] = "";
    ot_date_format(date, o->date);
    if (d->line > 0)
        ot_fmt(line, sizeof line, "line %ld: ", d->line);
    int same = ot_micro(d->value) == ot_micro(o->value);
    return ot_err_set(err, OT_EDUPLICATE, "duplicate: %s%s of %s%s%s is already on record (%s%s%s%s%g "
                      "%s%s); the first is kept%s", what, what2, date,
                      o->device[0] ? " on device " : "", o->device, line,
                      d->device[0] && strcmp(d->device, o->device) ? "device " : "",
                      d->device[0] && strcmp(d->device, o->device) ? d->device : "",
                      d->device[0] && strcmp(d->device, o->device) ? ", " : "", d->value, unit,
                      same ? ", the same value" : ", another value",
                      !same && o->analyte == OT_ANALYTE_BMD
                          ? " (a second scan of a site the same day is a repeat, not a change)"
                          : "");
}

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
    return ot_patient_add_scan(p, rd, m, tscore, NAN, line, err);
}

int ot_check_where(ot_site site, ot_side side, ot_spine_region region, ot_error *err)
{
    if ((unsigned)side >= OT_SIDE_COUNT)
        return ot_err_set(err, OT_EVOCAB, "unknown side (expected left or right)");
    if ((unsigned)region >= OT_REGION_COUNT)
        return ot_err_set(err, OT_EVOCAB, "unknown spine region (expected a range or a single "
                          "vertebra of L1-L4)");
    if (side != OT_SIDE_NONE && site == OT_SITE_LUMBAR_SPINE)
        return ot_err_set(err, OT_EVOCAB, "side %s given for lumbar_spine: a side applies to "
                          "total_hip, femoral_neck and radius_33 only", ot_side_name(side));
    if (region != OT_REGION_NONE && site != OT_SITE_LUMBAR_SPINE)
        return ot_err_set(err, OT_EVOCAB, "region %s given for %s: a region applies to "
                          "lumbar_spine only", ot_spine_region_name(region),
                          ot_site_name(site));
    return OT_OK;
}

int ot_patient_add_scan(ot_patient *p, const ot_refdata *rd, const ot_bmd_measure *m,
                        double tscore, double zscore, long line, ot_error *err)
{
    return ot_patient_add_scan_sided(p, rd, m, tscore, zscore, OT_SIDE_NONE, OT_REGION_NONE,
                                     line, err);
}

int ot_patient_add_scan_sided(ot_patient *p, const ot_refdata *rd, const ot_bmd_measure *m,
                              double tscore, double zscore, ot_side side,
                              ot_spine_region region, long line, ot_error *err)
{
    if (!p || !rd || !m)
        return ot_err_set(err, OT_EINVAL, "ot_patient_add_bmd: NULL argument");
    double v;
    if ((unsigned)m->site >= OT_SITE_COUNT)
        return ot_err_set(err, OT_EVOCAB, "unknown site");
    if (ot_check_where(m->site, side, region, err) != OT_OK)
        return OT_EVOCAB;
    if (m->date == OT_DATE_NONE)
        return ot_err_set(err, OT_EDATE, "a BMD scan needs a date");
    int rc = ot_check_date(m->date, "date", err);
    if (rc != OT_OK)
        return rc;
    if (ot_unit_to_canonical(&v, OT_ANALYTE_BMD, m->unit, m->value) != OT_OK)
        return ot_err_set(err, OT_EUNIT, "unit %s is not a BMD unit (expected g/cm2 or mg/cm2)",
                          ot_unit_name(m->unit));
    if ((rc = ot_check_plausible(rd, OT_ANALYTE_BMD, v, m->value, m->unit, "", err)) != OT_OK)
        return rc;
    if (!isnan(tscore) && !(tscore >= -10.0 && tscore <= 10.0))
        return ot_err_set(err, OT_ERANGE, "T-score %g is outside -10 to 10", tscore);
    if (!isnan(zscore) && !(zscore >= -10.0 && zscore <= 10.0))
        return ot_err_set(err, OT_ERANGE, "Z-score %g is outside -10 to 10", zscore);
    if ((rc = ot_check_device(m->device, "", err)) != OT_OK)
        return rc;
    ot_obs c;
    memset(&c, 0, sizeof c);
    c.date = m->date;
    c.analyte = OT_ANALYTE_BMD;
    c.site = m->site;
    c.value = v;
    c.tscore = tscore;
    c.zscore = zscore;
    c.manufacturer = m->manufacturer;
    ot_strlcpy(c.device, m->device ? m->device : "", sizeof c.device);
    c.line = line;
    c.side = side;
    c.region = region;
    if ((rc = over_limit(p, err)) != OT_OK)
        return rc;
    if (find_obs(p, &c)) { /* "SITE BMD" in the message, only formatted when there is one */
        char what[64];
        if (side != OT_SIDE_NONE)
            ot_fmt(what, sizeof what, "%s %s", ot_side_name(side), ot_site_name(m->site));
        else if (region != OT_REGION_NONE)
            ot_fmt(what, sizeof what, "%s %s", ot_site_name(m->site), ot_spine_region_name(region));
        else
            ot_fmt(what, sizeof what, "%s", ot_site_name(m->site));
        if ((rc = check_dup(p, &c, what, " BMD", "g/cm2", err)) != OT_OK)
            return rc;
    }
    ot_obs *o = new_obs(p);
    if (!o)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    *o = c;
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
    int rc = ot_check_date(m->date, "date", err);
    if (rc != OT_OK)
        return rc;
    ot_unit unit = m->unit == OT_UNIT_CANONICAL ? ot_unit_canonical(m->analyte) : m->unit;
    double v;
    if ((unsigned)unit >= OT_UNIT_COUNT || ot_unit_to_canonical(&v, m->analyte, unit, m->value))
        return ot_err_set(err, OT_EUNIT, "unit %s is not a %s unit (expected %s)",
                          ot_unit_name(unit), m->analyte == OT_ANALYTE_P1NP ? "P1NP" : "CTX",
                          m->analyte == OT_ANALYTE_P1NP ? "ug/L or ng/mL" : "ng/L, pg/mL, ng/mL or ug/L");
    if ((rc = ot_check_plausible(rd, m->analyte, v, m->value, unit, "", err)) != OT_OK)
        return rc;
    ot_obs c;
    memset(&c, 0, sizeof c);
    c.date = m->date;
    c.analyte = m->analyte;
    c.value = v;
    c.tscore = c.zscore = NAN;
    c.line = line;
    int p1np = m->analyte == OT_ANALYTE_P1NP;
    if ((rc = over_limit(p, err)) != OT_OK ||
        (rc = check_dup(p, &c, p1np ? "P1NP" : "CTX", "", p1np ? "ug/L" : "ng/L", err)) != OT_OK)
        return rc;
    ot_obs *o = new_obs(p);
    if (!o)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    *o = c;
    p->nobs++;
    return OT_OK;
}

static int therapy_limit(const ot_patient *p, ot_error *err)
{
    if (p->ncourses + p->nfacts + p->ndoses < OT_PATIENT_MAX_OBSERVATIONS)
        return OT_OK;
    return ot_err_set(err, OT_ELIMIT, "the limit of %d therapy records a patient is reached: "
                      "this one is left out", OT_PATIENT_MAX_OBSERVATIONS);
}

int ot_patient_add_therapy(ot_patient *p, ot_agent agent, ot_date start, ot_date end,
                           ot_error *err)
{
    if (!p || (unsigned)agent >= OT_AGENT_COUNT)
        return ot_err_set(err, OT_EINVAL, "ot_patient_add_therapy: bad argument");
    if (start == OT_DATE_NONE)
        return ot_err_set(err, OT_EDATE, "a therapy needs a start date");
    if (ot_check_date(start, "start", err) != OT_OK || ot_check_date(end, "end", err) != OT_OK)
        return OT_EDATE;
    if (end != OT_DATE_NONE && end < start)
        return ot_err_set(err, OT_EDATE, "therapy end is before its start");
    for (size_t i = 0; i < p->ncourses; i++) {
        ot_course *c = &p->courses[p->ncourses - 1 - i]; /* the latest first */
        if (c->agent == agent && c->start == start) {
            if (end != OT_DATE_NONE && (c->end == OT_DATE_NONE || end > c->end))
                c->end = c->until = end, c->stopped = 1; /* the ended record wins */
            c->merged++;
            return OT_OK;
        }
    }
    if (therapy_limit(p, err) != OT_OK)
        return OT_ELIMIT;
    void *a = p->courses;
    if (ot_grow(&a, &p->capcourses, p->ncourses + 1, sizeof *p->courses) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    p->courses = a;
    p->courses[p->ncourses++] = (ot_course){agent, start, end, end, 0, end != OT_DATE_NONE, 0, 0};
    return OT_OK;
}

int ot_patient_add_fracture(ot_patient *p, ot_fracture_site site, ot_date date, ot_error *err)
{
    if (!p || (unsigned)site >= OT_FX_COUNT)
        return ot_err_set(err, OT_EINVAL, "ot_patient_add_fracture: bad argument");
    if (date == OT_DATE_NONE)
        return ot_err_set(err, OT_EDATE, "a fracture needs a date");
    if (ot_check_date(date, "date", err) != OT_OK)
        return OT_EDATE;
    ot_fx f = {date, site};
    int rc = over_limit(p, err);
    if (rc != OT_OK)
        return rc;
    if (has_fx(p, &f)) {
        char d[11];
        ot_date_format(d, date);
        return ot_err_set(err, OT_EDUPLICATE, "duplicate: a %s fracture on %s is already on "
                          "record; the first is kept", ot_fracture_site_name(site), d);
    }
    void *a = p->fx;
    if (ot_grow(&a, &p->capfx, p->nfx + 1, sizeof *p->fx) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    p->fx = a;
    p->fx[p->nfx++] = f;
    return OT_OK;
}

int ot_patient_set_demographics(ot_patient *p, ot_sex sex, ot_date birth, ot_menopause status,
                                ot_error *err)
{
    if (!p || (unsigned)sex > OT_SEX_MALE || (unsigned)status > OT_MENOPAUSE_POST)
        return ot_err_set(err, OT_EINVAL, "ot_patient_set_demographics: bad argument");
    if (ot_check_date(birth, "birth_date", err) != OT_OK)
        return OT_EDATE;
    char a[11], b[11];
    if (sex != OT_SEX_UNKNOWN && p->sex != OT_SEX_UNKNOWN && sex != p->sex)
        return ot_err_set(err, OT_ECONFLICT, "sex: %s contradicts %s given before for this "
                          "patient", ot_sex_name(sex), ot_sex_name(p->sex));
    if (birth != OT_DATE_NONE && p->birth != OT_DATE_NONE && birth != p->birth) {
        ot_date_format(a, birth);
        ot_date_format(b, p->birth);
        return ot_err_set(err, OT_ECONFLICT, "birth_date: %s contradicts %s given before for "
                          "this patient", a, b);
    }
    if (status != OT_MENOPAUSE_UNKNOWN && p->menopause != OT_MENOPAUSE_UNKNOWN &&
        status != p->menopause)
        return ot_err_set(err, OT_ECONFLICT, "menopausal_status: %s contradicts %s given before "
                          "for this patient", ot_menopause_name(status),
                          ot_menopause_name(p->menopause));
    ot_sex s = sex != OT_SEX_UNKNOWN ? sex : p->sex;
    ot_menopause m = status != OT_MENOPAUSE_UNKNOWN ? status : p->menopause;
    if (s == OT_SEX_MALE && m != OT_MENOPAUSE_UNKNOWN)
        return ot_err_set(err, OT_ECONFLICT, "menopausal_status %s is given for a male patient",
                          ot_menopause_name(m));
    p->sex = s;
    p->menopause = m;
    if (birth != OT_DATE_NONE)
        p->birth = birth;
    return OT_OK;
}

int ot_patient_add_dose(ot_patient *p, const ot_refdata *rd, ot_agent agent, ot_date date,
                        ot_error *err)
{
    if (!p || !rd || (unsigned)agent >= OT_AGENT_COUNT)
        return ot_err_set(err, OT_EINVAL, "ot_patient_add_dose: bad argument");
    if (date == OT_DATE_NONE)
        return ot_err_set(err, OT_EDATE, "a dose needs a date");
    if (ot_check_date(date, "date", err) != OT_OK)
        return OT_EDATE;
    if (isnan(rd->dosing[agent].interval.value))
        return ot_err_set(err, OT_EVOCAB, "%s has no dosing interval in agents.json (doses are "
                          "recorded for denosumab, zoledronate and ibandronate_iv): record it "
                          "as a therapy course", ot_agent_name(agent));
    for (size_t i = 0; i < p->ndoses; i++)
        if (p->doses[i].agent == agent && p->doses[i].date == date) {
            char d[11];
            ot_date_format(d, date);
            return ot_err_set(err, OT_EDUPLICATE, "duplicate: a dose of %s on %s is already on "
                              "record; the first is kept", ot_agent_name(agent), d);
        }
    if (therapy_limit(p, err) != OT_OK)
        return OT_ELIMIT;
    void *a = p->doses;
    if (ot_grow(&a, &p->capdoses, p->ndoses + 1, sizeof *p->doses) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    p->doses = a;
    p->doses[p->ndoses++] = (ot_dose){date, agent};
    return OT_OK;
}

static int add_fact(ot_patient *p, const ot_record *rec, ot_error *err)
{
    if ((unsigned)rec->agent >= OT_AGENT_COUNT || rec->date == OT_DATE_NONE)
        return ot_err_set(err, OT_EINVAL, "a therapy record needs an agent and a date");
    if (ot_check_date(rec->date, "date", err) != OT_OK ||
        ot_check_date(rec->start, "therapy_start", err) != OT_OK ||
        ot_check_date(rec->end, "therapy_end", err) != OT_OK)
        return OT_EDATE;
    ot_tfact f = {rec->date, rec->start, rec->end, rec->agent};
    if (p->nfacts > 0) { /* rows of one visit repeat the therapy: keep one */
        const ot_tfact *l = &p->facts[p->nfacts - 1];
        if (l->date == f.date && l->start == f.start && l->end == f.end && l->agent == f.agent)
            return OT_OK;
    }
    if (therapy_limit(p, err) != OT_OK)
        return OT_ELIMIT;
    void *a = p->facts;
    if (ot_grow(&a, &p->capfacts, p->nfacts + 1, sizeof *p->facts) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    p->facts = a;
    p->facts[p->nfacts++] = f;
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
        return ot_patient_add_scan_sided(p, rd, &m, rec->tscore, rec->zscore, rec->side,
                                         rec->region, line, err);
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
    case OT_REC_DOSE: return ot_patient_add_dose(p, rd, rec->agent, rec->date, err);
    case OT_REC_DEMOGRAPHICS:
        return ot_patient_set_demographics(p, rec->sex, rec->birth_date, rec->menopause, err);
    case OT_REC_COURSE: return ot_patient_add_therapy(p, rec->agent, rec->start, rec->end, err);
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
/* The stream a fact belongs to: therapy (and "none"), or one supplement
 * agent each: a supplement named on a row neither ends a therapy course nor
 * is ended by one. */
static int fact_stream(ot_agent a)
{
    return ot_agent_class_of(a) == OT_CLASS_SUPPLEMENT ? (int)a : -1;
}

static int courses_from_facts(const ot_patient *p, ot_course *out, size_t *n)
{
    ot_tfact *all = malloc((2 * p->nfacts + 1) * sizeof *all), *f = all + p->nfacts;
    if (!all)
        return OT_ENOMEM;
    if (p->nfacts)
        memcpy(all, p->facts, p->nfacts * sizeof *all);
    qsort(all, p->nfacts, sizeof *all, cmp_fact);
    static const int streams[] = {-1, OT_AGENT_VITAMIN_D, OT_AGENT_CALCIUM};
    for (size_t s = 0; s < sizeof streams / sizeof streams[0]; s++) {
        size_t nf = 0; /* this stream's facts, in date order */
        for (size_t i = 0; i < p->nfacts; i++)
            if (fact_stream(all[i].agent) == streams[s])
                f[nf++] = all[i];
        for (size_t i = 0; i < nf;) {
            size_t j = i;
            ot_date start = f[i].date, end = OT_DATE_NONE;
            int named = 0;
            for (; j < nf && f[j].agent == f[i].agent; j++) {
                if (f[j].start != OT_DATE_NONE && f[j].start < start)
                    start = f[j].start;
                if (f[j].end != OT_DATE_NONE && (end == OT_DATE_NONE || f[j].end > end))
                    end = f[j].end;
            }
            if (end == OT_DATE_NONE && j < nf)
                end = f[j].date, named = 1; /* the first date that names another agent */
            if (f[i].agent != OT_AGENT_NONE)
                out[(*n)++] = (ot_course){f[i].agent, start, end, end, 0, end != OT_DATE_NONE,
                                          named, 0};
            i = j;
        }
    }
    free(all);
    return OT_OK;
}

static int cmp_dose(const void *a, const void *b)
{
    const ot_dose *x = a, *y = b;
    if (x->agent != y->agent)
        return (int)x->agent - (int)y->agent;
    return x->date < y->date ? -1 : x->date > y->date;
}

/* The course of `agent` that holds a dose on d (start <= d <= end), or NULL. */
static ot_course *holding(ot_course *c, size_t n, ot_agent agent, ot_date d)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].agent == agent && c[i].start <= d && (c[i].end == OT_DATE_NONE || d <= c[i].end))
            return &c[i];
    return NULL;
}

/* Doses make or complete the courses of agents with a dosing interval: each
 * course takes the doses inside it, doses outside every course make courses
 * of their own, and a gap longer than the agent's "late" limit splits a
 * course. Returns the new count, or -1 out of memory. */
static long apply_doses(const ot_patient *p, const ot_refdata *rd, ot_date as_of,
                        ot_course **io, size_t n)
{
    ot_dose *d = malloc((p->ndoses + 1) * sizeof *d);
    size_t nd = 0;
    if (!d)
        return -1;
    for (size_t i = 0; i < p->ndoses; i++)
        if (p->doses[i].date <= as_of)
            d[nd++] = p->doses[i];
    qsort(d, nd, sizeof *d, cmp_dose);
    /* room for every dose to make or split a course */
    ot_course *c = realloc(*io, (n + 2 * nd + 1) * sizeof *c);
    if (!c) {
        free(d);
        return -1;
    }
    *io = c;
    size_t given = n;
    ot_course *prev = NULL; /* the last run made, and its home */
    const ot_course *prev_home = NULL;
    for (size_t i = 0; i < nd;) {
        ot_agent a = d[i].agent;
        double late = rd->dosing[a].late.value;
        ot_course *home = holding(c, given, a, d[i].date);
        size_t j = i + 1; /* d[i..j): one run of doses in one home, no gap too long */
        while (j < nd && d[j].agent == a && holding(c, given, a, d[j].date) == home &&
               ot_date_months_between(d[j - 1].date, d[j].date) <= late)
            j++;
        ot_course *x = home && home->ndoses == 0 ? home : &c[n++];
        if (x != home)
            *x = (ot_course){a, d[i].date, OT_DATE_NONE, OT_DATE_NONE, 0, 0, 0, 0};
        if (prev && prev->agent == a && prev_home == home) {
            x->stopped = prev->stopped; /* the gap stops the run before; the last run */
            prev->stopped = 1;          /* keeps what was recorded of the course */
        }
        x->ndoses = (int)(j - i);
        x->end = d[j - 1].date;
        x->end_named = 0; /* the last dose is the end */
        prev = x;
        prev_home = home;
        i = j;
    }
    free(d);
    return (long)n;
}

/* In effect until: the end, or one dosing interval after the last dose. */
static void set_until(ot_course *c, size_t n, const ot_refdata *rd)
{
    for (size_t i = 0; i < n; i++) {
        double iv = rd->dosing[c[i].agent].interval.value;
        c[i].until = c[i].end == OT_DATE_NONE || isnan(iv) || c[i].end_named
                         ? c[i].end
                         : ot_date_add_months(c[i].end, (int)iv);
    }
}

int ot_patient_courses(const ot_patient *p, const ot_refdata *rd, ot_date as_of,
                       ot_course **out, size_t *n)
{
    *n = 0;
    *out = malloc((p->ncourses + p->nfacts + 1) * sizeof **out);
    if (!*out)
        return OT_ENOMEM;
    if (p->ncourses)
        memcpy(*out, p->courses, p->ncourses * sizeof **out);
    *n = p->ncourses;
    size_t first = *n;
    int rc = p->nfacts ? courses_from_facts(p, *out, n) : OT_OK;
    /* a derived course identical in agent and start to a given one is that one */
    for (size_t i = first; rc == OT_OK && i < *n; i++)
        for (size_t k = 0; k < first; k++)
            if ((*out)[k].agent == (*out)[i].agent && (*out)[k].start == (*out)[i].start) {
                (*out)[i--] = (*out)[--*n];
                break;
            }
    if (rc == OT_OK && p->ndoses) {
        long m = apply_doses(p, rd, as_of, out, *n);
        if (m < 0)
            return OT_ENOMEM;
        *n = (size_t)m;
    }
    if (rc == OT_OK)
        set_until(*out, *n, rd);
    return rc;
}

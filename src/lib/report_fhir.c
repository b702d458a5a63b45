/* The patient report as a FHIR R4 Bundle of type collection (osteotrack(1)
 * batch --format fhir; docs/fhir.md "FHIR out"): the patient's input as the
 * FHIR reader reads it, a DiagnosticReport, derived Observations and a
 * DetectedIssue per flag. Written with the fast writer; the same report and
 * patient give the same bytes (entry fullUrls are derived, not random). */
#include "report.h"
#include "result_json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYS_OBSCAT "http://terminology.hl7.org/CodeSystem/observation-category"

/* ---- Codes: LOINC, RxNorm, SNOMED CT from the tables of data/ ---- */

typedef struct fcode {
    const char *system, *code, *display; /* system NULL: no code known */
} fcode;

#define SYS_RXNORM "http://www.nlm.nih.gov/research/umls/rxnorm"
#define SYS_ATC "http://www.whocc.no/atc"
#define SYS_SNOMED "http://snomed.info/sct"
#define SYS_ICD10 "http://hl7.org/fhir/sid/icd-10"
#define NOCODE ((fcode){NULL, NULL, NULL})

static fcode loinc(const ot_loinc_code *c)
{
    return c ? (fcode){OT_LOINC_SYSTEM, c->code, c->display} : NOCODE;
}

static fcode code_marker(const ot_refdata *rd, ot_analyte a)
{
    return loinc(ot_loinc_for(rd, OT_LOINC_MARKER, OT_SITE_LUMBAR_SPINE, OT_SIDE_NONE, a));
}

static fcode med(const ot_med_code *c)
{
    return c ? (fcode){c->system, c->code, c->display} : NOCODE;
}

static fcode code_fracture(const ot_refdata *rd, ot_fracture_site s)
{
    const ot_fx_code *c = ot_fx_code_for(rd, s, SYS_SNOMED);
    if (!c)
        c = ot_fx_code_for(rd, s, SYS_ICD10);
    return c ? (fcode){c->system, c->code, c->display} : NOCODE;
}

/* ---- The plan: every entry of the bundle, in order ---- */

enum kind {
    E_PATIENT, E_BMD, E_TSCORE, E_ZSCORE, E_MARKER, E_MENO, E_COURSE, E_FACT, E_DOSE, E_FX,
    E_REPORT, E_CHANGE, E_SIG, E_LSC, E_ISSUE
};
/* the three kinds of a BMD observation's codes */
enum { K_BMD = OT_LOINC_BMD, K_T = OT_LOINC_TSCORE, K_Z = OT_LOINC_ZSCORE };

typedef struct ent {
    enum kind kind;
    size_t i; /* into the patient's (or report's) array of that kind */
} ent;

typedef struct plan {
    ent *e;
    size_t n, cap;
    size_t *obs_at;   /* entry of each observation (BMD or marker), by obs index */
    size_t *t_at, *z_at; /* entry of a scan's T- and Z-score, SIZE_MAX if none */
    size_t patient, report, meno;
    size_t *latest;   /* report bmd entries chosen for derived observations */
    size_t nlatest;
    char pid[65];     /* the Patient's id as written */
    unsigned char key[32]; /* the root of every fullUrl (url_of) */
    const ot_refdata *rd;
    ot_course *fc;    /* the courses the CSV therapy rows make */
    size_t nfc;
} plan;

static int add(plan *p, enum kind k, size_t i)
{
    if (p->n == p->cap) {
        void *a = p->e;
        if (ot_grow(&a, &p->cap, p->n + 1, sizeof *p->e) != OT_OK)
            return -1;
        p->e = a;
    }
    p->e[p->n++] = (ent){k, i};
    return 0;
}

/* The fullUrl of entry i: urn:uuid: of the SHA-256 of the key (the SHA-256
 * of the patient id, the as-of date and the reference-data digest) and i, as
 * an RFC 9562 version 8 (custom) UUID. */
static void url_of(const plan *p, size_t i, char out[46])
{
    ot_sha256 s;
    char hex[65], idx[24];
    ot_sha256_init(&s);
    ot_sha256_update(&s, p->key, sizeof p->key);
    int n = ot_fmt(idx, sizeof idx, "/%zu", i);
    ot_sha256_update(&s, idx, (size_t)n);
    ot_sha256_hex(&s, hex);
    hex[12] = '8';                                   /* version 8 */
    hex[16] = "89ab"[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3]; /* variant */
    ot_fmt(out, 46, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
           hex + 20);
}

static void ref(jw *w, jw_key key, const plan *p, size_t i)
{
    char u[46];
    url_of(p, i, u);
    jw_object(w, key);
    jw_str(w, JW_KEY("reference"), u);
    jw_end_object(w);
}

/* A FHIR id is [A-Za-z0-9-.]{1,64}. */
static int fhir_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static size_t find_scan(const ot_patient *pt, ot_site site, ot_side side, ot_date d,
                        const char *device)
{
    for (size_t i = 0; i < pt->nobs; i++) {
        const ot_obs *o = &pt->obs[i];
        if (o->analyte == OT_ANALYTE_BMD && o->site == site && o->side == side && o->date == d &&
            (!device || !strcmp(o->device, device)))
            return i;
    }
    return SIZE_MAX;
}

static size_t find_marker(const ot_patient *pt, ot_analyte a, ot_date d)
{
    for (size_t i = 0; i < pt->nobs; i++)
        if (pt->obs[i].analyte == a && pt->obs[i].date == d)
            return i;
    return SIZE_MAX;
}

/* The courses CSV therapy rows make (a row names the agent in effect on its
 * day: runs of rows of one agent are a course, ended by a row naming
 * another), as the patient makes them, but without the courses given and
 * the doses (written as they are): each becomes a MedicationStatement with
 * its period, which osteotrack's reader reads as a course. One identical in
 * agent and start to a course given is that course. */
static int fact_courses(plan *p, const ot_patient *pt)
{
    if (pt->nfacts == 0)
        return 0;
    ot_patient rows = *pt; /* a shallow view: read only */
    rows.ncourses = 0;
    rows.ndoses = 0;
    if (ot_patient_courses(&rows, p->rd, OT_DATE_MAX, &p->fc, &p->nfc) != OT_OK)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < p->nfc; i++) {
        int given = 0;
        for (size_t j = 0; j < pt->ncourses; j++)
            given |= pt->courses[j].agent == p->fc[i].agent &&
                     pt->courses[j].start == p->fc[i].start;
        if (!given)
            p->fc[k++] = p->fc[i];
    }
    p->nfc = k;
    return 0;
}

static int make_plan(plan *p, const ot_report *r, const ot_patient *pt)
{
    size_t nobs = pt->nobs ? pt->nobs : 1;
    p->obs_at = malloc(3 * nobs * sizeof *p->obs_at);
    p->latest = malloc((r->nbmd + 1) * sizeof *p->latest);
    if (!p->obs_at || !p->latest)
        return -1;
    p->t_at = p->obs_at + nobs;
    p->z_at = p->t_at + nobs;
    p->patient = p->n;
    int bad = add(p, E_PATIENT, 0);
    for (size_t i = 0; i < pt->nobs; i++) {
        const ot_obs *o = &pt->obs[i];
        p->obs_at[i] = p->n;
        p->t_at[i] = p->z_at[i] = SIZE_MAX;
        if (o->analyte != OT_ANALYTE_BMD) {
            bad |= add(p, E_MARKER, i);
            continue;
        }
        bad |= add(p, E_BMD, i);
        if (!isnan(o->tscore))
            p->t_at[i] = p->n, bad |= add(p, E_TSCORE, i);
        if (!isnan(o->zscore))
            p->z_at[i] = p->n, bad |= add(p, E_ZSCORE, i);
    }
    p->meno = SIZE_MAX;
    if (pt->menopause != OT_MENOPAUSE_UNKNOWN)
        p->meno = p->n, bad |= add(p, E_MENO, 0);
    for (size_t i = 0; i < pt->ncourses; i++)
        bad |= add(p, E_COURSE, i);
    for (size_t i = 0; i < p->nfc; i++)
        bad |= add(p, E_FACT, i);
    for (size_t i = 0; i < pt->ndoses; i++)
        bad |= add(p, E_DOSE, i);
    for (size_t i = 0; i < pt->nfx; i++)
        bad |= add(p, E_FX, i);
    p->report = p->n;
    bad |= add(p, E_REPORT, 0);
    /* the latest comparison of each series, as the summary shows it */
    size_t last[OT_SERIES_COUNT];
    for (int s = 0; s < OT_SERIES_COUNT; s++)
        last[s] = SIZE_MAX;
    for (size_t i = 0; i < r->nbmd; i++)
        last[ot_result_series(&r->bmd[i].base)] = i;
    for (size_t i = 0; i < r->nbmd; i++)
        if (last[ot_result_series(&r->bmd[i].base)] == i) {
            p->latest[p->nlatest] = i;
            bad |= add(p, E_CHANGE, p->nlatest);
            bad |= add(p, E_SIG, p->nlatest);
            if (!isnan(r->bmd[i].base.lsc_g_cm2))
                bad |= add(p, E_LSC, p->nlatest);
            p->nlatest++;
        }
    for (size_t i = 0; i < r->nflags; i++)
        bad |= add(p, E_ISSUE, i);
    return bad ? -1 : 0;
}

/* ---- Writing ---- */

static void coding(jw *w, const char *system, const char *code, const char *display)
{
    jw_object(w, JW_NOKEY);
    jw_str(w, JW_KEY("system"), system);
    jw_str(w, JW_KEY("code"), code);
    if (display)
        jw_str(w, JW_KEY("display"), display);
    jw_end_object(w);
}

/* A CodeableConcept of one code (if known) and a text. */
static void concept(jw *w, jw_key key, fcode c, const char *text)
{
    jw_object(w, key);
    if (c.system) {
        jw_array(w, JW_KEY("coding"));
        coding(w, c.system, c.code, c.display);
        jw_end_array(w);
    }
    if (text)
        jw_str(w, JW_KEY("text"), text);
    jw_end_object(w);
}

static void ot_concept(jw *w, jw_key key, const char *code, const char *text)
{
    concept(w, key, (fcode){OT_FHIR_CS, code, NULL}, text);
}

static void quantity(jw *w, jw_key key, double v, int decimals, const char *ucum)
{
    jw_object(w, key);
    jw_num(w, JW_KEY("value"), v, decimals);
    jw_str(w, JW_KEY("unit"), ucum);
    jw_str(w, JW_KEY("system"), OT_UCUM_SYSTEM);
    jw_str(w, JW_KEY("code"), ucum);
    jw_end_object(w);
}

static void category(jw *w, const char *code)
{
    jw_array(w, JW_KEY("category"));
    jw_object(w, JW_NOKEY);
    jw_array(w, JW_KEY("coding"));
    coding(w, SYS_OBSCAT, code, NULL);
    jw_end_array(w);
    jw_end_object(w);
    jw_end_array(w);
}

static void obs_head(jw *w, const char *cat)
{
    jw_str(w, JW_KEY("resourceType"), "Observation");
    jw_str(w, JW_KEY("status"), "final");
    if (cat)
        category(w, cat);
}

static const char *site_text(ot_site s, ot_side side, char *buf, size_t n)
{
    if (side == OT_SIDE_NONE)
        return ot_site_name(s);
    ot_fmt(buf, n, "%s (%s)", ot_site_name(s), ot_side_name(side));
    return buf;
}

/* The side the code does not carry (a side with no code of its own): said
 * in bodySite's text, which osteotrack's reader does not read. */
static void side_not_coded(jw *w, fcode c, const ot_loinc_code *lc, const ot_obs *o)
{
    char b[64];
    if (o->side == OT_SIDE_NONE || (c.system && lc && lc->side == o->side))
        return;
    jw_object(w, JW_KEY("bodySite"));
    jw_str(w, JW_KEY("text"), site_text(o->site, o->side, b, sizeof b));
    jw_end_object(w);
}

static void scan(jw *w, const plan *p, const ot_obs *o)
{
    char b[64], text[96];
    int has_device = o->device[0] || o->manufacturer != OT_MFR_UNKNOWN;
    obs_head(w, "imaging");
    if (has_device) { /* the device's name, its manufacturer, or both */
        jw_array(w, JW_KEY("contained"));
        jw_object(w, JW_NOKEY);
        jw_str(w, JW_KEY("resourceType"), "Device");
        jw_str(w, JW_KEY("id"), "device");
        if (o->device[0]) {
            jw_array(w, JW_KEY("deviceName"));
            jw_object(w, JW_NOKEY);
            jw_str(w, JW_KEY("name"), o->device);
            jw_str(w, JW_KEY("type"), "user-friendly-name");
            jw_end_object(w);
            jw_end_array(w);
        }
        if (o->manufacturer != OT_MFR_UNKNOWN)
            jw_str(w, JW_KEY("manufacturer"), ot_manufacturer_name(o->manufacturer));
        jw_end_object(w);
        jw_end_array(w);
    }
    if (o->region != OT_REGION_NONE) {
        jw_array(w, JW_KEY("extension"));
        jw_object(w, JW_NOKEY);
        jw_str(w, JW_KEY("url"), OT_FHIR_EXT_REGION);
        jw_str(w, JW_KEY("valueString"), ot_spine_region_name(o->region));
        jw_end_object(w);
        jw_end_array(w);
    }
    ot_fmt(text, sizeof text, "BMD %s", site_text(o->site, o->side, b, sizeof b));
    const ot_loinc_code *lc = ot_loinc_for(p->rd, OT_LOINC_BMD, o->site, o->side, OT_ANALYTE_BMD);
    concept(w, JW_KEY("code"), loinc(lc), text);
    ref(w, JW_KEY("subject"), p, p->patient);
    jw_date(w, JW_KEY("effectiveDateTime"), o->date);
    quantity(w, JW_KEY("valueQuantity"), o->value, 9, "g/cm2");
    side_not_coded(w, loinc(lc), lc, o);
    if (has_device) {
        jw_object(w, JW_KEY("device"));
        jw_str(w, JW_KEY("reference"), "#device");
        jw_end_object(w);
    }
}

static void score(jw *w, const plan *p, const ot_obs *o, size_t bmd_entry, int kind)
{
    char b[64], text[96];
    obs_head(w, "imaging");
    ot_fmt(text, sizeof text, "%s %s", kind == K_T ? "T-score" : "Z-score",
           site_text(o->site, o->side, b, sizeof b));
    const ot_loinc_code *lc =
        ot_loinc_for(p->rd, (ot_loinc_kind)kind, o->site, o->side, OT_ANALYTE_BMD);
    concept(w, JW_KEY("code"), loinc(lc), text);
    ref(w, JW_KEY("subject"), p, p->patient);
    jw_date(w, JW_KEY("effectiveDateTime"), o->date);
    quantity(w, JW_KEY("valueQuantity"), kind == K_T ? o->tscore : o->zscore, 9, "1");
    side_not_coded(w, loinc(lc), lc, o);
    jw_array(w, JW_KEY("derivedFrom"));
    ref(w, JW_NOKEY, p, bmd_entry);
    jw_end_array(w);
}

static void marker(jw *w, const plan *p, const ot_obs *o)
{
    obs_head(w, "laboratory");
    concept(w, JW_KEY("code"), code_marker(p->rd, o->analyte),
            o->analyte == OT_ANALYTE_P1NP ? "P1NP" : "CTX");
    ref(w, JW_KEY("subject"), p, p->patient);
    jw_date(w, JW_KEY("effectiveDateTime"), o->date);
    quantity(w, JW_KEY("valueQuantity"), o->value, 9,
             ot_unit_name(ot_unit_canonical(o->analyte)));
}

static const char *const meno_codes[] = {NULL, "premenopausal", "perimenopausal",
                                         "postmenopausal"};

/* The status as given, with no date of its own: dated the report's as-of
 * date, the day it is known to hold. */
static void menopause(jw *w, const plan *p, const ot_patient *pt, ot_date as_of)
{
    obs_head(w, "social-history");
    ot_concept(w, JW_KEY("code"), "menopausal-status", "Menopausal status");
    ref(w, JW_KEY("subject"), p, p->patient);
    jw_date(w, JW_KEY("effectiveDateTime"), as_of);
    ot_concept(w, JW_KEY("valueCodeableConcept"), meno_codes[pt->menopause], NULL);
}

/* medicationCodeableConcept: the RxNorm and ATC codes, and osteotrack's
 * name as text. */
static void medication(jw *w, const plan *p, ot_agent a)
{
    fcode c[2] = {med(ot_med_code_for(p->rd, a, SYS_RXNORM)),
                  med(ot_med_code_for(p->rd, a, SYS_ATC))};
    jw_object(w, JW_KEY("medicationCodeableConcept"));
    if (c[0].system || c[1].system) {
        jw_array(w, JW_KEY("coding"));
        for (int i = 0; i < 2; i++)
            if (c[i].system)
                coding(w, c[i].system, c[i].code, c[i].display);
        jw_end_array(w);
    }
    jw_str(w, JW_KEY("text"), ot_agent_name(a));
    jw_end_object(w);
}

/* The route of an agent whose codes name both an oral and an intravenous
 * form (ibandronate, ibandronate_iv): the reader rejects such a code with no
 * route, so both forms are written with theirs. NULL for the others. */
static const ot_route_code *shared_code_route(const plan *p, ot_agent a)
{
    const ot_med_code *c = ot_med_code_for(p->rd, a, SYS_RXNORM);
    if (!c || c->iv_agent == OT_AGENT_NONE)
        return NULL;
    return ot_route_for(p->rd, a == c->iv_agent);
}

static void route(jw *w, jw_key k, const ot_route_code *rc)
{
    jw_object(w, k);
    jw_array(w, JW_KEY("coding"));
    coding(w, rc->system, rc->code, rc->display);
    jw_end_array(w);
    jw_end_object(w);
}

static void course(jw *w, const plan *p, const ot_course *c)
{
    jw_str(w, JW_KEY("resourceType"), "MedicationStatement");
    jw_str(w, JW_KEY("status"), c->end == OT_DATE_NONE ? "active" : "completed");
    medication(w, p, c->agent);
    ref(w, JW_KEY("subject"), p, p->patient);
    jw_object(w, JW_KEY("effectivePeriod"));
    jw_date(w, JW_KEY("start"), c->start);
    if (c->end != OT_DATE_NONE)
        jw_date(w, JW_KEY("end"), c->end);
    jw_end_object(w);
    const ot_route_code *rc = shared_code_route(p, c->agent);
    if (rc) {
        jw_array(w, JW_KEY("dosage"));
        jw_object(w, JW_NOKEY);
        route(w, JW_KEY("route"), rc);
        jw_end_object(w);
        jw_end_array(w);
    }
}

static void dose(jw *w, const plan *p, const ot_dose *d)
{
    jw_str(w, JW_KEY("resourceType"), "MedicationAdministration");
    jw_str(w, JW_KEY("status"), "completed");
    medication(w, p, d->agent);
    ref(w, JW_KEY("subject"), p, p->patient);
    jw_date(w, JW_KEY("effectiveDateTime"), d->date);
    /* The route goes in osteotrack's extension, not in dosage.route: an
     * administration's dosage must give a dose or a rate (mad-1), which
     * osteotrack does not know. The reader takes the route from either. */
    const ot_route_code *rc = shared_code_route(p, d->agent);
    if (rc) {
        jw_array(w, JW_KEY("extension"));
        jw_object(w, JW_NOKEY);
        jw_str(w, JW_KEY("url"), OT_FHIR_EXT_ROUTE);
        route(w, JW_KEY("valueCodeableConcept"), rc);
        jw_end_object(w);
        jw_end_array(w);
    }
}

static void fracture(jw *w, const plan *p, const ot_fx *f)
{
    char text[64];
    jw_str(w, JW_KEY("resourceType"), "Condition");
    ot_fmt(text, sizeof text, "fracture: %s", ot_fracture_site_name(f->site));
    concept(w, JW_KEY("code"), code_fracture(p->rd, f->site), text);
    ref(w, JW_KEY("subject"), p, p->patient);
    jw_date(w, JW_KEY("onsetDateTime"), f->date);
}

static void patient(jw *w, const plan *p, const ot_patient *pt)
{
    jw_str(w, JW_KEY("resourceType"), "Patient");
    jw_str(w, JW_KEY("id"), p->pid);
    jw_array(w, JW_KEY("identifier"));
    jw_object(w, JW_NOKEY);
    jw_str(w, JW_KEY("system"), OT_FHIR_PID);
    jw_str(w, JW_KEY("value"), pt->id);
    jw_end_object(w);
    jw_end_array(w);
    if (pt->sex != OT_SEX_UNKNOWN)
        jw_str(w, JW_KEY("gender"), ot_sex_name(pt->sex));
    if (pt->birth != OT_DATE_NONE)
        jw_date(w, JW_KEY("birthDate"), pt->birth);
}

/* result: each observation once, in entry order. */
static void mark(unsigned char *used, const plan *p, size_t entry)
{
    if (entry < p->n)
        used[entry] = 1;
}

static void mark_scan(unsigned char *used, const plan *p, const ot_patient *pt, ot_site site,
                      ot_side side, ot_date d, const char *device)
{
    size_t i = find_scan(pt, site, side, d, device && device[0] ? device : NULL);
    if (i == SIZE_MAX)
        return;
    mark(used, p, p->obs_at[i]);
    mark(used, p, p->t_at[i]);
    mark(used, p, p->z_at[i]);
}

static int diagnostic_report(jw *w, const plan *p, const ot_report *r, const ot_patient *pt)
{
    unsigned char *used = calloc(p->n, 1);
    ot_srcs u;
    if (!used)
        return -1;
    for (size_t i = 0; i < r->nbmd; i++) {
        const ot_bmd_result *b = &r->bmd[i].base;
        mark_scan(used, p, pt, b->site, b->side, b->baseline_date, b->baseline_device);
        mark_scan(used, p, pt, b->site, b->side, b->date, b->device);
    }
    for (size_t i = 0; i < r->nmarkers; i++) {
        const ot_marker_result *m = &r->markers[i];
        size_t a = find_marker(pt, m->analyte, m->baseline_date);
        size_t b = find_marker(pt, m->analyte, m->date);
        if (a != SIZE_MAX)
            mark(used, p, p->obs_at[a]);
        if (b != SIZE_MAX)
            mark(used, p, p->obs_at[b]);
    }
    for (size_t i = 0; i < p->n; i++)
        if (p->e[i].kind == E_CHANGE || p->e[i].kind == E_SIG || p->e[i].kind == E_LSC)
            used[i] = 1;

    jw_str(w, JW_KEY("resourceType"), "DiagnosticReport");
    /* provenance: the version, the reference data and the sources used */
    ot_srcs_init(&u);
    int rc = ot_report_source_ids(r, OT_DETAIL_FULL, &u);
    ot_srcs_sort(&u);
    jw_array(w, JW_KEY("extension"));
    jw_object(w, JW_NOKEY);
    jw_str(w, JW_KEY("url"), OT_FHIR_EXT_PROV);
    jw_array(w, JW_KEY("extension"));
#define SUB(name, value)                                                                   \
    do {                                                                                   \
        jw_object(w, JW_NOKEY);                                                            \
        jw_str(w, JW_KEY("url"), name);                                                    \
        jw_str(w, JW_KEY("valueString"), value);                                           \
        jw_end_object(w);                                                                  \
    } while (0)
    SUB("osteotrack-version", ot_version());
    SUB("reference-data-version", ot_refdata_version(r->rd));
    SUB("reference-data-digest", ot_refdata_digest(r->rd));
    for (size_t i = 0; i < ot_refdata_config_count(r->rd); i++) {
        const char *name, *digest;
        char b[OT_SOURCE_MAX + 80];
        ot_refdata_config(r->rd, i, &name, &digest);
        ot_fmt(b, sizeof b, "%s %s", digest, name);
        SUB("config", b);
    }
    for (size_t i = 0; i < u.n; i++)
        SUB("source", u.ids[i]);
#undef SUB
    jw_end_array(w);
    jw_end_object(w);
    jw_end_array(w);
    ot_srcs_free(&u);

    jw_str(w, JW_KEY("status"), "final");
    concept(w, JW_KEY("code"),
            loinc(ot_loinc_for(r->rd, OT_LOINC_PANEL, OT_SITE_LUMBAR_SPINE, OT_SIDE_NONE,
                               OT_ANALYTE_BMD)),
            "osteoporosis treatment response report");
    ref(w, JW_KEY("subject"), p, p->patient);
    jw_date(w, JW_KEY("effectiveDateTime"), r->as_of);
    int any = 0; /* FHIR JSON has no empty arrays */
    for (size_t i = 0; i < p->n; i++)
        any |= used[i];
    if (any) {
        jw_array(w, JW_KEY("result"));
        for (size_t i = 0; i < p->n; i++)
            if (used[i])
                ref(w, JW_NOKEY, p, i);
        jw_end_array(w);
    }
    jw_str(w, JW_KEY("conclusion"), r->summary);
    jw_array(w, JW_KEY("conclusionCode"));
    ot_concept(w, JW_NOKEY, ot_assessment_name(r->assessment), NULL);
    jw_end_array(w);
    free(used);
    return rc == OT_OK ? 0 : -1;
}

/* Derived: from the baseline scan to the latest of a series. */
static void derived(jw *w, const plan *p, const ot_report *r, const ot_patient *pt,
                    enum kind k, size_t li)
{
    const ot_bmd_result *b = &r->bmd[p->latest[li]].base;
    char sb[64], text[128], sig[48];
    const char *site = site_text(b->site, b->side, sb, sizeof sb);
    obs_head(w, "imaging");
    const char *code = k == E_CHANGE ? "bmd-change-from-baseline"
                       : k == E_SIG  ? "bmd-change-significance"
                                     : "bmd-lsc";
    ot_fmt(text, sizeof text, "%s %s", site,
           k == E_CHANGE ? "BMD change from baseline"
           : k == E_SIG  ? "BMD change from baseline: significance"
                         : "BMD least significant change");
    ot_concept(w, JW_KEY("code"), code, text);
    ref(w, JW_KEY("subject"), p, p->patient);
    jw_object(w, JW_KEY("effectivePeriod"));
    jw_date(w, JW_KEY("start"), b->baseline_date);
    jw_date(w, JW_KEY("end"), b->date);
    jw_end_object(w);
    if (k == E_CHANGE)
        quantity(w, JW_KEY("valueQuantity"), b->change_pct, 4, "%");
    else if (k == E_LSC)
        quantity(w, JW_KEY("valueQuantity"), b->lsc_g_cm2, 6, "g/cm2");
    else {
        ot_fmt(sig, sizeof sig, "significance-%s", ot_significance_name(b->significance));
        ot_concept(w, JW_KEY("valueCodeableConcept"), sig, NULL);
    }
    size_t a = find_scan(pt, b->site, b->side, b->baseline_date,
                         b->baseline_device[0] ? b->baseline_device : NULL);
    size_t z = find_scan(pt, b->site, b->side, b->date, b->device[0] ? b->device : NULL);
    if (a != SIZE_MAX || z != SIZE_MAX) {
        jw_array(w, JW_KEY("derivedFrom"));
        if (a != SIZE_MAX)
            ref(w, JW_NOKEY, p, p->obs_at[a]);
        if (z != SIZE_MAX && z != a)
            ref(w, JW_NOKEY, p, p->obs_at[z]);
        jw_end_array(w);
    }
}

static void issue(jw *w, const plan *p, const ot_report *r, const ot_flag *f)
{
    static const char *const sev[] = {"low", "moderate", "high"};
    jw_str(w, JW_KEY("resourceType"), "DetectedIssue");
    jw_str(w, JW_KEY("status"), "final");
    ot_concept(w, JW_KEY("code"), ot_flag_code_name(f->code), NULL);
    jw_str(w, JW_KEY("severity"), sev[f->severity <= OT_SEV_ALERT ? f->severity : 0]);
    ref(w, JW_KEY("patient"), p, p->patient);
    jw_date(w, JW_KEY("identifiedDateTime"), r->as_of);
    jw_array(w, JW_KEY("implicated"));
    ref(w, JW_NOKEY, p, p->report);
    jw_end_array(w);
    jw_str(w, JW_KEY("detail"), f->message);
}

int ot_report_to_fhir(char **out, const ot_report *r, const ot_patient *pt, unsigned flags)
{
    if (!out || !r || !pt || !r->rd || (flags & ~OT_FHIR_PRETTY) || !pt->id || !r->id ||
        strcmp(pt->id, r->id) != 0)
        return OT_EINVAL;
    *out = NULL;
    plan p;
    memset(&p, 0, sizeof p);
    p.rd = r->rd;
    ot_sha256 s;
    ot_sha256_init(&s);
    ot_sha256_update(&s, pt->id, strlen(pt->id));
    char hex[65], khex[65], asof[11];
    ot_sha256_hex(&s, hex);
    /* The fullUrls name this report's content: the same patient at another
     * as-of date, or with other reference data, gets other ones. The id's
     * hash first, so no id can pass for an id plus a date. */
    ot_sha256_init(&s);
    ot_sha256_update(&s, hex, 64);
    ot_date_format(asof, r->as_of);
    ot_sha256_update(&s, "/", 1);
    ot_sha256_update(&s, asof, strlen(asof));
    ot_sha256_update(&s, "/", 1);
    const char *dg = ot_refdata_digest(r->rd);
    ot_sha256_update(&s, dg, strlen(dg));
    ot_sha256_hex(&s, khex);
    for (int i = 0; i < 32; i++) {
        int hi = khex[2 * i], lo = khex[2 * i + 1];
        hi = hi >= 'a' ? hi - 'a' + 10 : hi - '0';
        lo = lo >= 'a' ? lo - 'a' + 10 : lo - '0';
        p.key[i] = (unsigned char)(hi * 16 + lo);
    }
    if (fhir_id_ok(pt->id)) /* at most 64 bytes */
        ot_strlcpy(p.pid, pt->id, sizeof p.pid);
    else
        ot_fmt(p.pid, sizeof p.pid, "ot-%.32s", hex);
    int rc = fact_courses(&p, pt) ? OT_ENOMEM : OT_OK;
    if (rc == OT_OK && make_plan(&p, r, pt))
        rc = OT_ENOMEM;
    jw w;
    jw_init(&w, (flags & OT_FHIR_PRETTY) != 0);
    jw_object(&w, JW_NOKEY);
    jw_str(&w, JW_KEY("resourceType"), "Bundle");
    jw_str(&w, JW_KEY("type"), "collection");
    jw_array(&w, JW_KEY("entry"));
    for (size_t i = 0; rc == OT_OK && i < p.n; i++) {
        const ent *e = &p.e[i];
        char u[46];
        url_of(&p, i, u);
        jw_object(&w, JW_NOKEY);
        jw_str(&w, JW_KEY("fullUrl"), u);
        jw_object(&w, JW_KEY("resource"));
        switch (e->kind) {
        case E_PATIENT: patient(&w, &p, pt); break;
        case E_BMD: scan(&w, &p, &pt->obs[e->i]); break;
        case E_TSCORE: score(&w, &p, &pt->obs[e->i], p.obs_at[e->i], K_T); break;
        case E_ZSCORE: score(&w, &p, &pt->obs[e->i], p.obs_at[e->i], K_Z); break;
        case E_MARKER: marker(&w, &p, &pt->obs[e->i]); break;
        case E_MENO: menopause(&w, &p, pt, r->as_of); break;
        case E_COURSE: course(&w, &p, &pt->courses[e->i]); break;
        case E_FACT: course(&w, &p, &p.fc[e->i]); break;
        case E_DOSE: dose(&w, &p, &pt->doses[e->i]); break;
        case E_FX: fracture(&w, &p, &pt->fx[e->i]); break;
        case E_REPORT:
            if (diagnostic_report(&w, &p, r, pt))
                rc = OT_ENOMEM;
            break;
        case E_CHANGE:
        case E_SIG:
        case E_LSC: derived(&w, &p, r, pt, e->kind, e->i); break;
        case E_ISSUE: issue(&w, &p, r, &r->flags[e->i]); break;
        }
        jw_end_object(&w);
        jw_end_object(&w);
    }
    jw_end_array(&w);
    jw_end_object(&w);
    free(p.e);
    free(p.fc);
    free(p.obs_at);
    free(p.latest);
    if (rc != OT_OK) {
        free(w.buf);
        return rc;
    }
    return jw_finish(&w, out);
}

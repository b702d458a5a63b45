/* FHIR R4 input: a Bundle, or a Bulk Data export (NDJSON, one resource a
 * line, one file per resource type, in any order). A bulk export spreads one
 * patient over several files, so the resources are gathered in memory and
 * mapped into patients at the end (ot_fhir_in_finish). Each patient is
 * written as osteotrack's own patient document and read by the JSON reader
 * (ot_patient_from_json_tree), so that a patient read from FHIR is the
 * patient read from the same data as JSON, to the byte of its report.
 * docs/fhir.md, "FHIR in", is the mapping. */
#include "fhir_read.h"
#include "json_stream.h"
#include "rowgroup.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


/* FHIR's own systems (not clinical codes: the codes are in data/) */
#define OT_ICD10CM_SYSTEM "http://hl7.org/fhir/sid/icd-10-cm"
#define OT_ICD10_SYSTEM "http://hl7.org/fhir/sid/icd-10"
#define OT_CONDITION_VER_SYSTEM "http://terminology.hl7.org/CodeSystem/condition-ver-status"

enum { RT_OTHER = 0, RT_PATIENT, RT_OBS, RT_MSTMT, RT_MREQ, RT_MADMIN, RT_COND, RT_DEVICE,
       RT_MEDICATION };
enum { ST_PENDING = 0, ST_USED, ST_REJECTED, ST_NR };

typedef struct res {
    cJSON *j;             /* the resource (owned) */
    const char *file;     /* borrowed */
    long line;
    long entry;           /* Bundle entry, -1: none */
    char *full_url;       /* Bundle fullUrl or NULL */
    int type, state;
    int referenced;       /* a Device or Medication a resource read names */
    long pat;             /* the patient's index (pats), -1 */
} res;

/* A string -> index map (open addressing), for references and patient ids. */
typedef struct smap {
    char **keys;
    size_t *vals;
    size_t cap, n;
} smap;

typedef struct patref {
    size_t res;           /* its Patient resource */
    const char *id;       /* osteotrack's id (in the resource's JSON) */
} patref;

/* One fact of a patient, made from one resource. */
enum { F_BMD, F_SCORE, F_MARKER, F_MENO, F_COURSE, F_DOSE, F_FX };
typedef struct fact {
    long pat;
    int kind;
    size_t res;
    ot_date date, start, end;
    ot_site site;
    ot_side side;
    ot_analyte analyte;
    int zscore;           /* F_SCORE: 1 Z-score, 0 T-score */
    double value;
    const char *unit;     /* static */
    char device[OT_DEVICE_MAX];
    const char *mfr;      /* static, or NULL */
    const char *region;   /* in the resource's JSON, or NULL */
    ot_agent agent;
    ot_menopause meno;
    ot_fracture_site fx;
    long tscore, zscore_of; /* F_BMD: the fact of its T- and Z-score, -1 */
    long joined;          /* F_SCORE: its BMD fact; F_DOSE: its course fact; -1 */
} fact;

struct ot_fhir_in {
    const ot_refdata *rd;
    ot_fhir_cb cb;
    res *r;
    size_t n, cap;
    size_t read, rejected, nr;
    idset *named;         /* "type|system|code" named as not relevant */
    const struct patref *pats; /* while mapping: the patients (mapping.pats) */
    int fatal;
    /* while reading one input */
    const char *file;
};

/* ---- small helpers ---- */

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *gets_(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void smap_free(smap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* The value of key, or SIZE_MAX. */
static size_t smap_get(const smap *m, const char *key)
{
    if (!m->cap || !key)
        return SIZE_MAX;
    for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return SIZE_MAX;
        if (!strcmp(m->keys[i], key))
            return m->vals[i];
    }
}

/* 0 added, 1 already there (not changed), -1 out of memory. */
static int smap_put(smap *m, const char *key, size_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        smap b = {NULL, NULL, m->cap ? m->cap * 2 : 64, 0};
        b.keys = calloc(b.cap, sizeof *b.keys);
        b.vals = calloc(b.cap, sizeof *b.vals);
        if (!b.keys || !b.vals) {
            free(b.keys);
            free(b.vals);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                size_t k = hash(m->keys[i]) & (b.cap - 1);
                while (b.keys[k])
                    k = (k + 1) & (b.cap - 1);
                b.keys[k] = m->keys[i];
                b.vals[k] = m->vals[i];
                b.n++;
            }
        free(m->keys);
        free(m->vals);
        *m = b;
    }
    size_t i = hash(key) & (m->cap - 1);
    for (; m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (!strcmp(m->keys[i], key))
            return 1;
    if (!(m->keys[i] = strdup(key)))
        return -1;
    m->vals[i] = val;
    m->n++;
    return 0;
}

static const char *const r4_types[] = {
    "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment",
    "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct",
    "BodyStructure", "Bundle", "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry",
    "ChargeItem", "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression",
    "CodeSystem", "Communication", "CommunicationRequest", "CompartmentDefinition",
    "Composition", "ConceptMap", "Condition", "Consent", "Contract", "Coverage",
    "CoverageEligibilityRequest", "CoverageEligibilityResponse", "DetectedIssue", "Device",
    "DeviceDefinition", "DeviceMetric", "DeviceRequest", "DeviceUseStatement",
    "DiagnosticReport", "DocumentManifest", "DocumentReference", "EffectEvidenceSynthesis",
    "Encounter", "Endpoint", "EnrollmentRequest", "EnrollmentResponse", "EpisodeOfCare",
    "EventDefinition", "Evidence", "EvidenceVariable", "ExampleScenario",
    "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal", "GraphDefinition", "Group",
    "GuidanceResponse", "HealthcareService", "ImagingStudy", "Immunization",
    "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide",
    "InsurancePlan", "Invoice", "Library", "Linkage", "List", "Location", "Measure",
    "MeasureReport", "Media", "Medication", "MedicationAdministration", "MedicationDispense",
    "MedicationKnowledge", "MedicationRequest", "MedicationStatement", "MedicinalProduct",
    "MedicinalProductAuthorization", "MedicinalProductContraindication",
    "MedicinalProductIndication", "MedicinalProductIngredient", "MedicinalProductInteraction",
    "MedicinalProductManufactured", "MedicinalProductPackaged", "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect", "MessageDefinition", "MessageHeader",
    "MolecularSequence", "NamingSystem", "NutritionOrder", "Observation",
    "ObservationDefinition", "OperationDefinition", "OperationOutcome", "Organization",
    "OrganizationAffiliation", "Parameters", "Patient", "PaymentNotice",
    "PaymentReconciliation", "Person", "PlanDefinition", "Practitioner", "PractitionerRole",
    "Procedure", "Provenance", "Questionnaire", "QuestionnaireResponse", "RelatedPerson",
    "RequestGroup", "ResearchDefinition", "ResearchElementDefinition", "ResearchStudy",
    "ResearchSubject", "RiskAssessment", "RiskEvidenceSynthesis", "Schedule",
    "SearchParameter", "ServiceRequest", "Slot", "Specimen", "SpecimenDefinition",
    "StructureDefinition", "StructureMap", "Subscription", "Substance",
    "SubstanceNucleicAcid", "SubstancePolymer", "SubstanceProtein",
    "SubstanceReferenceInformation", "SubstanceSourceMaterial", "SubstanceSpecification",
    "SupplyDelivery", "SupplyRequest", "Task", "TerminologyCapabilities", "TestReport",
    "TestScript", "ValueSet", "VerificationResult", "VisionPrescription", NULL};

static int is_r4_type(const char *t)
{
    for (size_t i = 0; r4_types[i]; i++)
        if (!strcmp(r4_types[i], t))
            return 1;
    return 0;
}

static int type_of(const char *t)
{
    static const struct {
        const char *name;
        int type;
    } used[] = {{"Patient", RT_PATIENT},
                {"Observation", RT_OBS},
                {"MedicationStatement", RT_MSTMT},
                {"MedicationRequest", RT_MREQ},
                {"MedicationAdministration", RT_MADMIN},
                {"Condition", RT_COND},
                {"Device", RT_DEVICE},
                {"Medication", RT_MEDICATION}};
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
        if (!strcmp(used[i].name, t))
            return used[i].type;
    return RT_OTHER;
}

/* ---- the set ---- */

int ot_fhir_in_new(ot_fhir_in **out, const ot_refdata *rd, const ot_fhir_cb *cb)
{
    ot_fhir_in *f = calloc(1, sizeof *f);
    if (!f)
        return OT_ENOMEM;
    f->rd = rd;
    f->cb = *cb;
    if (ot_idset_new(&f->named) != 0) {
        free(f);
        return OT_ENOMEM;
    }
    *out = f;
    return OT_OK;
}

void ot_fhir_in_free(ot_fhir_in *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        cJSON_Delete(f->r[i].j);
        free(f->r[i].full_url);
    }
    free(f->r);
    ot_idset_free(f->named);
    free(f);
}

void ot_fhir_in_counts(const ot_fhir_in *f, size_t *read, size_t *rejected, size_t *nr)
{
    if (read)
        *read = f ? f->read : 0;
    if (rejected)
        *rejected = f ? f->rejected : 0;
    if (nr)
        *nr = f ? f->nr : 0;
}

static const char *pat_id_of(const ot_fhir_in *f, const res *x);

/* Rejects a resource (counted once), naming its place. */
static void reject_at(ot_fhir_in *f, const char *file, long line, long entry,
                      const char *patient, const char *reason)
{
    char where[32], shown[200];
    if (entry >= 0)
        snprintf(where, sizeof where, "entry[%ld]", entry);
    f->rejected++;
    if (patient) /* not yet checked by the JSON reader: shown safely */
        patient = ot_text_shown(shown, sizeof shown, patient, strlen(patient));
    if (f->cb.reject)
        f->cb.reject(f->cb.ctx, file, line, patient, entry >= 0 ? where : NULL, reason);
}

static void reject_res(ot_fhir_in *f, res *x, const char *fmt, ...) OT_PRINTF(3, 4);
static void reject_res(ot_fhir_in *f, res *x, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (x->state == ST_REJECTED)
        return;
    x->state = ST_REJECTED;
    const char *t = gets_(x->j, "resourceType");
    char full[900], ts[120];
    snprintf(full, sizeof full, "%s: %s", t ? ot_text_shown(ts, sizeof ts, t, strlen(t))
                                            : "resource", msg);
    reject_at(f, x->file, x->line, x->entry, pat_id_of(f, x), full);
}

/* A resource osteotrack does not use: counted, named once per type and code
 * (or, with system NULL and is_name, once per free-text name). */
static void not_relevant_as(ot_fhir_in *f, res *x, const char *system, const char *code,
                            int is_name, const char *why)
{
    x->state = ST_NR;
    f->nr++;
    const char *t = gets_(x->j, "resourceType");
    char key[600];
    snprintf(key, sizeof key, "%s|%s|%s%s|%s", t ? t : "", system ? system : "",
             is_name ? "name:" : "", code ? code : "", why);
    int seen = ot_idset_add(f->named, key, strlen(key));
    if (seen < 0)
        f->fatal = OT_ENOMEM;
    if (seen || !f->cb.note)
        return;
    char msg[1200], where[32] = "", shown[200] = "", ts[120] = "", ss[200] = "";
    if (t)
        t = ot_text_shown(ts, sizeof ts, t, strlen(t));
    if (system)
        system = ot_text_shown(ss, sizeof ss, system, strlen(system));
    if (x->entry >= 0)
        snprintf(where, sizeof where, " entry[%ld]", x->entry);
    if (code)
        ot_text_shown(shown, sizeof shown, code, strlen(code));
    snprintf(msg, sizeof msg, "%s:%ld:%s not relevant: %s%s%s%s%s%s (%s); named once per type and "
             "code", x->file, x->line, where, t ? t : "resource",
             !code ? "" : is_name ? " named '" : " with code ",
             code && system ? system : "", code && system ? "|" : "", shown,
             code && is_name ? "'" : "", why);
    f->cb.note(f->cb.ctx, msg);
}

static void not_relevant(ot_fhir_in *f, res *x, const char *system, const char *code,
                         const char *why)
{
    not_relevant_as(f, x, system, code, 0, why);
}

/* ---- reading ---- */

static int add_res(ot_fhir_in *f, cJSON *j, long line, long entry, const char *full_url)
{
    if (f->n == f->cap) {
        void *a = f->r;
        if (ot_grow(&a, &f->cap, f->n + 1, sizeof *f->r) != OT_OK)
            return -1;
        f->r = a;
    }
    res *x = &f->r[f->n];
    memset(x, 0, sizeof *x);
    x->j = j;
    x->file = f->file;
    x->line = line;
    x->entry = entry;
    x->pat = -1;
    if (full_url && !(x->full_url = strdup(full_url)))
        return -1;
    f->n++;
    f->read++;
    return 0;
}

/* One resource (or a Bundle of them) read at `line`. */
static void take_resource(ot_fhir_in *f, cJSON *j, long line)
{
    const char *t = gets_(j, "resourceType");
    if (t && !strcmp(t, "Bundle")) {
        cJSON *entries = cJSON_GetObjectItemCaseSensitive(j, "entry");
        long i = 0;
        cJSON *e;
        /* the Bundle itself is a container: its entries are what is read */
        cJSON_ArrayForEach(e, entries)
        {
            cJSON *r = cJSON_DetachItemFromObjectCaseSensitive(e, "resource");
            const char *url = gets_(e, "fullUrl");
            const char *rt = gets_(r, "resourceType");
            if (!r) {
                f->read++;
                reject_at(f, f->file, line, i, NULL, "Bundle entry: no resource");
            } else if (rt && !strcmp(rt, "Bundle")) {
                f->read++;
                reject_at(f, f->file, line, i, NULL, "Bundle: a Bundle inside a Bundle is not "
                          "read (its entries are not read): give its entries in the outer "
                          "Bundle, or the Bundle on a line of its own");
                cJSON_Delete(r);
            } else if (add_res(f, r, line, i, url) != 0) {
                cJSON_Delete(r);
                f->fatal = OT_ENOMEM;
                break;
            }
            i++;
        }
        if (!cJSON_IsArray(entries)) {
            f->read++;
            reject_at(f, f->file, line, -1, NULL, "Bundle: no entry list (nothing to read)");
        }
        cJSON_Delete(j);
        return;
    }
    if (add_res(f, j, line, -1, NULL) != 0) {
        cJSON_Delete(j);
        f->fatal = OT_ENOMEM;
    }
}

static int on_doc(void *ctx, const char *doc, size_t len, long line, const char *where)
{
    ot_fhir_in *f = ctx;
    (void)where;
    if (f->fatal)
        return 1;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(doc, len, &end, 0);
    if (!j) {
        f->read++;
        reject_at(f, f->file, line, -1, NULL, "not valid JSON (a broken line?); the line is "
                  "not read");
        return 0;
    }
    if (!cJSON_IsObject(j) || !gets_(j, "resourceType")) {
        f->read++;
        reject_at(f, f->file, line, -1, NULL, cJSON_IsObject(j) && get(j, "patient_id")
                  ? "not a FHIR resource (no resourceType): osteotrack's own JSON is read "
                    "with --input-format json"
                  : "not a FHIR resource (no resourceType)");
        cJSON_Delete(j);
        return 0;
    }
    take_resource(f, j, line);
    return f->fatal != 0;
}

static void on_bad(void *ctx, long line, const char *reason)
{
    ot_fhir_in *f = ctx;
    f->read++;
    reject_at(f, f->file, line, -1, NULL, reason);
}

/* NDJSON when the first line that is not blank is a whole JSON object and
 * not the whole text; else one JSON text (a Bundle, a resource). */
static int looks_ndjson(const char *s, size_t n)
{
    size_t i = 0;
    if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    const char *nl = memchr(s + i, '\n', n - i);
    if (!nl)
        return 0;
    size_t len = (size_t)(nl - (s + i));
    cJSON *j = cJSON_ParseWithLength(s + i, len);
    int ok = j && cJSON_IsObject(j);
    cJSON_Delete(j);
    return ok;
}

int ot_fhir_in_read_mem(ot_fhir_in *f, const char *s, size_t n, const char *name,
                        ot_error *err)
{
    static const char empty[1] = "";
    f->file = name;
    FILE *in = fmemopen((void *)(uintptr_t)(n ? s : empty), n ? n : 1, "rb");
    if (!in)
        return ot_err_set(err, OT_ENOMEM, "%s: %s", name, strerror(errno));
    if (!n)
        fgetc(in);
    int e = looks_ndjson(s, n) ? ot_ndjson_stream(in, (size_t)1 << 16, on_doc, on_bad, f)
                               : ot_json_stream(in, (size_t)1 << 16, on_doc, on_bad, f);
    fclose(in);
    if (e == ENOMEM || f->fatal)
        return ot_err_set(err, OT_ENOMEM, "%s: out of memory", name);
    if (e)
        return ot_err_set(err, OT_EIO, "%s: cannot read: %s", name, strerror(e));
    return OT_OK;
}

int ot_fhir_in_read(ot_fhir_in *f, FILE *in, const char *name, ot_error *err)
{
    char *s = NULL;
    size_t n = 0;
    int rc = ot_read_all(&s, &n, in, (size_t)-1 / 2);
    if (rc != OT_OK) {
        free(s);
        f->read++;
        char msg[300];
        snprintf(msg, sizeof msg, "%s: cannot read: %s", name,
                 rc == OT_ENOMEM ? "out of memory" : strerror(errno ? errno : EIO));
        f->rejected++;
        if (f->cb.reject)
            f->cb.reject(f->cb.ctx, NULL, 0, NULL, NULL, msg);
        return rc == OT_ENOMEM ? ot_err_set(err, OT_ENOMEM, "out of memory")
                               : ot_err_set(err, OT_EIO, "%s", "");
    }
    rc = ot_fhir_in_read_mem(f, s, n, name, err);
    free(s);
    return rc;
}

int ot_fhir_sniff(const char *s, size_t n)
{
    size_t i = 0;
    int depth = 0, in_str = 0, key_start = -1;
    if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i >= n || s[i] != '{')
        return 0;
    for (; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"') {
                in_str = 0;
                if (depth == 1 && key_start >= 0 && i - (size_t)key_start == 12 &&
                    !memcmp(s + key_start, "resourceType", 12)) {
                    size_t k = i + 1;
                    while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n'))
                        k++;
                    if (k < n && s[k] == ':')
                        return 1;
                }
            }
        } else if (c == '"') {
            in_str = 1;
            key_start = (int)(i + 1 < (size_t)INT32_MAX ? i + 1 : 0);
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth <= 0)
                return 0;
        }
    }
    return 0;
}

/* ---- mapping ---- */

static const char *pat_id_of(const ot_fhir_in *f, const res *x)
{
    if (x->pat < 0)
        return NULL;
    /* x->pat indexes the patients (not the resources); the patient's id is
     * kept in its Patient resource's "#osteotrack-id" */
    return f->pats ? f->pats[x->pat].id : NULL;
}

/* "YYYY-MM-DD..." -> its day; 0 not given; -1 partial or not a date. */
static int day_of(ot_date *out, const char *s)
{
    if (!s)
        return 0;
    char b[11];
    if (strlen(s) < 10 || (s[10] && s[10] != 'T'))
        return -1;
    memcpy(b, s, 10);
    b[10] = '\0';
    return ot_date_parse(out, b) == OT_OK ? 1 : -1;
}

/* effectiveDateTime or effectivePeriod.start (Observation, Administration). */
static int effective_day(ot_fhir_in *f, res *x, ot_date *d)
{
    const char *dt = gets_(x->j, "effectiveDateTime");
    const char *what = "effectiveDateTime";
    if (!dt) {
        dt = gets_(get(x->j, "effectivePeriod"), "start");
        what = "effectivePeriod.start";
    }
    int k = day_of(d, dt);
    char b[60];
    if (k == 0)
        reject_res(f, x, "no effectiveDateTime or effectivePeriod.start: a result needs its day");
    else if (k < 0)
        reject_res(f, x, "%s '%s' is not a full date (YYYY-MM-DD, 1900-2199): a partial date is "
                   "not read", what, ot_text_shown(b, sizeof b, dt, strlen(dt)));
    return k > 0 ? 0 : -1;
}

/* The resource a reference names: a Bundle fullUrl, "Type/id", or a URL
 * ending in "Type/id". SIZE_MAX when not in the input. */
static size_t resolve(const smap *refs, const char *ref)
{
    if (!ref)
        return SIZE_MAX;
    size_t k = smap_get(refs, ref);
    if (k != SIZE_MAX)
        return k;
    const char *slash = strrchr(ref, '/');
    if (!slash || slash == ref)
        return SIZE_MAX;
    const char *p = slash - 1;
    while (p > ref && p[-1] != '/')
        p--;
    const char *hist = strstr(ref, "/_history/");
    if (hist) /* "Patient/1/_history/2": the resource, any version */
        return SIZE_MAX;
    return smap_get(refs, p);
}

/* The patient of a resource (subject, or patient), else rejected. */
static long patient_of(ot_fhir_in *f, res *x, const smap *refs)
{
    const cJSON *subj = get(x->j, "subject");
    if (!subj)
        subj = get(x->j, "patient");
    const char *ref = gets_(subj, "reference");
    if (!ref) {
        reject_res(f, x, "no subject.reference: the resource names no patient");
        return -1;
    }
    size_t k = resolve(refs, ref);
    if (k == SIZE_MAX || f->r[k].type != RT_PATIENT || f->r[k].pat < 0) {
        char b[120];
        reject_res(f, x, "subject '%s': the patient is not in the input",
                   ot_text_shown(b, sizeof b, ref, strlen(ref)));
        return -1;
    }
    return f->r[k].pat;
}

typedef struct mapping {
    ot_fhir_in *f;
    smap refs;            /* "Type/id" and fullUrl -> resource */
    patref *pats;
    size_t npats, cappats;
    fact *facts;
    size_t nfacts, capfacts;
    struct agent_name {
        char w[OT_FHIR_DISPLAY_MAX + 4];
        int agent;
    } *names;             /* names_make */
    size_t nnames;
} mapping;

static fact *new_fact(mapping *m, long pat, int kind, size_t resi)
{
    void *a = m->facts;
    if (ot_grow(&a, &m->capfacts, m->nfacts + 1, sizeof *m->facts) != OT_OK) {
        m->f->fatal = OT_ENOMEM;
        return NULL;
    }
    m->facts = a;
    fact *x = &m->facts[m->nfacts++];
    memset(x, 0, sizeof *x);
    x->pat = pat;
    x->kind = kind;
    x->res = resi;
    x->date = x->start = x->end = OT_DATE_NONE;
    x->tscore = x->zscore_of = x->joined = -1;
    return x;
}

/* A contained resource "#id" of x, or one in the input: marked as named by
 * a resource read, unless idx, which then receives its index (SIZE_MAX:
 * contained or none) for the caller to mark. */
static const cJSON *referenced(mapping *m, const res *x, const char *ref, int type,
                               size_t *idx)
{
    if (idx)
        *idx = SIZE_MAX;
    if (!ref)
        return NULL;
    if (ref[0] == '#') {
        const cJSON *c;
        cJSON_ArrayForEach(c, get(x->j, "contained"))
        {
            const char *id = gets_(c, "id");
            if (id && !strcmp(id, ref + 1))
                return c;
        }
        return NULL;
    }
    size_t k = resolve(&m->refs, ref);
    if (k == SIZE_MAX || m->f->r[k].type != type)
        return NULL;
    if (idx)
        *idx = k;
    else
        m->f->r[k].referenced = 1;
    return m->f->r[k].j;
}

static const char *manufacturer_of(const char *s)
{
    ot_manufacturer mf;
    if (!s)
        return NULL;
    if (ot_manufacturer_parse(&mf, s) == OT_OK)
        return ot_manufacturer_name(mf);
    char low[80];
    size_t n = strlen(s) < sizeof low - 1 ? strlen(s) : sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    low[n] = '\0';
    if (strstr(low, "hologic"))
        return "hologic";
    if (strstr(low, "lunar") || !strncmp(low, "ge ", 3) || strstr(low, "general electric"))
        return "ge_lunar";
    if (strstr(low, "norland"))
        return "norland";
    return "other";
}

/* The unit of a valueQuantity: its UCUM code (else its unit text). NULL with
 * *why set when the system is not UCUM. */
static const char *quantity_unit(const cJSON *q, const char **why)
{
    const char *sys = gets_(q, "system"), *code = gets_(q, "code"), *unit = gets_(q, "unit");
    *why = NULL;
    if (sys && strcmp(sys, OT_UCUM_SYSTEM))
        *why = "its system is not UCUM (http://unitsofmeasure.org)";
    return code ? code : unit;
}

static void map_observation(mapping *m, size_t i)
{
    ot_fhir_in *f = m->f;
    res *x = &f->r[i];
    const cJSON *codings = get(get(x->j, "code"), "coding"), *c;
    const ot_loinc_code *lc = NULL;
    int meno = 0, osteo_other = 0;
    const char *first_sys = NULL, *first_code = NULL;
    cJSON_ArrayForEach(c, codings)
    {
        const char *sys = gets_(c, "system"), *code = gets_(c, "code");
        if (!sys || !code)
            continue;
        if (!first_code) {
            first_sys = sys;
            first_code = code;
        }
        if (!strcmp(sys, OT_LOINC_SYSTEM) && (lc = ot_loinc_lookup(f->rd, code)) != NULL &&
            lc->kind != OT_LOINC_PANEL)
            break;
        lc = NULL;
        if (!strcmp(sys, OT_FHIR_CS)) {
            if (!strcmp(code, "menopausal-status")) {
                meno = 1;
                break;
            }
            osteo_other = 1;
        }
    }
    if (!first_code) {
        reject_res(f, x, "code: no coding with a system and a code (an unknown code)");
        return;
    }
    if (!lc && !meno) {
        not_relevant(f, x, first_sys, first_code,
                     osteo_other ? "a result osteotrack derives, not one it reads"
                                 : "a code osteotrack does not use");
        return;
    }
    long p = patient_of(f, x, &m->refs);
    if (p < 0)
        return;
    x->pat = p;
    const char *status = gets_(x->j, "status");
    if (!status || (strcmp(status, "final") && strcmp(status, "amended") &&
                    strcmp(status, "corrected"))) {
        char b[40];
        reject_res(f, x, "status %s%s%s: only a final, amended or corrected result is read",
                   status ? "'" : "missing", status ? ot_text_shown(b, sizeof b, status,
                                                                   strlen(status)) : "",
                   status ? "'" : "");
        return;
    }
    ot_date day;
    if (effective_day(f, x, &day) != 0)
        return;
    if (meno) {
        const cJSON *vc = get(get(x->j, "valueCodeableConcept"), "coding"), *k;
        ot_menopause mv = OT_MENOPAUSE_UNKNOWN;
        cJSON_ArrayForEach(k, vc)
        {
            const char *sys = gets_(k, "system"), *code = gets_(k, "code");
            if (sys && code && !strcmp(sys, OT_FHIR_CS))
                mv = !strcmp(code, "premenopausal")    ? OT_MENOPAUSE_PRE
                     : !strcmp(code, "perimenopausal") ? OT_MENOPAUSE_PERI
                     : !strcmp(code, "postmenopausal") ? OT_MENOPAUSE_POST
                                                       : OT_MENOPAUSE_UNKNOWN;
            if (mv != OT_MENOPAUSE_UNKNOWN)
                break;
        }
        if (mv == OT_MENOPAUSE_UNKNOWN) {
            reject_res(f, x, "menopausal status: valueCodeableConcept has no code premenopausal, "
                       "perimenopausal or postmenopausal of %s (an unknown code)", OT_FHIR_CS);
            return;
        }
        fact *ft = new_fact(m, p, F_MENO, i);
        if (ft) {
            ft->date = day;
            ft->meno = mv;
        }
        return;
    }
    const cJSON *q = get(x->j, "valueQuantity");
    const cJSON *v = get(q, "value");
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        reject_res(f, x, "%s: no valueQuantity.value (a number)", lc->code);
        return;
    }
    const char *why, *unit = quantity_unit(q, &why);
    char b[60];
    const cJSON *cmp = get(q, "comparator");
    if (cmp) { /* "<0.03": below the assay's limit, not a value */
        const char *cs = cJSON_IsString(cmp) ? cmp->valuestring : "?";
        char cb[20], ub[40];
        reject_res(f, x, "%s: a censored value '%s%g%s%s': osteotrack needs the measured value "
                   "(valueQuantity.comparator)", lc->code, ot_text_shown(cb, sizeof cb, cs,
                                                                       strlen(cs)),
                   v->valuedouble, unit ? " " : "",
                   unit ? ot_text_shown(ub, sizeof ub, unit, strlen(unit)) : "");
        return;
    }
    if (lc->kind == OT_LOINC_TSCORE || lc->kind == OT_LOINC_ZSCORE) {
        if (why || (unit && strcmp(unit, "1") && unit[0] != '{')) {
            reject_res(f, x, "%s: unit '%s' cannot be converted: a score has no unit (UCUM 1 or "
                       "an annotation such as {T-score})%s%s", lc->code,
                       unit ? ot_text_shown(b, sizeof b, unit, strlen(unit)) : "",
                       why ? ": " : "", why ? why : "");
            return;
        }
        fact *ft = new_fact(m, p, F_SCORE, i);
        if (ft) {
            ft->date = day;
            ft->site = lc->site;
            ft->side = lc->side;
            ft->zscore = lc->kind == OT_LOINC_ZSCORE;
            ft->value = v->valuedouble;
        }
        return;
    }
    ot_unit u;
    static const char *const unit_names[] = {"g/cm2", "mg/cm2", "ug/L", "ng/mL", "ng/L", "pg/mL"};
    int ok = !why && unit && ot_unit_parse(&u, unit) == OT_OK && !strcmp(ot_unit_name(u), unit);
    if (ok && lc->kind == OT_LOINC_BMD)
        ok = u == OT_UNIT_G_CM2 || u == OT_UNIT_MG_CM2;
    else if (ok)
        ok = u != OT_UNIT_G_CM2 && u != OT_UNIT_MG_CM2;
    if (!ok) {
        reject_res(f, x, "%s: unit '%s' cannot be converted (expected the UCUM code %s)%s%s",
                   lc->code, unit ? ot_text_shown(b, sizeof b, unit, strlen(unit)) : "(none)",
                   lc->kind == OT_LOINC_BMD ? "g/cm2 or mg/cm2" : "ug/L, ng/mL, ng/L or pg/mL",
                   why ? ": " : "", why ? why : "");
        return;
    }
    fact *ft = new_fact(m, p, lc->kind == OT_LOINC_BMD ? F_BMD : F_MARKER, i);
    if (!ft)
        return;
    ft->date = day;
    ft->value = v->valuedouble;
    ft->unit = unit_names[u];
    if (lc->kind != OT_LOINC_BMD) {
        ft->analyte = lc->analyte;
        return;
    }
    ft->site = lc->site;
    ft->side = lc->side;
    const cJSON *dev = get(x->j, "device");
    const cJSON *d = referenced(m, x, gets_(dev, "reference"), RT_DEVICE, NULL);
    const char *name = NULL, *mfr = NULL;
    if (d) {
        name = gets_(cJSON_GetArrayItem(get(d, "deviceName"), 0), "name");
        mfr = gets_(d, "manufacturer");
    }
    if (!name)
        name = gets_(dev, "display");
    if (name)
        ot_strlcpy(ft->device, name, sizeof ft->device);
    if (name && strlen(name) >= sizeof ft->device) {
        m->nfacts--;
        reject_res(f, x, "device: a name longer than %d bytes", OT_DEVICE_MAX - 1);
        return;
    }
    ft->mfr = manufacturer_of(mfr);
    const cJSON *e;
    cJSON_ArrayForEach(e, get(x->j, "extension"))
    {
        const char *url = gets_(e, "url");
        if (url && !strcmp(url, OT_FHIR_EXT_REGION))
            ft->region = gets_(e, "valueString");
    }
}

/* ---- a medication named in free text ---- */

/* s lower-cased, each run of characters other than letters and digits one
 * space, with a space before and after: " alendronate sodium 70 mg ". */
static void words_of(char *out, size_t outsz, const char *s)
{
    size_t n = 0;
    if (outsz < 3) {
        if (outsz)
            out[0] = '\0';
        return;
    }
    out[n++] = ' ';
    for (; s && *s && n + 2 < outsz; s++) {
        unsigned char c = (unsigned char)*s;
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
        if (alnum)
            out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        else if (out[n - 1] != ' ')
            out[n++] = ' ';
    }
    if (out[n - 1] != ' ')
        out[n++] = ' ';
    out[n] = '\0';
}

/* The length of the name w (as words_of makes it: " name ") that the words
 * at t start with, as whole words; 0 none. */
static size_t name_at(const char *t, const char *w)
{
    size_t n = strlen(w);
    if (n < 3 || t[0] != w[1]) /* no letter or digit; not this name */
        return 0;
    /* t (at a word) must start with "name " */
    return !strncmp(t, w + 1, n - 1) ? n - 2 : 0;
}

/* osteotrack's names for its agents, as words_of makes them. */
static int names_make(mapping *m)
{
    const ot_refdata *rd = m->f->rd;
    size_t cap = OT_AGENT_COUNT + rd->nmed_codes + 1, i;
    ot_agent al;
    for (i = 0; ot_agent_alias(i, &al); i++)
        cap++;
    if (!(m->names = calloc(cap, sizeof *m->names)))
        return -1;
    for (int a = 1; a < OT_AGENT_COUNT; a++) {
        words_of(m->names[m->nnames].w, sizeof m->names[0].w, ot_agent_name((ot_agent)a));
        m->names[m->nnames++].agent = a;
    }
    const char *an;
    for (i = 0; (an = ot_agent_alias(i, &al)) != NULL; i++)
        if (al != OT_AGENT_NONE) {
            words_of(m->names[m->nnames].w, sizeof m->names[0].w, an);
            m->names[m->nnames++].agent = (int)al;
        }
    for (i = 0; i < rd->nmed_codes; i++) {
        words_of(m->names[m->nnames].w, sizeof m->names[0].w, rd->med_codes[i].display);
        m->names[m->nnames++].agent = (int)rd->med_codes[i].agent;
    }
    return 0;
}

_Static_assert(OT_AGENT_COUNT <= 32, "medname.agents holds one bit an agent");
typedef struct medname {
    unsigned agents;      /* bit a: agent a named */
    int route;            /* from the words: 1 intravenous, 0 oral, 2 both, -1 none */
} medname;

/* The words that tell the route of an agent whose oral and intravenous
 * forms share their names (ibandronate): RxNorm's dose forms ("Oral
 * Tablet", "Injection", "Prefilled Syringe") and the route named. */
static const char *const iv_words[] = {" intravenous ", " iv ", " injection ", " injectable ",
                                       " infusion ", " syringe ", NULL};
static const char *const oral_words[] = {" oral ", " tablet ", " tablets ", " by mouth ", NULL};

/* Adds to *mn the agents text names, each at the longest of osteotrack's
 * names for it (agent names, their aliases, the displays of the medication
 * codes of data/fhir/medications.json) that the text has as whole words, so
 * that "zoledronic acid" is zoledronate, "alendronate sodium 70 MG Oral
 * Tablet" alendronate, "Prolia 60 mg" denosumab, and "ibandronate iv" the
 * intravenous agent, not also ibandronate. */
static void names_in(const mapping *m, const char *text, medname *mn)
{
    char t[1024];
    if (!text)
        return;
    words_of(t, sizeof t, text);
    for (const char *p = t; *p; p++) {
        if (p[0] != ' ' || !p[1])
            continue;
        const char *w = p + 1; /* a word starts */
        size_t best = 0;
        int agent = -1;
        for (size_t i = 0; i < m->nnames; i++) {
            size_t n = name_at(w, m->names[i].w);
            if (n > best) {
                best = n;
                agent = m->names[i].agent;
            }
        }
        for (int k = 0; iv_words[k]; k++)
            if (name_at(w, iv_words[k]))
                mn->route = mn->route < 0 || mn->route == 1 ? 1 : 2;
        for (int k = 0; oral_words[k]; k++)
            if (name_at(w, oral_words[k]))
                mn->route = mn->route < 0 || mn->route == 0 ? 0 : 2;
        if (agent < 0)
            continue;
        mn->agents |= 1u << agent;
        if (agent == OT_AGENT_IBANDRONATE_IV) /* the name says the route */
            mn->route = mn->route < 0 || mn->route == 1 ? 1 : 2;
        p += best; /* past the name: p is at the space after it */
    }
}

/* The agent of a medication resource: by RxNorm or ATC code (the first
 * coding osteotrack knows), else by name; OT_AGENT_NONE when neither, or
 * when the names name two agents (then two[] says which). *sys_out and
 * *code_out name the first code, else *text_out the text; *route is the route
 * the name tells (-1 none, 2 both); *med the Medication resource named. */
static ot_agent agent_of(mapping *m, const res *x, const ot_med_code **mc, const char **sys_out,
                         const char **code_out, const char **text_out, int *route, char *two,
                         size_t twosz, size_t *med)
{
    const cJSON *cc = get(x->j, "medicationCodeableConcept");
    *med = SIZE_MAX;
    if (!cc) {
        const cJSON *mr = referenced(m, x, gets_(get(x->j, "medicationReference"), "reference"),
                                     RT_MEDICATION, med);
        cc = get(mr, "code");
    }
    const cJSON *c;
    *mc = NULL;
    *sys_out = *code_out = *text_out = NULL;
    *route = -1;
    two[0] = '\0';
    cJSON_ArrayForEach(c, get(cc, "coding"))
    {
        const char *sys = gets_(c, "system"), *code = gets_(c, "code");
        if (sys && code && !*code_out) {
            *sys_out = sys;
            *code_out = code;
        }
        if (sys && code && (*mc = ot_med_code_lookup(m->f->rd, sys, code)) != NULL)
            return (*mc)->agent;
    }
    const char *text = gets_(cc, "text");
    medname mn = {0, -1};
    names_in(m, text, &mn);
    cJSON_ArrayForEach(c, get(cc, "coding"))
    {
        names_in(m, gets_(c, "display"), &mn);
        if (!text)
            text = gets_(c, "display");
    }
    *text_out = text;
    /* "Boniva" and "ibandronate IV": one drug, given intravenously */
    if ((mn.agents & (1u << OT_AGENT_IBANDRONATE)) && (mn.agents & (1u << OT_AGENT_IBANDRONATE_IV)))
        mn.agents &= ~(1u << OT_AGENT_IBANDRONATE);
    /* "Actonel with Calcium", "alendronic acid and colecalciferol": a
     * therapy packed with a supplement is that therapy (the supplement is
     * recorded by osteotrack, never treatment); two therapies stay two. */
    unsigned supplements = 0;
    for (int a = 1; a < OT_AGENT_COUNT; a++)
        if (ot_agent_class_of((ot_agent)a) == OT_CLASS_SUPPLEMENT)
            supplements |= 1u << a;
    unsigned therapies = mn.agents & ~supplements;
    if (therapies && !(therapies & (therapies - 1)))
        mn.agents = therapies;
    *route = mn.route;
    int found = -1, count = 0;
    size_t used = 0;
    for (int a = 1; a < OT_AGENT_COUNT; a++) {
        if (!(mn.agents & (1u << a)))
            continue;
        found = a;
        int w = snprintf(two + used, twosz - used, "%s%s", count ? ", " : "",
                         ot_agent_name((ot_agent)a));
        if (w > 0 && (size_t)w < twosz - used)
            used += (size_t)w;
        count++;
    }
    if (count == 1) {
        two[0] = '\0';
        return (ot_agent)found;
    }
    if (count == 0)
        two[0] = '\0';
    return OT_AGENT_NONE;
}

/* 1 intravenous, 0 oral, -1 not told: from a route (a CodeableConcept). */
static int route_in(const ot_refdata *rd, const cJSON *route)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, get(route, "coding"))
    {
        const ot_route_code *rc = ot_route_code_lookup(rd, gets_(c, "system"), gets_(c, "code"));
        if (rc)
            return rc->intravenous;
    }
    const char *t = gets_(route, "text");
    if (t && (!strcmp(t, "intravenous") || !strcmp(t, "IV") || !strcmp(t, "Intravenous")))
        return 1;
    if (t && (!strcmp(t, "oral") || !strcmp(t, "Oral") || !strcmp(t, "by mouth")))
        return 0;
    return -1;
}

/* From a dosage's route. */
static int route_of(const ot_refdata *rd, const cJSON *dosage)
{
    return route_in(rd, get(dosage, "route"));
}

/* From osteotrack's route extension (OT_FHIR_EXT_ROUTE): the route of a
 * MedicationAdministration that has no dose to write (mad-1 wants a dose or
 * a rate beside a route), as osteotrack's own Bundles write it. */
static int route_ext(const ot_refdata *rd, const cJSON *resource)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, get(resource, "extension"))
    {
        const char *url = gets_(e, "url");
        if (url && !strcmp(url, OT_FHIR_EXT_ROUTE))
            return route_in(rd, get(e, "valueCodeableConcept"));
    }
    return -1;
}

static void map_medication(mapping *m, size_t i)
{
    ot_fhir_in *f = m->f;
    res *x = &f->r[i];
    const ot_med_code *mc;
    const char *sys, *code, *text;
    char two[200], tb[120];
    int name_route;
    size_t med;
    ot_agent agent = agent_of(m, x, &mc, &sys, &code, &text, &name_route, two, sizeof two, &med);
    /* the Medication it names is used unless this resource is not relevant */
    if (med != SIZE_MAX && f->r[med].referenced != 1)
        f->r[med].referenced = 2;
    if (agent == OT_AGENT_NONE && !two[0]) {
        not_relevant_as(f, x, code ? sys : NULL, code ? code : text, !code,
                        "not one of osteotrack's agents by code or by name");
        return;
    }
    if (x->type == RT_MREQ) {
        not_relevant_as(f, x, code ? sys : NULL, code ? code : text ? text : ot_agent_name(agent),
                        !code, "a prescription is not proof the drug was taken: osteotrack reads "
                        "MedicationStatement and MedicationAdministration");
        return;
    }
    if (med != SIZE_MAX)
        f->r[med].referenced = 1;
    long p = patient_of(f, x, &m->refs);
    if (p < 0)
        return;
    x->pat = p;
    if (two[0]) { /* a combination product, or a text that names two drugs */
        reject_res(f, x, "medication '%s' names two agents: %s: a course is read for one agent",
                   text ? ot_text_shown(tb, sizeof tb, text, strlen(text)) : "", two);
        return;
    }
    /* oral and intravenous ibandronate share their codes: the route tells */
    if ((mc && mc->iv_agent != OT_AGENT_NONE) || agent == OT_AGENT_IBANDRONATE ||
        agent == OT_AGENT_IBANDRONATE_IV) {
        const cJSON *dosage = get(x->j, "dosage");
        int iv = -1;
        if (cJSON_IsArray(dosage)) {
            const cJSON *d;
            cJSON_ArrayForEach(d, dosage) if (iv < 0) iv = route_of(f->rd, d);
        } else {
            iv = route_of(f->rd, dosage);
        }
        if (iv < 0)
            iv = route_ext(f->rd, x->j);
        if (iv < 0 && !mc && name_route == 2) {
            reject_res(f, x, "medication '%s' names both an oral and an intravenous form: which "
                       "course it is cannot be told", text ? ot_text_shown(tb, sizeof tb, text,
                                                                           strlen(text)) : "");
            return;
        }
        if (iv < 0 && !mc)
            iv = name_route;
        if (iv < 0 && mc) {
            reject_res(f, x, "%s: the route is not given (dosage.route): oral and intravenous "
                       "%s share this code, and are different courses", mc->code,
                       ot_agent_name(mc->agent));
            return;
        }
        if (iv < 0) {
            reject_res(f, x, "medication '%s': the route is not given (dosage.route, or words "
                       "such as 'oral', 'tablet', 'intravenous', 'injection' in the name): oral "
                       "and intravenous ibandronate share their names, and are different courses",
                       text ? ot_text_shown(tb, sizeof tb, text, strlen(text)) : "");
            return;
        }
        if (iv == 1)
            agent = mc && mc->iv_agent != OT_AGENT_NONE ? mc->iv_agent : OT_AGENT_IBANDRONATE_IV;
        else if (iv == 0 && agent == OT_AGENT_IBANDRONATE_IV) {
            reject_res(f, x, "medication '%s' names intravenous ibandronate, and the route given "
                       "is oral: which course it is cannot be told",
                       text ? ot_text_shown(tb, sizeof tb, text, strlen(text)) : "");
            return;
        }
    }
    const char *status = gets_(x->j, "status");
    char b[40];
    if (x->type == RT_MADMIN) {
        static const char *const madmin_why[][2] = {
            {"in-progress", "the administration is not finished"},
            {"on-hold", "the administration was paused, not finished"},
            {"stopped", "the administration was stopped: whether the dose was given is not told"},
            {"not-done", "the dose was not given"},
            {"entered-in-error", "the record was entered in error"},
            {"unknown", "whether the dose was given is not told"},
            {NULL, NULL}};
        if (!status || strcmp(status, "completed")) {
            const char *why = NULL;
            for (int k = 0; status && madmin_why[k][0]; k++)
                if (!strcmp(status, madmin_why[k][0]))
                    why = madmin_why[k][1];
            reject_res(f, x, "status %s%s%s: %s%sonly a completed administration is a dose",
                       status ? "'" : "missing",
                       status ? ot_text_shown(b, sizeof b, status, strlen(status)) : "",
                       status ? "'" : "", why ? why : "", why ? "; " : "");
            return;
        }
        ot_date day;
        if (effective_day(f, x, &day) != 0)
            return;
        fact *ft = new_fact(m, p, F_DOSE, i);
        if (ft) {
            ft->date = day;
            ft->agent = agent;
        }
        return;
    }
    /* MedicationStatement */
    static const char *const mstmt_why[][2] = {
        {"on-hold", "whether and when the drug was taken is not told"},
        {"intended", "the drug is to be taken, not taken"},
        {"unknown", "whether the drug was taken is not told"},
        {"not-taken", "the drug was not taken"},
        {"entered-in-error", "the record was entered in error"},
        {NULL, NULL}};
    if (!status || (strcmp(status, "active") && strcmp(status, "completed") &&
                    strcmp(status, "stopped"))) {
        const char *why = NULL;
        for (int k = 0; status && mstmt_why[k][0]; k++)
            if (!strcmp(status, mstmt_why[k][0]))
                why = mstmt_why[k][1];
        reject_res(f, x, "status %s%s%s: %s%sa course is read from an active, completed or "
                   "stopped statement", status ? "'" : "missing",
                   status ? ot_text_shown(b, sizeof b, status, strlen(status)) : "",
                   status ? "'" : "", why ? why : "", why ? "; " : "");
        return;
    }
    const cJSON *period = get(x->j, "effectivePeriod");
    const char *s = gets_(period, "start"), *e = gets_(period, "end");
    ot_date start, end = OT_DATE_NONE;
    if (!period) {
        reject_res(f, x, "no effectivePeriod: a course is read from its start (and end); a "
                   "statement of one day (effectiveDateTime) is not read as a course");
        return;
    }
    int ks = day_of(&start, s), ke = day_of(&end, e);
    if (ks <= 0 || ke < 0) {
        const char *bad = ks <= 0 ? s : e;
        reject_res(f, x, "effectivePeriod.%s %s%s%s: a course needs full dates (YYYY-MM-DD)",
                   ks <= 0 ? "start" : "end", bad ? "'" : "missing",
                   bad ? ot_text_shown(b, sizeof b, bad, strlen(bad)) : "", bad ? "'" : "");
        return;
    }
    if (ke == 0 && (!strcmp(status, "completed") || !strcmp(status, "stopped"))) {
        reject_res(f, x, "status '%s' and no effectivePeriod.end: a course that ended needs the "
                   "day it ended", status);
        return;
    }
    fact *ft = new_fact(m, p, F_COURSE, i);
    if (ft) {
        ft->start = start;
        ft->end = ke > 0 ? end : OT_DATE_NONE;
        ft->agent = agent;
    }
}

static void map_condition(mapping *m, size_t i)
{
    ot_fhir_in *f = m->f;
    res *x = &f->r[i];
    const cJSON *c;
    const ot_fx_code *fc = NULL;
    const char *first_sys = NULL, *first_code = NULL, *fsys = NULL, *fcode = NULL;
    /* every coding is looked at: the first osteotrack knows decides */
    cJSON_ArrayForEach(c, get(get(x->j, "code"), "coding"))
    {
        const char *sys = gets_(c, "system"), *code = gets_(c, "code");
        if (!sys || !code)
            continue;
        if (!first_code) {
            first_sys = sys;
            first_code = code;
        }
        if ((fc = ot_fx_code_lookup(f->rd, sys, code)) != NULL) {
            fsys = sys;
            fcode = code;
            break;
        }
    }
    if (!first_code) {
        reject_res(f, x, "code: no coding with a system and a code (an unknown code)");
        return;
    }
    if (!fc) {
        not_relevant(f, x, first_sys, first_code, "not a fracture osteotrack knows");
        return;
    }
    /* ICD-10-CM: the 7th character tells a new fracture (the initial
     * encounter) from one recorded again (data/fractures.json). ICD-10 of the
     * WHO has no code of 7 characters: one under its system is ICD-10-CM's,
     * mislabelled, and read the same way. */
    char cb[40], c7 = 0;
    if (!strcmp(fsys, OT_ICD10CM_SYSTEM) || !strcmp(fsys, OT_ICD10_SYSTEM)) {
        char u[OT_FHIR_CODE_MAX + 8];
        size_t n = 0;
        for (const char *q = fcode; *q && n + 1 < sizeof u; q++)
            if (*q != '.')
                u[n++] = *q;
        u[n] = '\0';
        if (n == 7) {
            c7 = u[6] >= 'a' && u[6] <= 'z' ? (char)(u[6] - 32) : u[6];
            if (c7 >= 'A' && c7 <= 'Z' && strchr(f->rd->ref.cm_later, c7)) {
                not_relevant(f, x, fsys, fcode, "a follow-up encounter or sequela of a fracture, "
                             "not a new one");
                return;
            }
        }
    }
    long p = patient_of(f, x, &m->refs);
    if (p < 0)
        return;
    x->pat = p;
    if (c7 && !(c7 >= 'A' && c7 <= 'Z' && strchr(f->rd->ref.cm_initial, c7))) {
        reject_res(f, x, "%s: 7th character '%c' is not one of an ICD-10-CM fracture (%s: a new "
                   "fracture; %s: one recorded before)",
                   ot_text_shown(cb, sizeof cb, fcode, strlen(fcode)),
                   c7 > ' ' && c7 < 127 ? c7 : '?', f->rd->ref.cm_initial, f->rd->ref.cm_later);
        return;
    }
    /* a fracture not confirmed must not drive advice, nor vanish */
    const char *vs = NULL;
    cJSON_ArrayForEach(c, get(get(x->j, "verificationStatus"), "coding"))
    {
        const char *sys = gets_(c, "system"), *code = gets_(c, "code");
        if (code && (!sys || !strcmp(sys, OT_CONDITION_VER_SYSTEM))) {
            vs = code;
            break;
        }
    }
    if (vs && strcmp(vs, "confirmed")) {
        static const char *const vs_why[][2] = {
            {"unconfirmed", "the fracture is not confirmed"},
            {"provisional", "the fracture is a provisional diagnosis, not confirmed"},
            {"differential", "the fracture is one of a differential diagnosis, not confirmed"},
            {"refuted", "the fracture was ruled out"},
            {"entered-in-error", "the record was entered in error"},
            {NULL, NULL}};
        const char *why = "not a verification status of FHIR R4";
        for (int k = 0; vs_why[k][0]; k++)
            if (!strcmp(vs, vs_why[k][0]))
                why = vs_why[k][1];
        reject_res(f, x, "verificationStatus '%s': %s; only a confirmed fracture (or one with no "
                   "verificationStatus) is read", ot_text_shown(cb, sizeof cb, vs, strlen(vs)),
                   why);
        return;
    }
    ot_date day;
    const char *on = gets_(x->j, "onsetDateTime");
    int k = day_of(&day, on);
    char b[60];
    if (k <= 0) {
        if (k == 0)
            reject_res(f, x, "no onsetDateTime: a fracture needs its day");
        else
            reject_res(f, x, "onsetDateTime '%s' is not a full date (YYYY-MM-DD, 1900-2199): a "
                       "partial date is not read", ot_text_shown(b, sizeof b, on, strlen(on)));
        return;
    }
    fact *ft = new_fact(m, p, F_FX, i);
    if (ft) {
        ft->date = day;
        ft->fx = fc->site;
    }
}

/* Patient resources first: every reference can then be told. */
static void map_patients(mapping *m)
{
    ot_fhir_in *f = m->f;
    for (size_t i = 0; i < f->n && !f->fatal; i++) {
        res *x = &f->r[i];
        if (x->state != ST_PENDING)
            continue;
        const char *t = gets_(x->j, "resourceType");
        x->type = t ? type_of(t) : RT_OTHER;
        const char *id = gets_(x->j, "id");
        char key[400];
        size_t tl = t ? strlen(t) : 0, il = id ? strlen(id) : 0;
        if (id && t && tl + il + 2 <= sizeof key) {
            memcpy(key, t, tl);
            key[tl] = '/';
            memcpy(key + tl + 1, id, il + 1);
            if (smap_put(&m->refs, key, i) < 0)
                f->fatal = OT_ENOMEM;
        }
        if (x->full_url && smap_put(&m->refs, x->full_url, i) < 0)
            f->fatal = OT_ENOMEM;
        if (x->type != RT_PATIENT)
            continue;
        const char *pid = NULL;
        const cJSON *idf;
        cJSON_ArrayForEach(idf, get(x->j, "identifier"))
        {
            const char *sys = gets_(idf, "system");
            if (sys && !strcmp(sys, OT_FHIR_PID) && gets_(idf, "value"))
                pid = gets_(idf, "value");
        }
        if (!pid)
            pid = id;
        if (!pid || !pid[0]) {
            reject_res(f, x, "no id: neither an identifier of %s nor Patient.id", OT_FHIR_PID);
            continue;
        }
        char pk[420];
        snprintf(pk, sizeof pk, "#patient:%.400s", pid);
        int dup = smap_put(&m->refs, pk, i);
        if (dup < 0) {
            f->fatal = OT_ENOMEM;
            break;
        }
        if (dup) {
            char b[120];
            reject_res(f, x, "patient '%s' is given by a second Patient resource: the first is "
                       "read", ot_text_shown(b, sizeof b, pid, strlen(pid)));
            continue;
        }
        void *a = m->pats;
        if (ot_grow(&a, &m->cappats, m->npats + 1, sizeof *m->pats) != OT_OK) {
            f->fatal = OT_ENOMEM;
            break;
        }
        m->pats = a;
        if (!cJSON_AddStringToObject(x->j, "#osteotrack-id", pid)) {
            f->fatal = OT_ENOMEM;
            break;
        }
        m->pats[m->npats].res = i;
        m->pats[m->npats].id = gets_(x->j, "#osteotrack-id");
        x->pat = (long)m->npats++;
    }
}

static void map_resource(mapping *m, size_t i)
{
    ot_fhir_in *f = m->f;
    res *x = &f->r[i];
    const char *t = gets_(x->j, "resourceType");
    char b[80];
    if (x->state != ST_PENDING || x->type == RT_PATIENT)
        return;
    if (!t || !is_r4_type(t)) {
        reject_res(f, x, "resourceType '%s' is not a FHIR R4 resource type (wrong or unknown "
                   "resourceType)", t ? ot_text_shown(b, sizeof b, t, strlen(t)) : "");
        return;
    }
    switch (x->type) {
    case RT_OBS: map_observation(m, i); break;
    case RT_MSTMT:
    case RT_MREQ:
    case RT_MADMIN: map_medication(m, i); break;
    case RT_COND: map_condition(m, i); break;
    case RT_DEVICE:
    case RT_MEDICATION: break; /* read through the resources that name them */
    default: not_relevant(f, x, NULL, NULL, "a resource type osteotrack does not use"); break;
    }
}

/* The T- and Z-scores join the BMD of the same patient, day, site, side. */
static void join_scores(mapping *m, size_t lo, size_t hi)
{
    ot_fhir_in *f = m->f;
    for (size_t i = lo; i < hi; i++) {
        fact *s = &m->facts[i];
        if (s->kind != F_SCORE)
            continue;
        long bmd = -1;
        int many = 0;
        for (size_t k = lo; k < hi; k++) {
            const fact *b = &m->facts[k];
            if (b->kind == F_BMD && b->date == s->date && b->site == s->site &&
                b->side == s->side) {
                many += bmd >= 0;
                bmd = (long)k;
            }
        }
        res *x = &f->r[s->res];
        const char *what = s->zscore ? "Z-score" : "T-score";
        if (bmd < 0) {
            reject_res(f, x, "a %s with no BMD observation of the same patient, day, site and "
                       "side to join", what);
            continue;
        }
        if (many) {
            reject_res(f, x, "a %s with two BMD observations of the same patient, day, site and "
                       "side: which one it belongs to cannot be told", what);
            continue;
        }
        long *slot = s->zscore ? &m->facts[bmd].zscore_of : &m->facts[bmd].tscore;
        if (*slot >= 0) {
            reject_res(f, x, "a second %s for the same BMD observation", what);
            continue;
        }
        *slot = (long)i;
        s->joined = bmd;
    }
}

/* The resources an item of the patient document was made from. */
typedef struct item_src {
    size_t *res;
    size_t n, cap;
} item_src;

typedef struct build {
    mapping *m;
    item_src *obs, *thx, *fxs, demo;
    size_t nobs, nthx, nfx;
    const char *id;
} build;

static int src_add(item_src *s, size_t r)
{
    void *a = s->res;
    if (ot_grow(&a, &s->cap, s->n + 1, sizeof *s->res) != OT_OK)
        return -1;
    s->res = a;
    s->res[s->n++] = r;
    return 0;
}

/* A part of the document the JSON reader rejected: each resource it came
 * from is rejected with the reason. */
static void on_part(void *ctx, const char *where, const char *reason)
{
    build *b = ctx;
    item_src *s = NULL;
    size_t k = 0;
    if (sscanf(where, "observations[%zu]", &k) == 1 && k < b->nobs)
        s = &b->obs[k];
    else if (sscanf(where, "therapies[%zu]", &k) == 1 && k < b->nthx)
        s = &b->thx[k];
    else if (sscanf(where, "fractures[%zu]", &k) == 1 && k < b->nfx)
        s = &b->fxs[k];
    else if (!strncmp(where, "demographics", 12))
        s = &b->demo;
    for (size_t i = 0; s && i < s->n; i++)
        reject_res(b->m->f, &b->m->f->r[s->res[i]], "%s", reason);
    if (!s) /* not expected: the document is osteotrack's own */
        reject_at(b->m->f, "(fhir)", 0, -1, b->id, reason);
}

static cJSON *date_json(ot_date d)
{
    char s[11];
    ot_date_format(s, d);
    return cJSON_CreateString(s);
}

static int by_pat(const void *a, const void *b)
{
    const fact *x = a, *y = b;
    if (x->pat != y->pat)
        return x->pat < y->pat ? -1 : 1;
    return x->res < y->res ? -1 : x->res > y->res;
}


/* A new object at the end of array arr, or NULL (out of memory). */
static cJSON *new_item(cJSON *arr)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        o = NULL;
    }
    return o;
}

/* Builds patient pi's document from facts[lo, hi) and hands it on. */
static int build_patient(mapping *m, size_t pi, size_t lo, size_t hi)
{
    ot_fhir_in *f = m->f;
    res *pr = &f->r[m->pats[pi].res];
    build b;
    memset(&b, 0, sizeof b);
    b.m = m;
    b.id = m->pats[pi].id;
    size_t n = hi - lo;
    b.obs = calloc(n + 1, sizeof *b.obs);
    b.thx = calloc(n + 1, sizeof *b.thx);
    b.fxs = calloc(n + 1, sizeof *b.fxs);
    cJSON *doc = cJSON_CreateObject();
    cJSON *obs = cJSON_AddArrayToObject(doc, "observations");
    cJSON *thx = cJSON_AddArrayToObject(doc, "therapies");
    cJSON *fxs = cJSON_AddArrayToObject(doc, "fractures");
    int rc = (!b.obs || !b.thx || !b.fxs || !doc || !obs || !thx || !fxs) ? -1 : 0;
    if (!rc && !cJSON_AddStringToObject(doc, "patient_id", b.id))
        rc = -1;
    /* demographics: the Patient resource, and the latest menopausal status */
    const char *g = gets_(pr->j, "gender"), *bd = gets_(pr->j, "birthDate");
    int demo = 0;
    if (!rc && g && (!strcmp(g, "female") || !strcmp(g, "male"))) {
        rc = cJSON_AddStringToObject(doc, "sex", g[0] == 'f' ? "F" : "M") ? 0 : -1;
        demo = 1;
    }
    if (!rc && bd) {
        ot_date d;
        char sb[40];
        if (strlen(bd) == 10 && ot_date_parse(&d, bd) == OT_OK) {
            rc = cJSON_AddStringToObject(doc, "birth_date", bd) ? 0 : -1;
            demo = 1;
        } else if (f->cb.note) {
            char msg[300];
            char ib[200];
            snprintf(msg, sizeof msg, "%s:%ld: patient %s: Patient.birthDate '%s' is not a full "
                     "date (YYYY-MM-DD): the birth date is left out", pr->file, pr->line,
                     ot_text_shown(ib, sizeof ib, b.id, strlen(b.id)),
                     ot_text_shown(sb, sizeof sb, bd, strlen(bd)));
            f->cb.note(f->cb.ctx, msg);
        }
    }
    long meno = -1;
    for (size_t i = lo; i < hi; i++)
        if (m->facts[i].kind == F_MENO && f->r[m->facts[i].res].state == ST_PENDING &&
            (meno < 0 || m->facts[i].date >= m->facts[meno].date))
            meno = (long)i;
    if (!rc && meno >= 0) {
        static const char *const mn[] = {NULL, "pre", "peri", "post"};
        rc = cJSON_AddStringToObject(doc, "menopausal_status", mn[m->facts[meno].meno]) ? 0 : -1;
        demo = 1;
    }
    if (!rc && src_add(&b.demo, m->pats[pi].res) != 0)
        rc = -1;
    for (size_t i = lo; i < hi && !rc; i++)
        if (m->facts[i].kind == F_MENO && f->r[m->facts[i].res].state == ST_PENDING)
            rc = src_add(&b.demo, m->facts[i].res);
    (void)demo;
    /* observations: BMD with the scores joined to it, markers */
    for (size_t i = lo; i < hi && !rc; i++) {
        fact *x = &m->facts[i];
        if ((x->kind != F_BMD && x->kind != F_MARKER) || f->r[x->res].state != ST_PENDING)
            continue;
        cJSON *o = new_item(obs);
        if (!o) {
            rc = -1;
            break;
        }
        item_src *s = &b.obs[b.nobs++];
        cJSON_AddItemToObject(o, "date", date_json(x->date));
        cJSON_AddStringToObject(o, "analyte", ot_analyte_name(x->kind == F_BMD ? OT_ANALYTE_BMD
                                                                                : x->analyte));
        rc = src_add(s, x->res);
        if (x->kind == F_BMD) {
            cJSON_AddStringToObject(o, "site", ot_site_name(x->site));
            if (x->side != OT_SIDE_NONE)
                cJSON_AddStringToObject(o, "side", ot_side_name(x->side));
            if (x->region)
                cJSON_AddStringToObject(o, "region", x->region);
        }
        cJSON_AddNumberToObject(o, "value", x->value);
        cJSON_AddStringToObject(o, "unit", x->unit);
        if (x->device[0])
            cJSON_AddStringToObject(o, "device", x->device);
        if (x->mfr)
            cJSON_AddStringToObject(o, "manufacturer", x->mfr);
        if (x->tscore >= 0) {
            cJSON_AddNumberToObject(o, "tscore", m->facts[x->tscore].value);
            rc = rc ? rc : src_add(s, m->facts[x->tscore].res);
        }
        if (x->zscore_of >= 0) {
            cJSON_AddNumberToObject(o, "zscore", m->facts[x->zscore_of].value);
            rc = rc ? rc : src_add(s, m->facts[x->zscore_of].res);
        }
    }
    /* therapies: each statement a course with the doses in it; the doses in
     * no course, one therapy a agent */
    for (size_t i = lo; i < hi && !rc; i++) {
        fact *d = &m->facts[i];
        if (d->kind != F_DOSE || f->r[d->res].state != ST_PENDING)
            continue;
        for (size_t k = lo; k < hi; k++) {
            const fact *c = &m->facts[k];
            if (c->kind == F_COURSE && c->agent == d->agent && f->r[c->res].state == ST_PENDING &&
                c->start <= d->date && (c->end == OT_DATE_NONE || d->date <= c->end)) {
                d->joined = (long)k;
                break;
            }
        }
    }
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (size_t i = lo; i < hi && !rc; i++) {
            fact *c = &m->facts[i];
            if (f->r[c->res].state != ST_PENDING)
                continue;
            if (pass == 0 ? c->kind != F_COURSE : (c->kind != F_DOSE || c->joined >= 0))
                continue;
            if (pass == 1) { /* the first dose in no course of its agent */
                int earlier = 0;
                for (size_t k = lo; k < i; k++)
                    earlier |= m->facts[k].kind == F_DOSE && m->facts[k].joined < 0 &&
                               m->facts[k].agent == c->agent &&
                               f->r[m->facts[k].res].state == ST_PENDING;
                if (earlier)
                    continue;
            }
            cJSON *t = new_item(thx);
            if (!t) {
                rc = -1;
                break;
            }
            item_src *s = &b.thx[b.nthx++];
            cJSON_AddStringToObject(t, "agent", ot_agent_name(c->agent));
            if (pass == 0) {
                cJSON_AddItemToObject(t, "start", date_json(c->start));
                if (c->end != OT_DATE_NONE)
                    cJSON_AddItemToObject(t, "end", date_json(c->end));
                rc = src_add(s, c->res);
            }
            cJSON *doses = NULL;
            for (size_t k = lo; k < hi && !rc; k++) {
                fact *d = &m->facts[k];
                if (d->kind != F_DOSE || f->r[d->res].state != ST_PENDING || d->agent != c->agent)
                    continue;
                if (pass == 0 ? d->joined != (long)i : d->joined >= 0)
                    continue;
                if (!doses && !(doses = cJSON_AddArrayToObject(t, "doses"))) {
                    rc = -1;
                    break;
                }
                cJSON_AddItemToArray(doses, date_json(d->date));
                rc = src_add(s, d->res);
            }
        }
    for (size_t i = lo; i < hi && !rc; i++) {
        fact *x = &m->facts[i];
        if (x->kind != F_FX || f->r[x->res].state != ST_PENDING)
            continue;
        cJSON *o = new_item(fxs);
        if (!o) {
            rc = -1;
            break;
        }
        cJSON_AddItemToObject(o, "date", date_json(x->date));
        cJSON_AddStringToObject(o, "site", ot_fracture_site_name(x->fx));
        rc = src_add(&b.fxs[b.nfx++], x->res);
    }
    int stop = 0;
    if (rc) {
        f->fatal = OT_ENOMEM;
    } else {
        ot_patient *p = f->cb.patient(f->cb.ctx);
        ot_error err = {0, ""};
        size_t nitems = 0;
        int jrc = p ? ot_patient_from_json_tree(p, f->rd, doc, on_part, NULL, 0,
                                                &b, &nitems, NULL, &err)
                    : OT_ENOMEM;
        char why[600] = "";
        int refused = 0;
        if (jrc == OT_ENOMEM) {
            f->fatal = OT_ENOMEM;
        } else if (jrc != OT_OK) {
            ot_strlcpy(why, err.message, sizeof why);
            refused = 1;
        } else {
            char where[32];
            if (pr->entry >= 0)
                snprintf(where, sizeof where, "entry[%ld]", pr->entry);
            int d = f->cb.done(f->cb.ctx, p, pr->file, pr->line, pr->entry >= 0 ? where : NULL,
                               why, sizeof why);
            refused = d != 0;
            stop = d < 0;
        }
        /* what is still pending was used, unless the patient was refused */
        for (size_t i = lo; i < hi; i++) {
            res *x = &f->r[m->facts[i].res];
            if (x->state == ST_PENDING && refused)
                reject_res(f, x, "%s", why);
            else if (x->state == ST_PENDING)
                x->state = ST_USED;
        }
        if (pr->state == ST_PENDING && refused)
            reject_res(f, pr, "%s", why);
        else if (pr->state == ST_PENDING)
            pr->state = ST_USED;
    }
    cJSON_Delete(doc);
    for (size_t i = 0; i < n + 1; i++) {
        if (b.obs)
            free(b.obs[i].res);
        if (b.thx)
            free(b.thx[i].res);
        if (b.fxs)
            free(b.fxs[i].res);
    }
    free(b.demo.res);
    free(b.obs);
    free(b.thx);
    free(b.fxs);
    return stop;
}

int ot_fhir_in_finish(ot_fhir_in *f, ot_error *err)
{
    mapping m;
    memset(&m, 0, sizeof m);
    m.f = f;
    if (names_make(&m) != 0)
        f->fatal = OT_ENOMEM;
    map_patients(&m);
    f->pats = m.pats;
    for (size_t i = 0; i < f->n && !f->fatal; i++)
        map_resource(&m, i);
    /* facts by patient, in the order read */
    if (m.nfacts)
        qsort(m.facts, m.nfacts, sizeof *m.facts, by_pat);
    /* the indexes of joined facts are made after the sort */
    size_t lo = 0;
    for (size_t pi = 0; pi < m.npats && !f->fatal; pi++) {
        size_t hi = lo;
        while (hi < m.nfacts && m.facts[hi].pat == (long)pi)
            hi++;
        join_scores(&m, lo, hi);
        if (build_patient(&m, pi, lo, hi))
            break;
        lo = hi;
    }
    /* a Device or Medication is used when a resource read names it */
    for (size_t i = 0; i < f->n && !f->fatal; i++) {
        res *x = &f->r[i];
        if ((x->type == RT_DEVICE || x->type == RT_MEDICATION) && x->state == ST_PENDING &&
            is_r4_type(gets_(x->j, "resourceType"))) {
            if (x->referenced == 1)
                x->state = ST_USED;
            else if (x->referenced == 2)
                not_relevant(f, x, NULL, NULL, "named only by resources osteotrack does not "
                             "use");
            else
                not_relevant(f, x, NULL, NULL, "named by no resource osteotrack reads");
        }
    }
    free(m.facts);
    free(m.names);
    f->pats = NULL;
    free(m.pats);
    smap_free(&m.refs);
    /* everything read is now used, rejected or not relevant; the resources
     * are let go */
    for (size_t i = 0; i < f->n; i++) {
        cJSON_Delete(f->r[i].j);
        free(f->r[i].full_url);
    }
    f->n = 0;
    return f->fatal ? ot_err_set(err, OT_ENOMEM, "out of memory") : OT_OK;
}

int ot_input_looks_fhir(const char *s, size_t n) { return s ? ot_fhir_sniff(s, n) : 0; }

/* ---- one document, one patient (ot_patient_from_fhir) ---- */

typedef struct one {
    ot_patient *p, *extra;
    ot_reject_fn reject;
    void *ctx;
    size_t patients;
    int nomem;
} one;

static void one_reject(void *ctx, const char *file, long line, const char *patient,
                       const char *where, const char *reason)
{
    one *o = ctx;
    char w[40];
    (void)file;
    (void)patient;
    if (!where)
        snprintf(w, sizeof w, "line %ld", line);
    if (o->reject)
        o->reject(o->ctx, where ? where : w, reason);
}

static ot_patient *one_patient(void *ctx)
{
    one *o = ctx;
    if (o->patients == 0)
        return o->p;
    if (!o->extra && ot_patient_new(&o->extra, "") != OT_OK)
        o->nomem = 1;
    return o->extra;
}

static int one_done(void *ctx, ot_patient *p, const char *file, long line, const char *where,
                    char *why, size_t whysz)
{
    one *o = ctx;
    (void)p;
    (void)file;
    (void)line;
    (void)where;
    if (o->patients++ == 0)
        return 0;
    snprintf(why, whysz, "a second patient in the document (ot_patient_from_fhir reads one; "
             "ot_patient_reader reads any number)");
    return 1;
}

int ot_patient_from_fhir(ot_patient *p, const ot_refdata *rd, const char *json, size_t len,
                         ot_reject_fn reject, void *ctx, size_t *nitems, size_t *not_relevant,
                         ot_error *err)
{
    if (nitems)
        *nitems = 0;
    if (not_relevant)
        *not_relevant = 0;
    if (!p || !rd || (!json && len))
        return ot_err_set(err, OT_EINVAL, "ot_patient_from_fhir: NULL argument");
    one o = {p, NULL, reject, ctx, 0, 0};
    ot_fhir_cb cb = {&o, one_reject, NULL, one_patient, one_done};
    ot_fhir_in *f;
    if (ot_fhir_in_new(&f, rd, &cb) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    int rc = ot_fhir_in_read_mem(f, json ? json : "", len, "<fhir>", err);
    if (rc == OT_OK || rc == OT_EIO)
        rc = ot_fhir_in_finish(f, err);
    size_t nr = 0, read = 0;
    ot_fhir_in_counts(f, &read, NULL, &nr);
    if (nitems)
        *nitems = read;
    if (not_relevant)
        *not_relevant = nr;
    ot_fhir_in_free(f);
    ot_patient_free(o.extra);
    if (rc == OT_OK && o.nomem)
        rc = ot_err_set(err, OT_ENOMEM, "out of memory");
    if (rc == OT_OK && o.patients == 0)
        rc = ot_err_set(err, OT_EDATA, "no Patient resource with an id (a document of FHIR "
                        "holds its patient)");
    else if (rc == OT_OK && o.patients > 1)
        rc = ot_err_set(err, OT_EDATA, "%zu patients in the document (expected one)",
                        o.patients);
    return rc;
}

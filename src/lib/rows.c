/* Long and wide CSV rows into checked records (osteotrack(1) "INPUT FILES"). */
#include "csv.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col {
    /* both layouts */
    C_ID, C_DATE, C_DEVICE, C_MFR, C_THERAPY, C_TSTART, C_TEND, C_SEX, C_BIRTH, C_MENO,
    C_SIDE, C_REGION, /* where a BMD scan was taken (wide: the visit's hip and spine) */
    /* long only */
    C_ANALYTE, C_SITE, C_VALUE, C_UNIT, C_TSCORE, C_ZSCORE,
    /* wide only */
    C_BMD0, C_T0 = C_BMD0 + OT_SITE_COUNT, C_Z0 = C_T0 + OT_SITE_COUNT,
    C_P1NP = C_Z0 + OT_SITE_COUNT, C_CTX, C_BMD_UNIT, C_P1NP_UNIT, C_CTX_UNIT, C_FRACTURE, C_DOSE,
    C_COUNT
};

static const char *const col_names[C_COUNT] = {
    "patient_id", "date", "device", "manufacturer", "therapy", "therapy_start", "therapy_end",
    "sex", "birth_date", "menopausal_status", "side", "region",
    "analyte", "site", "value", "unit", "tscore", "zscore",
    "lumbar_spine_bmd", "total_hip_bmd", "femoral_neck_bmd", "radius_33_bmd",
    "lumbar_spine_tscore", "total_hip_tscore", "femoral_neck_tscore", "radius_33_tscore",
    "lumbar_spine_zscore", "total_hip_zscore", "femoral_neck_zscore", "radius_33_zscore",
    "p1np", "ctx", "bmd_unit", "p1np_unit", "ctx_unit", "fracture", "dose"};

_Static_assert(OT_SITE_COUNT == 4,
               "col_names names the *_bmd, *_tscore, *_zscore columns of 4 sites");

#define FRACTURE_SITES                                                                    \
    "vertebral, hip, wrist, humerus, pelvis, other, skull_face, hand_finger, foot_toe or " \
    "ankle"
_Static_assert(OT_FX_COUNT == 10, "FRACTURE_SITES names every fracture site");

struct ot_rowreader {
    ot_csv *csv;
    const ot_refdata *rd;
    ot_input_format fmt;
    size_t ncols;            /* fields of the header */
    int col[C_COUNT];
    char warning[512];
    char device[OT_DEVICE_MAX]; /* the row's device name, trimmed */
};

int ot_input_format_parse(ot_input_format *out, const char *s)
{
    static const char *const names[] = {"csv", "long-csv", "wide-csv", "json", "ndjson", "fhir"};
    if (!out || !s)
        return OT_EINVAL;
    for (int i = 0; i < 6; i++)
        if (!strcmp(s, names[i])) {
            *out = (ot_input_format)i;
            return OT_OK;
        }
    if (!strcmp(s, "jsonl")) {
        *out = OT_INPUT_NDJSON;
        return OT_OK;
    }
    return OT_EVOCAB;
}

typedef struct rowctx {
    ot_rowreader *r;
    const ot_csv_row *csv;
    ot_row *row;
    ot_error *err;
} rowctx;

static const char *field(const rowctx *x, enum col c, size_t *len)
{
    int i = x->r->col[c];
    *len = 0;
    if (i < 0 || (size_t)i >= x->csv->nfields)
        return NULL;
    const char *s = x->csv->fields[i];
    size_t n = x->csv->lengths[i];
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return n ? s : NULL;
}

static int reject(const rowctx *x, const char *fmt, ...) OT_PRINTF(2, 3);
static int reject(const rowctx *x, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ot_err_set(x->err, OT_EPARSE, "%s:%ld: %s", ot_csv_name(x->r->csv), x->csv->line, msg);
}

/* Copies a field for a message: shortened, NUL-terminated, and with control
 * characters (a newline inside quotes) and invalid UTF-8 escaped so a
 * message is one line of text. */
static const char *shown(char *buf, size_t size, const char *s, size_t n)
{
    /* nearly every field is short printable ASCII, shown as it is */
    if (n < size) {
        size_t i = 0;
        while (i < n && (unsigned char)(s[i] - 0x20) < 0x5F)
            i++;
        if (i == n) {
            memcpy(buf, s, n);
            buf[n] = '\0';
            return buf;
        }
    }
    return ot_text_shown(buf, size, s, n);
}

/* A text field that is used as it is (patient_id, device): valid UTF-8
 * without control characters, else the row is rejected. */
static int check_text(const rowctx *x, enum col c, const char *s, size_t n)
{
    const char *why;
    size_t at;
    char buf[40];
    if (ot_text_check(s, n, &why, &at) == 0)
        return OT_OK;
    return reject(x, "%s: '%s' %s (at byte %zu)", col_names[c], shown(buf, sizeof buf, s, n), why,
                  at + 1);
}

static int get_date(const rowctx *x, enum col c, ot_date *out, int required)
{
    size_t n;
    const char *s = field(x, c, &n);
    char buf[40];
    *out = OT_DATE_NONE;
    if (!s)
        return required ? reject(x, "%s: missing (expected YYYY-MM-DD)", col_names[c]) : OT_OK;
    /* the 10 bytes as they are: a byte that shown() would escape is no digit
     * or '-', so it fails the parse either way */
    char d[11];
    if (n == 10) {
        memcpy(d, s, 10);
        d[10] = '\0';
    }
    if (n != 10 || ot_date_parse(out, d) != OT_OK)
        return reject(x, "%s: '%s' is not a valid date (expected YYYY-MM-DD, 1900-2199)",
                      col_names[c], shown(buf, sizeof buf, s, n));
    return OT_OK;
}

static int get_number(const rowctx *x, enum col c, double *out, int required)
{
    size_t n;
    const char *s = field(x, c, &n);
    char buf[40];
    *out = NAN;
    if (!s)
        return required ? reject(x, "%s: missing (expected a number)", col_names[c]) : OT_OK;
    int rc = ot_parse_number(out, s, n);
    if (rc == OT_ERANGE)
        return reject(x, "%s: '%s' is too large (not a finite number)", col_names[c],
                      shown(buf, sizeof buf, s, n));
    if (rc)
        return reject(x, "%s: '%s' is not a number (expected digits with '.' as the decimal "
                      "mark)", col_names[c], shown(buf, sizeof buf, s, n));
    return OT_OK;
}

/* A vocabulary field: parse(out, text) over a NUL-terminated copy. */
typedef int (*parse_fn)(void *out, const char *s);

static int get_vocab(const rowctx *x, enum col c, void *out, parse_fn parse, const char *expected,
                     int *given)
{
    size_t n;
    const char *s = field(x, c, &n);
    char buf[64];
    *given = s != NULL;
    if (!s)
        return OT_OK;
    if (n >= sizeof buf || parse(out, shown(buf, sizeof buf, s, n)) != OT_OK)
        return reject(x, "%s: unknown value '%s' (expected %s)", col_names[c],
                      shown(buf, sizeof buf, s, n), expected);
    return OT_OK;
}

static int p_analyte(void *o, const char *s) { return ot_analyte_parse(o, s); }
static int p_agent(void *o, const char *s) { return ot_agent_parse(o, s); }
static int p_mfr(void *o, const char *s) { return ot_manufacturer_parse(o, s); }
static int p_fx(void *o, const char *s) { return ot_fracture_site_parse(o, s); }
static int p_unit(void *o, const char *s) { return ot_unit_parse(o, s); }
static int p_sex(void *o, const char *s) { return ot_sex_parse(o, s); }
static int p_side(void *o, const char *s) { return ot_side_parse(o, s); }
static int p_region(void *o, const char *s) { return ot_spine_region_parse(o, s); }
static int p_meno(void *o, const char *s) { return ot_menopause_parse(o, s); }

/* A value of analyte `a` in the unit of column `uc` (canonical if empty),
 * converted and checked against data/plausibility.json. */
static int get_value(const rowctx *x, enum col vc, enum col uc, ot_analyte a, double *out)
{
    ot_unit unit = ot_unit_canonical(a);
    int given;
    int rc = get_number(x, vc, out, 1);
    if (rc == OT_OK)
        rc = get_vocab(x, uc, &unit, p_unit, "a unit such as g/cm2, ug/L or ng/L", &given);
    if (rc != OT_OK)
        return rc;
    double raw = *out;
    if (ot_unit_to_canonical(out, a, unit, raw) != OT_OK)
        return reject(x, "%s: unit %s is not a %s unit (expected %s)", col_names[uc],
                      ot_unit_name(unit), a == OT_ANALYTE_BMD ? "BMD" : a == OT_ANALYTE_P1NP ? "P1NP" : "CTX",
                      a == OT_ANALYTE_BMD    ? "g/cm2 or mg/cm2"
                      : a == OT_ANALYTE_P1NP ? "ug/L or ng/mL"
                                             : "ng/L, pg/mL, ng/mL or ug/L");
    ot_error e;
    if (ot_check_plausible(x->r->rd, a, *out, raw, unit, "", &e) != OT_OK)
        return reject(x, "%s: %s", col_names[vc], e.message);
    return OT_OK;
}

static ot_record *new_record(const rowctx *x, ot_record_kind kind, ot_date date)
{
    ot_record *r = &x->row->records[x->row->nrecords++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->date = date;
    r->tscore = r->zscore = NAN;
    r->start = r->end = r->birth_date = OT_DATE_NONE;
    return r;
}

/* A scanner-reported T- or Z-score: empty (NaN) or -10 to 10. */
static int get_score(const rowctx *x, enum col c, double *out)
{
    int rc = get_number(x, c, out, 0);
    if (rc == OT_OK && !isnan(*out) && !(*out >= -10 && *out <= 10))
        rc = reject(x, "%s: %g is outside -10 to 10", col_names[c], *out);
    return rc;
}

#define REGIONS "a range or a single vertebra of L1-L4: L1-L4, L1-L3, L2-L4, L1-L2, L2-L3, " \
                "L3-L4, L1, L2, L3 or L4"

/* The side and the spine region of a scan. Long CSV: they must fit the
 * row's site (a side for a hip or the radius, a region for the spine).
 * Wide CSV: the side is the visit's hip's (total_hip, femoral_neck), the
 * region its spine's; other sites take neither. */
static int get_where(const rowctx *x, ot_record *rec, int wide)
{
    int gside, gregion;
    ot_side side = OT_SIDE_NONE;
    ot_spine_region region = OT_REGION_NONE;
    int rc = get_vocab(x, C_SIDE, &side, p_side, "left or right; also L or R", &gside);
    if (rc == OT_OK)
        rc = get_vocab(x, C_REGION, &region, p_region, REGIONS, &gregion);
    if (rc != OT_OK)
        return rc;
    if (!wide) { /* a scanner's label ("Left Total Hip", "L2-L4") says where, too */
        size_t n;
        const char *s = field(x, C_SITE, &n);
        char why[200];
        if (ot_site_label_where(x->r->rd, s, n, &side, &region, why, sizeof why))
            return reject(x, "%s", why);
    }
    int spine = rec->site == OT_SITE_LUMBAR_SPINE;
    int hip = rec->site == OT_SITE_TOTAL_HIP || rec->site == OT_SITE_FEMORAL_NECK;
    if (wide) {
        rec->side = hip ? side : OT_SIDE_NONE;
        rec->region = spine ? region : OT_REGION_NONE;
        return OT_OK;
    }
    if (gside && spine)
        return reject(x, "side: '%s' is given for lumbar_spine (a side applies to total_hip, "
                      "femoral_neck and radius_33; expected it empty)", ot_side_name(side));
    if (gregion && !spine)
        return reject(x, "region: '%s' is given for %s (a region applies to lumbar_spine only; "
                      "expected it empty)", ot_spine_region_name(region), ot_site_name(rec->site));
    rec->side = side;
    rec->region = region;
    return OT_OK;
}

static int get_bmd_extras(const rowctx *x, ot_record *rec, enum col tc, enum col zc, int wide)
{
    size_t n;
    int given;
    int rc = get_where(x, rec, wide);
    if (rc == OT_OK)
        rc = get_score(x, tc, &rec->tscore);
    if (rc == OT_OK)
        rc = get_score(x, zc, &rec->zscore);
    if (rc == OT_OK)
        rc = get_vocab(x, C_MFR, &rec->manufacturer, p_mfr, "hologic, ge_lunar, norland or other",
                       &given);
    /* trimmed like every field, when it is not blank; a name too long to
     * hold is refused, never cut */
    const char *dev = field(x, C_DEVICE, &n);
    rec->device = NULL;
    if (rc == OT_OK && dev)
        rc = check_text(x, C_DEVICE, dev, n);
    if (rc == OT_OK && dev && n >= OT_DEVICE_MAX) {
        ot_error e;
        ot_check_device(dev, "", &e);
        rc = reject(x, "device: %s", e.message);
    }
    if (rc == OT_OK && dev) {
        memcpy(x->r->device, dev, n);
        x->r->device[n] = '\0';
        rec->device = x->r->device;
    }
    return rc;
}

/* Sex, birth date and menopausal status: a DEMOGRAPHICS record, the row's
 * first, when any of them is given (a patient refuses one that contradicts
 * what an earlier row gave). */
static int get_demographics(const rowctx *x, ot_date date)
{
    ot_sex sex = OT_SEX_UNKNOWN;
    ot_menopause meno = OT_MENOPAUSE_UNKNOWN;
    ot_date birth = OT_DATE_NONE;
    int gsex, gmeno;
    char a[11], b[11];
    int rc = get_vocab(x, C_SEX, &sex, p_sex, "F, M, female or male", &gsex);
    if (rc == OT_OK)
        rc = get_vocab(x, C_MENO, &meno, p_meno,
                       "pre, peri or post; also premenopausal, perimenopausal, postmenopausal",
                       &gmeno);
    if (rc == OT_OK)
        rc = get_date(x, C_BIRTH, &birth, 0);
    if (rc != OT_OK)
        return rc;
    if (birth != OT_DATE_NONE && birth > date) {
        ot_date_format(a, birth);
        ot_date_format(b, date);
        return reject(x, "birth_date: %s is after the row's date %s (expected a birth date on "
                      "or before it)", a, b);
    }
    if (sex == OT_SEX_MALE && gmeno)
        return reject(x, "menopausal_status: '%s' is given for a male patient (expected it empty "
                      "when sex is male)", ot_menopause_name(meno));
    if (!gsex && !gmeno && birth == OT_DATE_NONE)
        return OT_OK;
    ot_record *r = new_record(x, OT_REC_DEMOGRAPHICS, date);
    r->sex = sex;
    r->birth_date = birth;
    r->menopause = meno;
    return OT_OK;
}

/* "denosumab, zoledronate or ibandronate_iv": the agents with a dosing
 * interval in data/agents.json, the ones a dose is recorded for. */
static const char *dosed_agents(const ot_refdata *rd, char *buf, size_t size)
{
    size_t used = 0, n = 0, k = 0;
    for (int a = 0; a < OT_AGENT_COUNT; a++)
        n += isnan(rd->dosing[a].interval.value) ? 0u : 1u;
    buf[0] = '\0';
    for (int a = 0; a < OT_AGENT_COUNT && used < size; a++) {
        if (isnan(rd->dosing[a].interval.value))
            continue;
        k++;
        int w = snprintf(buf + used, size - used, "%s%s", k == 1 ? "" : k == n ? " or " : ", ",
                         ot_agent_name((ot_agent)a));
        used += w > 0 ? (size_t)w : 0;
    }
    if (!n)
        snprintf(buf, size, "none: agents.json gives no agent a dosing interval");
    return buf;
}

/* A dose of the agent named in column c, given on the row's date. The list
 * of agents for messages is made only for a message. */
static int get_dose(const rowctx *x, enum col c, ot_date date, int required)
{
    size_t n;
    const char *s = field(x, c, &n);
    char agents[160], buf[64];
    ot_agent agent;
    if (!s && !required)
        return OT_OK;
    if (!s)
        return reject(x, "%s: missing (on a dose row the %s column names the agent given: %s)",
                      col_names[c], col_names[c], dosed_agents(x->r->rd, agents, sizeof agents));
    if (n >= sizeof buf || ot_agent_parse(&agent, shown(buf, sizeof buf, s, n)) != OT_OK)
        return reject(x, "%s: unknown value '%s' (expected an agent given in doses: %s)",
                      col_names[c], shown(buf, sizeof buf, s, n),
                      dosed_agents(x->r->rd, agents, sizeof agents));
    if (agent == OT_AGENT_NONE)
        return reject(x, "%s: none names no agent (expected an agent given in doses: %s)",
                      col_names[c], dosed_agents(x->r->rd, agents, sizeof agents));
    if (isnan(x->r->rd->dosing[agent].interval.value))
        return reject(x, "%s: %s has no dosing interval in agents.json (expected an agent given "
                      "in doses: %s; give %s as a therapy instead)", col_names[c],
                      ot_agent_name(agent), dosed_agents(x->r->rd, agents, sizeof agents),
                      ot_agent_name(agent));
    new_record(x, OT_REC_DOSE, date)->agent = agent;
    return OT_OK;
}

static int get_therapy(const rowctx *x, ot_date date)
{
    ot_agent agent;
    int given;
    int rc = get_vocab(x, C_THERAPY, &agent, p_agent,
                       "an agent such as alendronate, denosumab, teriparatide, or none", &given);
    if (rc != OT_OK || !given)
        return rc;
    ot_record *t = new_record(x, OT_REC_THERAPY, date);
    t->agent = agent;
    rc = get_date(x, C_TSTART, &t->start, 0);
    if (rc == OT_OK)
        rc = get_date(x, C_TEND, &t->end, 0);
    if (rc == OT_OK && t->start != OT_DATE_NONE && t->start > date)
        t->date = t->start; /* a therapy that began later: in effect from its start */
    if (rc == OT_OK && t->end != OT_DATE_NONE && t->start != OT_DATE_NONE && t->end < t->start)
        rc = reject(x, "therapy_end is before therapy_start");
    return rc;
}

/* A BMD site: osteotrack's names and aliases, or a scanner's label
 * (data/site_labels.json). */
static int get_site(const rowctx *x, ot_site *out, int *given)
{
    size_t n;
    const char *s = field(x, C_SITE, &n);
    char buf[64];
    *given = s != NULL;
    if (s && ot_site_parse_label(x->r->rd, out, s, n) != OT_OK)
        return reject(x, "site: unknown value '%s' (expected lumbar_spine, total_hip, "
                      "femoral_neck or radius_33)", shown(buf, sizeof buf, s, n));
    return OT_OK;
}

static int long_row(const rowctx *x, ot_date date)
{
    ot_analyte a;
    int given;
    int rc = get_vocab(x, C_ANALYTE, &a, p_analyte, "bmd, p1np, ctx, fracture or dose", &given);
    if (rc != OT_OK)
        return rc;
    if (!given)
        return reject(x, "analyte: missing (expected bmd, p1np, ctx, fracture or dose)");
    if (a == OT_ANALYTE_DOSE) /* the therapy column names the agent given: no course */
        return get_dose(x, C_THERAPY, date, 1);
    if (a == OT_ANALYTE_FRACTURE) {
        ot_fracture_site fs;
        rc = get_vocab(x, C_SITE, &fs, p_fx, FRACTURE_SITES, &given);
        if (rc == OT_OK && !given)
            rc = reject(x, "site: missing (a fracture needs its site)");
        if (rc == OT_OK)
            new_record(x, OT_REC_FRACTURE, date)->fracture = fs;
    } else if (a == OT_ANALYTE_BMD) {
        ot_site site;
        double v;
        rc = get_site(x, &site, &given);
        if (rc == OT_OK && !given)
            rc = reject(x, "site: missing (a BMD value needs its site)");
        if (rc == OT_OK)
            rc = get_value(x, C_VALUE, C_UNIT, a, &v);
        if (rc == OT_OK) {
            ot_record *r = new_record(x, OT_REC_BMD, date);
            r->site = site;
            r->value = v;
            rc = get_bmd_extras(x, r, C_TSCORE, C_ZSCORE, 0);
        }
    } else {
        double v;
        rc = get_value(x, C_VALUE, C_UNIT, a, &v);
        if (rc == OT_OK) {
            ot_record *r = new_record(x, OT_REC_MARKER, date);
            r->analyte = a;
            r->value = v;
        }
    }
    return rc == OT_OK ? get_therapy(x, date) : rc;
}

static int wide_row(const rowctx *x, ot_date date)
{
    int rc = OT_OK;
    for (int s = 0; rc == OT_OK && s < OT_SITE_COUNT; s++) {
        size_t n;
        double v;
        if (!field(x, (enum col)(C_BMD0 + s), &n))
            continue;
        rc = get_value(x, (enum col)(C_BMD0 + s), C_BMD_UNIT, OT_ANALYTE_BMD, &v);
        if (rc == OT_OK) {
            ot_record *r = new_record(x, OT_REC_BMD, date);
            r->site = (ot_site)s;
            r->value = v;
            rc = get_bmd_extras(x, r, (enum col)(C_T0 + s), (enum col)(C_Z0 + s), 1);
        }
    }
    for (int k = 0; rc == OT_OK && k < 2; k++) {
        size_t n;
        double v;
        enum col vc = k ? C_CTX : C_P1NP, uc = k ? C_CTX_UNIT : C_P1NP_UNIT;
        ot_analyte a = k ? OT_ANALYTE_CTX : OT_ANALYTE_P1NP;
        if (!field(x, vc, &n))
            continue;
        rc = get_value(x, vc, uc, a, &v);
        if (rc == OT_OK) {
            ot_record *r = new_record(x, OT_REC_MARKER, date);
            r->analyte = a;
            r->value = v;
        }
    }
    if (rc == OT_OK) { /* a fracture on the visit's date (an osteotrack addition) */
        ot_fracture_site fs;
        int given;
        rc = get_vocab(x, C_FRACTURE, &fs, p_fx, FRACTURE_SITES, &given);
        if (rc == OT_OK && given)
            new_record(x, OT_REC_FRACTURE, date)->fracture = fs;
    }
    if (rc == OT_OK) /* a dose given at the visit */
        rc = get_dose(x, C_DOSE, date, 0);
    return rc == OT_OK ? get_therapy(x, date) : rc;
}

static int has_col(const ot_rowreader *r, enum col c) { return r->col[c] >= 0; }

static int choose_format(ot_rowreader *r, ot_error *err)
{
    int wide = has_col(r, C_P1NP) || has_col(r, C_CTX);
    for (int s = 0; s < OT_SITE_COUNT; s++)
        wide |= has_col(r, (enum col)(C_BMD0 + s));
    if (r->fmt == OT_INPUT_AUTO)
        r->fmt = has_col(r, C_ANALYTE) ? OT_INPUT_LONG_CSV : wide ? OT_INPUT_WIDE_CSV : r->fmt;
    const char *name = ot_csv_name(r->csv);
    if (r->fmt == OT_INPUT_AUTO)
        return ot_err_set(err, OT_EPARSE, "%s:1: header: cannot tell long from wide CSV: expected "
                          "an analyte column (long) or columns such as lumbar_spine_bmd, p1np, "
                          "ctx (wide)", name);
    if (!has_col(r, C_ID) || !has_col(r, C_DATE))
        return ot_err_set(err, OT_EPARSE, "%s:1: header: patient_id and date columns are "
                          "required", name);
    if (r->fmt == OT_INPUT_LONG_CSV && (!has_col(r, C_ANALYTE) || !has_col(r, C_VALUE)))
        return ot_err_set(err, OT_EPARSE, "%s:1: header: long CSV needs analyte and value "
                          "columns", name);
    /* columns of the other layout are not used */
    int first = r->fmt == OT_INPUT_LONG_CSV ? C_BMD0 : C_ANALYTE;
    int last = r->fmt == OT_INPUT_LONG_CSV ? C_COUNT : C_BMD0;
    for (int c = first; c < last; c++)
        r->col[c] = -1;
    return OT_OK;
}

static void note_unused(ot_rowreader *r, const ot_csv_row *h)
{
    size_t used = 0;
    for (size_t i = 0; i < h->nfields; i++) {
        int mapped = 0;
        for (int c = 0; c < C_COUNT; c++)
            mapped |= r->col[c] == (int)i;
        if (mapped)
            continue;
        char b[64];
        int n = snprintf(r->warning + used, sizeof r->warning - used, "%s'%s'",
                         used ? ", " : "", ot_text_shown(b, sizeof b, h->fields[i], h->lengths[i]));
        if (n < 0 || (size_t)n >= sizeof r->warning - used)
            break;
        used += (size_t)n;
    }
    if (used) {
        char list[sizeof r->warning];
        memcpy(list, r->warning, used + 1);
        snprintf(r->warning, sizeof r->warning, "%s:1: columns not used (ignored): %.*s",
                 ot_csv_name(r->csv), (int)(sizeof r->warning - 64), list);
    }
}

const char *ot_rows_column_name(const char *name)
{
    for (int c = 0; name && c < C_COUNT; c++)
        if (!strcmp(name, col_names[c]))
            return col_names[c];
    return NULL;
}

/* The osteotrack column a map gives the header field s[0, n) (blanks
 * around it ignored), or NULL. */
static const char *map_lookup(const ot_column_map *m, const char *s, size_t n)
{
    if (!m)
        return NULL;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < m->n; i++)
        if (ot_ascii_casecmp(s, n, m->from[i]) == 0)
            return m->to[i];
    return NULL;
}

/* The header's names as a column map renames them (blanks around a name
 * mapped are dropped: osteotrack's name stands for it). */
static int map_header(ot_csv_row *mapped, const char **names, size_t *lens,
                      const ot_csv_row *h, const ot_column_map *m)
{
    for (size_t i = 0; i < h->nfields; i++) {
        const char *to = map_lookup(m, h->fields[i], h->lengths[i]);
        names[i] = to ? to : h->fields[i];
        lens[i] = to ? strlen(to) : h->lengths[i];
    }
    *mapped = *h;
    mapped->fields = names;
    mapped->lengths = lens;
    return OT_OK;
}

static int header_map(ot_rowreader *r, const ot_csv_row *h, const ot_column_map *m,
                      ot_error *err)
{
    if (!m)
        return ot_csv_header_map(r->col, r->csv, h, col_names, C_COUNT, err);
    const char **names = malloc((h->nfields ? h->nfields : 1) * sizeof *names);
    size_t *lens = malloc((h->nfields ? h->nfields : 1) * sizeof *lens);
    ot_csv_row mapped;
    int rc = names && lens ? map_header(&mapped, names, lens, h, m)
                           : ot_err_set(err, OT_ENOMEM, "out of memory");
    if (rc == OT_OK)
        rc = ot_csv_header_map(r->col, r->csv, &mapped, col_names, C_COUNT, err);
    free(names);
    free(lens);
    return rc;
}

char ot_rowreader_delimiter(const ot_rowreader *r, int *detected)
{
    if (detected)
        *detected = r ? ot_csv_delimiter_detected(r->csv) : 0;
    return r ? ot_csv_delimiter(r->csv) : 0;
}

int ot_rowreader_open(ot_rowreader **out, const ot_refdata *rd, FILE *f, const char *name,
                      ot_input_format fmt, ot_error *err)
{
    return ot_rowreader_open_dialect(out, rd, f, name, fmt, ',', OT_ENCODING_UTF8, NULL, err);
}

int ot_rowreader_open_dialect(ot_rowreader **out, const ot_refdata *rd, FILE *f,
                              const char *name, ot_input_format fmt, char delimiter,
                              ot_encoding encoding, const ot_column_map *columns,
                              ot_error *err)
{
    if (!out || !rd || !f || !name)
        return ot_err_set(err, OT_EINVAL, "ot_rowreader_open: NULL argument");
    *out = NULL;
    if (fmt != OT_INPUT_AUTO && fmt != OT_INPUT_LONG_CSV && fmt != OT_INPUT_WIDE_CSV)
        return ot_err_set(err, OT_EINVAL, "%s: the row reader reads CSV only", name);
    ot_rowreader *r = calloc(1, sizeof *r);
    if (!r)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    r->rd = rd;
    r->fmt = fmt;
    ot_csv_dialect d = {delimiter, (int)encoding};
    int rc = ot_csv_open_dialect(&r->csv, f, name, &d, OT_CSV_BUFSIZE, err);
    ot_csv_row h;
    if (rc == OT_OK) {
        rc = ot_csv_next(r->csv, &h, err);
        if (rc == 0)
            rc = ot_err_set(err, OT_EPARSE, "%s:1: empty file: expected a header row", name);
        else if (rc == 1)
            rc = header_map(r, &h, columns, err);
    }
    if (rc == OT_OK)
        rc = choose_format(r, err);
    if (rc == OT_OK) {
        r->ncols = h.nfields;
        note_unused(r, &h);
    }
    if (rc != OT_OK) {
        ot_rowreader_close(r);
        return rc;
    }
    *out = r;
    return OT_OK;
}

const char *ot_rowreader_warning(const ot_rowreader *r)
{
    return r && r->warning[0] ? r->warning : NULL;
}

ot_input_format ot_rowreader_format(const ot_rowreader *r) { return r ? r->fmt : OT_INPUT_AUTO; }

static int next_row(ot_rowreader *r, ot_row *row, ot_error *err, int ids_only)
{
    ot_csv_row csv;
    int rc = ot_csv_next(r->csv, &csv, err);
    row->nrecords = 0;
    row->line = csv.line;
    row->patient_id = NULL;
    row->patient_id_len = 0;
    if (rc <= 0)
        return rc;
    rowctx x = {r, &csv, row, err};
    size_t n;
    if (csv.nfields > r->ncols) /* a value would be silently dropped, or the columns shifted */
        return reject(&x, "%zu fields, but the header has %zu (a comma too many, or a value "
                      "with a comma that is not quoted?)", csv.nfields, r->ncols);
    const char *id = field(&x, C_ID, &n);
    if (!id)
        return reject(&x, "patient_id: missing (expected a non-empty identifier)");
    row->patient_id = id;
    row->patient_id_len = n;
    if (ids_only)
        return 1;
    if (check_text(&x, C_ID, id, n) != OT_OK) {
        row->patient_id = NULL;
        row->patient_id_len = 0;
        return OT_EPARSE;
    }
    ot_date date;
    rc = get_date(&x, C_DATE, &date, 1);
    if (rc == OT_OK && (r->col[C_SEX] >= 0 || r->col[C_BIRTH] >= 0 || r->col[C_MENO] >= 0))
        rc = get_demographics(&x, date);
    if (rc == OT_OK)
        rc = r->fmt == OT_INPUT_LONG_CSV ? long_row(&x, date) : wide_row(&x, date);
    if (rc == OT_OK && row->nrecords == 0)
        rc = reject(&x, "no value in the row (expected one of the *_bmd, p1np, ctx, fracture, "
                    "dose columns, the demographics or a therapy)");
    if (rc != OT_OK)
        row->nrecords = 0;
    return rc == OT_OK ? 1 : rc;
}

int ot_rowreader_next(ot_rowreader *r, ot_row *row, ot_error *err)
{
    if (!r || !row)
        return ot_err_set(err, OT_EINVAL, "ot_rowreader_next: NULL argument");
    return next_row(r, row, err, 0);
}

int ot_rowreader_next_id(ot_rowreader *r, ot_row *row, ot_error *err)
{
    if (!r || !row)
        return ot_err_set(err, OT_EINVAL, "ot_rowreader_next_id: NULL argument");
    return next_row(r, row, err, 1);
}

void ot_rowreader_close(ot_rowreader *r)
{
    if (!r)
        return;
    ot_csv_close(r->csv);
    free(r);
}

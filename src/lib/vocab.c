/* The vocabulary of osteotrack(1): canonical names, aliases, parsing. */
#include "internal.h"

#include <string.h>

typedef struct alias {
    const char *text;
    int value;
} alias;

static int ascii_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static int eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* Looks `s` up in a table of canonical names, then in a table of aliases. */
static int lookup(int *out, const char *s, const char *const *names, int n,
                  const alias *aliases)
{
    if (!s)
        return OT_EINVAL;
    for (int i = 0; i < n; i++)
        if (names[i] && eq_nocase(s, names[i])) {
            *out = i;
            return OT_OK;
        }
    for (const alias *a = aliases; a && a->text; a++)
        if (eq_nocase(s, a->text)) {
            *out = a->value;
            return OT_OK;
        }
    return OT_EVOCAB;
}

static const char *name_of(int v, const char *const *names, int n)
{
    return (v >= 0 && v < n && names[v]) ? names[v] : "unknown";
}

#define DEFINE_VOCAB(type, prefix, names, count, aliases)                    \
    int prefix##_parse(type *out, const char *s)                             \
    {                                                                         \
        int v = 0;                                                            \
        if (!out)                                                             \
            return OT_EINVAL;                                                 \
        int rc = lookup(&v, s, names, (int)(count), aliases);                 \
        if (rc == OT_OK)                                                      \
            *out = (type)v;                                                   \
        return rc;                                                            \
    }                                                                         \
    const char *prefix##_name(type v) { return name_of((int)v, names, (int)(count)); }

static const char *const site_names[] = {"lumbar_spine", "total_hip", "femoral_neck", "radius_33"};
static const alias site_aliases[] = {
    {"spine", OT_SITE_LUMBAR_SPINE}, {"l1-l4", OT_SITE_LUMBAR_SPINE},
    {"ls", OT_SITE_LUMBAR_SPINE},    {"hip", OT_SITE_TOTAL_HIP},
    {"th", OT_SITE_TOTAL_HIP},       {"neck", OT_SITE_FEMORAL_NECK},
    {"fn", OT_SITE_FEMORAL_NECK},    {"radius", OT_SITE_RADIUS_33},
    {"forearm", OT_SITE_RADIUS_33},  {NULL, 0}};
DEFINE_VOCAB(ot_site, ot_site, site_names, OT_SITE_COUNT, site_aliases)

/* OT_SIDE_NONE has no name to parse: a missing side is "not given". */
static const char *const side_names[] = {NULL, "left", "right"};
static const alias side_aliases[] = {{"l", OT_SIDE_LEFT}, {"r", OT_SIDE_RIGHT}, {NULL, 0}};
DEFINE_VOCAB(ot_side, ot_side, side_names, OT_SIDE_COUNT, side_aliases)

/* Ranges and single vertebrae of L1-L4 only; OT_REGION_NONE (not given: L1-L4)
 * has no name to parse. */
static const char *const region_names[] = {NULL,    "L1-L4", "L1-L3", "L2-L4", "L1-L2", "L2-L3",
                                           "L3-L4", "L1",    "L2",    "L3",    "L4"};
static const alias region_aliases[] = {
    {"L1L4", OT_REGION_L1_L4}, {"L1-4", OT_REGION_L1_L4}, {"L1L3", OT_REGION_L1_L3},
    {"L1-3", OT_REGION_L1_L3}, {"L2L4", OT_REGION_L2_L4}, {"L2-4", OT_REGION_L2_L4},
    {"L1L2", OT_REGION_L1_L2}, {"L1-2", OT_REGION_L1_L2}, {"L2L3", OT_REGION_L2_L3},
    {"L2-3", OT_REGION_L2_L3}, {"L3L4", OT_REGION_L3_L4}, {"L3-4", OT_REGION_L3_L4},
    {NULL, 0}};
DEFINE_VOCAB(ot_spine_region, ot_spine_region, region_names, OT_REGION_COUNT, region_aliases)

static const char *const analyte_names[] = {"bmd", "p1np", "ctx", "fracture", "dose"};
static const alias analyte_aliases[] = {{"therapy_dose", OT_ANALYTE_DOSE}, {NULL, 0}};
DEFINE_VOCAB(ot_analyte, ot_analyte, analyte_names, OT_ANALYTE_COUNT, analyte_aliases)

static const char *const agent_names[] = {
    "none", "alendronate", "risedronate", "ibandronate", "zoledronate",
    "denosumab", "teriparatide", "abaloparatide", "romosozumab", "raloxifene",
    "bazedoxifene", "estrogen", "ibandronate_iv", "vitamin_d", "calcium"};
static const alias agent_aliases[] = {
    {"fosamax", OT_AGENT_ALENDRONATE},   {"binosto", OT_AGENT_ALENDRONATE},
    {"actonel", OT_AGENT_RISEDRONATE},   {"atelvia", OT_AGENT_RISEDRONATE},
    {"boniva", OT_AGENT_IBANDRONATE},    {"bonviva", OT_AGENT_IBANDRONATE},
    {"reclast", OT_AGENT_ZOLEDRONATE},   {"aclasta", OT_AGENT_ZOLEDRONATE},
    {"zoledronic_acid", OT_AGENT_ZOLEDRONATE},
    {"prolia", OT_AGENT_DENOSUMAB},      {"forteo", OT_AGENT_TERIPARATIDE},
    {"forsteo", OT_AGENT_TERIPARATIDE},  {"tymlos", OT_AGENT_ABALOPARATIDE},
    {"eladynos", OT_AGENT_ABALOPARATIDE}, {"evenity", OT_AGENT_ROMOSOZUMAB},
    {"evista", OT_AGENT_RALOXIFENE},     {"conbriza", OT_AGENT_BAZEDOXIFENE},
    {"menopausal_hormone_therapy", OT_AGENT_ESTROGEN}, {"hormone_therapy", OT_AGENT_ESTROGEN},
    {"mht", OT_AGENT_ESTROGEN},          {"hrt", OT_AGENT_ESTROGEN},
    {"estradiol", OT_AGENT_ESTROGEN},    {"oestrogen", OT_AGENT_ESTROGEN},
    {"ibandronate iv", OT_AGENT_IBANDRONATE_IV}, {"ibandronate_intravenous", OT_AGENT_IBANDRONATE_IV},
    {"vitamin d", OT_AGENT_VITAMIN_D},   {"calcitriol", OT_AGENT_VITAMIN_D},
    {"cholecalciferol", OT_AGENT_VITAMIN_D}, {"colecalciferol", OT_AGENT_VITAMIN_D},
    {"ergocalciferol", OT_AGENT_VITAMIN_D}, {"alfacalcidol", OT_AGENT_VITAMIN_D},
    {NULL, 0}};
DEFINE_VOCAB(ot_agent, ot_agent, agent_names, OT_AGENT_COUNT, agent_aliases)

const char *ot_agent_alias(size_t i, ot_agent *agent)
{
    if (i >= sizeof agent_aliases / sizeof agent_aliases[0] - 1)
        return NULL;
    *agent = (ot_agent)agent_aliases[i].value;
    return agent_aliases[i].text;
}

ot_agent_class ot_agent_class_of(ot_agent v)
{
    switch (v) {
    case OT_AGENT_ALENDRONATE:
    case OT_AGENT_RISEDRONATE:
    case OT_AGENT_IBANDRONATE: return OT_CLASS_ORAL_BISPHOSPHONATE;
    case OT_AGENT_ZOLEDRONATE: return OT_CLASS_IV_BISPHOSPHONATE;
    case OT_AGENT_DENOSUMAB: return OT_CLASS_DENOSUMAB;
    case OT_AGENT_TERIPARATIDE:
    case OT_AGENT_ABALOPARATIDE: return OT_CLASS_ANABOLIC;
    case OT_AGENT_ROMOSOZUMAB: return OT_CLASS_ROMOSOZUMAB;
    case OT_AGENT_IBANDRONATE_IV: return OT_CLASS_IV_BISPHOSPHONATE;
    case OT_AGENT_RALOXIFENE:
    case OT_AGENT_BAZEDOXIFENE: return OT_CLASS_SERM;
    case OT_AGENT_ESTROGEN: return OT_CLASS_HORMONE_THERAPY;
    case OT_AGENT_VITAMIN_D:
    case OT_AGENT_CALCIUM: return OT_CLASS_SUPPLEMENT;
    case OT_AGENT_NONE:
    case OT_AGENT_COUNT: break;
    }
    return OT_CLASS_NONE;
}

/* OT_MFR_UNKNOWN has no name to parse: a missing manufacturer is "not given". */
static const char *const mfr_names[] = {NULL, "hologic", "ge_lunar", "norland", "other"};
static const alias mfr_aliases[] = {{"lunar", OT_MFR_GE_LUNAR}, {"ge", OT_MFR_GE_LUNAR}, {NULL, 0}};
DEFINE_VOCAB(ot_manufacturer, ot_manufacturer, mfr_names, OT_MFR_COUNT, mfr_aliases)

static const char *const fx_names[] = {"vertebral", "hip", "wrist", "humerus", "pelvis", "other",
                                       "skull_face", "hand_finger", "foot_toe", "ankle"};
static const alias fx_aliases[] = {
    {"spine", OT_FX_VERTEBRAL},          {"vertebra", OT_FX_VERTEBRAL},
    {"clinical_vertebral", OT_FX_VERTEBRAL}, {"morphometric_vertebral", OT_FX_VERTEBRAL},
    {"vertebral_clinical", OT_FX_VERTEBRAL}, {"vertebral_morphometric", OT_FX_VERTEBRAL},
    {"femur", OT_FX_HIP},                {"proximal_femur", OT_FX_HIP},
    {"femoral_neck", OT_FX_HIP},         {"distal_forearm", OT_FX_WRIST},
    {"forearm", OT_FX_WRIST},            {"distal_radius", OT_FX_WRIST},
    {"proximal_humerus", OT_FX_HUMERUS}, {"shoulder", OT_FX_HUMERUS},
    {"pelvic", OT_FX_PELVIS},            {"skull", OT_FX_SKULL_FACE},
    {"face", OT_FX_SKULL_FACE},          {"facial", OT_FX_SKULL_FACE},
    {"hand", OT_FX_HAND_FINGER},         {"finger", OT_FX_HAND_FINGER},
    {"fingers", OT_FX_HAND_FINGER},      {"foot", OT_FX_FOOT_TOE},
    {"toe", OT_FX_FOOT_TOE},             {"toes", OT_FX_FOOT_TOE},
    {NULL, 0}};
DEFINE_VOCAB(ot_fracture_site, ot_fracture_site, fx_names, OT_FX_COUNT, fx_aliases)

/* OT_SEX_UNKNOWN and OT_MENOPAUSE_UNKNOWN have no name to parse. */
static const char *const sex_names[] = {NULL, "female", "male"};
static const alias sex_aliases[] = {{"f", OT_SEX_FEMALE}, {"m", OT_SEX_MALE}, {NULL, 0}};
DEFINE_VOCAB(ot_sex, ot_sex, sex_names, 3, sex_aliases)

static const char *const menopause_names[] = {NULL, "pre", "peri", "post"};
static const alias menopause_aliases[] = {
    {"premenopausal", OT_MENOPAUSE_PRE}, {"perimenopausal", OT_MENOPAUSE_PERI},
    {"postmenopausal", OT_MENOPAUSE_POST}, {NULL, 0}};
DEFINE_VOCAB(ot_menopause, ot_menopause, menopause_names, 4, menopause_aliases)

static const char *const unit_names[] = {"g/cm2", "mg/cm2", "ug/L", "ng/mL", "ng/L", "pg/mL"};
static const alias unit_aliases[] = {
    {"g/cm\xc2\xb2", OT_UNIT_G_CM2}, {"g/cm^2", OT_UNIT_G_CM2},
    {"mg/cm\xc2\xb2", OT_UNIT_MG_CM2}, {"mg/cm^2", OT_UNIT_MG_CM2},
    {"\xc2\xb5g/L", OT_UNIT_UG_L}, {"\xce\xbcg/L", OT_UNIT_UG_L},
    {"mcg/L", OT_UNIT_UG_L}, {NULL, 0}};
DEFINE_VOCAB(ot_unit, ot_unit, unit_names, OT_UNIT_COUNT, unit_aliases)

ot_unit ot_unit_canonical(ot_analyte a)
{
    switch (a) {
    case OT_ANALYTE_P1NP: return OT_UNIT_UG_L;
    case OT_ANALYTE_CTX: return OT_UNIT_NG_L;
    case OT_ANALYTE_BMD:
    case OT_ANALYTE_FRACTURE:
    case OT_ANALYTE_DOSE:
    case OT_ANALYTE_COUNT: break;
    }
    return OT_UNIT_G_CM2;
}

int ot_unit_to_canonical(double *out, ot_analyte a, ot_unit unit, double value)
{
    double factor = 0.0;
    if (!out)
        return OT_EINVAL;
    switch (a) {
    case OT_ANALYTE_BMD:
        factor = unit == OT_UNIT_G_CM2 ? 1.0 : unit == OT_UNIT_MG_CM2 ? 0.001 : 0.0;
        break;
    case OT_ANALYTE_P1NP:
        factor = (unit == OT_UNIT_UG_L || unit == OT_UNIT_NG_ML) ? 1.0 : 0.0;
        break;
    case OT_ANALYTE_CTX:
        factor = (unit == OT_UNIT_NG_L || unit == OT_UNIT_PG_ML)   ? 1.0
                 : (unit == OT_UNIT_NG_ML || unit == OT_UNIT_UG_L) ? 1000.0
                                                                   : 0.0;
        break;
    case OT_ANALYTE_FRACTURE:
    case OT_ANALYTE_DOSE:
    case OT_ANALYTE_COUNT: break;
    }
    if (factor == 0.0)
        return OT_EUNIT;
    *out = value * factor;
    return OT_OK;
}

static const char *const flag_names[] = {
    "CHANGE_WITHIN_LSC", "SIGNIFICANT_BMD_LOSS", "BELOW_EXPECTED_GAIN",
    "DEVICE_CHANGED", "SUBOPTIMAL_SUPPRESSION", "INADEQUATE_ANABOLIC_RESPONSE",
    "DIAGNOSIS_PERSISTS", "DXA_DUE", "MARKER_FOLLOWUP_DUE", "DRUG_HOLIDAY_REVIEW",
    "DENOSUMAB_DISCONTINUATION_RISK", "SEQUENTIAL_THERAPY_NEEDED",
    "POSSIBLE_TREATMENT_FAILURE", "DEFAULT_LSC_USED", "UNTREATED_OSTEOPOROSIS",
    "DEMOGRAPHICS_ASSUMED", "DENOSUMAB_DOSE_OVERDUE", "BMD_LOSS_OFF_TREATMENT",
    "FRACTURE_WITHOUT_DIAGNOSIS", "REGION_CHANGED"};
const char *ot_flag_code_name(ot_flag_code c) { return name_of((int)c, flag_names, OT_FLAG_COUNT); }

static const char *const severity_names[] = {"info", "warning", "alert"};
const char *ot_severity_name(ot_severity s) { return name_of((int)s, severity_names, 3); }

static const char *const sig_names[] = {"increase", "stable", "decrease", "not_comparable"};
const char *ot_significance_name(ot_significance s) { return name_of((int)s, sig_names, 4); }

static const char *const vs_names[] = {"below", "within", "above", "unknown", "context_only"};
const char *ot_vs_expected_name(ot_vs_expected v) { return name_of((int)v, vs_names, 5); }

const char *ot_response_name(ot_response r)
{
    static const char *const names[] = {"responding", "suboptimal", "not_assessable"};
    return (unsigned)r < 3 ? names[r] : "unknown";
}

const char *ot_marker_rule_name(ot_marker_rule r)
{
    static const char *const names[] = {"none", "antiresorptive", "anabolic"};
    return (unsigned)r < 3 ? names[r] : "unknown";
}

const char *ot_assessment_name(ot_assessment a)
{
    static const char *const names[] = {"responding", "stable", "inadequate_response",
                                        "possible_treatment_failure", "insufficient_data"};
    return (unsigned)a < 5 ? names[a] : "unknown";
}

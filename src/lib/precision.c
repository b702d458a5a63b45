/*
 * Precision studies (ISCD, docs/clinical-rules.md section 3): per site, device and
 * technologist, each patient's SD_j of repeated scans, then
 * RMS-SD = sqrt(sum SD_j^2 / m), RMS-%CV = sqrt(sum (100 SD_j / mean_j)^2 / m),
 * df = sum (n_j - 1), LSC = 2.77 x RMS-SD at 95 % (data/lsc.json) and
 * z x sqrt(2) x RMS-SD at other confidence levels.
 */
#include "precision_int.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ISCD: a precision study needs 30 degrees of freedom (15 x 3 or 30 x 2). */

/* A kept scan; strings interned to ids (-1: not given). */
typedef struct pscan {
    ot_site site;
    int pat, dev, tech;
    double g;                /* g/cm2 */
    ot_date date;
    long line;
} pscan;

/* Interned strings: ids in order of first appearance. */
typedef struct strtab {
    char **str;
    size_t n, cap;
    int *slot;               /* open addressing: an id, or -1 */
    size_t nslot;            /* a power of two, or 0 */
} strtab;

struct ot_pstudy {
    const ot_refdata *rd;
    ot_precision_result *res;
    size_t notecap, groupcap;
    pscan *scans;
    size_t n, cap;
    strtab pat, dev, tech;
    int unit_set[OT_SITE_COUNT];
    long unit_line[OT_SITE_COUNT];
};

const char *ot_precision_by_name(ot_precision_by b)
{
    switch (b) {
    case OT_PRECISION_BY_SITE: return "site";
    case OT_PRECISION_BY_DEVICE: return "device";
    case OT_PRECISION_BY_TECHNOLOGIST: return "technologist";
    default: return "unknown";
    }
}

/* ---- interned strings ---------------------------------------------- */

static size_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static int strtab_rehash(strtab *t, size_t nslot)
{
    int *slot = malloc(nslot * sizeof *slot);
    if (!slot)
        return OT_ENOMEM;
    for (size_t i = 0; i < nslot; i++)
        slot[i] = -1;
    for (size_t id = 0; id < t->n; id++) {
        size_t i = hash_str(t->str[id]) & (nslot - 1);
        while (slot[i] >= 0)
            i = (i + 1) & (nslot - 1);
        slot[i] = (int)id;
    }
    free(t->slot);
    t->slot = slot;
    t->nslot = nslot;
    return OT_OK;
}

/* *id for s; -1 for NULL or "". */
static int strtab_intern(strtab *t, const char *s, int *id)
{
    *id = -1;
    if (!s || !*s)
        return OT_OK;
    if (2 * (t->n + 1) > t->nslot && strtab_rehash(t, t->nslot ? t->nslot * 2 : 64) != OT_OK)
        return OT_ENOMEM;
    size_t mask = t->nslot - 1, i = hash_str(s) & mask;
    for (; t->slot[i] >= 0; i = (i + 1) & mask)
        if (strcmp(t->str[t->slot[i]], s) == 0) {
            *id = t->slot[i];
            return OT_OK;
        }
    void *a = t->str;
    if (ot_grow(&a, &t->cap, t->n + 1, sizeof *t->str) != OT_OK)
        return OT_ENOMEM;
    t->str = a;
    size_t len = strlen(s) + 1;
    if (!(t->str[t->n] = malloc(len)))
        return OT_ENOMEM;
    memcpy(t->str[t->n], s, len);
    t->slot[i] = (int)t->n;
    *id = (int)t->n++;
    return OT_OK;
}

static void strtab_free(strtab *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->str[i]);
    free(t->str);
    free(t->slot);
}

/* ---- the builder ---------------------------------------------------- */

static int check_options(ot_precision_result *r, const ot_refdata *rd,
                         const ot_precision_options *o, ot_error *err)
{
    r->multiplier_95 = rd->lsc_multiplier.value;
    r->multiplier_confirmed = rd->lsc_multiplier.confirmed;
    const ot_source *src = ot_source_find(rd, rd->lsc_multiplier.source); /* the id's text */
    ot_strlcpy(r->multiplier_source, src ? src->citation : rd->lsc_multiplier.source,
               sizeof r->multiplier_source);
    if (!o)
        return OT_OK;
    if (o->version != OT_PRECISION_OPTIONS_VERSION)
        return ot_err_set(err, OT_EINVAL, "precision options: version %u is not %u", o->version,
                          OT_PRECISION_OPTIONS_VERSION);
    if (o->nconfidence > OT_PRECISION_MAX_LEVELS || (o->nconfidence && !o->confidence))
        return ot_err_set(err, OT_EINVAL, "precision options: at most %d confidence levels",
                          OT_PRECISION_MAX_LEVELS);
    for (size_t i = 0; i < o->nconfidence; i++) {
        double p = o->confidence[i];
        if (!(p >= 50.0 && p <= 99.9))
            return ot_err_set(err, OT_EINVAL,
                              "confidence level %g%% is outside 50-99.9%%", p);
        int seen = p == 95.0;
        for (size_t j = 0; j < r->nconfidence; j++)
            seen |= r->confidence[j] == p;
        if (seen)
            continue;
        double z = gsl_cdf_ugaussian_Pinv(0.5 + p / 200.0); /* two-sided */
        if (!isfinite(z))
            return ot_err_set(err, OT_ENUMERIC, "normal quantile for %g%% failed", p);
        r->confidence[r->nconfidence] = p;
        r->multiplier[r->nconfidence++] = z * sqrt(2.0);
    }
    return OT_OK;
}

int ot_pstudy_new(ot_pstudy **out, const ot_refdata *rd, const char *name,
                  const ot_precision_options *opts, ot_error *err)
{
    *out = NULL;
    ot_pstudy *s = calloc(1, sizeof *s);
    ot_precision_result *r = calloc(1, sizeof *r);
    const char *nm = name ? name : "(scans)";
    char *copy = malloc(strlen(nm) + 1);
    if (!s || !r || !copy) {
        free(s);
        free(r);
        free(copy);
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    }
    memcpy(copy, nm, strlen(nm) + 1);
    r->name = copy;
    r->first_date = r->last_date = OT_DATE_NONE;
    s->rd = rd;
    s->res = r;
    int rc = check_options(r, rd, opts, err);
    if (rc != OT_OK) {
        ot_pstudy_free(s);
        return rc;
    }
    *out = s;
    return OT_OK;
}

void ot_pstudy_free(ot_pstudy *s)
{
    if (!s)
        return;
    ot_precision_result_free(s->res);
    free(s->scans);
    strtab_free(&s->pat);
    strtab_free(&s->dev);
    strtab_free(&s->tech);
    free(s);
}

void ot_precision_result_free(ot_precision_result *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->groups);
    free(r->notes);
    free(r);
}

static int vnote(ot_pstudy *s, ot_precision_note_kind kind, long line, const char *fmt,
                 va_list ap) OT_PRINTF(4, 0);

static int vnote(ot_pstudy *s, ot_precision_note_kind kind, long line, const char *fmt,
                 va_list ap)
{
    ot_precision_result *r = s->res;
    void *a = r->notes;
    if (ot_grow(&a, &s->notecap, r->nnotes + 1, sizeof *r->notes) != OT_OK)
        return OT_ENOMEM;
    r->notes = a;
    ot_precision_note *n = &r->notes[r->nnotes++];
    n->kind = kind;
    n->line = line;
    /* a note is one line of valid text whatever the input held (a key or
     * an id with a newline in it): controls and invalid UTF-8 escaped */
    char raw[sizeof n->message];
    int len = vsnprintf(raw, sizeof raw, fmt, ap);
    size_t k = len < 0 ? 0 : (size_t)len < sizeof raw ? (size_t)len : sizeof raw - 1;
    ot_text_shown(n->message, sizeof n->message, raw, k);
    return OT_OK;
}

static int note(ot_pstudy *s, ot_precision_note_kind kind, long line, const char *fmt, ...)
    OT_PRINTF(4, 5);

static int note(ot_pstudy *s, ot_precision_note_kind kind, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vnote(s, kind, line, fmt, ap);
    va_end(ap);
    return rc;
}

int ot_pstudy_reject(ot_pstudy *s, long line, const char *fmt, ...)
{
    s->res->rows_read++;
    s->res->rows_rejected++;
    va_list ap;
    va_start(ap, fmt);
    int rc = vnote(s, OT_PRECISION_NOTE_REJECTED, line, fmt, ap);
    va_end(ap);
    return rc;
}

int ot_pstudy_note(ot_pstudy *s, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vnote(s, OT_PRECISION_NOTE_INPUT, line, fmt, ap);
    va_end(ap);
    return rc;
}

/* The scan's value in g/cm2, or a reason to reject it (returns 0). */
static int check_scan(ot_pstudy *s, const ot_precision_scan *sc, double *g, char *why,
                      size_t whysz)
{
    ot_precision_result *r = s->res;
    ot_error e = {0, ""};
    if (!sc->patient_id || !*sc->patient_id)
        snprintf(why, whysz, "patient_id is empty");
    else if ((unsigned)sc->site >= OT_SITE_COUNT)
        snprintf(why, whysz, "unknown site");
    else if (ot_unit_to_canonical(g, OT_ANALYTE_BMD, sc->unit, sc->value) != OT_OK)
        snprintf(why, whysz, "unit %s is not a BMD unit (expected g/cm2 or mg/cm2)",
                 ot_unit_name(sc->unit));
    else if (isnan(sc->value) || isinf(sc->value))
        snprintf(why, whysz, "value is not a number");
    else if (sc->value <= 0)
        snprintf(why, whysz, "value %g is %s: a BMD is positive", sc->value,
                 sc->value < 0 ? "negative" : "zero");
    else if (s->unit_set[sc->site] && r->unit[sc->site] != sc->unit)
        snprintf(why, whysz, "unit %s differs from the %s of the first %s row (line %ld): "
                 "a study takes one unit a site", ot_unit_name(sc->unit),
                 ot_unit_name(r->unit[sc->site]), ot_site_name(sc->site),
                 s->unit_line[sc->site]);
    else if (ot_check_plausible(s->rd, OT_ANALYTE_BMD, *g, sc->value, sc->unit, "", &e) ||
             ot_check_date(sc->date, "date", &e))
        snprintf(why, whysz, "%s", e.message);
    else
        return 1;
    return 0;
}

int ot_pstudy_add(ot_pstudy *s, const ot_precision_scan *sc, ot_error *err)
{
    double g = NAN;
    char why[OT_FLAG_MESSAGE_MAX];
    if (!check_scan(s, sc, &g, why, sizeof why)) {
        return ot_pstudy_reject(s, sc->line, "%s", why) == OT_OK
                   ? OT_OK
                   : ot_err_set(err, OT_ENOMEM, "out of memory");
    }
    void *a = s->scans;
    if (ot_grow(&a, &s->cap, s->n + 1, sizeof *s->scans) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    s->scans = a;
    pscan *p = &s->scans[s->n];
    if (strtab_intern(&s->pat, sc->patient_id, &p->pat) != OT_OK ||
        strtab_intern(&s->dev, sc->device, &p->dev) != OT_OK ||
        strtab_intern(&s->tech, sc->technologist, &p->tech) != OT_OK)
        return ot_err_set(err, OT_ENOMEM, "out of memory");
    p->site = sc->site;
    p->g = g;
    p->date = sc->date;
    p->line = sc->line;
    s->n++;
    s->res->rows_read++;
    if (!s->unit_set[sc->site]) {
        s->unit_set[sc->site] = 1;
        s->res->unit[sc->site] = sc->unit;
        s->unit_line[sc->site] = sc->line;
    }
    return OT_OK;
}

/* ---- the computation ------------------------------------------------ */

/* Sort key: a group is (site, g), a patient in it (pat, dev). */
typedef struct skey {
    int site, g, pat, dev;
    size_t idx;
} skey;

static int cmp_int(int a, int b) { return (a > b) - (a < b); }

static int cmp_skey(const void *pa, const void *pb)
{
    const skey *a = pa, *b = pb;
    int c = cmp_int(a->site, b->site);
    if (!c)
        c = cmp_int(a->g, b->g);
    if (!c)
        c = cmp_int(a->pat, b->pat);
    if (!c)
        c = cmp_int(a->dev, b->dev);
    if (!c)
        c = (a->idx > b->idx) - (a->idx < b->idx);
    return c;
}

typedef struct named {
    const char *name;
    int id;
} named;

static int cmp_named(const void *pa, const void *pb)
{
    return strcmp(((const named *)pa)->name, ((const named *)pb)->name);
}

/* rank[id] = the place of string id in byte order, so groups sort by name. */
static int *rank_strings(const strtab *t)
{
    named *v = malloc((t->n + 1) * sizeof *v);
    int *rank = malloc((t->n + 1) * sizeof *rank);
    if (!v || !rank) {
        free(v);
        free(rank);
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++) {
        v[i].name = t->str[i];
        v[i].id = (int)i;
    }
    qsort(v, t->n, sizeof *v, cmp_named);
    for (size_t i = 0; i < t->n; i++)
        rank[v[i].id] = (int)i;
    free(v);
    return rank;
}

static const char *group_label(const ot_precision_group *g, char *buf, size_t sz)
{
    if (g->by == OT_PRECISION_BY_SITE)
        snprintf(buf, sz, "%s", ot_site_name(g->site));
    else
        snprintf(buf, sz, "%s %s %s", ot_site_name(g->site),
                 g->by == OT_PRECISION_BY_DEVICE ? "on device" : "by technologist", g->key);
    return buf;
}

/* The chi-square quantile. GSL's inversion stops converging for large df
 * (about 40,000 and more), and then calls GSL's error handler, which by
 * default aborts the caller: past 1,000 degrees of freedom the Wilson-
 * Hilferty approximation (relative error under 1e-6 there, smaller above)
 * is used instead, so GSL's handler is never reached whatever the caller
 * did with it. */
static double chisq_quantile(double p, double df)
{
    if (df <= 1000.0)
        return gsl_cdf_chisq_Pinv(p, df);
    double z = gsl_cdf_ugaussian_Pinv(p), a = 2.0 / (9.0 * df);
    double c = 1.0 - a + z * sqrt(a);
    return df * c * c * c;
}

static int push_group(ot_pstudy *s, const ot_precision_group *g)
{
    ot_precision_result *r = s->res;
    void *a = r->groups;
    if (ot_grow(&a, &s->groupcap, r->ngroups + 1, sizeof *r->groups) != OT_OK)
        return OT_ENOMEM;
    r->groups = a;
    r->groups[r->ngroups++] = *g;
    return OT_OK;
}

/* Sums over the group's patients, from which the figures follow. */
typedef struct sums {
    double sd2, cv2, mean;
} sums;

/* Mean and SD (n - 1) of one patient's scans, with GSL. */
static int patient_stats(sums *t, const double *v, size_t n)
{
    double mean = gsl_stats_mean(v, 1, n);
    double sd = gsl_stats_sd_m(v, 1, n, mean);
    if (!isfinite(mean) || !isfinite(sd) || mean <= 0.0)
        return OT_ENUMERIC;
    double cv = 100.0 * sd / mean;
    t->sd2 += sd * sd;
    t->cv2 += cv * cv;
    t->mean += mean;
    return OT_OK;
}

/* RMS-SD, %CV, LSC at every level, the CI and the ISCD comparison. */
static int group_figures(ot_pstudy *s, ot_precision_group *g, const sums *t)
{
    const ot_precision_result *r = s->res;
    double m = (double)g->patients, df = (double)g->df;
    g->mean_g_cm2 = t->mean / m;
    g->rms_sd_g_cm2 = sqrt(t->sd2 / m);
    g->rms_cv_pct = sqrt(t->cv2 / m);
    g->lsc_g_cm2 = r->multiplier_95 * g->rms_sd_g_cm2;
    g->lsc_pct = r->multiplier_95 * g->rms_cv_pct;
    for (size_t i = 0; i < r->nconfidence; i++) {
        g->lsc_level_g_cm2[i] = r->multiplier[i] * g->rms_sd_g_cm2;
        g->lsc_level_pct[i] = r->multiplier[i] * g->rms_cv_pct;
    }
    /* df x RMS-SD^2 / sigma^2 ~ chi-square(df): sigma between the quantiles. */
    double qlo = chisq_quantile(0.025, df), qhi = chisq_quantile(0.975, df);
    if (!(qlo > 0.0 && isfinite(qlo) && qhi > qlo && isfinite(qhi)))
        return OT_ENUMERIC;
    g->rms_sd_ci95_lo = sqrt(df * t->sd2 / m / qhi);
    g->rms_sd_ci95_hi = sqrt(df * t->sd2 / m / qlo);
    g->iscd_max_cv_pct = s->rd->lsc[g->site].precision_pct.value;
    /* compared at the 0.01 % that reports show */
    g->worse_than_iscd = !isnan(g->iscd_max_cv_pct) &&
                         ot_round(g->rms_cv_pct, 2) > g->iscd_max_cv_pct;
    g->retraining_advised = g->worse_than_iscd && g->by == OT_PRECISION_BY_TECHNOLOGIST;
    return OT_OK;
}

static int single_scan_note(ot_pstudy *s, const pscan *p)
{
    s->res->rows_single++;
    if (p->dev >= 0)
        return note(s, OT_PRECISION_NOTE_SINGLE_SCAN, p->line,
                    "patient %s has one %s scan on device %s: left out of the study",
                    s->pat.str[p->pat], ot_site_name(p->site), s->dev.str[p->dev]);
    return note(s, OT_PRECISION_NOTE_SINGLE_SCAN, p->line,
                "patient %s has one %s scan: left out of the study", s->pat.str[p->pat],
                ot_site_name(p->site));
}

/* One group: k[0..n) sorted by patient. `used` marks scans in a figure. */
static int group_stats(ot_pstudy *s, ot_precision_by by, const skey *k, size_t n,
                       double *tmp, unsigned char *used)
{
    ot_precision_group g;
    memset(&g, 0, sizeof g);
    g.by = by;
    g.site = (ot_site)k[0].site;
    const pscan *first = &s->scans[k[0].idx];
    if (by != OT_PRECISION_BY_SITE)
        ot_strlcpy(g.key, by == OT_PRECISION_BY_DEVICE ? s->dev.str[first->dev]
                                                       : s->tech.str[first->tech],
                   sizeof g.key);
    sums t = {0.0, 0.0, 0.0};
    for (size_t u = 0, v; u < n; u = v) {
        for (v = u; v < n && k[v].pat == k[u].pat && k[v].dev == k[u].dev; v++)
            tmp[v - u] = s->scans[k[v].idx].g;
        size_t nj = v - u;
        if (nj == 1) {
            g.single_scan++;
            if (by == OT_PRECISION_BY_SITE && single_scan_note(s, &s->scans[k[u].idx]))
                return OT_ENOMEM;
            continue;
        }
        if (patient_stats(&t, tmp, nj) != OT_OK)
            return OT_ENUMERIC;
        for (size_t w = u; w < v; w++)
            used[k[w].idx] = 1;
        g.patients++;
        g.scans += nj;
        g.df += nj - 1;
    }
    if (g.patients == 0) {
        if (by != OT_PRECISION_BY_SITE)
            return OT_OK;
        return note(s, OT_PRECISION_NOTE_STUDY, 0,
                    "%s: no patient has two scans: no precision figure", ot_site_name(g.site));
    }
    int rc = group_figures(s, &g, &t);
    return rc == OT_OK ? push_group(s, &g) : rc;
}

/* Every group of one kind. k and tmp hold s->n entries. */
static int compute_by(ot_pstudy *s, ot_precision_by by, const int *rank, skey *k,
                      double *tmp, unsigned char *used)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const pscan *p = &s->scans[i];
        int id = by == OT_PRECISION_BY_DEVICE ? p->dev
                 : by == OT_PRECISION_BY_TECHNOLOGIST ? p->tech : 0;
        if (id < 0)
            continue;
        skey key = {(int)p->site, by == OT_PRECISION_BY_SITE ? 0 : rank[id], p->pat, p->dev, i};
        k[n++] = key;
    }
    qsort(k, n, sizeof *k, cmp_skey);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && k[j].site == k[i].site && k[j].g == k[i].g; j++)
            ;
        int rc = group_stats(s, by, k + i, j - i, tmp, used);
        if (rc != OT_OK)
            return rc;
    }
    return OT_OK;
}

/* The site line that holds all of g's data, if any: its notes say it all. */
static const ot_precision_group *same_as_site(const ot_precision_result *r,
                                              const ot_precision_group *g)
{
    for (size_t i = 0; g->by != OT_PRECISION_BY_SITE && i < r->ngroups; i++) {
        const ot_precision_group *h = &r->groups[i];
        if (h->by == OT_PRECISION_BY_SITE && h->site == g->site && h->patients == g->patients &&
            h->scans == g->scans)
            return h;
    }
    return NULL;
}

/* What a reader of the results must know: the ISCD checks. */
static int group_notes(ot_pstudy *s, const ot_precision_group *g)
{
    char label[200];
    int rc = OT_OK;
    group_label(g, label, sizeof label);
    const double min_df = s->rd->min_study_dof.value;
    if ((double)g->df < min_df && !same_as_site(s->res, g))
        rc = note(s, OT_PRECISION_NOTE_STUDY, 0,
                  "%s: %zu degree%s of freedom, fewer than the %g ISCD asks for: the RMS-SD "
                  "is uncertain (95%% CI %.4f-%.4f g/cm2)",
                  label, g->df, g->df == 1 ? "" : "s", min_df, g->rms_sd_ci95_lo,
                  g->rms_sd_ci95_hi);
    if (rc == OT_OK && g->worse_than_iscd && (g->retraining_advised || !same_as_site(s->res, g)))
        rc = note(s, OT_PRECISION_NOTE_STUDY, 0,
                  "%s: RMS-%%CV %.2f%% is worse than the ISCD minimum acceptable precision "
                  "of a technologist, %.1f%%: %s",
                  label, g->rms_cv_pct, g->iscd_max_cv_pct,
                  g->retraining_advised ? "retraining advised"
                                        : "review positioning, analysis and quality control");
    double lsc = ot_round(g->lsc_g_cm2, 6); /* as the configuration gives it */
    if (rc == OT_OK && g->by == OT_PRECISION_BY_SITE &&
        !(lsc >= OT_PRECISION_CONFIG_MIN && lsc <= OT_PRECISION_CONFIG_MAX))
        rc = note(s, OT_PRECISION_NOTE_STUDY, 0,
                  "%s: LSC %.6f g/cm2 is outside %g-%g g/cm2%s: left out of the configuration",
                  label, g->lsc_g_cm2, OT_PRECISION_CONFIG_MIN, OT_PRECISION_CONFIG_MAX,
                  g->rms_sd_g_cm2 == 0.0 ? " because every patient's scans are identical "
                                           "(were patients repositioned between scans?)"
                                         : "");
    return rc;
}

static int study_notes(ot_pstudy *s)
{
    const ot_precision_result *r = s->res;
    for (size_t i = 0; i < r->ngroups; i++)
        if (group_notes(s, &r->groups[i]) != OT_OK)
            return OT_ENOMEM;
    for (int site = 0; site < OT_SITE_COUNT; site++) {
        size_t ndev = 0;
        for (size_t i = 0; i < r->ngroups; i++)
            ndev += r->groups[i].by == OT_PRECISION_BY_DEVICE && (int)r->groups[i].site == site;
        if (ndev > 1 &&
            note(s, OT_PRECISION_NOTE_STUDY, 0,
                 "%s: the site's LSC pools %zu devices; ISCD asks for a precision study of "
                 "each scanner (see the per-device lines)", ot_site_name((ot_site)site), ndev))
            return OT_ENOMEM;
    }
    return OT_OK;
}

typedef struct note_order {
    int study;
    long line;
    size_t idx;
} note_order;

static int cmp_note_order(const void *pa, const void *pb)
{
    const note_order *a = pa, *b = pb;
    if (a->study != b->study)
        return a->study - b->study;
    if (a->line != b->line)
        return (a->line > b->line) - (a->line < b->line);
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Input notes in line order, then study notes, each kind in order added. */
static int sort_notes(ot_precision_result *r)
{
    if (r->nnotes < 2)
        return OT_OK;
    note_order *o = malloc(r->nnotes * sizeof *o);
    ot_precision_note *n = malloc(r->nnotes * sizeof *n);
    if (!o || !n) {
        free(o);
        free(n);
        return OT_ENOMEM;
    }
    for (size_t i = 0; i < r->nnotes; i++) {
        o[i].study = r->notes[i].kind == OT_PRECISION_NOTE_STUDY;
        o[i].line = r->notes[i].line;
        o[i].idx = i;
    }
    qsort(o, r->nnotes, sizeof *o, cmp_note_order);
    for (size_t i = 0; i < r->nnotes; i++)
        n[i] = r->notes[o[i].idx];
    free(o);
    free(r->notes);
    r->notes = n;
    return OT_OK;
}

/* Rows used and the dates of the scans used. */
static void count_used(ot_pstudy *s, const unsigned char *used)
{
    ot_precision_result *r = s->res;
    for (size_t i = 0; i < s->n; i++) {
        if (!used[i])
            continue;
        r->rows_used++;
        ot_date d = s->scans[i].date;
        if (d == OT_DATE_NONE)
            continue;
        if (r->first_date == OT_DATE_NONE || d < r->first_date)
            r->first_date = d;
        if (r->last_date == OT_DATE_NONE || d > r->last_date)
            r->last_date = d;
    }
}

static int compute_all(ot_pstudy *s)
{
    size_t n = s->n ? s->n : 1;
    skey *k = malloc(n * sizeof *k);
    double *tmp = malloc(n * sizeof *tmp);
    unsigned char *used = calloc(n, 1);
    int *drank = rank_strings(&s->dev), *trank = rank_strings(&s->tech);
    int rc = k && tmp && used && drank && trank ? OT_OK : OT_ENOMEM;
    if (rc == OT_OK)
        rc = compute_by(s, OT_PRECISION_BY_SITE, NULL, k, tmp, used);
    if (rc == OT_OK)
        rc = compute_by(s, OT_PRECISION_BY_DEVICE, drank, k, tmp, used);
    if (rc == OT_OK)
        rc = compute_by(s, OT_PRECISION_BY_TECHNOLOGIST, trank, k, tmp, used);
    if (rc == OT_OK) {
        count_used(s, used);
        rc = study_notes(s);
    }
    if (rc == OT_OK)
        rc = sort_notes(s->res);
    free(k);
    free(tmp);
    free(used);
    free(drank);
    free(trank);
    return rc;
}

int ot_pstudy_finish(ot_precision_result **out, ot_pstudy *s, ot_error *err)
{
    *out = NULL;
    int rc = compute_all(s);
    if (rc == OT_OK) {
        *out = s->res;
        s->res = NULL;
    } else if (rc == OT_ENUMERIC) {
        ot_err_set(err, rc, "%s: a GSL statistics routine gave a non-finite result",
                   s->res->name);
    } else {
        ot_err_set(err, rc, "%s: out of memory", s->res->name);
    }
    ot_pstudy_free(s);
    return rc;
}

int ot_precision_compute(ot_precision_result **out, const ot_refdata *rd,
                         const ot_precision_scan *scans, size_t nscans, const char *name,
                         const ot_precision_options *opts, ot_error *err)
{
    if (!out || !rd || (!scans && nscans))
        return ot_err_set(err, OT_EINVAL, "ot_precision_compute: NULL argument");
    *out = NULL;
    ot_pstudy *s = NULL;
    int rc = ot_pstudy_new(&s, rd, name, opts, err);
    for (size_t i = 0; rc == OT_OK && i < nscans; i++)
        rc = ot_pstudy_add(s, &scans[i], err);
    if (rc != OT_OK) {
        ot_pstudy_free(s);
        return rc;
    }
    return ot_pstudy_finish(out, s, err);
}

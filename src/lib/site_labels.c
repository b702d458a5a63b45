/* Scanner site labels (data/site_labels.json): "Total Hip", "L1-L4",
 * "Radius 33%" as osteotrack's sites, and the spine region or hip side a
 * label implies. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const ot_site_label *ot_site_label_lookup(const ot_refdata *rd, const char *s, size_t n)
{
    if (!rd || !s)
        return NULL;
    s = ot_trim_blanks(s, &n);
    for (size_t i = 0; i < rd->nsite_labels; i++)
        if (ot_ascii_casecmp(s, n, rd->site_labels[i].label) == 0)
            return &rd->site_labels[i];
    return NULL;
}

int ot_site_parse_label(const ot_refdata *rd, ot_site *out, const char *s, size_t n)
{
    char buf[OT_SITE_LABEL_MAX];
    size_t len = n;
    const char *t = ot_trim_blanks(s, &len);
    if (len < sizeof buf) {
        memcpy(buf, t, len);
        buf[len] = '\0';
        if (ot_site_parse(out, buf) == OT_OK)
            return OT_OK;
    }
    const ot_site_label *l = ot_site_label_lookup(rd, s, n);
    if (!l)
        return OT_EVOCAB;
    *out = l->site;
    return OT_OK;
}

const char *ot_site_label_region(const ot_refdata *rd, const char *label)
{
    const ot_site_label *l = label ? ot_site_label_lookup(rd, label, strlen(label)) : NULL;
    return l && l->region[0] ? l->region : NULL;
}

const char *ot_site_label_side(const ot_refdata *rd, const char *label)
{
    const ot_site_label *l = label ? ot_site_label_lookup(rd, label, strlen(label)) : NULL;
    return l && l->side[0] ? l->side : NULL;
}

static int load_label(ot_refdata *rd, ot_site_label *x, const cJSON *e, const char *path,
                      const char *where, ot_error *err)
{
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(e, "label");
    const cJSON *site = cJSON_GetObjectItemCaseSensitive(e, "site");
    const cJSON *vendor = cJSON_GetObjectItemCaseSensitive(e, "vendor");
    const cJSON *region = cJSON_GetObjectItemCaseSensitive(e, "region");
    const cJSON *side = cJSON_GetObjectItemCaseSensitive(e, "side");
    if (!cJSON_IsObject(e))
        return ot_err_set(err, OT_EDATA, "%s: %s: expected an object", path, where);
    size_t n = cJSON_IsString(label) ? strlen(label->valuestring) : 0;
    if (!n || n >= sizeof x->label ||
        ot_trim_blanks(label->valuestring, &n) != label->valuestring ||
        n != strlen(label->valuestring))
        return ot_err_set(err, OT_EDATA, "%s: %s.label: expected a label of 1-%zu characters "
                          "without blanks around it", path, where, sizeof x->label - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)label->valuestring[i] < 0x20 ||
            (unsigned char)label->valuestring[i] > 0x7E)
            return ot_err_set(err, OT_EDATA, "%s: %s.label: expected printable ASCII (labels "
                              "are matched in any ASCII case)", path, where);
    if (ot_site_label_lookup(rd, label->valuestring, n))
        return ot_err_set(err, OT_EDATA, "%s: %s.label: \"%s\" is given twice (labels are "
                          "matched in any case)", path, where, label->valuestring);
    memcpy(x->label, label->valuestring, n + 1);
    if (!cJSON_IsString(site) || ot_site_parse(&x->site, site->valuestring) != OT_OK ||
        strcmp(ot_site_name(x->site), site->valuestring) != 0)
        return ot_err_set(err, OT_EDATA, "%s: %s.site: expected lumbar_spine, total_hip, "
                          "femoral_neck or radius_33", path, where);
    ot_manufacturer m;
    if (!cJSON_IsString(vendor) ||
        (strcmp(vendor->valuestring, "any") != 0 &&
         (ot_manufacturer_parse(&m, vendor->valuestring) != OT_OK ||
          strcmp(ot_manufacturer_name(m), vendor->valuestring) != 0)))
        return ot_err_set(err, OT_EDATA, "%s: %s.vendor: expected hologic, ge_lunar, norland, "
                          "other or any (the scanner software whose label it is)", path, where);
    if (region && (!cJSON_IsString(region) || x->site != OT_SITE_LUMBAR_SPINE ||
                   (strcmp(region->valuestring, "L1-L4") && strcmp(region->valuestring, "L2-L4"))))
        return ot_err_set(err, OT_EDATA, "%s: %s.region: expected \"L1-L4\" or \"L2-L4\", on a "
                          "lumbar_spine label", path, where);
    if (region)
        memcpy(x->region, region->valuestring, 6);
    if (side && (!cJSON_IsString(side) ||
                 (x->site != OT_SITE_TOTAL_HIP && x->site != OT_SITE_FEMORAL_NECK) ||
                 (strcmp(side->valuestring, "left") && strcmp(side->valuestring, "right"))))
        return ot_err_set(err, OT_EDATA, "%s: %s.side: expected \"left\" or \"right\", on a "
                          "total_hip or femoral_neck label", path, where);
    if (side)
        ot_strlcpy(x->side, side->valuestring, sizeof x->side);
    ot_sourced src;
    return ot_json_sourced(&src, e, path, where, err);
}

int ot_load_site_labels(ot_refdata *rd, ot_error *err)
{
    char path[1200];
    cJSON *doc;
    int rc = ot_load_doc(&doc, rd, "site_labels.json", "osteotrack-site-labels", path,
                         sizeof path, err);
    if (rc != OT_OK)
        return rc;
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(doc, "labels");
    int n = cJSON_IsArray(labels) ? cJSON_GetArraySize(labels) : -1;
    if (n < 0) {
        cJSON_Delete(doc);
        return ot_err_set(err, OT_EDATA, "%s: labels: expected a list", path);
    }
    rd->site_labels = calloc((size_t)n + 1, sizeof *rd->site_labels);
    if (!rd->site_labels) {
        cJSON_Delete(doc);
        return ot_err_set(err, OT_ENOMEM, "%s: out of memory", path);
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, labels)
    {
        char where[32];
        snprintf(where, sizeof where, "labels[%zu]", rd->nsite_labels);
        rc = load_label(rd, &rd->site_labels[rd->nsite_labels], e, path, where, err);
        if (rc != OT_OK)
            break;
        rd->nsite_labels++;
    }
    cJSON_Delete(doc);
    return rc;
}

int ot_site_label_where(const ot_refdata *rd, const char *s, size_t n, ot_side *side,
                        ot_spine_region *region, char *why, size_t whysz)
{
    const ot_site_label *l = s ? ot_site_label_lookup(rd, s, n) : NULL;
    if (!l)
        return 0;
    ot_side ls = OT_SIDE_NONE;
    ot_spine_region lr = OT_REGION_NONE;
    if (l->side[0])
        ot_side_parse(&ls, l->side);
    if (l->region[0])
        ot_spine_region_parse(&lr, l->region);
    if (ls != OT_SIDE_NONE && *side != OT_SIDE_NONE && *side != ls) {
        ot_fmt(why, whysz, "side: '%s' contradicts the site label '%s', which says %s",
               ot_side_name(*side), l->label, ot_side_name(ls));
        return -1;
    }
    if (lr != OT_REGION_NONE && *region != OT_REGION_NONE && *region != lr) {
        ot_fmt(why, whysz, "region: '%s' contradicts the site label '%s', which says %s",
               ot_spine_region_name(*region), l->label, ot_spine_region_name(lr));
        return -1;
    }
    if (ls != OT_SIDE_NONE)
        *side = ls;
    if (lr != OT_REGION_NONE)
        *region = lr;
    return 0;
}

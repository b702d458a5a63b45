#!/usr/bin/env python3
"""fhir/codes: the FHIR code tables of data/ (loinc.json, fhir/medications.json,
fhir/fractures.json) against codes written out here, each with where it was
checked (or that it was not).

The reader, the writer and scripts/json-to-fhir-bulk.py all load the same
tables, so a wrong code there round-trips and passes every other test. This
test does not: a code, its meaning (site, side, kind, agent, fracture site)
and whether it is marked confirmed must agree with the list below, which was
written from outside sources, not from the tables. A code added to a table
must be added here too, with its source.

Usage: check_codes.py SOURCE_DIR
"""
import json
import os
import sys

# ---- LOINC (data/loinc.json) -------------------------------------------
# Where checked:
THEMIS = ("OHDSI Themis, docs/pages/measurement/negative_value_as_number.md: "
          "OMOP concept list with LOINC name and code")
US_CORE = "HL7 US Core example Observations (DXA Hip-L BMD and T-score)"
FINDACODE = "LOINC term pages republished by findacode.com (panel 83311-1 members)"
ARUP = "ARUP Laboratories test 0070416 component LOINC"
NOT_CHECKED = None

# code: (kind, site, side, analyte, where checked)
LOINC = {
    # BMD
    "24966-4": ("bmd", "lumbar_spine", None, None, THEMIS),
    "38261-4": ("bmd", "total_hip", None, None, THEMIS),
    "46278-8": ("bmd", "total_hip", "left", None, US_CORE),
    "46279-6": ("bmd", "total_hip", "right", None, THEMIS),
    "24701-5": ("bmd", "femoral_neck", None, None, THEMIS),
    "80954-1": ("bmd", "femoral_neck", "left", None, THEMIS),
    "80953-3": ("bmd", "femoral_neck", "right", None, THEMIS),
    "24890-6": ("bmd", "radius_33", None, None, THEMIS),
    "80952-5": ("bmd", "radius_33", "left", None, THEMIS),
    "80951-7": ("bmd", "radius_33", "right", None, THEMIS),
    # T-scores
    "38267-1": ("tscore", "lumbar_spine", None, None, FINDACODE),
    "38264-8": ("tscore", "total_hip", None, None, THEMIS),
    "80946-7": ("tscore", "total_hip", "left", None, US_CORE),
    "80945-9": ("tscore", "total_hip", "right", None, THEMIS),
    "38263-0": ("tscore", "femoral_neck", None, None, FINDACODE),
    "80948-3": ("tscore", "femoral_neck", "left", None, THEMIS),
    "80947-5": ("tscore", "femoral_neck", "right", None, THEMIS),
    "38265-5": ("tscore", "radius_33", None, None, THEMIS),
    "80944-2": ("tscore", "radius_33", "left", None, THEMIS),
    "80943-4": ("tscore", "radius_33", "right", None, THEMIS),
    # Z-scores
    "85394-5": ("zscore", "lumbar_spine", None, None, THEMIS),
    "80933-5": ("zscore", "total_hip", None, None, THEMIS),
    "80938-4": ("zscore", "total_hip", "left", None, THEMIS),
    "80937-6": ("zscore", "total_hip", "right", None, THEMIS),
    "80934-3": ("zscore", "femoral_neck", None, None, THEMIS),
    "80940-0": ("zscore", "femoral_neck", "left", None, THEMIS),
    "80939-2": ("zscore", "femoral_neck", "right", None, THEMIS),
    "80932-7": ("zscore", "radius_33", None, None, THEMIS),
    "80936-8": ("zscore", "radius_33", "left", None, THEMIS),
    "80935-0": ("zscore", "radius_33", "right", None, THEMIS),
    # markers and the panel
    "77370-5": ("marker", None, None, "p1np", NOT_CHECKED),
    "41171-0": ("marker", None, None, "ctx", ARUP),
    "83311-1": ("panel", None, None, None, FINDACODE),
}

# ---- Medications (data/fhir/medications.json) ----------------------------
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
OHDSI_ZOL = "OHDSI concept set 'Zoledronic acid' (RxNorm Ingredient 77655)"
ATC_KIP = "Danish KIP FHIR CodeSystem 'WHO ATC' (kip.rkkp.dk), a fragment"
ATC_TABLES = "public ATC hierarchy table (M05BA04 under M05BA) and a German FHIR ATC CodeSystem"
# agent: {system: (preferred ingredient code, where checked)}
MEDS = {
    "alendronate": {RXNORM: ("46041", NOT_CHECKED), ATC: ("M05BA04", ATC_TABLES)},
    "risedronate": {RXNORM: ("73056", NOT_CHECKED), ATC: ("M05BA07", NOT_CHECKED)},
    "ibandronate": {RXNORM: ("115264", NOT_CHECKED), ATC: ("M05BA06", NOT_CHECKED)},
    "zoledronate": {RXNORM: ("77655", OHDSI_ZOL), ATC: ("M05BA08", ATC_KIP)},
    "denosumab": {RXNORM: ("993449", NOT_CHECKED), ATC: ("M05BX04", ATC_KIP)},
    "teriparatide": {RXNORM: ("110634", NOT_CHECKED), ATC: ("H05AA02", NOT_CHECKED)},
    "abaloparatide": {RXNORM: ("1860170", NOT_CHECKED), ATC: ("H05AA04", NOT_CHECKED)},
    "romosozumab": {RXNORM: ("2167257", NOT_CHECKED), ATC: ("M05BX06", NOT_CHECKED)},
    "raloxifene": {RXNORM: ("72143", NOT_CHECKED), ATC: ("G03XC01", NOT_CHECKED)},
    "bazedoxifene": {RXNORM: ("1492813", NOT_CHECKED), ATC: ("G03XC02", NOT_CHECKED)},
    "estrogen": {RXNORM: ("4083", NOT_CHECKED), ATC: ("G03CA03", NOT_CHECKED)},
    "vitamin_d": {RXNORM: ("2418", NOT_CHECKED), ATC: ("A11CC05", NOT_CHECKED)},
    "calcium": {RXNORM: ("1897", NOT_CHECKED), ATC: ("A12AA04", NOT_CHECKED)},
}
# oral and intravenous ibandronate share their codes; the route tells them apart
ROUTES = {"oral": "26643006", "intravenous": "47625008"}  # SNOMED CT, not checked

# ---- Fractures (data/fhir/fractures.json) --------------------------------
SCT = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
TERMSRV = ("SNOMED CT FSNs in terminology tooling: SNOMED CT authoring scripts "
           "(125605004, 46866001), Pathling docs (16114001 parent 46866001), "
           "SNOMED CT-AU fix list (263199001)")
BHF = "BHF DSC CCU002_07 outcome codelist (SNOMED CT FSNs)"
VCF = "FHIR Shorthand imaging-finding ValueSet; ACR/RSNA OIFM vertebral compression fracture"
# SNOMED CT code: (site, where checked). Exact codes: no hierarchy.
SNOMED = {
    "125605004": ("other", TERMSRV),
    "46866001": ("other", TERMSRV),   # Fracture of lower limb: never foot_toe
    "16114001": ("ankle", TERMSRV),
    "263199001": ("wrist", TERMSRV),
    "42942008": ("vertebral", VCF),
    "207938004": ("vertebral", BHF), "207949005": ("vertebral", BHF),
    "207957008": ("vertebral", BHF), "207965006": ("vertebral", BHF),
    "269062008": ("vertebral", BHF), "269070003": ("vertebral", BHF),
    "359817006": ("hip", BHF), "361118003": ("hip", BHF),
    "42188001": ("ankle", BHF), "48187004": ("ankle", BHF),
    "342070009": ("foot_toe", BHF), "367527001": ("foot_toe", BHF),
    "50448004": ("vertebral", NOT_CHECKED),
    "5913000": ("hip", NOT_CHECKED),
    "263183008": ("humerus", NOT_CHECKED),
    "48254004": ("pelvis", NOT_CHECKED),
    "71642004": ("skull_face", NOT_CHECKED),
    "13491005": ("hand_finger", NOT_CHECKED),
}
# Key ICD-10 prefixes (WHO and -CM alike): the site a code under them must
# be read as. The three-character categories (S12 cervical spine, S22 ribs,
# sternum and thoracic spine, S32 lumbar spine and pelvis, S42 shoulder and
# upper arm, S52 forearm, S72 femur, S92 foot) were seen in a public FHIR
# CodeSystem of ICD-10 injury codes (PH Road Safety IG); the subcategories
# (S22.0 thoracic vertebra, ...) are as ICD-10 names them, not checked one
# by one.
ICD = {
    "S12.1": "vertebral", "S22.0": "vertebral", "S22.06": "vertebral", "S32.0": "vertebral",
    "M48.5": "vertebral",
    "S72.0": "hip", "S72.1": "hip", "S72.2": "hip",
    "S42.2": "humerus", "S52.5": "wrist", "S52.6": "wrist",
    "S32.5": "pelvis", "S92.3": "foot_toe", "S62.6": "hand_finger", "S02.0": "skull_face",
}
ICD_CM_ONLY = {"M80.08": "vertebral", "M80.05": "hip", "M80.03": "wrist", "M80.02": "humerus"}
# Codes that must not be a fracture osteotrack discounts or misplaces:
# the femoral shaft and ribs are not listed (not relevant), never hip.
ICD_NOT = {"S72.3": "hip", "S22.3": "vertebral"}


def load(src, *path):
    with open(os.path.join(src, "data", *path)) as f:
        return json.load(f)["codes"]


def main():
    src = sys.argv[1]
    errors = []

    def err(msg):
        errors.append(msg)

    # LOINC: every code here is in the table with its meaning, and only these
    loinc = {c["code"]: c for c in load(src, "loinc.json")}
    for code, (kind, site, side, analyte, where) in LOINC.items():
        c = loinc.get(code)
        if c is None:
            err("loinc.json: %s is missing" % code)
            continue
        got = (c["kind"], c.get("site"), c.get("side"), c.get("analyte"))
        if got != (kind, site, side, analyte):
            err("loinc.json: %s is %s, expected %s" % (code, got, (kind, site, side, analyte)))
        if c["confirmed"] != (where is not None):
            err("loinc.json: %s: confirmed %s, but it was %s" %
                (code, c["confirmed"], "checked in " + where if where else "not checked"))
    for code in loinc.keys() - LOINC.keys():
        err("loinc.json: %s is not pinned in %s: add it with its source" % (code, __file__))
    # every sided site with sided codes has a preferred left and right code
    for kind in ("bmd", "tscore", "zscore"):
        for site in ("total_hip", "femoral_neck", "radius_33"):
            for side in ("left", "right"):
                pref = [c for c in loinc.values() if c["preferred"] and c["kind"] == kind and
                        c.get("site") == site and c.get("side") == side]
                if len(pref) != 1:
                    err("loinc.json: %d preferred %s codes for %s %s" % (len(pref), kind, site,
                                                                        side))

    # Medications: the preferred code of each agent and system
    meds = json.load(open(os.path.join(src, "data", "fhir", "medications.json")))
    for agent, systems in MEDS.items():
        for system, (code, where) in systems.items():
            pref = [c for c in meds["codes"] if c["preferred"] and c["system"] == system and
                    c["agent"] == agent]
            if [c["code"] for c in pref] != [code]:
                err("medications.json: %s %s: %s, expected %s" %
                    (agent, system, [c["code"] for c in pref], code))
                continue
            if pref[0]["confirmed"] != (where is not None):
                err("medications.json: %s %s: confirmed %s, but it was %s" %
                    (agent, code, pref[0]["confirmed"],
                     "checked in " + where if where else "not checked"))
    iband = [c for c in meds["codes"] if c["agent"] == "ibandronate"]
    if not iband or any(c.get("intravenous_agent") != "ibandronate_iv" for c in iband):
        err("medications.json: every ibandronate code must name ibandronate_iv as its "
            "intravenous agent (the two share their codes)")
    for route, code in ROUTES.items():
        if [r["code"] for r in meds["routes"] if r["route"] == route] != [code]:
            err("medications.json: the %s route is not SNOMED CT %s" % (route, code))

    # Fractures
    fx = load(src, "fhir", "fractures.json")
    sct = {c["code"]: c for c in fx if c["system"] == SCT}
    for code, (site, where) in SNOMED.items():
        c = sct.get(code)
        if c is None:
            err("fractures.json: SNOMED CT %s is missing" % code)
            continue
        if c["site"] != site or c["match"] != "exact":
            err("fractures.json: SNOMED CT %s is %s (%s), expected %s (exact)" %
                (code, c["site"], c["match"], site))
        if c["confirmed"] != (where is not None):
            err("fractures.json: SNOMED CT %s: confirmed %s, but it was %s" %
                (code, c["confirmed"], "checked in " + where if where else "not checked"))
    for code in sct.keys() - SNOMED.keys():
        err("fractures.json: SNOMED CT %s is not pinned in %s: add it with its source" %
            (code, __file__))
    # the writer's SNOMED CT code for a site is a checked one
    for c in sct.values():
        if c["preferred"] and not c["confirmed"]:
            err("fractures.json: SNOMED CT %s is preferred (written) but not confirmed" %
                c["code"])

    def site_of(system, code):
        want = code.replace(".", "")
        best, n = None, 0
        for c in fx:
            have = c["code"].replace(".", "")
            if c["system"] == system and c["match"] == "prefix" and want.startswith(have) \
                    and len(have) > n:
                best, n = c["site"], len(have)
        return best
    for system in (ICD10, ICD10CM):
        for code, site in ICD.items():
            if site_of(system, code) != site:
                err("fractures.json: %s %s is read as %s, expected %s" %
                    (system, code, site_of(system, code), site))
        for code, site in ICD_NOT.items():
            if site_of(system, code) == site:
                err("fractures.json: %s %s must not be read as %s" % (system, code, site))
    for code, site in ICD_CM_ONLY.items():
        if site_of(ICD10CM, code) != site:
            err("fractures.json: ICD-10-CM %s is read as %s, expected %s" %
                (code, site_of(ICD10CM, code), site))

    for e in errors:
        print("FAIL:", e)
    if errors:
        return 1
    print("ok: %d LOINC, %d medication, %d SNOMED CT and %d ICD-10 codes agree with the "
          "pinned list" % (len(LOINC), sum(len(s) for s in MEDS.values()), len(SNOMED),
                           len(ICD) * 2 + len(ICD_CM_ONLY) + len(ICD_NOT) * 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

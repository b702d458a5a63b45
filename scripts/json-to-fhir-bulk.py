#!/usr/bin/env python3
"""osteotrack patient documents (JSON) -> FHIR R4: a Bulk Data export (one
NDJSON file per resource type) or one Bundle per patient.

Written apart from the C reader, from docs/fhir.md and the code tables in
data/: it is the cross-check that the reader maps FHIR as documented (the
test cli/fhir-bulk-equals-json compares the reports of both inputs).

  scripts/json-to-fhir-bulk.py data/examples/patients.json data/examples/fhir-bulk
  scripts/json-to-fhir-bulk.py --bundle P001-responder-alendronate \\
      data/examples/patients.json data/examples/patient-P001.fhir-bundle.json
"""
import argparse
import json
import os
import sys
import uuid

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OT_CS = "http://osteotrack.org/fhir/CodeSystem/osteotrack"
OT_PID = "http://osteotrack.org/fhir/patient-id"
OT_REGION = "http://osteotrack.org/fhir/StructureDefinition/spine-region"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SCT = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"

AGENT_ALIASES = {"prolia": "denosumab", "fosamax": "alendronate", "actonel": "risedronate",
                 "reclast": "zoledronate", "aclasta": "zoledronate", "forteo": "teriparatide",
                 "evenity": "romosozumab", "evista": "raloxifene", "boniva": "ibandronate"}
FX_ALIASES = {"proximal_humerus": "humerus", "spine": "vertebral", "femur": "hip",
              "distal_radius": "wrist", "forearm": "wrist"}
SITE_ALIASES = {"spine": "lumbar_spine", "hip": "total_hip", "neck": "femoral_neck",
                "radius": "radius_33"}
MFR_NAMES = {"hologic": "Hologic", "ge_lunar": "GE Lunar", "norland": "Norland",
             "other": "other"}
MENO = {"pre": "premenopausal", "peri": "perimenopausal", "post": "postmenopausal"}


def load_tables(data):
    loinc = json.load(open(os.path.join(data, "loinc.json")))["codes"]
    meds = json.load(open(os.path.join(data, "fhir", "medications.json")))
    fx = json.load(open(os.path.join(data, "fhir", "fractures.json")))["codes"]
    return loinc, meds, fx


def loinc_for(loinc, kind, site=None, side=None, analyte=None):
    """The preferred code: with the side when one has it, else without."""
    best = None
    for c in loinc:
        if not c["preferred"] or c["kind"] != kind:
            continue
        if kind == "marker":
            if c.get("analyte") == analyte:
                return c
            continue
        if c.get("site") != site:
            continue
        if c.get("side") == side:
            return c
        if "side" not in c:
            best = c
    if best is None:
        sys.exit("no LOINC code for %s %s %s" % (kind, site, side))
    return best


def to_fhir(patients, data):
    loinc, meds, fxcodes = load_tables(data)
    out = {t: [] for t in ("Patient", "Device", "Observation", "MedicationStatement",
                           "MedicationAdministration", "Condition")}
    devices = {}

    def ref(pid):
        return {"reference": "Patient/" + pid}

    for p in patients:
        pid = p["patient_id"]
        pat = {"resourceType": "Patient", "id": pid,
               "identifier": [{"system": OT_PID, "value": pid}]}
        sex = p.get("sex")
        if sex:
            pat["gender"] = {"F": "female", "M": "male"}.get(sex.upper(), "unknown")
        if p.get("birth_date"):
            pat["birthDate"] = p["birth_date"]
        out["Patient"].append(pat)
        n = 0

        def nid(kind):
            nonlocal n
            n += 1
            return "%s-%s-%d" % (pid, kind, n)

        if p.get("menopausal_status"):
            # the status holds for the patient: dated with her first visit
            first = min(o["date"] for o in p["observations"])
            out["Observation"].append({
                "resourceType": "Observation", "id": nid("meno"), "status": "final",
                "code": {"coding": [{"system": OT_CS, "code": "menopausal-status"}]},
                "subject": ref(pid), "effectiveDateTime": first,
                "valueCodeableConcept": {"coding": [{"system": OT_CS,
                                                     "code": MENO[p["menopausal_status"]]}]}})
        for o in p.get("observations", []):
            if o["analyte"] == "bmd":
                site = SITE_ALIASES.get(o["site"], o["site"])
                side = o.get("side")
                code = loinc_for(loinc, "bmd", site, side)
                if side and code.get("side") != side:
                    sys.exit("%s: no LOINC code for the side" % pid)
                obs = {"resourceType": "Observation", "id": nid("bmd"), "status": "final",
                       "code": {"coding": [{"system": LOINC, "code": code["code"],
                                            "display": code["display"]}]},
                       "subject": ref(pid), "effectiveDateTime": o["date"],
                       "valueQuantity": {"value": o["value"], "unit": o.get("unit", "g/cm2"),
                                         "system": UCUM, "code": o.get("unit", "g/cm2")}}
                if o.get("region"):
                    obs["extension"] = [{"url": OT_REGION, "valueString": o["region"]}]
                if o.get("device"):
                    key = (o["device"], o.get("manufacturer"))
                    if key not in devices:
                        dev = {"resourceType": "Device", "id": "device-%d" % (len(devices) + 1),
                               "deviceName": [{"name": o["device"], "type": "user-friendly-name"}]}
                        if o.get("manufacturer"):
                            dev["manufacturer"] = MFR_NAMES[o["manufacturer"]]
                        devices[key] = dev
                        out["Device"].append(dev)
                    obs["device"] = {"reference": "Device/" + devices[key]["id"]}
                out["Observation"].append(obs)
                for score, kind in (("tscore", "tscore"), ("zscore", "zscore")):
                    if o.get(score) is None:
                        continue
                    sc = loinc_for(loinc, kind, site, side)
                    out["Observation"].append({
                        "resourceType": "Observation", "id": nid(kind), "status": "final",
                        "code": {"coding": [{"system": LOINC, "code": sc["code"],
                                             "display": sc["display"]}]},
                        "subject": ref(pid), "effectiveDateTime": o["date"],
                        "valueQuantity": {"value": o[score], "system": UCUM, "code": "1"}})
            else:
                code = loinc_for(loinc, "marker", analyte=o["analyte"])
                unit = o.get("unit", {"p1np": "ug/L", "ctx": "ng/L"}[o["analyte"]])
                out["Observation"].append({
                    "resourceType": "Observation", "id": nid(o["analyte"]), "status": "final",
                    "code": {"coding": [{"system": LOINC, "code": code["code"],
                                         "display": code["display"]}]},
                    "subject": ref(pid), "effectiveDateTime": o["date"],
                    "valueQuantity": {"value": o["value"], "unit": unit, "system": UCUM,
                                      "code": unit}})
        for t in p.get("therapies", []):
            agent = AGENT_ALIASES.get(t["agent"].lower(), t["agent"].lower())
            med = next((c for c in meds["codes"] if c["system"] == RXNORM and c["preferred"] and
                        (c["agent"] == agent or c.get("intravenous_agent") == agent)), None)
            if med is None:
                sys.exit("%s: no RxNorm code for %s" % (pid, agent))
            concept = {"coding": [{"system": RXNORM, "code": med["code"],
                                   "display": med["display"]}], "text": med["display"]}
            route = None
            if med.get("intravenous_agent"):
                iv = agent == med["intravenous_agent"]
                r = next(x for x in meds["routes"] if x["route"] == ("intravenous" if iv
                                                                     else "oral"))
                route = {"coding": [{"system": r["system"], "code": r["code"],
                                     "display": r["display"]}]}
            if t.get("start"):
                st = {"resourceType": "MedicationStatement", "id": nid("course"),
                      "status": "completed" if t.get("end") else "active",
                      "medicationCodeableConcept": concept, "subject": ref(pid),
                      "effectivePeriod": {"start": t["start"]}}
                if t.get("end"):
                    st["effectivePeriod"]["end"] = t["end"]
                if route:
                    st["dosage"] = [{"route": route}]
                out["MedicationStatement"].append(st)
            for d in t.get("doses", []):
                ad = {"resourceType": "MedicationAdministration", "id": nid("dose"),
                      "status": "completed", "medicationCodeableConcept": concept,
                      "subject": ref(pid), "effectiveDateTime": d}
                if route:
                    ad["dosage"] = {"route": route}
                out["MedicationAdministration"].append(ad)
        for f in p.get("fractures", []):
            site = FX_ALIASES.get(f["site"], f["site"])
            # the preferred SNOMED CT code of the site, else its ICD-10 one
            # (data/fhir/fractures.json prefers no unconfirmed SNOMED CT code)
            c = next((x for sysname in (SCT, ICD10) for x in fxcodes
                      if x["system"] == sysname and x["preferred"] and x["site"] == site), None)
            if c is None:
                sys.exit("%s: no fracture code for %s" % (pid, site))
            out["Condition"].append({
                "resourceType": "Condition", "id": nid("fracture"),
                "code": {"coding": [{"system": c["system"], "code": c["code"],
                                     "display": c["display"]}]},
                "subject": ref(pid), "onsetDateTime": f["date"]})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("output", help="a folder (bulk export) or, with --bundle, a file")
    ap.add_argument("--bundle", metavar="PATIENT_ID", help="one patient's Bundle (type collection)")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "data"))
    a = ap.parse_args()
    patients = json.load(open(a.input))
    if isinstance(patients, dict):
        patients = patients.get("patients", [patients])
    if a.bundle:
        patients = [p for p in patients if p["patient_id"] == a.bundle]
        if not patients:
            sys.exit("no patient " + a.bundle)
    res = to_fhir(patients, a.data)
    if a.bundle:
        # entries named by urn:uuid (the same input gives the same UUIDs), and
        # references made to them, as a Bundle of type collection does
        ns = uuid.UUID("6f3c1a52-6f1e-4c1b-9a57-0b5e7c1f0a11")
        urls = {"%s/%s" % (t, r["id"]): "urn:uuid:%s" % uuid.uuid5(ns, "%s/%s" % (t, r["id"]))
                for t in res for r in res[t]}

        def relink(o):
            if isinstance(o, dict):
                if isinstance(o.get("reference"), str) and o["reference"] in urls:
                    o["reference"] = urls[o["reference"]]
                for v in o.values():
                    relink(v)
            elif isinstance(o, list):
                for v in o:
                    relink(v)
        entries = []
        for t in res:
            for r in res[t]:
                relink(r)
                entries.append({"fullUrl": urls["%s/%s" % (t, r["id"])], "resource": r})
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
        with open(a.output, "w") as f:
            json.dump(bundle, f, indent=1)
            f.write("\n")
        return
    os.makedirs(a.output, exist_ok=True)
    for t, items in res.items():
        if not items:
            continue
        with open(os.path.join(a.output, t + ".ndjson"), "w") as f:
            for r in items:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()

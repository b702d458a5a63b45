#!/usr/bin/env python3
"""Validates osteotrack's golden outputs and example inputs against the JSON
Schemas of data/schema/ with ajv in strict mode (ajv.py, ajv_validate.js;
scripts/setup.sh installs the pinned ajv with npm ci). Every schema must
compile under ajv --strict=true first.

  report.schema.json         every golden patient report: data/examples/
                             *.expected.ndjson and *.expected.json, and the
                             stdout of tests/cli/cases/batch-*;
    #/$defs/compare          the stdout of tests/cli/cases/compare-*;
    #/$defs/markers_output   the stdout of tests/cli/cases/markers-*;
  patient.schema.json        data/examples/patients.ndjson (each line), and
    #/$defs/file             data/examples/*.json inputs;
  facility.schema.json       every file a CLI case gives with --config
                             (tests/cli/cases/*/cmd): valid when osteotrack
                             took it (status 0), refused when osteotrack
                             refused it (compare-bad-config's site "knee",
                             compare-crosscal-bad-slope's slope of 10.12);
                             and what `osteotrack precision --format json`
                             writes (tests/cli/cases/precision-json).

Then a few documents that break the schemas must be refused, so that a
schema (or the validator) that accepts anything fails the test.

Usage: validate_goldens.py SOURCE_DIR
"""

import copy
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ajv  # noqa: E402


def documents(path):
    """The JSON documents of a file: one document, an array's items, or NDJSON lines."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.strip():
        return []
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return [(path + ":" + str(i + 1), json.loads(line))
                for i, line in enumerate(text.splitlines()) if line.strip()]
    if isinstance(doc, list):
        return [("%s[%d]" % (path, i), d) for i, d in enumerate(doc)]
    return [(path, doc)]


def case_outputs(src, command, needs=""):
    """stdout of the CLI golden cases of a command (folders named command-*),
    except --help (and -h) texts and --format text (not JSON), and only those whose cmd has
    `needs` when given."""
    paths = []
    for case in sorted(glob.glob(os.path.join(src, "tests", "cli", "cases", command + "-*"))):
        with open(os.path.join(case, "cmd"), encoding="utf-8") as f:
            cmd = f.read()
        if "--help" in cmd or "-h" in cmd.split() or "--format text" in cmd or needs not in cmd:
            continue
        if "--format html" in cmd:  # a page for people, not JSON (check_html.py checks it)
            continue
        if "--format fhir" in cmd:  # FHIR Bundles, not reports (fhir/validate checks them)
            continue
        out = os.path.join(case, "stdout")
        if os.path.getsize(out) > 0:
            paths.append(out)
    return paths


def config_files(src):
    """The files the CLI cases give with --config: (path, osteotrack took it)."""
    out = []
    for case in sorted(glob.glob(os.path.join(src, "tests", "cli", "cases", "*"))):
        with open(os.path.join(case, "cmd"), encoding="utf-8") as f:
            words = f.read().split()
        with open(os.path.join(case, "status"), encoding="utf-8") as f:
            status = int(f.read())
        for i, w in enumerate(words[:-1]):
            path = os.path.join(case, words[i + 1])
            if w == "--config" and os.path.isfile(path):
                out.append((path, status == 0))
    return out


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "."

    ex = os.path.join(src, "data", "examples")
    checks = []  # (schema, pointer, [files])
    checks.append(("report", "#", sorted(glob.glob(os.path.join(ex, "*.expected.ndjson")) +
                                         glob.glob(os.path.join(ex, "*.expected.json"))) +
                   case_outputs(src, "batch")))
    checks.append(("report", "#/$defs/compare", case_outputs(src, "compare")))
    checks.append(("report", "#/$defs/markers_output", case_outputs(src, "markers")))
    checks.append(("patient", "#", [os.path.join(ex, "patients.ndjson")]))
    checks.append(("patient", "#/$defs/file",
                   [p for p in sorted(glob.glob(os.path.join(ex, "*.json")))
                    if not p.endswith((".expected.json", ".columns.json", ".fhir-bundle.json"))]))  # FHIR examples: fhir/validate
    configs = config_files(src)
    checks.append(("facility", "#", [p for p, ok in configs if ok] +
                   case_outputs(src, "precision", "--format json")))

    jobs, where_of = [], []
    for schema, pointer, files in checks:
        for path in files:
            items = documents(path)
            if path.endswith(".json") and schema == "patient" and pointer == "#/$defs/file":
                with open(path, encoding="utf-8") as f:  # the whole file is one instance
                    items = [(path, json.load(f))]
            for where, doc in items:
                jobs.append((schema, pointer, doc))
                where_of.append(where)

    # Documents that must be refused.
    with open(os.path.join(ex, "patients.expected.ndjson"), encoding="utf-8") as f:
        report = json.loads(f.readline())
    with open(os.path.join(ex, "patient-P001.json"), encoding="utf-8") as f:
        patient = json.load(f)

    def broken(doc, change):
        doc = copy.deepcopy(doc)
        change(doc)
        return doc

    bad = [
        ("report", broken(report, lambda d: d.pop("patient_id")), "no patient_id"),
        ("report", broken(report, lambda d: d.update(assessment="great")), "unknown assessment"),
        ("report", broken(report, lambda d: d["bmd"][0].update(significance="up")),
         "unknown significance"),
        ("report", broken(report, lambda d: d["bmd"][0].update(change_pct="5.0")),
         "a number as a string"),
        ("report", broken(report, lambda d: d["bmd"][0]["vs_previous"].update(months="24")),
         "vs_previous with months as a string"),
        ("report", broken(report, lambda d: d.pop("sources")), "no sources"),
        ("report", broken(report, lambda d: d["reference_data"].update(digest="xyz")),
         "a digest that is not 12 hex digits"),
        ("report", broken(report, lambda d: d["bmd"][0].update(lsc_source="ISCD 2005, a text")),
         "a citation where a source id belongs"),
        ("report", broken(report, lambda d: d["flags"].append(
            {"code": "NOT_A_FLAG", "severity": "info", "message": "x"})), "unknown flag code"),
        ("report", broken(report, lambda d: d.update(as_of="2024-13-01")), "invalid date"),
        ("report", broken(report, lambda d: d.update(as_of="2024-02-30")),
         "a day that does not exist"),
        ("report", broken(report, lambda d: d.update(as_of="2200-01-01")),
         "a date after 2199"),
        ("report", broken(report, lambda d: d.update(detail="summary")),
         "detail summary with the full report's fields"),
        ("report", broken(report, lambda d: d["therapy"].pop("courses")),
         "a full report without its list of courses"),
        ("report", broken(report, lambda d: d.update(assessment="Responding")),
         "an assessment in another case"),
        ("report", broken(report, lambda d: d["trend"][0].update(ci95=[1.0])),
         "a ci95 of one number"),
        ("patient", broken(patient, lambda d: d["observations"][0].pop("value")),
         "a BMD without a value"),
        ("patient", broken(patient, lambda d: d["observations"][0].update(value="0.8")),
         "a value as a string"),
        ("patient", broken(patient, lambda d: d["therapies"][0].pop("start")),
         "a therapy without a start"),
        ("patient", broken(patient, lambda d: d["observations"][1].update(date="2019-13-10")),
         "an invalid date"),
        ("patient", broken(patient, lambda d: d["observations"][1].update(date="2023-02-29")),
         "a 29 February of a common year"),
        ("patient", broken(patient, lambda d: d["observations"][0].update(site="knee")),
         "a BMD site knee"),
        ("patient", broken(patient, lambda d: d["therapies"][0].update(agent="aspirin")),
         "an unknown agent"),
        ("facility", {"kind": "osteotrack-facility", "lsc": {"knee": {"pct": 2}}},
         "an LSC of site knee"),
        ("facility", {"kind": "osteotrack-facility", "cross_calibration": [
            {"from_device": "A", "to_device": "B", "site": "knee", "slope": 1.0,
             "intercept": 0.0, "lsc_g_cm2": 0.03}]}, "a cross-calibration of site knee"),
        ("facility", {"kind": "osteotrack-facility", "markers": {"bmd": {"lsc_pct": 5}}},
         "markers of bmd"),
        ("facility", {"kind": "osteotrack-facility",
                      "lsc": {"lumbar_spine": {"g_cm2": 0.03, "pct": 2}}}, "both g_cm2 and pct"),
        ("facility", {"kind": "osteotrack-facility", "lsc": {"total_hip": {"g_cm2": 0.9}}},
         "an LSC out of range"),
        ("facility", {"kind": "osteotrack-facility", "markers": {"ctx": {"lsc": 40}}},
         "an unknown marker key"),
        ("facility", {"kind": "osteotrack-facility", "colour": "blue"}, "an unknown key"),
        ("facility", {"kind": "something-else"}, "another kind"),
    ]
    refused = [p for p, ok in configs if not ok]
    for path in refused:
        with open(path, encoding="utf-8") as f:
            bad.append(("facility", json.load(f), "what osteotrack refuses in " +
                        os.path.relpath(path, src)))

    version, errors = ajv.validate(src, jobs + [(s, "#", d) for s, d, _ in bad])
    print("ok   ajv %s --strict=true compiles %s.schema.json" % (
        version, ", ".join(ajv.SCHEMAS)))
    passed = failed = 0
    if len(refused) < 2:
        failed += 1
        print("FAIL fewer than 2 --config files that osteotrack refuses found")
    k = 0
    for schema, pointer, files in checks:
        n = 0
        while k < len(jobs) and jobs[k][:2] == (schema, pointer):
            errs = errors[k]
            if errs:
                failed += 1
                print("FAIL %s against %s.schema.json%s:" % (
                    os.path.relpath(where_of[k], src), schema, pointer[1:]))
                for e in errs[:10]:
                    print("    " + e)
            else:
                passed += 1
            n += 1
            k += 1
        if n == 0:
            failed += 1
            print("FAIL no documents found for %s.schema.json%s" % (schema, pointer[1:]))
        else:
            print("ok   %4d documents valid against %s.schema.json%s" % (n, schema, pointer[1:]))
    for (schema, doc, why), errs in zip(bad, errors[len(jobs):]):
        if errs:
            passed += 1
        else:
            failed += 1
            print("FAIL %s.schema.json accepts a document with %s" % (schema, why))
    print("ok   %4d broken documents refused" % len(bad))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

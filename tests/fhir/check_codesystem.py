#!/usr/bin/env python3
"""data/fhir/CodeSystem-osteotrack.json defines exactly the codes of the library.

Usage: check_codesystem.py VOCAB_DUMP SOURCE_DIR [FHIR_NDJSON...]

The CodeSystem's codes (grouping codes aside) must equal: every assessment and
every flag code the library names (ot_vocab_dump), "significance-" and each
significance, the derived results and the menopausal status with its three
values. Every code of the CodeSystem's system in the given FHIR output (batch
--format fhir) must be one of its codes. Exit 1 naming each difference.
"""
import json
import subprocess
import sys

SYSTEM = "http://osteotrack.org/fhir/CodeSystem/osteotrack"
GROUPS = {"assessment", "flag", "derived", "significance"}


def codes(concepts, out):
    for c in concepts:
        out.append(c["code"])
        codes(c.get("concept", []), out)
    return out


def used(x, out):
    if isinstance(x, dict):
        if x.get("system") == SYSTEM and "code" in x:
            out.add(x["code"])
        for v in x.values():
            used(v, out)
    elif isinstance(x, list):
        for v in x:
            used(v, out)
    return out


def main():
    vocab = json.loads(subprocess.run([sys.argv[1]], check=True, capture_output=True,
                                      text=True).stdout)
    cs = json.load(open(sys.argv[2] + "/data/fhir/CodeSystem-osteotrack.json"))
    errors = []
    if cs.get("url") != SYSTEM:
        errors.append(f"url is {cs.get('url')!r}, not {SYSTEM}")
    listed = codes(cs["concept"], [])
    if len(listed) != len(set(listed)):
        errors.append("a code is listed twice")
    if cs.get("count") != len(listed):
        errors.append(f"count is {cs.get('count')}, the concepts are {len(listed)}")
    expected = set(vocab["assessment"]) | set(vocab["flag_code"])
    expected |= {"significance-" + s for s in vocab["significance"]}
    expected |= {"bmd-change-from-baseline", "bmd-change-significance", "bmd-lsc",
                 "menopausal-status", "premenopausal", "perimenopausal", "postmenopausal"}
    have = set(listed) - GROUPS
    for c in sorted(expected - have):
        errors.append(f"the library names {c!r}: the CodeSystem does not define it")
    for c in sorted(have - expected):
        errors.append(f"the CodeSystem defines {c!r}: the library names no such code")
    seen = set()
    for path in sys.argv[3:]:
        for n, line in enumerate(open(path), 1):
            for c in used(json.loads(line), set()) - set(listed):
                errors.append(f"{path}:{n}: writes {c!r}, not in the CodeSystem")
            seen |= used(json.loads(line), set())
    for e in errors:
        print("check_codesystem:", e)
    print(f"check_codesystem: {len(have)} codes, {len(expected)} expected, "
          f"{len(seen)} written in {len(sys.argv) - 3} files; {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

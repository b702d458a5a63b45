#!/usr/bin/env python3
"""Every output names its sources by id, and its `sources` object holds exactly
the ids it used: no more, no fewer, each with the citation and confirmed mark
that data/ gives that id (or, for a facility configuration, its own text).

Checked over every golden output (tests/cli/cases/*/stdout) and over the
reports of every example input, made now by the command; plus `osteotrack
sources`, which must list every id of data/ with the same citation.
  Usage: sources_exact.py BIN SOURCE_DIR
"""
import glob
import json
import os
import subprocess
import sys

bin_, src = sys.argv[1], sys.argv[2]
data = os.path.join(src, "data")


def shipped():
    """id -> (citation, confirmed), read from data/*.json independently of the tool."""
    out = {}

    def walk(o):
        if isinstance(o, dict):
            if "source_id" in o:
                out[o["source_id"]] = (o["source"], o["confirmed"])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    for f in sorted(glob.glob(os.path.join(data, "*.json")) +
                    glob.glob(os.path.join(data, "fhir", "*.json"))):
        walk(json.load(open(f)))
    return out


def used_ids(o, out, inside=None):
    """Values of every key named source or *_source, outside the sources object."""
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "sources" and inside is None:
                continue
            if (k == "source" or k.endswith("_source")) and v is not None:
                out.add(v)
            else:
                used_ids(v, out)
    elif isinstance(o, list):
        for v in o:
            used_ids(v, out)


ref = shipped()
fails = checked = 0


def check(doc, where):
    global fails, checked
    if not isinstance(doc, dict) or "sources" not in doc:
        return
    if set(doc) == {"osteotrack_version", "reference_data", "sources"}:
        return  # the listing of osteotrack sources: checked below
    checked += 1
    used = set()
    used_ids(doc, used)
    listed = set(doc["sources"])
    if used != listed:
        fails += 1
        print("FAIL %s: used %s, listed %s" % (where, sorted(used - listed), sorted(listed - used)))
    for i in listed & set(ref):
        s = doc["sources"][i]
        if (s["citation"], s["confirmed"]) != ref[i]:
            fails += 1
            print("FAIL %s: %s is not the citation data/ gives" % (where, i))
    for i in listed - set(ref):
        s = doc["sources"][i]
        if not (i.startswith("facility-") and s["citation"] and s["confirmed"] is True):
            fails += 1
            print("FAIL %s: %s is neither in data/ nor a facility configuration's" % (where, i))


def docs_of(text):
    text = text.strip()
    if not text:
        return []
    try:
        d = json.loads(text)
        return d if isinstance(d, list) else [d]
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


for f in sorted(glob.glob(os.path.join(src, "tests/cli/cases/*/stdout"))):
    try:
        docs = docs_of(open(f).read())
    except ValueError:
        continue  # help texts and the like
    for n, d in enumerate(docs):
        check(d, "%s[%d]" % (os.path.relpath(f, src), n))

env = dict(os.environ, OSTEOTRACK_DATA_DIR=data)
for f in sorted(glob.glob(os.path.join(data, "examples/patients*"))):
    if "expected" in f or f.endswith("precision-30x2.csv"):
        continue
    r = subprocess.run([bin_, "batch", f, "--as-of", "2024-06-01"], env=env,
                       capture_output=True, text=True)
    for n, d in enumerate(docs_of(r.stdout)):
        check(d, "%s report %d" % (os.path.basename(f), n + 1))

r = subprocess.run([bin_, "sources"], env=env, capture_output=True, text=True)
listing = json.loads(r.stdout)
got = {k: (v["citation"], v["confirmed"]) for k, v in listing["sources"].items()}
if r.returncode != 0 or got != ref:
    fails += 1
    print("FAIL osteotrack sources: not every id of data/ with its citation (%s missing, %s extra)"
          % (sorted(set(ref) - set(got)), sorted(set(got) - set(ref))))
if checked < 100:
    fails += 1
    print("FAIL only %d outputs checked" % checked)
print("sources: %d outputs checked, %d ids in data/, %d failed" % (checked, len(ref), fails))
sys.exit(1 if fails else 0)

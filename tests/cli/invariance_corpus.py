#!/usr/bin/env python3
"""Results that must not bend with what should not matter, over every golden
input (data/examples, tests/cli/cases) and a file of scores that are not
exact in float (generated here):

  1. --grouping auto, memory and stream give byte-identical reports (stream
     only on input grouped by patient, where it does not reject a row);
  2. shuffling a CSV's data rows, or the observations, therapies and
     fractures of each JSON document, changes no report (CSV patients come
     out in order of first appearance, so reports are compared as a set).

Inputs that reject anything are left out of 2 (which of two duplicates is
kept depends on their order, as documented).
Usage: invariance_corpus.py OSTEOTRACK SOURCE_DIR
"""
import csv
import glob
import io
import json
import os
import random
import subprocess
import sys
import tempfile

AS_OF = "2024-06-01"


def run(binary, path, *args):
    p = subprocess.run([binary, "batch", path, "--as-of", AS_OF, "--jobs", "1", *args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def inputs(src):
    files = sorted(glob.glob(os.path.join(src, "data", "examples", "patients*.*")))
    files = [f for f in files if ".expected." not in f]
    for ext in ("csv", "json", "ndjson"):
        files += sorted(glob.glob(os.path.join(src, "tests", "cli", "cases", "batch-*", "*." + ext)))
    return files


def float_edges(tmp):
    """Scores that float would round: -2.49999945 is osteoporosis only when
    rounded to float; -2.35, -1.95 are not exact either."""
    path = os.path.join(tmp, "float-edges.csv")
    rows = ["patient_id,date,analyte,site,value,tscore,zscore,sex,birth_date"]
    for i, (t, z) in enumerate([(-2.49999945, -1.95), (-2.35, -2.0000001), (-2.5000001, -1.99),
                                (-0.999999, -2.05), (-1.0000004, 1.0e-7)]):
        for k, d in enumerate(("2020-01-10", "2022-01-12")):
            rows.append("F%d,%s,bmd,femoral_neck,0.%d,%r,%r,F,19%d0-05-05" %
                        (i, d, 600 + 10 * k + i, t + 0.01 * k, z, 5 + i))
            rows.append("F%d,%s,bmd,lumbar_spine,0.%d,%r,,F,19%d0-05-05" %
                        (i, d, 800 + 10 * k + i, t + 0.01 * k, 5 + i))
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")
    return path


def shuffled_copy(path, tmp, seed):
    rnd = random.Random(seed)
    out = os.path.join(tmp, "shuffled-%d-%s" % (seed, os.path.basename(path)))
    if path.endswith(".csv"):
        with open(path, newline="") as f:
            text = f.read()
        if '"' not in text:
            lines = text.splitlines(keepends=True)
            body = lines[1:]
            rnd.shuffle(body)
            with open(out, "w", newline="") as f:
                f.writelines(lines[:1] + body)
            return out
        # quoted fields may hold commas and line ends: shuffle whole records
        records = list(csv.reader(io.StringIO(text, newline="")))
        body = records[1:]
        rnd.shuffle(body)
        with open(out, "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(records[:1] + body)
        return out
    try:
        docs = read_docs(path)
    except ValueError:
        return None  # a file that is not JSON cannot be shuffled by documents
    if not isinstance(docs, list) or not all(isinstance(d, dict) for d in docs):
        return None
    for d in docs:
        for key in ("observations", "therapies", "fractures"):
            if isinstance(d.get(key), list):
                rnd.shuffle(d[key])
    with open(out, "w") as f:
        if path.endswith(".ndjson"):
            f.write("".join(json.dumps(d) + "\n" for d in docs))
        else:
            json.dump(docs, f)
    return out


def read_docs(path):
    with open(path) as f:
        text = f.read()
    if path.endswith(".ndjson"):
        return [json.loads(l) for l in text.splitlines() if l.strip()]
    data = json.loads(text)
    return data if isinstance(data, list) else data.get("patients", [data])


def split_copy(path, tmp):
    """Each patient document as two: the therapies and the first half of the
    observations and fractures in one, the rest in another, every first half
    before every second half. The documents of one patient are one patient:
    the reports must not change."""
    if path.endswith(".csv"):
        return None
    try:
        docs = read_docs(path)
    except ValueError:
        return None
    if not all(isinstance(d, dict) for d in docs):
        return None
    first, second = [], []
    for d in docs:
        a, b = dict(d), {k: v for k, v in d.items() if not isinstance(v, list)}
        for key in ("observations", "fractures"):
            if isinstance(d.get(key), list):
                n = len(d[key]) // 2
                a[key], b[key] = d[key][:n], d[key][n:]
        first.append(a)
        second.append(b)
    out = os.path.join(tmp, "split-" + os.path.basename(path))
    with open(out, "w") as f:
        if path.endswith(".ndjson"):
            f.write("".join(json.dumps(d) + "\n" for d in first + second))
        else:
            json.dump(first + second, f)
    return out


def main():
    binary, src = sys.argv[1], sys.argv[2]
    problems, checked, shuffled, splits = [], 0, 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in inputs(src) + [float_edges(tmp)]:
            name = os.path.relpath(path, src) if path.startswith(src) else os.path.basename(path)
            rc, auto, err = run(binary, path)
            _, memory, _ = run(binary, path, "--grouping", "memory")
            if memory != auto:
                problems.append("%s: --grouping memory differs from auto" % name)
            _, stream, serr = run(binary, path, "--grouping", "stream")
            if "came earlier" not in serr and stream != auto:
                problems.append("%s: --grouping stream differs from auto on grouped input"
                                % name)
            base = auto
            split = split_copy(path, tmp)
            if split and rc == 0:
                for mode in ("auto", "memory"):
                    _, got, _ = run(binary, split, "--grouping", mode)
                    if got != auto:
                        problems.append("%s: each patient split into two documents, "
                                        "--grouping %s, a report changed" % (name, mode))
                splits += 1
            checked += 1
            if rc not in (0, 65):
                continue  # an input refused whole has no reports to compare
            want = sorted(base.splitlines())
            for seed in (1, 2, 3):
                copy = shuffled_copy(path, tmp, seed)
                if not copy:
                    break
                _, got, _ = run(binary, copy)
                if sorted(got.splitlines()) != want:
                    problems.append("%s: shuffled (seed %d), a report changed" % (name, seed))
                    break
            else:
                shuffled += 1
    for p in problems:
        print("FAIL " + p)
    print("%d inputs in every grouping, %d shuffled three times, %d split into two documents "
          "a patient: %d problems" % (checked, shuffled, splits, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""--detail summary is the full report cut down, never a different judgement:
for every example patient, and for patients generated at run time, the
summary's flags, assessment, summary sentence, next actions, trend and T-score
equal the full report's; its bmd is the full report's latest entry of each
site, in order; its markers are full-report markers of the current course; it
leaves out the earlier pairs, the list of courses, assessed_course,
bisphosphonate_review and treatment_failure. (That its sources hold exactly
the ids it names is checked by sources_exact.py over the summary goldens.)
  Usage: summary_projection.py BIN SOURCE_DIR
"""
import glob
import json
import os
import subprocess
import sys

bin_, src = sys.argv[1], sys.argv[2]
env = dict(os.environ, OSTEOTRACK_DATA_DIR=os.path.join(src, "data"))
fails = patients = 0


def run(f, detail):
    r = subprocess.run([bin_, "batch", f, "--as-of", "2024-06-01", "--detail", detail],
                       env=env, capture_output=True, text=True)
    return r.returncode, r.stderr, [json.loads(x) for x in r.stdout.splitlines() if x.strip()]


def fail(msg):
    global fails
    fails += 1
    print("FAIL " + msg)


inputs = [f for f in sorted(glob.glob(os.path.join(src, "data/examples/patients*")))
          if "expected" not in f]
for f in inputs:
    rc_f, err_f, full = run(f, "full")
    rc_s, err_s, summ = run(f, "summary")
    name = os.path.basename(f)
    if (rc_f, err_f) != (rc_s, err_s):
        fail("%s: exit status or stderr differ between full and summary" % name)
    if len(full) != len(summ):
        fail("%s: %d full reports, %d summaries" % (name, len(full), len(summ)))
        continue
    for a, b in zip(full, summ):
        patients += 1
        who = "%s %s" % (name, a["patient_id"])
        if b.get("detail") != "summary" or "detail" in a:
            fail("%s: detail marker" % who)
        for k in ("patient_id", "as_of", "patient", "trend", "tscore", "flags", "assessment",
                  "summary", "next_actions", "osteotrack_version", "reference_data"):
            if a.get(k) != b.get(k):
                fail("%s: %s differs" % (who, k))
        for k in ("assessed_course", "bisphosphonate_review", "treatment_failure"):
            if k in b:
                fail("%s: the summary has %s" % (who, k))
        if b["therapy"] != {"current": a["therapy"]["current"], "since": a["therapy"]["since"]}:
            fail("%s: therapy is not current and since" % who)
        latest = {}
        for i, e in enumerate(a["bmd"]):
            latest[e["site"]] = i
        want = [e for i, e in enumerate(a["bmd"]) if latest[e["site"]] == i]
        if b["bmd"] != want:
            fail("%s: bmd is not the latest entry of each site" % who)
        if any(m not in a["markers"] for m in b["markers"]):
            fail("%s: a marker not in the full report" % who)
        cur = a["therapy"]["current"]
        if cur and any(m["therapy"] != cur for m in b["markers"]):
            fail("%s: a marker of another course than %s" % (who, cur))
if patients < 50:
    fail("only %d patients compared" % patients)
print("summary: %d patients compared over %d inputs, %d failed" % (patients, len(inputs), fails))
sys.exit(1 if fails else 0)

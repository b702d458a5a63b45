#!/usr/bin/env python3
"""Shuffled rows read on more than one thread (issue 19, part 5): batch reads
the rows gathered in memory on a thread of their own, so this makes a long
CSV at run time, thousands of patients with their rows shuffled and rejected
rows among them (malformed in parsing, and refused when a patient is made:
duplicates, demographics that contradict), in two files, and checks that
--jobs 1, 2 and 4 give the same bytes on stdout and stderr and the same exit
status, with --grouping auto and memory, the rows in one file and in two
(the second read from standard input).
    Usage: jobs_shuffled.py OSTEOTRACK"""
import os
import random
import subprocess
import sys
import tempfile

HEADER = ("patient_id,sex,birth_date,menopausal_status,date,analyte,site,value,unit,"
          "tscore,zscore,device,manufacturer,therapy,therapy_start,therapy_end\n")
SITES = ["lumbar_spine", "total_hip", "femoral_neck"]


def patient_rows(rnd, i):
    pid = "P%05d" % i
    if i % 97 == 0:
        pid = '"P%05d, quoted ""id"""' % i  # a quoted id with a comma and quotes
    sex, birth = rnd.choice("FM"), "19%02d-%02d-1%d" % (rnd.randint(30, 70), rnd.randint(1, 12),
                                                        rnd.randint(0, 9))
    demo = "%s,%s,%s" % (sex, birth, "post" if sex == "F" else "")
    rows = []
    device = "DXA-%d" % rnd.randint(1, 40)
    therapy = rnd.choice(["alendronate", "denosumab", "zoledronate", ""])
    for visit in range(rnd.randint(1, 4)):
        date = "20%02d-%02d-%02d" % (15 + visit * 2, rnd.randint(1, 12), rnd.randint(1, 28))
        for site in rnd.sample(SITES, rnd.randint(1, 3)):
            rows.append("%s,%s,%s,bmd,%s,%.3f,g/cm2,%.1f,,%s,hologic,%s,,\n" % (
                pid, demo, date, site, rnd.uniform(0.6, 1.1), rnd.uniform(-3.5, 0.5),
                device, therapy))
        rows.append("%s,%s,%s,ctx,,%d,ng/L,,,,,%s,,\n" % (pid, demo, date,
                                                         rnd.randint(100, 900), therapy))
        if rnd.random() < 0.5:
            rows.append("%s,%s,%s,p1np,,%d,ug/L,,,,,,,\n" % (pid, demo, date,
                                                             rnd.randint(10, 90)))
    # rejected rows, each kind now and then
    k = i % 11
    if k == 0:
        rows.append("%s,%s,2021-02-30,ctx,,300,ng/L,,,,,,,\n" % (pid, demo))  # no such date
    elif k == 1:
        rows.append(rows[0])  # a duplicate: refused when the patient is made
    elif k == 2:
        rows.append("%s,%s,2020-01-01,bmd,knee,0.9,g/cm2,,,,,,,\n" % (pid, demo))  # bad site
    elif k == 3:
        rows.append("%s,X,,,2020-01-01,ctx,,300,ng/L,,,,,,,,,\n" % pid)  # too many fields
    elif k == 4:
        other = "M" if sex == "F" else "F"  # contradicting demographics: the row is left out
        rows.append("%s,%s,%s,,2022-03-03,ctx,,250,ng/L,,,,,,,\n" % (pid, other, birth))
    elif k == 5:
        rows.append('%s,%s,2020-05-05,ctx,,"12\n3",ng/L,,,,,,,\n' % (pid, demo))  # newline
    elif k == 6:
        rows.append(",%s,2020-01-01,ctx,,300,ng/L,,,,,,,\n" % demo)  # no id
    return rows


def main():
    ot = os.path.abspath(sys.argv[1])
    rnd = random.Random(19)
    rows = [r for i in range(2500) for r in patient_rows(rnd, i)]
    rnd.shuffle(rows)
    half = len(rows) // 2
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        # all the rows (over 4,096: the reading thread's batches go round
        # their ring), and the same rows in two files
        for name, part in (("all.csv", rows), ("part0.csv", rows[:half]),
                           ("part1.csv", rows[half:])):
            with open(os.path.join(tmp, name), "w", encoding="utf-8", newline="") as f:
                f.write(HEADER + "".join(part))
        env = dict(os.environ)
        env.pop("OT_TEST_JOBS", None)

        def run(args, stdin=None):
            with open(os.path.join(tmp, stdin) if stdin else os.devnull, "rb") as inp:
                p = subprocess.run([ot, "batch", "--as-of", "2025-01-01"] + args, stdin=inp,
                                   capture_output=True, env=env, cwd=tmp, check=False)
            return p.returncode, p.stdout, p.stderr

        cases = [  # args, standard input, the --jobs to compare with --jobs 1
            (["all.csv", "--grouping", "auto"], None, ("2", "4")),
            (["all.csv", "--grouping", "memory"], None, ("2", "4")),
            (["part0.csv", "-", "--input-format", "long-csv"], "part1.csv", ("2",)),
        ]
        for args, stdin, jobs in cases:
            base = run(args + ["--jobs", "1"], stdin)
            label = " ".join(args)
            reports, told = base[1].count(b"\n"), base[2].count(b"\n") - 1
            if base[0] != 65 or reports != 2500 or told < 1500:
                print("FAIL: %s --jobs 1: status %d, %d reports, %d rejections told "
                      "(expected 65, 2500, 1500 or more)\n%s" % (
                          label, base[0], reports, told,
                          base[2][-2000:].decode(errors="replace")))
                fails += 1
            for j in jobs:
                got = run(args + ["--jobs", j], stdin)
                for what, a, b in (("exit status", base[0], got[0]),
                                   ("stdout", base[1], got[1]),
                                   ("stderr", base[2], got[2])):
                    if a != b:
                        print("FAIL: %s --jobs %s: %s differs from --jobs 1" % (label, j, what))
                        fails += 1
    if fails:
        sys.exit(1)
    print("ok: --jobs 1, 2, 4 agree on shuffled rows with rejections")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Memory of `batch` is bounded whatever --jobs (issue 23, item 5).

Two inputs made here, the shapes of the issue at a smaller scale:
  ctx: 200 patients of 5,000 CTX rows. Each patient holds about 1 MB;
       before the fix every one of the 3 x jobs x 64 pool slots kept its
       patient's memory, so --jobs 2 peaked near 200 MB (--jobs 1: 6 MB).
  bmd: 8 patients of 12,000 BMD rows. Each report is about 11 MB of JSON;
       before the fix the 8 patients made one batch (fewer than 64), whose
       reports all waited to be written together: --jobs 2 held them all.
For each, --jobs 2 writes the same bytes as --jobs 1, and its peak resident
memory (ru_maxrss of the child) is at most that of --jobs 1 plus MARGIN_MB.
Measured on the 2-core development machine (RelWithDebInfo): after the fix
the excess is 0 MB (ctx) and 15 MB (bmd: the pool lets small reports be made
beside a large one, within its budget, and the second thread has its own
stack and malloc arena); before it, 163 MB (ctx) and 88 MB (bmd). 40 MB sits
between with room both ways. Comparing with --jobs 1 of the same build keeps
the bound meaningful under AddressSanitizer too (its quarantine is capped
here so that memory already freed is not counted).
  Usage: memory.py OSTEOTRACK_BIN
"""
import os
import subprocess
import sys
import tempfile

MARGIN_MB = 40


def ctx_input(path, patients=200, rows=5000):
    with open(path, "w") as f:
        f.write("patient_id,date,analyte,value,unit,therapy,therapy_start\n")
        for p in range(patients):
            for d in range(rows):
                y, rest = divmod(d, 336)
                m, day = divmod(rest, 28)
                f.write(f"C{p:04d},{1990 + y}-{m + 1:02d}-{day + 1:02d},ctx,"
                        f"{200 + (p * 7 + d * 13) % 400},ng/L,alendronate,1990-01-01\n")


def bmd_input(path, patients=8, rows=12000):
    sites = ("lumbar_spine", "total_hip", "femoral_neck")
    with open(path, "w") as f:
        f.write("patient_id,date,analyte,site,value,unit,device,therapy,therapy_start\n")
        for p in range(patients):
            for i in range(rows):
                y, rest = divmod(i // 3, 336)
                m, day = divmod(rest, 28)
                v = 0.700 + ((p * 31 + i * 17) % 200) / 1000
                f.write(f"B{p:04d},{1960 + y}-{m + 1:02d}-{day + 1:02d},bmd,{sites[i % 3]},"
                        f"{v:.3f},g/cm2,DXA-1,alendronate,1960-01-01\n")


def run(binary, path, jobs, out):
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8"
    with open(out, "wb") as o:
        proc = subprocess.Popen([binary, "batch", path, "--as-of", "2025-01-01",
                                 "--jobs", str(jobs)], stdout=o, stderr=subprocess.PIPE,
                                env=env)
        err = proc.stderr.read().decode()
        _, status, ru = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), err, ru.ru_maxrss / 1024.0


def main():
    binary = os.path.realpath(sys.argv[1])
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, make, patients in (("ctx", ctx_input, 200), ("bmd", bmd_input, 8)):
            path = os.path.join(tmp, name + ".csv")
            make(path)
            peak = {}
            for jobs in (1, 2):
                st, err, peak[jobs] = run(binary, path, jobs, os.path.join(tmp, f"{name}{jobs}"))
                closing = err.strip().splitlines()[-1] if err.strip() else ""
                if st != 0 or f" {patients} patients reported, 0 rows rejected" not in closing:
                    print(f"FAIL {name} --jobs {jobs}: exit {st}: {err[-500:]}")
                    fails += 1
            with open(os.path.join(tmp, name + "1"), "rb") as a, \
                    open(os.path.join(tmp, name + "2"), "rb") as b:
                if a.read() != b.read():
                    print(f"FAIL {name}: --jobs 2 wrote other bytes than --jobs 1")
                    fails += 1
            print(f"{name}: peak {peak[1]:.1f} MB with --jobs 1, {peak[2]:.1f} MB with --jobs 2")
            if peak[2] > peak[1] + MARGIN_MB:
                print(f"FAIL {name}: --jobs 2 peaked at {peak[2]:.1f} MB, over --jobs 1's "
                      f"{peak[1]:.1f} MB + {MARGIN_MB} MB")
                fails += 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

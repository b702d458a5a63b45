"""osteotrack.dask against osteotrack batch (issue 22), on a LocalCluster of 2
worker processes, each loading libosteotrack itself (ctypes).

    check_dask.py reports OSTEOTRACK GEN SOURCE_DIR
    check_dask.py worker-killed OSTEOTRACK GEN SOURCE_DIR

reports: the example patients (long CSV, and NDJSON through a Bag) and
20,000 generated patients with shuffled rows, for 1, 2 and 7 partitions: the
reports sorted by patient are byte for byte batch's; the command
(osteotrack-dask --scheduler) on the same and on rows batch rejects gives
batch's closing counts, and batch's rejection lines; its errors are clear.
worker-killed: a worker process is killed (SIGKILL) while it reports; Dask
reruns what it held and the reports are still complete and identical.
Needs python3-dask, python3-distributed, python3-pandas (scripts/setup.sh).
"""
import glob
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

AS_OF = "2025-01-01"


def fail(msg):
    print("check_dask: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def by_patient(lines):
    return sorted(lines, key=lambda l: json.loads(l)["patient_id"])


def batch(ot, path, as_of=AS_OF):
    r = subprocess.run([ot, "batch", path, "--as-of", as_of, "--jobs", "2"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return r.returncode, r.stdout.decode().splitlines(), r.stderr.decode().splitlines()


def same(what, got, want):
    if got != want:
        n = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        fail("%s: %d reports, batch %d; first difference at %d:\n  %.200s\n  %.200s" % (
            what, len(got), len(want), n, got[n] if n < len(got) else "-",
            want[n] if n < len(want) else "-"))
    print("ok: %s: %d reports identical to batch's" % (what, len(got)))


def command(args, scheduler=None, **kw):
    cmd = [sys.executable, "-m", "osteotrack.dask"] + args
    if scheduler:
        cmd += ["--scheduler", scheduler]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, **kw)


def parts(folder):
    lines = []
    for f in sorted(glob.glob(os.path.join(folder, "part-*.ndjson"))):
        with open(f, encoding="utf-8") as fh:
            lines += fh.read().splitlines()
    return lines


def closing(lines, prog):
    m = [l for l in lines if l.startswith(prog + ": ") and " rows read, " in l]
    if len(m) != 1:
        fail("no closing line from %s in: %s" % (prog, lines[-3:]))
    return re.match(r".*?: (\d+ rows read, \d+ patients reported, \d+ rows rejected)", m[0]).group(1)


def check_reports(client, ot, gen, src, tmp):
    import dask
    import dask.bag as db
    import dask.dataframe as dd
    from osteotrack.dask import reports, reports_from_bag

    ex = os.path.join(src, "data", "examples")
    long_csv = os.path.join(ex, "patients-long.csv")
    rc, want, _ = batch(ot, long_csv, "2024-06-01")
    if rc != 0 or len(want) != 18:
        fail("batch on the examples: status %d, %d reports" % (rc, len(want)))
    want = by_patient(want)
    big = os.path.join(tmp, "gen-20000-shuffled.csv")
    with open(big, "wb") as f:
        subprocess.run([gen, "20000", "long-csv", "shuffled", "22"], stdout=f, check=True)
    rc, want_big, err_big = batch(ot, big)
    if rc != 0 or len(want_big) != 20000:
        fail("batch on 20,000 patients: status %d, %d reports" % (rc, len(want_big)))
    want_big = by_patient(want_big)
    # the rows really are shuffled: a patient's rows are not together
    with open(big, encoding="utf-8") as f:
        ids = [l.split(",", 1)[0] for l in f.read().splitlines()[1:]]
    runs = sum(1 for a, b in zip(ids, ids[1:]) if a != b) + 1
    if runs < len(ids) // 2:
        fail("the generated rows are not shuffled (%d runs of %d rows)" % (runs, len(ids)))

    nd = os.path.join(ex, "patients.ndjson")
    rc, want_nd, _ = batch(ot, nd, "2024-06-01")
    want_nd = by_patient(want_nd)
    with open(nd, encoding="utf-8") as f:
        docs = [l for l in f.read().splitlines() if l.strip()]
    for n in (1, 2, 7):
        df = dd.read_csv(long_csv, dtype=str, keep_default_na=False, blocksize=2000)
        out, rejected = reports(df, "2024-06-01", npartitions=n)
        got, bad = dask.compute(out, rejected)
        if bad:
            fail("examples, %d partitions: rejected %s" % (n, bad[:3]))
        same("examples, reports(df), %d partitions (%d input partitions)"
             % (n, df.npartitions), by_patient(got), want)
        out, rejected = reports_from_bag(db.from_sequence(docs, npartitions=3), "2024-06-01",
                                         npartitions=n)
        got, bad = dask.compute(out, rejected)
        same("examples NDJSON, reports_from_bag, %d partitions" % n, by_patient(got), want_nd)
        df = dd.read_csv(big, dtype=str, keep_default_na=False, blocksize=4 << 20)
        out, rejected = reports(df, AS_OF, npartitions=n)
        got, bad = dask.compute(out, rejected)
        if bad:
            fail("20,000 patients: rejected %s" % bad[:3])
        same("20,000 shuffled patients, reports(df), %d partitions" % n, by_patient(got),
             want_big)

    # the local scheduler: the settings travel as one key of the graph
    with dask.config.set(scheduler="threads"):
        out, rejected = reports(dd.read_csv(long_csv, dtype=str, keep_default_na=False,
                                            blocksize=2000), "2024-06-01", npartitions=3)
        got, bad = dask.compute(out, rejected)
    same("examples, reports(df) on the threaded scheduler", by_patient(got), want)

    # the command, on this cluster
    addr = client.scheduler.address
    outdir = os.path.join(tmp, "out-big")
    r = command([big, "-o", outdir, "--as-of", AS_OF, "--partitions", "7", "--blocksize", "3"],
                addr)
    err = r.stderr.decode().splitlines()
    if r.returncode != 0:
        fail("osteotrack-dask: status %d: %s" % (r.returncode, err[-5:]))
    if len(glob.glob(os.path.join(outdir, "part-*.ndjson"))) != 7:
        fail("osteotrack-dask --partitions 7 wrote %s" % os.listdir(outdir))
    same("20,000 shuffled patients, osteotrack-dask, 7 partitions", by_patient(parts(outdir)),
         want_big)
    if closing(err, "osteotrack-dask") != closing(err_big, "osteotrack batch"):
        fail("closing lines differ: %s / %s" % (err[-1], err_big[-1]))
    print("ok: the closing counts are batch's: " + closing(err, "osteotrack-dask"))

    # NDJSON through the command: a Bag grouped by patient_id
    outdir = os.path.join(tmp, "out-ndjson")
    r = command([nd, "-o", outdir, "--as-of", "2024-06-01", "--partitions", "3",
                 "--blocksize", "0.001"], addr)
    err = r.stderr.decode().splitlines()
    _, _, err_nd = batch(ot, nd, "2024-06-01")
    if r.returncode != 0 or len(glob.glob(os.path.join(outdir, "part-*.ndjson"))) != 3:
        fail("osteotrack-dask NDJSON: status %d, %s: %s" % (r.returncode, os.listdir(outdir),
                                                            err[-3:]))
    same("examples NDJSON, osteotrack-dask, 3 partitions", by_patient(parts(outdir)), want_nd)
    if closing(err, "osteotrack-dask") != closing(err_nd, "osteotrack batch"):
        fail("closing lines differ: %s / %s" % (err[-1], err_nd[-1]))

    # rows batch rejects: the same rows, places and reasons, the same counts
    bad_csv = os.path.join(tmp, "bad.csv")
    with open(long_csv, encoding="utf-8") as f:
        lines = f.read().splitlines()
    lines[5:5] = ["", " P001-responder-alendronate ,F,1950-04-02,,2019-01-10,bmd,lumbar_spine,"
                  "0.9,g/cm2,-2.7,,DXA-1,hologic,,,",
                  "P002-stable-denosumab,F,1950-04-02,,2019-01-10,bmd,lumbar_spine,zz,g/cm2,,,"
                  "DXA-1,hologic,,,", "P003,F",
                  '"P004, quoted",F,1950-04-02,,2019-01-10,bmd,lumbar_spine,0.8,g/cm2,,,DXA-1,'
                  'hologic,,,,,',
                  '"P005 ""two\nlines""",F,1950-04-02,,2019-01-10,bmd,lumbar_spine,0.8,g/cm2,,,,,,,']
    with open(bad_csv, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    rel = os.path.relpath(bad_csv)
    rc_b, want_bad, err_b = batch(ot, rel, "2024-06-01")
    for n in ("1", "3"):  # 3: blocks of 200 bytes, cut between records, never in one
        outdir = os.path.join(tmp, "out-bad-" + n)
        r = command([rel, "-o", outdir, "--as-of", "2024-06-01", "--partitions", n] +
                    (["--blocksize", "0.0002"] if n == "3" else []), addr)
        err = r.stderr.decode().splitlines()
        if r.returncode != rc_b or rc_b != 65:
            fail("rejected rows: osteotrack-dask status %d, batch %d" % (r.returncode, rc_b))
        same("rows batch rejects, osteotrack-dask, %s partitions" % n, by_patient(parts(outdir)),
             by_patient(want_bad))
        got_msgs = sorted(l for l in err if l.startswith(rel + ":"))
        want_msgs = sorted(l for l in err_b if l.startswith(rel + ":"))
        if got_msgs != want_msgs or len(want_msgs) < 4:
            fail("rejections differ:\n%s\nbatch:\n%s" % ("\n".join(got_msgs),
                                                         "\n".join(want_msgs)))
        with open(os.path.join(outdir, "rejected.ndjson"), encoding="utf-8") as f:
            kept = sorted(json.loads(l)["message"] for l in f)
        if kept != want_msgs:
            fail("rejected.ndjson is not the rejections: %s" % kept)
        if closing(err, "osteotrack-dask") != closing(err_b, "osteotrack batch"):
            fail("closing lines differ: %s / %s" % (err[-1], err_b[-1]))
    print("ok: %d rejections, with batch's places and reasons, and its counts (%s)"
          % (len(want_msgs), closing(err, "osteotrack-dask")))

    # reports(df) with each row's place: a padded id is the same patient (one
    # report, as batch), and the rejected duplicate is batch's line
    pad_csv = os.path.join(tmp, "padded.csv")
    with open(long_csv, encoding="utf-8") as f:
        lines = f.read().splitlines()
    lines.insert(9, " P001-responder-alendronate ,F,1950-04-02,,2019-01-10,bmd,lumbar_spine,"
                    "0.9,g/cm2,-2.7,,DXA-1,hologic,,,")
    with open(pad_csv, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    rel = os.path.relpath(pad_csv)
    rc_b, want_pad, err_b = batch(ot, rel, "2024-06-01")
    want_msgs = [l for l in err_b if l.startswith(rel + ":")]
    df = dd.read_csv(rel, dtype=str, keep_default_na=False, blocksize=None)
    df = df.assign(_file=rel, _line=df.index + 2)  # one partition: the index is the row's
    for n in (1, 2, 7):
        out, rejected = reports(df, "2024-06-01", npartitions=n)
        got, bad = dask.compute(out, rejected)
        same("a padded patient_id, reports(df) with _file and _line, %d partitions" % n,
             by_patient(got), by_patient(want_pad))
        if [r["message"] for r in bad] != want_msgs or len(want_msgs) != 1:
            fail("rejected %s, batch %s" % ([r["message"] for r in bad], want_msgs))
    print("ok: the rejected duplicate is batch's line: " + want_msgs[0][:100])

    # a facility configuration reaches the workers (the command, on this cluster)
    cfg = os.path.join(src, "tests", "cli", "cases", "compare-config", "facility.json")
    r = subprocess.run([ot, "batch", long_csv, "--as-of", "2024-06-01", "--config", cfg],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    want_cfg = by_patient(r.stdout.decode().splitlines())
    if want_cfg == want:
        fail("the configuration changes no report: it tests nothing")
    outdir = os.path.join(tmp, "out-config")
    r = command([long_csv, "-o", outdir, "--as-of", "2024-06-01", "--config", cfg,
                 "--partitions", "2"], addr)
    same("examples with a facility configuration, osteotrack-dask, 2 partitions",
         by_patient(parts(outdir)), want_cfg)

    # errors, before any cluster
    bad_cfg = os.path.join(tmp, "bad-config.json")
    with open(bad_cfg, "w", encoding="utf-8") as f:
        f.write('{"not": "closed"\n')
    for args, status, text in (
            ([os.path.join(tmp, "none-*.csv"), "-o", tmp + "/e1", "--as-of", AS_OF], 66,
             "no file matches"),
            ([long_csv, "-o", tmp + "/e2", "--as-of", "2024-13-01"], 64, "not a valid date"),
            ([long_csv, "-o", outdir, "--as-of", AS_OF], 73, "not an empty folder"),
            ([os.path.join(ex, "patients.json"), "-o", tmp + "/e3", "--as-of", AS_OF], 64,
             "JSON array"),
            ([long_csv, nd, "-o", tmp + "/e4", "--as-of", AS_OF], 64, "CSV and NDJSON"),
            ([long_csv, "-o", tmp + "/e5"], 64, "--as-of"),
            ([long_csv, "-o", tmp + "/e6", "--as-of", AS_OF, "--config", bad_cfg], 65,
             "malformed JSON")):
        r = command(args)
        e = r.stderr.decode()
        if r.returncode != status or text not in e:
            fail("%s: status %d, expected %d with '%s': %s" % (args, r.returncode, status, text, e))
    r = command(["--help"])
    if r.returncode != 0 or b"--scheduler" not in r.stdout:
        fail("--help: %d %s" % (r.returncode, r.stdout[:200]))
    print("ok: usage errors and --help")


def check_review(client, ot, gen, src, tmp):
    """Inputs where the command once differed from batch: a patient split
    over partitions (Python's hash() differs between worker processes; a
    numeric id, a BOM, a raw tab in an NDJSON document), a quoted header, an
    unterminated quote, a line of spaces, a stray quote, a bad header at 7
    partitions, empty lines before the header, a detected delimiter, a header
and no rows. Each: batch's reports, its notes and rejection lines (in
batch's order) and its counts."""
    import dask
    import dask.bag as db
    from osteotrack.dask import reports_from_bag

    inputs = os.path.join(src, "tests", "dask", "inputs")
    addr = client.scheduler.address
    cases = (("split.ndjson", ["--partitions", "4", "--blocksize", "0.002"]),
             ("numid.ndjson", ["--partitions", "4", "--blocksize", "0.002"]),
             ("bom2.ndjson", ["--partitions", "4", "--blocksize", "0.002"]),
             ("tab2.ndjson", ["--partitions", "4", "--blocksize", "0.002"]),
             ("qhdr2.csv", ["--partitions", "4", "--blocksize", "0.002"]),
             ("unterm.csv", ["--partitions", "4", "--blocksize", "0.002"]),
             ("ws.csv", ["--partitions", "3", "--blocksize", "0.0003"]),
             ("stray.csv", ["--partitions", "3", "--blocksize", "0.0003"]),
             ("nodate18.csv", ["--partitions", "7", "--blocksize", "0.001"]),
             ("lead.csv", ["--partitions", "3", "--blocksize", "0.0001"]),
             ("semi.csv", ["--partitions", "3", "--blocksize", "0.0003"]),
             ("hdronly.csv", ["--partitions", "2"]))
    for name, args in cases:
        rel = os.path.relpath(os.path.join(inputs, name))
        rc_b, want, err_b = batch(ot, rel, "2024-06-01")
        outdir = os.path.join(tmp, "out-review-" + name)
        r = command([rel, "-o", outdir, "--as-of", "2024-06-01"] + args, addr)
        err = r.stderr.decode().splitlines()
        if r.returncode != rc_b:
            fail("%s: osteotrack-dask status %d, batch %d: %s" % (name, r.returncode, rc_b,
                                                                   err[-3:]))
        same("%s, osteotrack-dask %s" % (name, " ".join(args)), by_patient(parts(outdir)),
             by_patient(want))
        got_msgs = [l for l in err if l.startswith(rel + ":")]  # notes, rejections, in order
        want_msgs = [l for l in err_b if l.startswith(rel + ":")]
        if got_msgs != want_msgs:
            fail("%s: rejections differ:\n%s\nbatch:\n%s" % (name, "\n".join(got_msgs),
                                                               "\n".join(want_msgs)))
        if closing(err, "osteotrack-dask") != closing(err_b, "osteotrack batch"):
            fail("%s: closing lines differ: %s / %s" % (name, err[-1], err_b[-1]))
        print("ok: %s: %d notes and rejections, and the counts are batch's (%s)" % (
            name, len(want_msgs), closing(err, "osteotrack-dask")))

    # the Bag API on the 2 worker processes: one report a patient
    with open(os.path.join(inputs, "split.ndjson"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    _, want, _ = batch(ot, os.path.join(inputs, "split.ndjson"), "2024-06-01")
    out, rejected = reports_from_bag(db.from_sequence(lines, npartitions=6), "2024-06-01",
                                     npartitions=3)
    got, bad = dask.compute(out, rejected)
    same("split.ndjson, reports_from_bag, 3 partitions", by_patient(got), by_patient(want))

    # lines that end with CR alone: batch reads them; the command says it cannot cut them
    cr = os.path.join(tmp, "cr.csv")
    with open(os.path.join(src, "data", "examples", "patients-long.csv"), "rb") as f:
        data = f.read().replace(b"\n", b"\r")
    with open(cr, "wb") as f:
        f.write(data)
    r = command([cr, "-o", os.path.join(tmp, "out-cr"), "--as-of", "2024-06-01"])
    if r.returncode != 65 or b"CR alone" not in r.stderr:
        fail("a file of CR line ends: status %d: %s" % (r.returncode, r.stderr[-300:]))
    print("ok: a file of CR line ends is refused with a reason")


def check_killed(client, ot, gen, src, tmp):
    import dask.dataframe as dd
    from osteotrack.dask import reports

    big = os.path.join(tmp, "gen-20000-shuffled.csv")
    with open(big, "wb") as f:
        subprocess.run([gen, "20000", "long-csv", "shuffled", "23"], stdout=f, check=True)
    rc, want, _ = batch(ot, big)
    want = by_patient(want)
    pids = client.run(os.getpid)
    df = dd.read_csv(big, dtype=str, keep_default_na=False, blocksize=1 << 20)
    out, rejected = reports(df, AS_OF, npartitions=7)
    futures = client.compute([out, rejected])

    def reported(dask_scheduler):  # partitions through the library so far
        return sum(1 for ts in dask_scheduler.tasks.values()
                   if ts.state == "memory" and "from-delayed" in ts.prefix.name)

    # killed while it runs the library over a partition, after one finished
    killed, deadline = None, time.time() + 120
    while time.time() < deadline and not all(f.done() for f in futures):
        processing = {w: ks for w, ks in client.processing().items()
                      if any("_csv_partition" in str(k) for k in ks)}
        if processing and client.run_on_scheduler(reported) >= 1:
            worker = sorted(processing)[0]
            held = list(processing[worker])
            os.kill(pids[worker], signal.SIGKILL)
            killed = (worker, pids[worker], held)
            break
        time.sleep(0.02)
    if killed is None:
        fail("the run ended before a worker could be killed")
    print("killed worker %s (pid %d) while it ran %d tasks, e.g. %s" % (
        killed[0], killed[1], len(killed[2]), killed[2][0]))
    got, bad = client.gather(futures)
    if bad:
        fail("rejected: %s" % bad[:3])
    try:
        os.kill(killed[1], 0)
        fail("the killed worker %d is still alive" % killed[1])
    except ProcessLookupError:
        pass
    after = client.run(os.getpid)
    if killed[1] in after.values():
        fail("the killed worker still answers")
    same("20,000 shuffled patients, 7 partitions, a worker killed mid-run", by_patient(got),
         want)
    print("ok: workers before %s, after %s" % (sorted(pids.values()), sorted(after.values())))


def main():
    mode, ot, gen, src = sys.argv[1:5]
    try:
        import dask  # noqa: F401
        import distributed
        import pandas  # noqa: F401
    except ImportError as e:
        fail("%s: python3-dask, python3-distributed and python3-pandas are needed "
             "(bash scripts/setup.sh --deps-only installs them)" % e)
    with tempfile.TemporaryDirectory(prefix="ot-dask.") as tmp:
        t0 = time.time()
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            pids = client.run(os.getpid)
            if len(pids) != 2 or os.getpid() in pids.values():
                fail("expected 2 worker processes: %s" % pids)
            {"reports": check_reports, "worker-killed": check_killed,
             "review": check_review}[mode](
                client, ot, gen, src, tmp)
        print("check_dask %s: passed in %.1f s" % (mode, time.time() - t0))


if __name__ == "__main__":
    main()

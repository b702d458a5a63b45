#!/usr/bin/env python3
"""The progress line of batch on a terminal (stderr a pty): a percentage of
the input read when its size is known (files), counts only from a pipe, a
"grouping" line before the reports (not with --grouping stream), the line
cleared before every message and at the end, and stdout the same as
without a terminal. Usage: progress.py OSTEOTRACK [ARGS...] (the command,
perhaps under valgrind); OSTEOTRACK_DATA_DIR set."""

import os
import pty
import re
import subprocess
import sys
import tempfile

CLEAR = b"\r\x1b[K"
LINE = re.compile(rb"\r(osteotrack batch: [^\r\n]*?)\x1b\[K")
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def on_tty(cmd, stdin=subprocess.DEVNULL):
    """(stdout, what reached the terminal, exit status)."""
    master, slave = pty.openpty()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        os.close(master)
        status = p.wait()
        out.seek(0)
        return out.read(), seen, status


def plain(cmd, stdin=subprocess.DEVNULL):
    p = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.stdout, p.stderr, p.returncode


def ends_clean(seen, name):
    """The last progress line is cleared before the closing line, which is
    the last thing written."""
    last_line = max((m.end() for m in LINE.finditer(seen)), default=-1)
    last_clear = seen.rfind(CLEAR)
    check(last_line >= 0, name + ": no progress line at all")
    check(last_clear >= last_line, name + ": the progress line is not cleared at the end")
    tail = seen[last_clear + len(CLEAR):]
    check(re.fullmatch(rb"osteotrack batch: \d+ rows read, \d+ patients reported, "
                       rb"\d+ rows rejected\r\n", tail) is not None,
          name + ": after the last clear comes %r, not the closing line alone" % tail[:200])


def main():
    binary = sys.argv[1:]
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    with open(os.path.join(src, "data", "examples", "patients.ndjson"), "rb") as f:
        docs = [l for l in f.read().splitlines(keepends=True) if l.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a.ndjson"), os.path.join(tmp, "b.ndjson")
        with open(a, "wb") as f:
            f.writelines(docs[:len(docs) // 2])
        with open(b, "wb") as f:
            f.writelines(docs[len(docs) // 2:])
        size_a, total = os.path.getsize(a), os.path.getsize(a) + os.path.getsize(b)
        base = binary + ["batch", "--as-of", "2024-06-01"]

        # two files: their size is known
        want_out, want_err, want_status = plain(base + [a, b])
        check(b"\r" not in want_err and b"\x1b" not in want_err,
              "without a terminal, stderr holds a progress line: %r" % want_err)
        out, seen, status = on_tty(base + [a, b])
        check(out == want_out, "files: stdout differs on a terminal")
        check(status == want_status, "files: exit %d on a terminal, %d without" % (status, want_status))
        lines = [m.group(1).decode() for m in LINE.finditer(seen)]
        pcts = [int(m.group(1)) for l in lines for m in [re.search(r"reading: (\d+)%", l)] if m]
        # drawn when the second file starts: the first one's share
        check(size_a * 100 // total in pcts,
              "files: no %d%% among %r" % (size_a * 100 // total, lines))
        check(any(re.fullmatch(r"osteotrack batch: grouping \d+ rows by patient\.\.\.", l)
                  for l in lines), "files: no grouping line among %r" % lines)
        ends_clean(seen, "files")

        # standard input from a pipe: no size, counts only
        with open(a, "rb") as data:
            cat = subprocess.Popen(["cat"], stdin=data, stdout=subprocess.PIPE)
            out, seen, status = on_tty(base + ["-", "--input-format", "ndjson"], stdin=cat.stdout)
            cat.stdout.close()
            cat.wait()
        lines = [m.group(1).decode() for m in LINE.finditer(seen)]
        check(not any("%" in l for l in lines), "pipe: a percentage without a size: %r" % lines)
        check(any("grouping" in l for l in lines), "pipe: no grouping line among %r" % lines)
        ends_clean(seen, "pipe")

        # --grouping stream: reported while read, nothing to group
        out, seen, status = on_tty(base + ["--grouping", "stream", a, b])
        lines = [m.group(1).decode() for m in LINE.finditer(seen)]
        check(not any("grouping" in l for l in lines), "stream: a grouping line: %r" % lines)
        check(any("%" in l for l in lines), "stream: no percentage among %r" % lines)
        ends_clean(seen, "stream")

        # a message (a rejected document) clears the line before it
        bad = os.path.join(tmp, "bad.ndjson")
        with open(bad, "wb") as f:
            f.write(b"{not json\n")
        out, seen, status = on_tty(base + [a, bad, b])
        check(re.search(re.escape(CLEAR) + rb"[^\r\x1b]*bad\.ndjson:1: ", seen) is not None,
              "message: not on a cleared line: %r" % seen[:600])
        check(status == 65, "message: exit %d, not 65" % status)
        ends_clean(seen, "message")

    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

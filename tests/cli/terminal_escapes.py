#!/usr/bin/env python3
"""Text for a terminal never carries a raw control or bidi character (issue 23, item 9).

Runs the attack files (escape sequences that set the window title, the colours or
clear the screen; C1 controls and U+202E in patient ids) through every command that
writes text for a terminal: `batch` (stderr messages, in each grouping and with two
threads), `precision` (its text table on stdout, its notes on stderr), usage errors
and unknown files, also under a file name that holds an escape sequence. Each stderr
and each text stdout must be valid UTF-8 without a C0 control (a newline ends a
line), DEL, a C1 control or a bidi control, and must show what it quotes escaped.

    terminal_escapes.py BIN SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# C0 but the newline, DEL, C1 (U+0080-U+009F), and the bidi controls.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

failures = []


def check_text(label, data, must_show=()):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        failures.append("%s: a byte that is not UTF-8 at %d" % (label, e.start))
        return
    m = RAW.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        failures.append("%s: raw U+%04X on line %d" % (label, ord(m.group()), line))
    for s in must_show:
        if s not in text:
            failures.append("%s: %r is not shown" % (label, s))


def run(label, args, cwd, text_stdout=False, must_show=(), status=None):
    p = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True)
    if status is not None and p.returncode != status:
        failures.append("%s: exit status %d, expected %d" % (label, p.returncode, status))
    if not p.stderr:
        failures.append("%s: nothing on stderr" % label)
    check_text(label + " (stderr)", p.stderr, () if text_stdout else must_show)
    if text_stdout:
        check_text(label + " (stdout)", p.stdout + p.stderr, must_show)


def main():
    bin_, src = os.path.abspath(sys.argv[1]), sys.argv[2]
    bad = os.path.join(src, "tests", "data", "bad")
    study_dir = os.path.join(src, "tests", "cli", "cases", "precision-terminal-escapes")
    title = "\\u001b]0;pwned\\u0007"
    tmp = tempfile.mkdtemp()
    try:
        # a file name that sets the window title and turns the text around
        evil = "\x1b]0;pwned\x07\u202eattack"
        for name in ("csv-terminal-escapes.csv", "ndjson-terminal-escapes.ndjson"):
            ext = name.rsplit(".", 1)[1]
            shutil.copy(os.path.join(bad, name), os.path.join(tmp, evil + "." + ext))
        shutil.copy(os.path.join(study_dir, "study.csv"), os.path.join(tmp, evil + ".csv.study"))

        for name, shown in (("csv-terminal-escapes.csv", [title, "total_hip\\u0085", "\\u2066"]),
                            ("ndjson-terminal-escapes.ndjson",
                             ["patient N\\u0085\\u009b1:", "patient \\u202eN2\\u2066:",
                              "\\u001b[2J\\u001b[H", title])):
            for opts in ([], ["--grouping", "stream"], ["--grouping", "memory"], ["--jobs", "2"]):
                run("batch %s %s" % (name, " ".join(opts)),
                    [bin_, "batch", "--as-of", "2024-06-01", name] + opts, bad,
                    must_show=shown, status=65)
            ext = name.rsplit(".", 1)[1]
            run("batch (an evil file name) ." + ext,
                [bin_, "batch", "--as-of", "2024-06-01", evil + "." + ext], tmp,
                must_show=[title + "\\u202eattack." + ext, "\\u0085"], status=65)

        table = ["device DXA-1" + title, "device DXA-2\\u001b[31mRED\\u001b[0m",
                 "technologist AK\\u001b[2J\\u001b[H",
                 "technologist B\\u202eLOC\\u2066X\\u2069\\u200f",
                 "patient Q\\u00851\\u202e has one"]
        run("precision", [bin_, "precision", "study.csv"], study_dir, text_stdout=True,
            must_show=table, status=65)
        run("precision (an evil file name)",
            [bin_, "precision", "--input-format", "csv", evil + ".csv.study"], tmp,
            text_stdout=True, must_show=table + [title + "\\u202eattack.csv.study"], status=65)

        # the arguments themselves: usage errors and files that cannot be opened
        run("compare --therapy", [bin_, "compare", "--therapy", "\x1b[2J\u202e"], tmp,
            must_show=["'\\u001b[2J\\u202e'"], status=2)
        run("an unknown command", [bin_, "\x1b[2J\u009b"], tmp,
            must_show=["'\\u001b[2J\\u009b'"], status=2)
        run("batch, no such file", [bin_, "batch", evil + ".missing.csv"], tmp,
            must_show=[title + "\\u202eattack.missing", ": cannot open"], status=66)
        run("precision, no such file", [bin_, "precision", evil + ".missing"], tmp,
            must_show=[title + "\\u202eattack.missing", ": cannot open"], status=66)
        # the closing line names --output FILE: it was not written
        run("batch --output (an evil name), an input that cannot be read",
            [bin_, "batch", "--output", evil + ".out", evil + ".missing.csv"], tmp,
            must_show=[title + "\\u202eattack.out was not written"], status=66)
    finally:
        shutil.rmtree(tmp)
    for f in failures:
        print("FAIL: " + f)
    print("%s: %d failures" % ("ok" if not failures else "FAILED", len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

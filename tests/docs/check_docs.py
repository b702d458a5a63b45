#!/usr/bin/env python3
"""The man pages' Markdown sources and the command cannot drift apart:

  - every command that `osteotrack --help` lists has a section
    "### osteotrack CMD" in docs/osteotrack.1.md;
  - every option that `osteotrack CMD --help` names is in that section, and
    every option the section describes (a definition term) is in --help;
  - the options the section describes are those of the getopt_long table of
    src/cli/cmd_CMD.c (the --help text is made from the section at build
    time, so this is where the two could drift);
  - every exit status `osteotrack --help` and the commands' --help texts
    name is in EXIT STATUS;
  - every function declared OT_EXTERN in include/osteotrack.h is named in
    docs/osteotrack.3.md.

The --help texts and osteotrack(1) are both made from docs/osteotrack.1.md
(docs/md2help.awk, docs/md2man.awk); this test keeps the code's options and
the API in step with it.
Usage: check_docs.py OSTEOTRACK_BINARY SOURCE_DIR
"""

import os
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def run(binary, *args):
    p = subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        raise SystemExit("%s %s exited %d: %s" % (binary, " ".join(args), p.returncode, p.stderr))
    return p.stdout


def sections(markdown, level):
    """{heading: text} of the headings of one level ("##" or "###")."""
    out, name, lines = {}, None, []
    for line in markdown.splitlines():
        m = re.match(r"^(#+) (.*)$", line)
        if m and len(m.group(1)) <= len(level):
            if name is not None:
                out[name] = "\n".join(lines)
            name, lines = (m.group(2).strip(), []) if m.group(1) == level else (None, [])
        elif name is not None:
            lines.append(line)
    if name is not None:
        out[name] = "\n".join(lines)
    return out


def described_options(section):
    """Options in the definition terms of a section (the lines before ': ')."""
    lines = section.splitlines()
    terms = [lines[i] for i in range(len(lines) - 1) if lines[i + 1].startswith(": ")]
    return set(OPTION.findall(" ".join(terms)))


def getopt_options(src, cmd):
    """The long options of src/cli/cmd_CMD.c's getopt_long table."""
    path = os.path.join(src, "src", "cli", "cmd_%s.c" % cmd)
    with open(path, encoding="utf-8") as f:
        code = f.read()
    m = re.search(r"struct option \w+\[\]\s*=\s*\{(.*?)\};", code, re.S)
    if not m:
        raise SystemExit("%s: no getopt_long option table found" % path)
    table = m.group(1)
    if "CLI_SHARED_OPTIONS" in table:  # the options compare and markers share (cli.h)
        with open(os.path.join(src, "src", "cli", "cli.h"), encoding="utf-8") as f:
            shared = re.search(r"#define CLI_SHARED_OPTIONS(.*?)\n\n|#define CLI_SHARED_OPTIONS(.*?)typedef",
                               f.read(), re.S)
        table += "".join(g for g in shared.groups() if g)
    return {"--" + name for name in re.findall(r'\{\s*"([a-z0-9-]+)"', table)}


def main():
    binary, src = sys.argv[1], sys.argv[2]
    with open(os.path.join(src, "docs", "osteotrack.1.md"), encoding="utf-8") as f:
        page1 = f.read()
    with open(os.path.join(src, "docs", "osteotrack.3.md"), encoding="utf-8") as f:
        page3 = f.read()
    with open(os.path.join(src, "include", "osteotrack.h"), encoding="utf-8") as f:
        header = f.read()

    problems, checked = [], 0
    top = run(binary, "--help")
    commands = re.findall(r"^  ([a-z]+) ", top.split("Commands:", 1)[1], re.M)
    if not commands:
        problems.append("osteotrack --help lists no commands")
    subsections = sections(page1, "###")
    exit_codes = set(re.findall(r"\b(\d{1,3})\b", top.split("Exit status:", 1)[1] if "Exit status:" in top else ""))
    for cmd in commands:
        text = run(binary, cmd, "--help").split("\nExample", 1)[0]  # examples name others
        status = text.split("Exit status:", 1)[1].split("\n\n", 1)[0] if "Exit status:" in text else ""
        exit_codes |= set(re.findall(r"\b(\d{1,3})\b", status))
        section = subsections.get("osteotrack " + cmd)
        if section is None:
            problems.append("docs/osteotrack.1.md has no section '### osteotrack %s'" % cmd)
            continue
        in_help = set(OPTION.findall(text))
        in_page = described_options(section)
        for opt in sorted(in_help - set(OPTION.findall(section))):
            problems.append("%s: %s is in --help but not in its section of docs/osteotrack.1.md"
                            % (cmd, opt))
        for opt in sorted(in_page - in_help):
            problems.append("%s: %s is described in docs/osteotrack.1.md but not in --help"
                            % (cmd, opt))
        in_code = getopt_options(src, cmd)
        for opt in sorted(in_code - in_page):
            problems.append("%s: %s is accepted (src/cli/cmd_%s.c) but not described in "
                            "docs/osteotrack.1.md" % (cmd, opt, cmd))
        for opt in sorted(in_page - in_code):
            problems.append("%s: %s is described in docs/osteotrack.1.md but not accepted by "
                            "src/cli/cmd_%s.c" % (cmd, opt, cmd))
        checked += len(in_help) + len(in_code)
        print("ok   %-10s %2d options in --help, %2d in its getopt table, all in osteotrack(1)"
              % (cmd, len(in_help), len(in_code)))

    exit_section = sections(page1, "##").get("EXIT STATUS", "")
    documented = set(re.findall(r"^`(\d+)(?:\+N)?`$", exit_section, re.M))  # 128+N: a signal
    for code in sorted(exit_codes - documented, key=int):
        problems.append("exit status %s (named in --help) is not in EXIT STATUS" % code)
    print("ok   exit statuses %s documented" % ", ".join(sorted(documented, key=int)))

    flat = " ".join(header.split())
    api = sorted(set(re.findall(r"OT_EXTERN [^;(]*?\b(ot_[a-z0-9_]+)\(", flat)))
    for fn in api:
        if not re.search(r"\b%s\(" % fn, page3):
            problems.append("%s (osteotrack.h) is not in docs/osteotrack.3.md" % fn)
    print("ok   %d functions of osteotrack.h checked against osteotrack(3)" % len(api))

    for p in problems:
        print("FAIL " + p)
    print("%d passed, %d failed" % (checked + len(api) - len(problems), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""No two files of src/lib call each other, directly or around a loop.

Reads every src/lib/*.c, finds the functions each one defines (not static)
and the calls it makes to functions defined in another file, and reports
every cycle of files (a strongly connected component of more than one
file). Exit 1 when there is one, with the calls that make it.

    python3 scripts/check-layers.py [SRC_DIR]      # default: src/lib
    python3 scripts/check-layers.py --graph        # the file graph, bottom up
"""
import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "defined", "else", "do"}


def strip(text):
    """The C text without comments, strings and character literals."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def definitions(code):
    """Names of the functions a file defines with external linkage."""
    names = set()
    # a definition: a name and its parameters at the start of a line, then {
    for m in re.finditer(r"^([A-Za-z_][^;{}()#]*?\b)(" + IDENT + r")\s*\(([^;{}]*?)\)\s*\{",
                         code, re.M):
        if "static" in m.group(1).split() or m.group(2) in KEYWORDS:
            continue
        names.add(m.group(2))
    return names


def calls(code):
    return {m.group(1) for m in re.finditer(r"\b(" + IDENT + r")\s*\(", code)} - KEYWORDS


def sccs(graph):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(argv):
    show_graph = "--graph" in argv
    args = [a for a in argv if a != "--graph"]
    src = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "src", "lib")
    files = sorted(f for f in os.listdir(src) if f.endswith(".c"))
    if not files:
        print("check-layers: no .c files in %s" % src)
        return 2
    code = {f: strip(open(os.path.join(src, f), encoding="utf-8").read()) for f in files}
    owner = {}
    for f in files:
        for name in definitions(code[f]):
            owner[name] = f
    graph = {f: set() for f in files}
    why = {}
    for f in files:
        for name in calls(code[f]):
            g = owner.get(name)
            if g and g != f:
                graph[f].add(g)
                why.setdefault((f, g), []).append(name)
    loops = [c for c in sccs(graph) if len(c) > 1]
    if show_graph:
        for comp in sccs(graph):  # reverse topological: callees first
            for f in comp:
                print("%-20s -> %s" % (f, ", ".join(sorted(graph[f])) or "-"))
    for comp in loops:
        print("loop: " + " <-> ".join(comp))
        for f in comp:
            for g in comp:
                if (f, g) in why:
                    print("  %s calls %s: %s" % (f, g, ", ".join(sorted(why[(f, g)]))))
    edges = sum(len(v) for v in graph.values())
    print("check-layers: %d files, %d calls between files, %d loop(s)" % (len(files), edges,
                                                                         len(loops)))
    return 1 if loops else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

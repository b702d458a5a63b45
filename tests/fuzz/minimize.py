#!/usr/bin/env python3
"""Keeps a fuzz corpus small: out of the inputs a libFuzzer merge control
file lists, picks greedily the one that adds the most edges (COV lines) not yet
covered, smaller first on ties, up to a budget or until nothing adds an edge.

    python3 minimize.py CONTROL_FILE BUDGET   # prints the inputs to keep
"""
import sys


def main():
    control, budget = sys.argv[1], int(sys.argv[2])
    with open(control, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    nfiles = int(lines[0])
    files = lines[2:2 + nfiles]
    sizes, cov = {}, {}
    for line in lines[2 + nfiles:]:
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "STARTED":
            sizes[int(parts[1])] = int(parts[2])
        elif parts and parts[0] == "COV":
            cov[int(parts[1])] = set(int(x) for x in parts[2:])
    covered, keep = set(), []
    while len(keep) < budget:
        best, gain = None, 0
        for i, edges in cov.items():
            g = len(edges - covered)
            if g > gain or (g == gain and g > 0 and sizes.get(i, 0) < sizes.get(best, 0)):
                best, gain = i, g
        if best is None:
            break
        keep.append(best)
        covered |= cov.pop(best)
    for i in keep:
        print(files[i])
    print(f"kept {len(keep)} of {nfiles} inputs, {len(covered)} edges", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Properties of batch that golden files alone do not show:
# 1. shuffling the rows of a long CSV changes no report (only their order:
#    patients come out in order of first appearance), and the shuffled input
#    is grouped in memory while the grouped one is streamed;
# 2. --jobs 1 and --jobs 2 give byte-identical output;
# 3. --grouping memory and stream give byte-identical output on grouped input;
# 4. the same input and --as-of give byte-identical output run after run.
set -euo pipefail
bin=$1
examples=$2/data/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# OT_TEST_JOBS=N (.ci/run): on N threads unless a --jobs below says otherwise
run() { "$bin" batch --as-of 2024-06-01 ${OT_TEST_JOBS:+--jobs "$OT_TEST_JOBS"} "$@" 2>/dev/null; }

# a deterministic shuffle of the data rows (header kept first)
head -n 1 "$examples/patients-long.csv" > "$tmp/shuffled.csv"
tail -n +2 "$examples/patients-long.csv" |
  awk 'BEGIN { srand(42) } { printf "%.12f\t%s\n", rand(), $0 }' | sort -k1,1 | cut -f2- \
  >> "$tmp/shuffled.csv"
if cmp -s <(tail -n +2 "$examples/patients-long.csv") <(tail -n +2 "$tmp/shuffled.csv"); then
  echo "FAIL: the shuffle left the rows in order"; exit 1
fi
run "$tmp/shuffled.csv" | sort > "$tmp/a"
sort "$examples/patients.expected.ndjson" > "$tmp/b"
cmp "$tmp/a" "$tmp/b" || { echo "FAIL: shuffled rows changed a report"; exit 1; }
[ "$(wc -l < "$tmp/a")" -eq 18 ] || { echo "FAIL: expected 18 reports"; exit 1; }

run "$examples/patients-long.csv" --jobs 1 > "$tmp/j1"
run "$examples/patients-long.csv" --jobs 2 > "$tmp/j2"
cmp "$tmp/j1" "$tmp/j2" || { echo "FAIL: --jobs 2 differs from --jobs 1"; exit 1; }
run "$tmp/shuffled.csv" --jobs 2 > "$tmp/s2"
run "$tmp/shuffled.csv" --jobs 1 > "$tmp/s1"
cmp "$tmp/s1" "$tmp/s2" || { echo "FAIL: --jobs 2 differs on shuffled input"; exit 1; }

run "$examples/patients-long.csv" --grouping memory > "$tmp/m"
run "$examples/patients-long.csv" --grouping stream > "$tmp/s"
cmp "$tmp/m" "$tmp/s" || { echo "FAIL: memory and stream grouping differ"; exit 1; }

run "$examples/patients.json" > "$tmp/r1"
run "$examples/patients.json" > "$tmp/r2"
cmp "$tmp/r1" "$tmp/r2" || { echo "FAIL: two runs differ"; exit 1; }
echo "invariance: 4 properties hold"

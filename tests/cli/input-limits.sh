#!/usr/bin/env bash
# Limits on what the command reads besides the input rows (issue 23, item 10;
# README "Limits"), made here at run time:
#   --config /dev/zero and a data file over 16 MiB are refused, naming the
#   limit, after reading no more than that (never until memory runs out);
#   a precision study in JSON over 64 MiB likewise;
#   a --data-dir or OSTEOTRACK_DATA_DIR over 1,023 bytes, and an empty
#   --data-dir, are refused (exit 2), never cut to another directory;
#   a message about a file with a long path keeps its line and reason: the
#   path is cut in the middle.
# Usage: bash tests/cli/input-limits.sh BIN DATA_DIR
set -uo pipefail
bin=$(realpath "$1")
data=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
unset OSTEOTRACK_DATA_DIR
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# 1 GB of memory at most, so that reading without a limit fails here rather
# than filling the machine: ulimit -v, or under AddressSanitizer (which needs
# more address space than that) its own allocation limit
cap="ulimit -v 1048576"
if ! (ulimit -v 1048576; exec "$bin" --version) >/dev/null 2>&1; then
  cap=:
  export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}malloc_limit_mb=1024:allocator_may_return_null=1
fi
# run NAME ARGS...: stderr in NAME.err, status in $st
run() {
  local name=$1
  shift
  ($cap; exec "$bin" "$@") >"$name.out" 2>"$name.err" </dev/null
  st=$?
}
expect() { # expect NAME STATUS "stderr text (grep -F)" ...
  local name=$1 want=$2
  shift 2
  [ "$st" = "$want" ] || { bad "$name: exit status $st, expected $want"; head -3 "$name.err"; return; }
  for line in "$@"; do
    grep -qF -- "$line" "$name.err" || { bad "$name: no '$line' on stderr"; head -3 "$name.err"; }
  done
}
compare=(compare --site lumbar_spine --from 0.800 --to 0.830)

# --config /dev/zero: 16 MiB read, then refused
run zero "${compare[@]}" --data-dir "$data" --config /dev/zero
expect zero 65 "osteotrack compare: /dev/zero: larger than the limit of 16777216 bytes"
# a configuration of 16 MiB + 1 byte, and one of exactly 16 MiB (read, then judged as JSON)
{ printf '{"kind": "osteotrack-facility"}'; head -c $((16777216 - 31 + 1)) /dev/zero | tr '\0' ' '; } > big.json
run bigconfig "${compare[@]}" --data-dir "$data" --config big.json
expect bigconfig 65 "big.json: larger than the limit of 16777216 bytes"
head -c 16777216 big.json > fits.json
run fitsconfig "${compare[@]}" --data-dir "$data" --config fits.json
grep -q "larger than the limit" fitsconfig.err && bad "fitsconfig: a file of 16 MiB is refused"

# a data file over the limit
cp -r "$data" bigdata
{ cat "$data/lsc.json"; head -c 16777216 /dev/zero | tr '\0' '\n'; } > bigdata/lsc.json
run bigdata "${compare[@]}" --data-dir bigdata
expect bigdata 65 "osteotrack compare: bigdata/lsc.json: larger than the limit of 16777216 bytes"

# a precision study in JSON over 64 MiB (a CSV one is streamed: no limit)
{ printf '['; head -c $((64 * 1048576)) /dev/zero | tr '\0' ' '; printf ']'; } > study.json
run bigstudy precision --data-dir "$data" study.json
expect bigstudy 65 "osteotrack precision: study.json: larger than the limit of 67108864 bytes"
ln -s /dev/zero zero.json
run zerostudy precision --data-dir "$data" zero.json
expect zerostudy 65 "zero.json: larger than the limit of 67108864 bytes"

# the data directory: never cut, never "" (which would be "/")
long=$(printf '%s/' "$data" ; printf 'x%.0s' $(seq 1100))
run longdir "${compare[@]}" --data-dir "$long"
expect longdir 2 "osteotrack compare: the data directory is longer than the limit of 1023 bytes"
# a directory just over the limit whose first 1,023 bytes name the real data (the old cut)
mkdir -p real
name=$tmp/real
while [ ${#name} -lt 1000 ]; do name=$name/d; mkdir "$name"; done
cp "$data"/*.json "$name"/
mkdir "$name/fhir" && cp "$data"/fhir/*.json "$name/fhir/"
pad=$(printf 'y%.0s' $(seq $((1023 - ${#name}))))
mv "$name" "$name$pad"
run cutdir "${compare[@]}" --data-dir "$name$pad/zz"
expect cutdir 2 "the data directory is longer than the limit of 1023 bytes"
run cutdir-ok "${compare[@]}" --data-dir "$name$pad"
[ "$st" = 0 ] || bad "cutdir-ok: a data directory of 1,023 bytes is refused (status $st)"
run emptydir "${compare[@]}" --data-dir ""
expect emptydir 2 "osteotrack compare: the data directory is empty"
OSTEOTRACK_DATA_DIR=$long run envlong "${compare[@]}"
expect envlong 2 "osteotrack compare: OSTEOTRACK_DATA_DIR is longer than the limit of 1023 bytes"
OSTEOTRACK_DATA_DIR=$name$pad/zz run envcut "${compare[@]}"
expect envcut 2 "OSTEOTRACK_DATA_DIR is longer than the limit of 1023 bytes"

# a long path: the line number and the reason survive, the path is cut in the middle
dir=$tmp
for _ in $(seq 12); do dir=$dir/$(printf 'p%.0s' $(seq 60)); done
mkdir -p "$dir"
printf 'patient_id,date,analyte,site,value\nP1,2019-01-10,bmd,knee,0.8\n' > "$dir/file.csv"
run longpath batch --data-dir "$data" --as-of 2024-06-01 "$dir/file.csv"
expect longpath 65 "pp/file.csv:2: site: unknown value 'knee' (expected lumbar_spine, total_hip, femoral_neck or radius_33)" \
  "${tmp:0:20}" "p..."
printf 'patient_id,site,value\nP1,knee,0.8\n' > "$dir/study.csv"
run longstudy precision --data-dir "$data" "$dir/study.csv"
expect longstudy 65 "pp/study.csv:2: unknown site 'knee'"
run longmissing batch --data-dir "$data" "$dir/nowhere.csv"
expect longmissing 66 "pp/nowhere.csv: cannot open: No such file or directory"

[ $fails = 0 ] && echo "ok: input limits"
exit $((fails > 0))

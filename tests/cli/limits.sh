#!/usr/bin/env bash
# Limits (README "Limits") on inputs made here at run time, too big to keep in
# the repository. Each must end with a clear message and the right status,
# and the good rows around a fault must still be reported:
#   a field over 64 KiB; a 10 MB line; more than 100,000 observations for one
#   patient; JSON nested deeper than 64; a JSON document over 64 MiB in a
#   list; an empty file, a header-only file;
#   more device names than grouping in memory holds;
#   random bytes as CSV, JSON and NDJSON (OT_RANDOM_MB, default 16; run with
#   OT_RANDOM_MB=1024 by hand for the issue's 1 GB case).
#   Usage: bash tests/cli/limits.sh BIN
set -uo pipefail
bin=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() { # run NAME ARGS...: stdout in NAME.out, stderr in NAME.err, status in $st
  local name=$1
  shift
  # OT_TEST_JOBS=N (.ci/run): on N threads
  "$bin" batch --as-of 2024-06-01 ${OT_TEST_JOBS:+--jobs "$OT_TEST_JOBS"} "$@" >"$name.out" 2>"$name.err" </dev/null
  st=$?
}
expect() { # expect NAME STATUS "stderr line (grep -F)" ...
  local name=$1 want=$2
  shift 2
  [ "$st" = "$want" ] || { bad "$name: exit status $st, expected $want"; head -5 "$name.err"; return; }
  for line in "$@"; do
    grep -qF -- "$line" "$name.err" || { bad "$name: no '$line' on stderr"; head -5 "$name.err"; return; }
  done
  ok
}
closing() { tail -n 1 "$1.err"; }

H="patient_id,date,analyte,site,value,device"
good() { printf 'P1,2019-01-10,bmd,lumbar_spine,0.812,DXA-1\nP1,2021-01-20,bmd,lumbar_spine,0.858,DXA-1\n'; }

# a field over 64 KiB, inside a record under 1 MiB: that row only
{ echo "$H"; good; printf 'P2,2020-01-01,bmd,total_hip,0.7,'; head -c 70000 /dev/zero | tr '\0' D; echo
  echo "P2,2021-01-01,bmd,total_hip,0.72,"; } > field.csv
run field field.csv
expect field 65 "field.csv:4: field 6: longer than the limit of 65536 bytes" \
  "osteotrack batch: 4 rows read, 2 patients reported, 1 rows rejected"

# a 10 MB line: that record is dropped as it is read; reading goes on after it
{ echo "$H"; good; printf 'P2,2020-01-01,bmd,total_hip,0.7,'; head -c 10000000 /dev/zero | tr '\0' D; echo
  echo "P2,2021-01-01,bmd,total_hip,0.72,"; } > line.csv
run line line.csv
expect line 65 "line.csv:4: record longer than the limit of 1048576 bytes" \
  "osteotrack batch: 4 rows read, 2 patients reported, 1 rows rejected"
# the same line unterminated by a quote: the rest of the file cannot be read, and it says so
{ echo "$H"; good; printf 'P2,2020-01-01,bmd,total_hip,0.7,"'; head -c 3000000 /dev/zero | tr '\0' D; echo; } > quote.csv
run quote quote.csv
expect quote 65 "quote.csv:4: record longer than the limit of 1048576 bytes (a quote that is never closed?): the rest of the file cannot be read" \
  "osteotrack batch: 3 rows read, 1 patients reported, 1 rows rejected"

# more than 100,000 observations of one patient: those past the limit are rejected,
# named and counted, in both groupings; the next patient is whole
awk 'BEGIN { print "patient_id,date,analyte,site,value"
  split("lumbar_spine total_hip femoral_neck radius_33", s, " ")
  for (i = 0; i < 100010; i++) {
    d = int(i / 4); y = 1950 + int(d / 336); m = 1 + int((d % 336) / 28); dd = 1 + d % 28
    printf "P1,%04d-%02d-%02d,bmd,%s,0.8\n", y, m, dd, s[1 + i % 4] }
  print "P2,2020-01-01,ctx,,300" }' > many.csv
for g in stream memory; do
  run many-$g many.csv --grouping $g
  expect many-$g 65 "many.csv:100002: patient P1: the limit of 100000 observations and fractures a patient is reached: this one is left out" \
    "osteotrack batch: 100011 rows read, 2 patients reported, 10 rows rejected"
  [ "$(grep -c "is reached: this one is left out" many-$g.err)" = 10 ] || bad "many-$g: 10 rows named"
done
cmp -s many-stream.out many-memory.out || bad "many: stream and memory reports differ"

# JSON nested deeper than the limit of 64: that document only
{ printf '{"patient_id": "D1", "x": '; for i in $(seq 100000); do printf '['; done
  for i in $(seq 100000); do printf ']'; done; echo '}'
  echo '{"patient_id": "D2", "observations": [{"date": "2020-01-01", "analyte": "ctx", "value": 300}]}'; } > deep.ndjson
run deep deep.ndjson
expect deep 65 "deep.ndjson:1: nested deeper than 64 levels (the limit) at byte 90" \
  "osteotrack batch: 2 rows read, 1 patients reported, 1 rows rejected"
cp deep.ndjson deep.json
run deepj deep.json
expect deepj 65 "deep.json:1: nested deeper than 64 levels (the limit)" \
  "osteotrack batch: 2 rows read, 1 patients reported, 1 rows rejected"

# a JSON document over the limit of 64 MiB inside a list: counted, named and
# skipped as it is read (never held whole); the document after it is reported.
# Its size: 27 bytes before the D run, 70,000,000 Ds, 2 after = 70,000,029
{ printf '[{"patient_id": "B1", "x": "'; head -c 70000000 /dev/zero | tr '\0' D; echo '"},'
  echo '{"patient_id": "B2", "observations": [{"date": "2020-01-01", "analyte": "ctx", "value": 300}]}]'; } > big.json
run big big.json
expect big 65 "big.json:1: document of 70000029 bytes, over the limit of 67108864 bytes" \
  "osteotrack batch: 2 rows read, 1 patients reported, 1 rows rejected"
grep -q '"patient_id":"B2"' big.out || bad "big: the document after the big one is not reported"
rm -f big.json

# empty and header-only files, each format
: > empty.csv; : > empty.json; : > empty.ndjson
run e1 empty.csv; expect e1 65 "empty.csv:1: empty file: expected a header row"
run e2 empty.json; expect e2 65 "empty.json:1: empty file: expected a patient document"
run e3 empty.ndjson; expect e3 65 "empty.ndjson:1: empty file: expected one patient document a line"
echo "$H" > header.csv
run h header.csv
expect h 0 "header.csv: no data rows after the header" \
  "osteotrack batch: 0 rows read, 0 patients reported, 0 rows rejected"

# random bytes, in each format: a message and 65, no report, never a crash
mb=${OT_RANDOM_MB:-16}
head -c $((mb * 1024 * 1024)) /dev/urandom > random.csv
ln -s random.csv random.json
ln -s random.csv random.ndjson
for f in random.csv random.json random.ndjson; do
  run "$f" "$f"
  expect "$f" 65 "osteotrack batch: "
  [ -s "$f.out" ] && bad "$f: a report out of random bytes"
  [ "$(wc -l < "$f.err")" -ge 2 ] || bad "$f: no message before the closing line"
  echo "random $f ($mb MB): $(head -c 160 "$f.err" | head -1 | cut -c1-120)... $(closing "$f")"
done

# more distinct device names than grouping in memory holds (2^20 - 1): the
# rows past it are rejected and named, every other row reported
awk 'BEGIN { print "patient_id,date,analyte,site,value,device"
  for (i = 0; i < 1048578; i++) printf "P%d,2020-01-01,bmd,lumbar_spine,0.8,D%d\n", i, i }' > devices.csv
run devices devices.csv --grouping memory
expect devices 65 "devices.csv:1048577: device: more than 1048575 distinct device names" \
  "devices.csv:1048579: device:" \
  "osteotrack batch: 1048578 rows read, 1048575 patients reported, 3 rows rejected"
[ "$(wc -l < devices.out)" = 1048575 ] || bad "devices: $(wc -l < devices.out) reports, expected 1048575"
rm -f devices.csv devices.out

echo "limits: $pass passed, $fails failed"
[ $fails = 0 ]

#!/usr/bin/env bash
# FHIR input reads the same patients as osteotrack's JSON:
# 1. data/examples/fhir-bulk (made from data/examples/patients.json by
#    scripts/json-to-fhir-bulk.py, written apart from the C reader) is still
#    what the script makes (the example is not stale);
# 2. `osteotrack batch data/examples/fhir-bulk` writes byte for byte the
#    reports of `osteotrack batch data/examples/patients.json` (stdout), also
#    with the files named one by one in another order, with --grouping stream
#    and with --input-format fhir;
# 3. its closing counts add up: rows read = the lines of the .ndjson files,
#    none rejected, and not relevant = 0 (every Device is named by a scan);
# 4. data/examples/patient-P001.fhir-bundle.json reports P001 as the JSON does.
# Usage: fhir-bulk-equals-json.sh OSTEOTRACK SOURCE_DIR
set -u
bin=$(realpath "$1")
src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
cd "$src" || exit 2
bulk=data/examples/fhir-bulk

python3 scripts/json-to-fhir-bulk.py data/examples/patients.json "$tmp/bulk" || bad "the script failed"
diff -r "$tmp/bulk" "$bulk" >/dev/null || bad "$bulk is not what scripts/json-to-fhir-bulk.py makes of patients.json"
python3 scripts/json-to-fhir-bulk.py --bundle P001-responder-alendronate data/examples/patients.json \
  "$tmp/p001.json" || bad "the script failed (--bundle)"
cmp -s "$tmp/p001.json" data/examples/patient-P001.fhir-bundle.json ||
  bad "patient-P001.fhir-bundle.json is not what the script makes"

"$bin" batch data/examples/patients.json --as-of 2024-06-01 >"$tmp/json.out" 2>"$tmp/json.err" ||
  bad "the JSON run failed"
[ -s "$tmp/json.out" ] || bad "no reports from the JSON"
lines=$(cat "$bulk"/*.ndjson | wc -l)
want="osteotrack batch: $lines rows read, 18 patients reported, 0 rows rejected, 0 not relevant"
check() { # LABEL ARGS...
  local label=$1
  shift
  "$bin" batch "$@" --as-of 2024-06-01 >"$tmp/f.out" 2>"$tmp/f.err"
  local st=$?
  [ "$st" = 0 ] || bad "$label: exit status $st"
  cmp -s "$tmp/f.out" "$tmp/json.out" || bad "$label: the reports differ from those of patients.json"
  [ "$(tail -n 1 "$tmp/f.err")" = "$want" ] ||
    bad "$label: closing line '$(tail -n 1 "$tmp/f.err")', expected '$want'"
  [ "$(wc -l < "$tmp/f.err")" = 1 ] || { bad "$label: more on stderr than the counts"; cat "$tmp/f.err"; }
}
check "folder" "$bulk"
check "files, reversed" $(ls "$bulk"/*.ndjson | sort -r)
check "stream" "$bulk" --grouping stream
check "--input-format fhir" --input-format fhir "$bulk"

"$bin" batch data/examples/patient-P001.fhir-bundle.json --as-of 2024-06-01 >"$tmp/b.out" 2>"$tmp/b.err" ||
  bad "the Bundle run failed"
head -n 1 "$tmp/json.out" | cmp -s - "$tmp/b.out" || bad "the Bundle's report differs from P001's"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entry"]))' \
      data/examples/patient-P001.fhir-bundle.json)
[ "$(tail -n 1 "$tmp/b.err")" = "osteotrack batch: $n rows read, 1 patients reported, 0 rows rejected, 0 not relevant" ] ||
  bad "Bundle: closing line '$(tail -n 1 "$tmp/b.err")' ($n entries)"
[ $fail = 0 ] && echo "ok: FHIR bulk export ($lines resources) and Bundle read as the JSON"
exit $fail

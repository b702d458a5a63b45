#!/usr/bin/env bash
# fhir/validate: every FHIR document osteotrack writes and ships passes a FHIR
# R4 validator (@medplum/core, tests/fhir/validate.mjs), and broken ones fail.
#   1. batch --format fhir of every example patient (data/examples/patients.json,
#      --as-of 2024-06-01), and the golden --format fhir outputs of
#      tests/cli/cases: every Bundle valid, every reference resolved;
#   2. data/fhir/CodeSystem-osteotrack.json, and every FHIR example in
#      data/examples (fhir-bulk/*.ndjson resource by resource, *.fhir*.json);
#   3. the CodeSystem defines exactly the library's codes, and every code the
#      writer used (check_codesystem.py);
#   4. each bundle of tests/fhir/invalid/ is REJECTED, for the reason its name
#      says (the test of the test).
# Usage: validate.sh OSTEOTRACK VOCAB_DUMP SOURCE_DIR
set -euo pipefail
exe=$1 vocab=$2 src=$3
here=$src/tests/fhir
[ -d "$here/node_modules/@medplum/core" ] || {
  echo "fhir/validate: no validator: run scripts/setup.sh (npm ci in tests/fhir)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

"$exe" batch "$src/data/examples/patients.json" --as-of 2024-06-01 --format fhir \
  >"$tmp/patients.fhir.ndjson" 2>"$tmp/stderr"
n=$(wc -l <"$tmp/patients.fhir.ndjson")
want=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' \
  "$src/data/examples/patients.json")
[ "$n" -eq "$want" ] || { echo "FAIL: $n bundles for $want patients"; fail=1; }
# one Bundle a line: each line is a resource for the validator
files=("$tmp/patients.fhir.ndjson" "$src/data/fhir/CodeSystem-osteotrack.json")
shopt -s nullglob
for f in "$src"/data/examples/fhir-bulk/*.ndjson "$src"/data/examples/*.fhir*.json; do
  files+=("$f")
done
# and the golden --format fhir outputs of the CLI cases (one Bundle a line)
for d in "$src"/tests/cli/cases/*/; do
  if grep -q -- '--format fhir' "$d/cmd" && [ -s "$d/stdout" ]; then
    cp "$d/stdout" "$tmp/case-$(basename "$d").ndjson"
    files+=("$tmp/case-$(basename "$d").ndjson")
  fi
done
echo "fhir/validate: validating ${#files[@]} files"
(cd "$here" && node validate.mjs "${files[@]}") || fail=1

python3 "$here/check_codesystem.py" "$vocab" "$src" "$tmp"/*.ndjson || fail=1

# the broken bundles: each rejected, and for its own reason
declare -A why=(
  [diagnosticreport-status-not-a-code]="'done' is not a code of http://hl7.org/fhir/ValueSet/diagnostic-report-status"
  [diagnosticreport-without-code]="resource.code: error: Missing required property"
  [reference-to-no-entry]="resolves to no entry of the Bundle"
  [result-is-not-an-observation]="is a Patient; expected Observation"
  [empty-array]="resource.result: an empty array"
)
inv=("$here"/invalid/*.json)
[ "${#inv[@]}" -eq "${#why[@]}" ] || { echo "FAIL: ${#inv[@]} invalid bundles, ${#why[@]} reasons"; fail=1; }
(cd "$here" && node validate.mjs --expect-invalid "${inv[@]}") >"$tmp/invalid.out" || fail=1
cat "$tmp/invalid.out"
for f in "${inv[@]}"; do
  name=$(basename "$f" .json)
  grep -F "$f: " "$tmp/invalid.out" | grep -qF -- "${why[$name]:-no reason given}" ||
    { echo "FAIL: $name was not rejected for: ${why[$name]:-(no reason given)}"; fail=1; }
done
[ "$fail" -eq 0 ] && echo "fhir/validate: ok"
exit "$fail"

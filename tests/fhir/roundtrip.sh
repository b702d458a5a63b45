#!/usr/bin/env bash
# fhir/roundtrip: a report's FHIR Bundle, read back as FHIR input, gives the
# same report (docs/fhir.md "FHIR out"). For every example input
# (data/examples/patients.json, patients.ndjson, patients-long.csv,
# patients-wide.csv; and tests/fhir/roundtrip/*.json: intravenous ibandronate
# doses, both hips, a spine region, a fracture; oral ibandronate; left and
# right radius with T- and Z-scores; --as-of 2024-06-01): batch --format fhir, each Bundle to
# a file of its own, batch --input-format fhir of those files: the reports
# are byte-identical to those of the input itself.
# Usage: roundtrip.sh OSTEOTRACK SOURCE_DIR
set -euo pipefail
exe=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for input in "$src"/data/examples/patients.json "$src"/data/examples/patients.ndjson \
             "$src"/data/examples/patients-long.csv "$src"/data/examples/patients-wide.csv \
             "$src"/tests/fhir/roundtrip/*.json; do
  name=$(basename "$input")
  mkdir -p "$tmp/$name"
  "$exe" batch "$input" --as-of 2024-06-01 >"$tmp/$name.expected" 2>/dev/null || true
  "$exe" batch "$input" --as-of 2024-06-01 --format fhir >"$tmp/$name.fhir.ndjson" 2>/dev/null || true
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    printf '%s\n' "$line" >"$tmp/$name/bundle-$(printf %04d "$n").fhir.json"
  done <"$tmp/$name.fhir.ndjson"
  [ "$n" -gt 0 ] || { echo "FAIL: $name: no Bundle written"; fail=1; continue; }
  if ! "$exe" batch --input-format fhir "$tmp/$name"/bundle-*.fhir.json --as-of 2024-06-01 \
       >"$tmp/$name.got" 2>"$tmp/$name.stderr"; then
    echo "FAIL: $name: reading the Bundles back failed:"; cat "$tmp/$name.stderr"; fail=1
  fi
  if cmp -s "$tmp/$name.expected" "$tmp/$name.got"; then
    echo "ok: $name: $n Bundles read back give the same $(wc -l <"$tmp/$name.expected") reports"
  else
    echo "FAIL: $name: the reports differ:"
    diff <(tr ',' '\n' <"$tmp/$name.expected") <(tr ',' '\n' <"$tmp/$name.got") | head -40
    fail=1
  fi
done
exit "$fail"

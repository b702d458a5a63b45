#!/usr/bin/env bash
# --format text: no line of a text golden is wider than 100 columns, and none
# holds an escape code (goldens are written to a pipe: never in colour).
set -euo pipefail
dir=$1 fail=0 n=0
for f in "$dir"/{compare,markers,batch}-text*/stdout; do
  n=$((n + 1))
  if LC_ALL=C.UTF-8 awk 'length($0) > 100 { print FILENAME ":" FNR ": " length($0) " columns"; bad=1 } END { exit bad }' "$f"; then :; else fail=1; fi
  if grep -q $'\033' "$f"; then echo "$f: an escape code in text written to a pipe"; fail=1; fi
done
[ "$n" -ge 3 ] || { echo "found only $n text goldens in $dir"; exit 1; }
exit $fail

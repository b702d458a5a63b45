#!/usr/bin/env bash
# Runs libFuzzer harnesses, then merges what they found into the saved corpus
# (the smallest set of inputs with the same coverage). By hand, not in CI:
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DOT_FUZZ=ON \
#         -DOT_SANITIZE=address,undefined -DOT_BENCH=OFF
#   cmake --build build-fuzz -j1
#   bash tests/fuzz/run.sh build-fuzz 300 [HARNESS ...]   # seconds each
# A crash leaves its input in $work/HARNESS/crash-*; add the fixed input to
# tests/fuzz/corpus/HARNESS/ so that the replay test keeps it fixed.
set -euo pipefail
build=$(realpath "$1")
secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] ||
  harnesses=(csv csv_long csv_wide json_doc json_file ndjson_file config datafiles report precision fhir)
work=${OT_FUZZ_WORK:-$build/fuzz-work}
budget=${OT_FUZZ_BUDGET:-40}   # inputs kept a harness
for h in "${harnesses[@]}"; do
  mkdir -p "$work/$h/found" "$here/corpus/$h"
  echo "== $h: ${secs}s" >&2
  "$build/fuzz/fuzz_$h" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$work/$h/crash-" "$work/$h/found" "$here/corpus/$h" \
    2> "$work/$h/log" || { tail -40 "$work/$h/log" >&2; echo "== $h: CRASH" >&2; continue; }
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov:" "$work/$h/log" | tail -3 >&2
  # minimise: out of the old corpus and the new finds, at most $budget inputs
  # that cover the most edges (tests/fuzz/minimize.py)
  rm -rf "$work/$h/merged" && mkdir -p "$work/$h/merged" && rm -f "$work/$h/control"
  "$build/fuzz/fuzz_$h" -merge=1 -use_counters=0 -max_len=8192 \
    -merge_control_file="$work/$h/control" "$work/$h/merged" "$here/corpus/$h" \
    "$work/$h/found" 2>> "$work/$h/log"
  python3 "$here/minimize.py" "$work/$h/control" "$budget" > "$work/$h/keep"
  mkdir -p "$work/$h/kept" && rm -f "$work/$h/kept"/*
  while IFS= read -r f; do cp "$f" "$work/$h/kept/$(sha1sum < "$f" | cut -c1-40)"; done \
    < "$work/$h/keep"
  rm -f "$here/corpus/$h"/*
  cp "$work/$h/kept"/* "$here/corpus/$h/"
  echo "== $h: corpus of $(ls "$here/corpus/$h" | wc -l) inputs" >&2
done

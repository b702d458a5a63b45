#!/usr/bin/env bash
# zzuf, Debian's mutation fuzzer (not libFuzzer), over the golden inputs of
# every input format, through the osteotrack command (in CI the one built with
# AddressSanitizer and UBSan). tests/fuzz/README.md says more.
#
#   bash tests/fuzz/zzuf.sh BIN [SEEDS]   SEEDS seeds a format (default 800)
#   bash tests/fuzz/zzuf.sh BIN --replay  the golden inputs as they are, then
#                                         every kept reproducer (CTest fuzz/zzuf)
#
# Seed S of format F mutates golden input S mod N of F (N inputs) with
# `zzuf -s S -r 0.00001:0.003`, so a run is the same run every time. A run
# fails on a sanitizer report, a signal, an exit status other than 0, 2, 65,
# 66 and 74 (README "Exit status"; 70, an internal error, fails too: inputs of
# a few KB cannot run out of memory), more than 20 seconds, or for `batch` a
# closing line that does not say what happened (exit 0 with a row rejected,
# exit 65 with none, a rejection that names nothing) or is missing; for
# `precision`, rows read != used + rejected + left out. A failing input is
# kept in tests/fuzz/zzuf-repro/ as FORMAT-SEED-SOURCE, with how to run it.
set -uo pipefail
export LC_ALL=C # the same order of golden inputs, so the same seeds, everywhere
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
bin=$(realpath "$1")
mode=${2:-${OT_ZZUF_SEEDS:-800}}
repro=$here/zzuf-repro
ex=$src/data/examples
cases=$src/tests/cli/cases
bad=$src/tests/data/bad
export OSTEOTRACK_DATA_DIR=$src/data
# Every sanitizer finding ends the run with a report (halt_on_error); leaks too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ratio=0.00001:0.003
as_of=2024-06-01
last_status=0

# The golden inputs of a format, one a line.
inputs() {
  case $1 in
    csv) printf '%s\n' "$ex/patients-long.csv" "$cases"/batch-*/*.csv "$bad"/csv-*.csv ;;
    wide) printf '%s\n' "$ex/patients-wide.csv" "$bad"/wide-*.csv ;;
    json) printf '%s\n' "$ex/patients.json" "$ex/patient-P001.json" "$cases"/batch-*/*.json "$bad"/json-*.json |
            grep -v /facility.json ;;
    ndjson) printf '%s\n' "$ex/patients.ndjson" "$cases"/batch-*/*.ndjson "$bad"/ndjson-*.ndjson ;;
    config) printf '%s\n' "$cases"/*/facility.json "$cases"/*-config/*.json ;;
    precision) printf '%s\n' "$cases"/precision-*/*.csv "$cases"/precision-*/*.json ;;
    data) printf '%s\n' "$src"/data/*.json ;;
    fhir) printf '%s\n' "$ex"/fhir-bulk/*.ndjson "$ex/patient-P001.fhir-bundle.json" "$bad"/fhir-*.json \
            "$bad"/fhir-*.ndjson ;;
  esac | grep -v -e '\.clean\.' -e 'csv-empty\.csv' -e '\*'
}
formats=(csv wide json ndjson config precision data fhir)

# check LABEL STATUS ERRFILE KIND: 0 when the run is acceptable, else says why.
check() {
  local label=$1 st=$2 err=$3 kind=$4 last read used rej left nr
  if grep -qE 'Sanitizer|runtime error:' "$err"; then
    echo "$label: sanitizer report:"; grep -m3 -E 'Sanitizer|runtime error:' "$err"; return 1
  fi
  case $st in
    0 | 2 | 65 | 66 | 74) ;;
    124 | 137) echo "$label: more than 20 s (a hang?)"; return 1 ;;
    *) echo "$label: exit status $st"; tail -n 3 "$err"; return 1 ;;
  esac
  last=$(tail -n 1 "$err")
  case $kind in
    batch)
      read -r read rej nr <<< "$(sed -n -e 's/^osteotrack batch: \([0-9]*\) rows read, [0-9]* patients reported, \([0-9]*\) rows rejected$/\1 \2 0/p' \
        -e 's/^osteotrack batch: \([0-9]*\) rows read, [0-9]* patients reported, \([0-9]*\) rows rejected, \([0-9]*\) not relevant$/\1 \2 \3/p' <<< "$last")"
      if [ -n "${nr:-}" ] && [ $((rej + nr)) -gt "$read" ]; then
        echo "$label: $rej rejected + $nr not relevant, more than the $read read"; return 1
      fi
      [ -n "${rej:-}" ] || { echo "$label: exit $st and no closing line (last: $last)"; return 1; }
      if [ "$st" = 0 ] && [ "$rej" != 0 ]; then echo "$label: exit 0 with $rej rows rejected"; return 1; fi
      if [ "$st" = 65 ] && [ "$rej" = 0 ]; then echo "$label: exit 65 and no row rejected"; return 1; fi
      if [ "$rej" != 0 ] && [ "$(wc -l < "$err")" -lt 2 ]; then
        echo "$label: $rej rows rejected and none named"; return 1
      fi ;;
    precision)
      read -r read used rej left <<< "$(sed -n 's/^osteotrack precision: .*: \([0-9]*\) rows read, \([0-9]*\) used, \([0-9]*\) rejected, \([0-9]*\) left out (one scan)$/\1 \2 \3 \4/p' <<< "$last")"
      if [ -n "${left:-}" ] && [ "$read" != $((used + rej + left)) ]; then
        echo "$label: $read rows read, but $used used + $rej rejected + $left left out"; return 1
      fi ;;
  esac
  return 0
}

# run LABEL KIND DATADIR ARGS...: runs BIN ARGS, checks it; 0 when acceptable.
run() {
  local label=$1 kind=$2 dd=$3 err=$tmp/err.$BASHPID st # (one a format run side by side)
  shift 3
  OSTEOTRACK_DATA_DIR=$dd timeout -k 5 20 "$bin" "$@" > /dev/null 2> "$err" < /dev/null
  st=$?
  last_status=$st
  check "$label" "$st" "$err" "$kind" && return 0
  printf '  run: OSTEOTRACK_DATA_DIR=%q %q' "$dd" "$bin"
  printf ' %q' "$@"
  echo
  return 1
}

# try FORMAT FILE LABEL DATADIR: every command of the format on FILE.
try() {
  local fmt=$1 f=$2 label=$3 dd=$4 ok=0
  case $fmt in
    csv | wide | json | ndjson)
      run "$label" batch "$dd" batch "$f" --as-of $as_of || ok=1 ;;
    fhir) # the file alone, and with the example export (a bulk export cut into files)
      run "$label" batch "$dd" batch --input-format fhir "$f" --as-of $as_of || ok=1
      run "$label: with the export" batch "$dd" batch --input-format fhir "$f" "$ex/fhir-bulk" \
        --as-of $as_of || ok=1 ;;
    config)
      run "$label: compare" other "$dd" compare --site lumbar_spine --from 0.800 --to 0.850 \
        --from-device DXA-1 --to-device DXA-2 --config "$f" || ok=1
      run "$label: markers" other "$dd" markers --analyte ctx --from 540 --to 300 \
        --therapy alendronate --config "$f" || ok=1
      run "$label: batch" other "$dd" batch "$cases/batch-crosscal-keeps-baseline/patient.json" \
        --as-of $as_of --config "$f" || ok=1 ;;
    precision)
      run "$label" precision "$dd" precision "$f" || ok=1
      run "$label: json" precision "$dd" precision "$f" --format json --confidence 90 || ok=1 ;;
    data)
      run "$label: batch" other "$dd" batch "$ex/patients.json" --as-of $as_of || ok=1
      run "$label: precision" other "$dd" precision "$ex/precision-30x2.csv" || ok=1 ;;
  esac
  return $ok
}

# A data directory of the format's own, with FILE in place of data/NAME.
data_with() { # data_with DIR NAME FILE
  rm -rf "$1" && cp -r "$src/data" "$1" && cp "$3" "$1/$2"
}

# fuzz FORMAT SEEDS: seeds FIRST..FIRST+SEEDS-1 of the format.
fuzz() {
  local fmt=$1 n=$2 first=0 i s k src_f base mut dd fails=0 runs=0 clean=0
  local -a files
  mapfile -t files < <(inputs "$fmt")
  for k in "${!formats[@]}"; do [ "${formats[$k]}" = "$fmt" ] && first=$((k * 1000000)); done
  mkdir -p "$tmp/$fmt"
  for ((i = 0; i < n; i++)); do
    s=$((first + i))
    src_f=${files[$((s % ${#files[@]}))]}
    base=$(basename "$src_f")
    mut=$tmp/$fmt/$fmt-$s-$base
    zzuf -s "$s" -r "$ratio" < "$src_f" > "$mut"
    dd=$src/data
    if [ "$fmt" = data ]; then dd=$tmp/$fmt/data; data_with "$dd" "$base" "$mut"; fi
    runs=$((runs + 1))
    if try "$fmt" "$mut" "$fmt seed $s ($base)" "$dd"; then
      [ "$last_status" = 0 ] && clean=$((clean + 1))
    else
      fails=$((fails + 1))
      mkdir -p "$repro"
      cp "$mut" "$repro/"
      echo "  kept as tests/fuzz/zzuf-repro/$fmt-$s-$base: the run above on that file"
      [ "$fmt" = data ] && echo "  (as data/$base of a copy of data/)"
      echo "  made again by: zzuf -s $s -r $ratio < ${src_f#"$src"/} > $fmt-$s-$base"
    fi
    rm -f "$mut"
  done
  echo "zzuf $fmt: $runs inputs from ${#files[@]} golden ones ($clean exit 0), $fails failed"
  [ "$fails" = 0 ]
}

# The golden inputs as they are, and every kept reproducer.
replay() {
  local fails=0 n=0 fmt f base name dd
  for fmt in "${formats[@]}"; do
    while IFS= read -r f; do
      dd=$src/data
      [ "$fmt" = data ] && { dd=$tmp/data; data_with "$dd" "$(basename "$f")" "$f"; }
      n=$((n + 1))
      try "$fmt" "$f" "golden $fmt ${f#"$src"/}" "$dd" || fails=$((fails + 1))
    done < <(inputs "$fmt")
  done
  for f in "$repro"/*-*-*; do
    [ -e "$f" ] || continue
    base=$(basename "$f")
    fmt=${base%%-*}
    name=${base#*-*-}
    dd=$src/data
    [ "$fmt" = data ] && { dd=$tmp/data; data_with "$dd" "$name" "$f"; }
    n=$((n + 1))
    try "$fmt" "$f" "reproducer $base" "$dd" || fails=$((fails + 1))
  done
  echo "zzuf replay: $((n - fails)) passed, $fails failed"
  [ "$fails" = 0 ]
}

if [ "$mode" = --replay ]; then
  replay
  exit
fi
command -v zzuf > /dev/null || { echo "zzuf is not installed (bash scripts/setup.sh installs it)"; exit 2; }
# The formats side by side, as many at once as there are cores.
jobs=$(nproc)
for fmt in "${formats[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  { fuzz "$fmt" "$mode" > "$tmp/$fmt.log" 2>&1; echo $? > "$tmp/$fmt.status"; } &
done
wait
failed=0
for fmt in "${formats[@]}"; do
  cat "$tmp/$fmt.log"
  [ "$(cat "$tmp/$fmt.status")" = 0 ] || failed=$((failed + 1))
done
echo "zzuf: ${#formats[@]} formats, $mode seeds each"
echo "zzuf: $((${#formats[@]} - failed)) passed, $failed failed"
[ "$failed" = 0 ]

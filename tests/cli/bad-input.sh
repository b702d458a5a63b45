#!/usr/bin/env bash
# Runs one file of the bad-input corpus (tests/data/bad/, README.md there):
#   bash tests/cli/bad-input.sh BIN tests/data/bad/NAME.EXT
# 1. `osteotrack batch NAME.EXT --as-of 2024-06-01` (run in tests/data/bad)
#    must print exactly NAME.stderr on stderr and exit with NAME.status;
# 2. the accounting: the closing stderr line's rows read = rows used + rows
#    rejected, where rows used are the rows of NAME.clean.EXT (the good rows
#    of the file alone, which must read without a rejection; none: 0 used);
# 3. every good row reaches a report: the reports of NAME.EXT are byte for
#    byte those of NAME.clean.EXT (none: no report at all);
# 4. 2 and 3 hold as well with --grouping memory and stream, and with
#    --jobs 1 and 2, and those runs name the same rejections.
# OT_REGEN=1 rewrites NAME.stderr and NAME.status from the binary instead.
set -u
bin=$(realpath "$1")
file=$2
dir=$(cd "$(dirname "$file")" && pwd)
base=$(basename "$file")
name=${base%.*}
ext=${base##*.}
cd "$dir" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
say() { echo "$base: $*"; fail=1; }

# The closing line: "osteotrack batch: R rows read, P patients reported, J rows rejected",
# and for FHIR input ", N not relevant": "R P J N" (N 0 when not said)
counts() {
  tail -n 1 "$1" | sed -n -e 's/^osteotrack batch: \([0-9]*\) rows read, \([0-9]*\) patients reported, \([0-9]*\) rows rejected$/\1 \2 \3 0/p' \
    -e 's/^osteotrack batch: \([0-9]*\) rows read, \([0-9]*\) patients reported, \([0-9]*\) rows rejected, \([0-9]*\) not relevant$/\1 \2 \3 \4/p'
}

run() { # run OUT ERR ARGS...: the status
  local out=$1 err=$2
  shift 2
  # OT_TEST_JOBS=N: on N threads (the --jobs of step 4 comes later and wins)
  "$bin" batch --as-of 2024-06-01 ${OT_TEST_JOBS:+--jobs "$OT_TEST_JOBS"} "$@" >"$out" 2>"$err" </dev/null
  echo $?
}

status=$(run "$tmp/out" "$tmp/err" "$base")
if [ "${OT_REGEN:-}" = 1 ]; then
  cp "$tmp/err" "$name.stderr"
  echo "$status" > "$name.status"
  echo "regenerated $base"
  exit 0
fi
[ "$status" = "$(cat "$name.status")" ] || say "exit status: expected $(cat "$name.status"), got $status"
diff -u "$name.stderr" "$tmp/err" >&2 || say "stderr differs from $name.stderr"

# the good rows alone
clean=$name.clean.$ext
used=0
if [ -f "$clean" ]; then
  cstatus=$(run "$tmp/cout" "$tmp/cerr" "$clean")
  read -r used _ crej cnr <<< "$(counts "$tmp/cerr")"
  [ "$cstatus" = 0 ] && [ "${crej:-x}" = 0 ] || say "$clean is not clean (status $cstatus)"
  used=$((used - ${cnr:-0})) # FHIR: the clean file's resources not relevant are not used
else
  : > "$tmp/cout"
fi

check() { # check LABEL OUT ERR
  local c
  c=$(counts "$3")
  [ -n "$c" ] || { say "$1: no closing line on stderr"; return; }
  read -r rows _ rejected nr <<< "$c"
  [ "$rows" -eq $((used + rejected + nr)) ] ||
    say "$1: $rows rows read, but $used used + $rejected rejected + $nr not relevant = $((used + rejected + nr))"
  cmp -s "$2" "$tmp/cout" || say "$1: the reports differ from those of the good rows alone"
}
check "default" "$tmp/out" "$tmp/err"
sort "$tmp/err" > "$tmp/err.sorted"
for opts in "--grouping memory" "--grouping stream" "--jobs 1" "--jobs 2"; do
  # shellcheck disable=SC2086
  run "$tmp/o2" "$tmp/e2" "$base" $opts > /dev/null
  check "$opts" "$tmp/o2" "$tmp/e2"
  case $ext in
    csv) sort "$tmp/e2" | cmp -s - "$tmp/err.sorted" || say "$opts: other rejections named" ;;
  esac
done
exit $fail

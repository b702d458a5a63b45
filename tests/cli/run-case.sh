#!/usr/bin/env bash
# Runs one CLI golden case: a folder with
#   cmd     the arguments after `osteotrack` (shell words; may use $CASE, the folder)
#   stdin   optional standard input
#   stdout, stderr, status   what is expected
# and compares stdout, stderr and the exit status exactly.
# OT_TEST_JOBS=N runs batch with --jobs N first (see below).
# OT_REGEN=1 rewrites the expected files from the current binary instead.
set -u
bin=$1
case_dir=$2
CASE=$case_dir
export CASE
cd "$case_dir" || exit 2
args=$(cat cmd)
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
stdin_file=/dev/null
[ -f stdin ] && stdin_file=stdin
eval "set -- $args"
# OT_TEST_JOBS=N (the ThreadSanitizer stage of .ci/run): batch on N threads;
# a --jobs of the case itself comes later and wins. The golden files hold.
if [ -n "${OT_TEST_JOBS:-}" ] && [ "${1:-}" = batch ]; then
  shift
  set -- batch --jobs "$OT_TEST_JOBS" "$@"
fi
"$bin" "$@" <"$stdin_file" >"$out" 2>"$err"
status=$?
if [ "${OT_REGEN:-}" = 1 ]; then
  cp "$out" stdout
  cp "$err" stderr
  echo "$status" > status
  echo "regenerated $(basename "$case_dir")"
  exit 0
fi
fail=0
if [ "$status" != "$(cat status)" ]; then
  echo "exit status: expected $(cat status), got $status"
  fail=1
fi
if ! diff -u stdout "$out"; then echo "stdout differs"; fail=1; fi
if ! diff -u stderr "$err"; then echo "stderr differs"; fail=1; fi
exit $fail

#!/usr/bin/env bash
# SIGINT, SIGTERM and SIGHUP while batch writes --output FILE: the temporary
# file (FILE.tmp.*) is removed, FILE is not made (an older FILE is left as it
# was), the closing line says the run was interrupted, and the exit status is
# 128 + the signal's number; with one thread and with four. The input is a
# FIFO the test holds open, so the command is waiting in a read, its output
# open, when the signal comes: no timing, no big input. Also: standard
# output; a signal ignored when the command starts (nohup) stays ignored.
#   Usage: bash tests/cli/signals.sh BIN SOURCE_DIR
set -uo pipefail
# job control: a background job gets SIGINT (without it bash makes the job
# ignore SIGINT, and osteotrack keeps a signal ignored at start)
set -m
bin=$(realpath "$1")
ex=$(realpath "$2")/data/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fails=0
pass=0
fail() { echo "FAIL: $*"; [ -s err ] && cat err; fails=$((fails + 1)); }
mkfifo in.ndjson

# start ARGS...: the command reads in.ndjson, which fd 3 holds open for
# writing; when `exec 3>` returns the command has opened its output and is
# reading. Three patients are written, and the command waits for more.
start() {
  "$bin" batch in.ndjson --as-of 2024-06-01 "$@" 2> err &
  pid=$!
  exec 3> in.ndjson
  head -3 "$ex/patients.ndjson" >&3
}

for sig in INT TERM HUP; do
  for jobs in 1 4; do
    label="SIG$sig --jobs $jobs"
    rm -f out.ndjson
    [ $jobs = 1 ] && echo "older reports" > out.ndjson # with an older file, and without
    start --jobs $jobs --output out.ndjson
    [ "$(ls | grep -c '^out\.ndjson\.tmp\.')" = 1 ] || fail "$label: no temporary file to remove"
    kill -s "$sig" $pid
    wait $pid
    rc=$?
    exec 3>&-
    want=$((128 + $(kill -l "$sig")))
    if [ $rc != $want ]; then fail "$label: exit status $rc, expected $want"
    elif [ "$(ls | grep -c '\.tmp\.')" != 0 ]; then fail "$label: a temporary file was left: $(ls)"
    elif [ $jobs = 1 ] && [ "$(cat out.ndjson)" != "older reports" ]; then fail "$label: the older out.ndjson was changed"
    elif [ $jobs != 1 ] && [ -e out.ndjson ]; then fail "$label: out.ndjson was made"
    elif [ "$(tail -n 1 err)" != "osteotrack batch: interrupted by SIG$sig; out.ndjson was not written" ]; then
      fail "$label: the closing line is '$(tail -n 1 err)'"
    else pass=$((pass + 1)); fi
  done
done

# standard output: the closing line says the output is incomplete
"$bin" batch in.ndjson --as-of 2024-06-01 > out.stdout 2> err &
pid=$!
exec 3> in.ndjson
head -3 "$ex/patients.ndjson" >&3
kill -s TERM $pid
wait $pid
rc=$?
exec 3>&-
if [ $rc != 143 ]; then fail "stdout, SIGTERM: exit status $rc, expected 143"
elif [ "$(tail -n 1 err)" != "osteotrack batch: interrupted by SIGTERM; the output is incomplete" ]; then
  fail "stdout, SIGTERM: the closing line is '$(tail -n 1 err)'"
else pass=$((pass + 1)); fi

# nohup: SIGHUP ignored at start stays ignored, and the run ends as usual
rm -f out.ndjson
( trap '' HUP; exec "$bin" batch in.ndjson --as-of 2024-06-01 --output out.ndjson ) 2> err &
pid=$!
exec 3> in.ndjson
head -3 "$ex/patients.ndjson" >&3
kill -s HUP $pid
sleep 0.2
tail -n +4 "$ex/patients.ndjson" >&3
exec 3>&-
wait $pid
rc=$?
"$bin" batch "$ex/patients.ndjson" --as-of 2024-06-01 > all.stdout 2> /dev/null
if [ $rc != 0 ]; then fail "SIGHUP under nohup: exit status $rc, expected 0"
elif ! cmp -s out.ndjson all.stdout; then fail "SIGHUP under nohup: out.ndjson is not every report"
else pass=$((pass + 1)); fi

echo "signals: $pass passed, $fails failed"
[ $fails = 0 ]

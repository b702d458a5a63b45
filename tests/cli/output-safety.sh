#!/usr/bin/env bash
# A failed write is an error (exit 74, a message), never a truncated output
# presented as complete:
# 1. standard output on a full disk (/dev/full): batch, compare, markers,
#    precision;
# 2. a closed pipe (the reader stops early): exit 74 and "Broken pipe", not a
#    silent death by SIGPIPE;
# 3. --output FILE that cannot be written to the end (a file size limit:
#    EFBIG): no FILE, an older FILE left as it was, no temporary file left;
#    the command ignores SIGXFSZ itself (no death by the signal, exit 153),
#    for --output and for standard output redirected to a file;
#    a temporary file that cannot be flushed to the disk (fsync fails) is
#    the same failure;
# 4. --output into a folder that does not exist: 74; an input that cannot be
#    opened (66): FILE is not written, and the closing line says so;
# 5. --output that succeeds: the same bytes as standard output, no temporary
#    file left.
#   Usage: bash tests/cli/output-safety.sh BIN SOURCE_DIR FAIL_FSYNC_SO
set -uo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
fail_fsync=$(realpath "$3")
ex=$src/data/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fails=0
pass=0
check() { # check LABEL STATUS WANT ERRFILE "text"
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: exit status $2, expected $3"; cat "$4"; fails=$((fails + 1))
  elif ! grep -qF -- "$5" "$4"; then
    echo "FAIL: $1: no '$5' on stderr"; cat "$4"; fails=$((fails + 1))
  else
    pass=$((pass + 1))
  fi
}

# 1. a full disk
"$bin" batch "$ex/patients.json" --as-of 2024-06-01 > /dev/full 2> e1
check "batch > /dev/full" $? 74 e1 "osteotrack batch: stdout: cannot write the output: No space left on device"
check "batch > /dev/full, the closing line" 74 74 e1 "patients reported, 0 rows rejected; the output failed: not every report reached it"
"$bin" compare --site lumbar_spine --from 0.8 --to 0.84 > /dev/full 2> e2
check "compare > /dev/full" $? 74 e2 "No space left on device"
"$bin" markers --analyte ctx --from 540 --to 190 > /dev/full 2> e3
check "markers > /dev/full" $? 74 e3 "No space left on device"
"$bin" precision "$ex/precision-30x2.csv" > /dev/full 2> e4
check "precision > /dev/full" $? 74 e4 "No space left on device"

# many reports: 400 patients of about 10 KB each, more than any buffer
for i in $(seq 400); do sed "s/\"patient_id\": *\"\\([^\"]*\\)\"/\"patient_id\": \"\\1-$i\"/" \
  "$ex/patients.ndjson"; done > many.ndjson

# 2. a closed pipe, with one and two threads
for jobs in 1 2; do
  "$bin" batch many.ndjson --as-of 2024-06-01 --jobs $jobs 2> e5 | head -c 1000 > /dev/null
  check "batch --jobs $jobs | head" "${PIPESTATUS[0]}" 74 e5 "cannot write the output: Broken pipe"
done
"$bin" batch many.ndjson --as-of 2024-06-01 --format json 2> e6 | head -c 10 > /dev/null
check "batch --format json | head" "${PIPESTATUS[0]}" 74 e6 "Broken pipe"

# 3. --output that fails part way (a 256 KiB file size limit), with an older file in place
echo "older reports" > out.ndjson
( ulimit -f 256; exec "$bin" batch many.ndjson --as-of 2024-06-01 --output out.ndjson ) 2> e7
check "--output past a size limit" $? 74 e7 "out.ndjson: cannot write the output: File too large"
check "--output past a size limit, the closing line" 74 74 e7 "rows rejected; the output failed: out.ndjson was not written"
[ "$(cat out.ndjson)" = "older reports" ] || { echo "FAIL: the older out.ndjson was changed"; fails=$((fails + 1)); }
rm out.ndjson
( ulimit -f 256; exec "$bin" batch many.ndjson --as-of 2024-06-01 --output new.ndjson ) 2> e8
check "--output past a size limit, no older file" $? 74 e8 "File too large"
[ ! -e new.ndjson ] || { echo "FAIL: a truncated new.ndjson was left"; fails=$((fails + 1)); }
leftover=$(ls | grep -c '\.tmp\.')
[ "$leftover" = 0 ] || { echo "FAIL: $leftover temporary files left"; fails=$((fails + 1)); }
( ulimit -f 256; exec "$bin" batch many.ndjson --as-of 2024-06-01 > big.stdout ) 2> e8b
check "stdout to a file past a size limit" $? 74 e8b "stdout: cannot write the output: File too large"
( ulimit -f 1; exec "$bin" precision "$ex/precision-30x2.csv" > big.stdout ) 2> e8c
check "precision stdout past a size limit" $? 74 e8c "File too large"
# fsync fails (the shim): no FILE, an older FILE as it was, no temporary file
echo "older reports" > out.ndjson
LD_PRELOAD=$fail_fsync ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
  "$bin" batch "$ex/patients.json" --as-of 2024-06-01 --output out.ndjson 2> e8d
check "--output, fsync fails" $? 74 e8d "out.ndjson: cannot write the output: Input/output error"
check "--output, fsync fails, the closing line" 74 74 e8d "the output failed: out.ndjson was not written"
[ "$(cat out.ndjson)" = "older reports" ] || { echo "FAIL: fsync failed, yet out.ndjson was changed"; fails=$((fails + 1)); }
[ "$(ls | grep -c '\.tmp\.')" = 0 ] || { echo "FAIL: fsync failed and a temporary file was left"; fails=$((fails + 1)); }
rm out.ndjson

# 4. a folder that does not exist
"$bin" batch "$ex/patients.json" --as-of 2024-06-01 --output no/such/dir/out.ndjson 2> e9
check "--output into a missing folder" $? 74 e9 "no/such/dir/out.ndjson: cannot write"

# an input that cannot be opened (66): the reports of the others are not
# written either, and the closing line says so (not just "N patients reported")
echo "older reports" > out.ndjson
"$bin" batch no-such-input.ndjson "$ex/patients.json" --as-of 2024-06-01 --output out.ndjson 2> e9b
check "--output, an input missing" $? 66 e9b "no-such-input.ndjson: cannot open"
check "--output, an input missing, the closing line" 66 66 e9b "rows rejected; out.ndjson was not written: not all the input could be read"
# patients.json holds 18 patients: 18 reports made, none reported
check "--output, an input missing, none reported" 66 66 e9b "0 patients reported, 0 rows rejected; out.ndjson was not written: not all the input could be read (18 reports made)"
[ "$(cat out.ndjson)" = "older reports" ] || { echo "FAIL: an input was missing, yet out.ndjson was changed"; fails=$((fails + 1)); }
rm out.ndjson

# 5. success: the same bytes as standard output
"$bin" batch many.ndjson --as-of 2024-06-01 --output ok.ndjson 2> e10
check "--output" $? 0 e10 "osteotrack batch: "
"$bin" batch many.ndjson --as-of 2024-06-01 > ok.stdout 2> /dev/null
cmp -s ok.ndjson ok.stdout || { echo "FAIL: --output differs from stdout"; fails=$((fails + 1)); }
[ "$(ls | grep -c '\.tmp\.')" = 0 ] || { echo "FAIL: a temporary file left"; fails=$((fails + 1)); }

# 6. --output to something that is not a regular file is written in place,
#    never replaced by a renamed temporary file (that once turned
#    --output /dev/null into a regular file): a FIFO stays a FIFO and gets
#    the reports; a link to a file stays a link and its file gets them
mkfifo fifo
cat fifo > from-fifo &
"$bin" batch many.ndjson --as-of 2024-06-01 --output fifo 2> e11
check "--output FIFO" $? 0 e11 "osteotrack batch: "
wait
[ -p fifo ] || { echo "FAIL: the FIFO was replaced"; fails=$((fails + 1)); }
cmp -s from-fifo ok.stdout || { echo "FAIL: --output FIFO differs from stdout"; fails=$((fails + 1)); }
echo "older" > real.ndjson && ln -s real.ndjson link.ndjson
"$bin" batch many.ndjson --as-of 2024-06-01 --output link.ndjson 2> e12
check "--output LINK" $? 0 e12 "osteotrack batch: "
[ -L link.ndjson ] || { echo "FAIL: the link was replaced"; fails=$((fails + 1)); }
cmp -s real.ndjson ok.stdout || { echo "FAIL: the linked file did not get the reports"; fails=$((fails + 1)); }
[ "$(ls | grep -c '\.tmp\.')" = 0 ] || { echo "FAIL: a temporary file left"; fails=$((fails + 1)); }
# a dangling link (its file not yet written, in another folder by a relative
# name): the link stays, its target is made
mkdir sub && ln -s ../made.ndjson sub/dangling.ndjson
"$bin" batch many.ndjson --as-of 2024-06-01 --output sub/dangling.ndjson 2> e13
check "--output DANGLING-LINK" $? 0 e13 "osteotrack batch: "
[ -L sub/dangling.ndjson ] || { echo "FAIL: the dangling link was replaced"; fails=$((fails + 1)); }
cmp -s made.ndjson ok.stdout || { echo "FAIL: the link's target did not get the reports"; fails=$((fails + 1)); }

# 7. the mode: a replaced file keeps its own, a new file gets 0666 less the umask
#    (not mkstemp's 0600)
echo "older" > mode.ndjson && chmod 640 mode.ndjson
"$bin" batch "$ex/patients.json" --as-of 2024-06-01 --output mode.ndjson 2> /dev/null
[ "$(stat -c %a mode.ndjson)" = 640 ] || { echo "FAIL: mode $(stat -c %a mode.ndjson), expected 640 kept"; fails=$((fails + 1)); }
( umask 022; exec "$bin" batch "$ex/patients.json" --as-of 2024-06-01 --output fresh.ndjson 2> /dev/null )
[ "$(stat -c %a fresh.ndjson)" = 644 ] || { echo "FAIL: new file mode $(stat -c %a fresh.ndjson), expected 644"; fails=$((fails + 1)); }

echo "output safety: $pass passed, $fails failed"
[ $fails = 0 ]

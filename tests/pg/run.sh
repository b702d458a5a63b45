#!/usr/bin/env bash
# The extension's regression tests (issue 21): pg_regress against a server
# this script starts and stops itself (tests/pg/cluster.sh), with what the
# tests compare with made here by the osteotrack command.
#   run.sh OSTEOTRACK_CLI MODULE_SO SOURCE_DIR PG_BINDIR
set -euo pipefail
cli=$1 so=$2 src=$3 bindir=$4
# shellcheck source=tests/pg/cluster.sh
. "$src/tests/pg/cluster.sh"
pg_cluster_start "$bindir" "$so" "$src/src/pg" "$src/data"
out=$PGT/work
mkdir -p "$out/data/examples" "$out/cli"
cp "$src"/data/examples/patients.json "$src"/data/examples/patients-long.csv "$out/data/examples/"
# The CLI's reports of the examples (its exit status says rows were
# rejected: the reports still come; stderr is kept for a failure's log).
export OSTEOTRACK_DATA_DIR=$src/data
for f in patients.json patients-long.csv; do
  "$cli" batch "$out/data/examples/$f" --as-of 2024-06-01 >"$out/cli/batch-$f.ndjson" \
    2>"$out/cli/batch-$f.stderr" || true
  [ -s "$out/cli/batch-$f.ndjson" ] || { cat "$out/cli/batch-$f.stderr"; exit 1; }
done
# scans of the left and the right hip (two series): the side column
cp "$src"/tests/cli/cases/batch-hips-left-right/scans.csv "$out/data/examples/sides.csv"
"$cli" batch "$out/data/examples/sides.csv" --as-of 2024-06-01 >"$out/cli/batch-sides.csv.ndjson"
"$cli" compare --site lumbar_spine --from 0.800 --to 0.840 --from-date 2022-03-01 \
  --to-date 2024-03-01 --therapy alendronate >"$out/cli/compare-1.json"
"$cli" compare --site total_hip --from 0.701 --to 0.690 --from-date 2019-01-10 \
  --to-date 2021-01-20 --lsc 2.5% --from-device DXA-1 --to-device DXA-2 \
  --from-manufacturer hologic --to-manufacturer ge_lunar --side left >"$out/cli/compare-2.json"
"$cli" markers --analyte ctx --from 540 --to 190 --from-date 2019-01-10 --to-date 2019-04-15 \
  --therapy alendronate >"$out/cli/markers-1.json"
"$cli" markers --analyte p1np --from 45 --to 120 --unit ng/mL --from-date 2020-01-10 \
  --to-date 2020-04-15 --therapy teriparatide --therapy-start 2020-01-12 >"$out/cli/markers-2.json"
# a facility configuration (osteotrack.config), and a bad one
mkdir -p "$out/config"
cp "$src"/tests/cli/cases/compare-config/facility.json "$src"/tests/cli/cases/compare-bad-config/bad.json \
  "$out/config/"
"$cli" compare --site lumbar_spine --from 0.800 --to 0.830 --config "$out/config/facility.json" \
  >"$out/cli/compare-config.json"
chmod -R a+rX "$out"
regress=$("$bindir/pg_config" --pkglibdir)/pgxs/src/test/regress/pg_regress
rc=0
"$regress" --host="$PGHOST" --port="$PGPORT" --user=ot --bindir="$bindir" \
  --inputdir="$src/tests/pg" --outputdir="$out" --dbname=osteotrack_regress \
  report aggregate errors parallel memory || rc=$?
if [ "$rc" -ne 0 ]; then
  # OT_PG_RESULTS=DIR keeps the outputs (to review, then as the new expected/)
  [ -n "${OT_PG_RESULTS:-}" ] && mkdir -p "$OT_PG_RESULTS" && cp "$out"/results/*.out "$OT_PG_RESULTS/"
  cat "$out/regression.diffs" 2>/dev/null || true
  tail -n 20 "$out/server.log" || true
fi
# the server is stopped and the folder removed by the trap
exit "$rc"

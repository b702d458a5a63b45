#!/usr/bin/env bash
# Rewrites every case's expected stdout, stderr and status from a build:
#   bash tests/cli/regen.sh build/osteotrack
# Review the diff (git diff tests/cli) before committing it.
set -eu
bin=$(realpath "${1:-build/osteotrack}")
here=$(cd "$(dirname "$0")" && pwd)
export OSTEOTRACK_DATA_DIR="$here/../../data"
for d in "$here"/cases/*/; do
  OT_REGEN=1 bash "$here/run-case.sh" "$bin" "${d%/}"
done

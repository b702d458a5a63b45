#!/usr/bin/env bash
# Builds osteotrack with its tests and runs the whole suite (CTest: the Check
# unit tests and the CLI golden tests). Exits non-zero on any failure.
#   Usage: bash scripts/test.sh        (after bash scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${OT_BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build" -DBUILD_TESTING=ON ${OT_CMAKE_FLAGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"

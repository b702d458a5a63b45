#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds osteotrack, and runs the
# README's worked example.   Usage: bash scripts/setup.sh [--deps-only]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc make cmake pkg-config libgsl-dev libcjson-dev check)
# The tests of packaging (tests/packaging.cmake): the header from C++, the
# schema validator and the Python wrapper, the man pages rendered.
packages+=(g++ python3 man-db groff-base)
# Hardening (.ci/run): the CLI tests under valgrind's memcheck; zzuf, the
# mutation fuzzer of tests/fuzz/zzuf.sh.
packages+=(valgrind zzuf)
# The Python binding as a package (tests/install/python-package-test.sh): a
# fresh venv, and pip install --no-deps --no-build-isolation with Debian's
# setuptools, offline.
packages+=(python3-venv python3-pip python3-setuptools)
# The HTML report in a real browser (tests/browser/check_html.py, issue 17):
# Debian's chromium renders it headless (--no-sandbox as root); poppler's
# pdftotext measures the pages it prints on A4 and Letter.
packages+=(chromium poppler-utils)
# The PostgreSQL extension (src/pg, -DOT_POSTGRES=ON, issue 21): the server
# its tests (tests/pg/run.sh) start as an unprivileged user, pg_regress
# and pg_config; setpriv (util-linux) drops root for them.
packages+=(postgresql-15 postgresql-server-dev-15 util-linux)
# osteotrack.dask and its tests (tests/dask, issue 22): Dask's DataFrame, Bag
# and distributed LocalCluster, with pandas under the DataFrame.
packages+=(python3-dask python3-distributed python3-pandas)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The schema tests (tests/schema, issue 20) validate with ajv in strict mode:
# node and npm from Debian, then the versions pinned in
# tests/schema/package-lock.json from the npm registry (npm ci: exactly the
# lock file, nothing else). node_modules stays out of git.
for p in nodejs npm; do
  command -v "${p/nodejs/node}" >/dev/null || {
    echo "setup: installing $p" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$p" >/dev/null
  }
done
if ! (cd tests/schema && npm ls --depth=0 >/dev/null 2>&1); then
  echo "setup: npm ci in tests/schema (ajv for the schema tests)" >&2
  (cd tests/schema && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# The FHIR tests (tests/fhir, issue 18) validate with @medplum/core and its R4
# definitions, pinned in tests/fhir/package-lock.json (npm ci, as above).
if ! (cd tests/fhir && npm ls --depth=0 >/dev/null 2>&1); then
  echo "setup: npm ci in tests/fhir (the FHIR R4 validator)" >&2
  (cd tests/fhir && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

[ "${1:-}" = "--deps-only" ] && exit 0

build=${OT_BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build" ${OT_CMAKE_FLAGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
echo "setup: built $build/osteotrack; the worked example of the README:" >&2
"$build/osteotrack" compare --site lumbar_spine --from 0.800 --to 0.840 \
  --from-date 2022-03-01 --to-date 2024-03-01 --therapy alendronate --pretty

#!/usr/bin/env bash
# The Python binding as a user installs it (issue 20), never from the source tree:
#   - configures, builds and installs osteotrack into a temporary prefix; the
#     binding must be installed into the prefix's site-packages with the
#     prefix's library directory and the project's version written into it;
#   - in a fresh virtual environment (python3 -m venv --system-site-packages),
#     imports that installed copy (PYTHONPATH is the prefix's site-packages,
#     nothing of the source tree) and runs the binding's unit tests from a
#     directory outside the source tree: the library is found through the
#     install prefix, without LD_LIBRARY_PATH;
#   - in another fresh virtual environment, installs bindings/python with
#     pip install --no-deps --no-build-isolation --no-index (Debian's
#     setuptools, offline) and runs the same tests: the library is found
#     through pkg-config; without pkg-config's answer, the error says what
#     was tried.
# Missing python3-venv, pip or setuptools fails the test (bash scripts/setup.sh
# --deps-only installs them).
# Usage: python-package-test.sh SOURCE_DIR CMAKE C_COMPILER PYTHON3 [extra cmake args...]
set -euo pipefail
src=$1 cmake=$2 cc=$3 py=$4
shift 4
unset OSTEOTRACK_DATA_DIR OSTEOTRACK_LIBRARY LD_LIBRARY_PATH PYTHONPATH PKG_CONFIG_PATH
export PYTHONDONTWRITEBYTECODE=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ot-python.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "python-package-test: $*" >&2; exit 1; }

echo "== configure, build and install into $prefix"
"$cmake" -S "$src" -B "$tmp/build" -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_C_COMPILER="$cc" \
  -DBUILD_TESTING=OFF -DOT_BENCH=OFF -DOT_PYTHON3="$py" "$@" >"$tmp/configure.log" ||
  { cat "$tmp/configure.log"; exit 1; }
"$cmake" --build "$tmp/build" -j2 >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
"$cmake" --install "$tmp/build" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }

cache() { sed -n "s/^$1:[A-Z]*=//p" "$tmp/build/CMakeCache.txt"; }
libdir=$(cache CMAKE_INSTALL_LIBDIR)
[ -n "$libdir" ] || libdir=lib
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
pydir=$(cache OT_INSTALL_PYTHONDIR)
[ -n "$pydir" ] || fail "OT_INSTALL_PYTHONDIR is not set: the binding is not installed (OT_PYTHON)"
case $pydir in /*) ;; *) pydir=$prefix/$pydir ;; esac
version=$(sed -n 's/^#define OT_VERSION_STRING "\(.*\)"/\1/p' "$src/include/osteotrack.h")
major=${version%%.*}
rest=${version#*.}
abi=$major.${rest%%.*}

echo "== the installed binding: $pydir/osteotrack/"
mod=$pydir/osteotrack/__init__.py
[ -f "$mod" ] || fail "cmake --install did not install the binding ($mod)"
grep -qx "_INSTALL_LIBDIR = \"$libdir\"" "$mod" ||
  fail "the installed binding does not name the prefix's library directory: $(grep '^_INSTALL_LIBDIR' "$mod")"
grep -qx "__version__ = \"$version\"" "$mod" ||
  fail "the installed binding is not for version $version: $(grep '^__version__' "$mod")"
for f in __init__.py dask.py; do
  grep -q "$pydir/osteotrack/$f" "$tmp/build/install_manifest.txt" ||
    fail "the binding's $f is not in install_manifest.txt"
done

# The tests, alone in a directory outside the source tree; the goldens are
# read from the source tree through OSTEOTRACK_SOURCE_DIR (data, not code).
mkdir "$tmp/run"
cp "$src/bindings/python/test_osteotrack.py" "$tmp/run/"
run_tests() { # VENV_PYTHON EXPECTED_MODULE EXPECTED_LIBRARY [env...]
  local vpy=$1 want_mod=$2 want_lib=$3
  shift 3
  (cd "$tmp/run" && env "$@" OSTEOTRACK_SOURCE_DIR="$src" "$vpy" -c '
import os, sys
import osteotrack
print(os.path.realpath(osteotrack.__file__))
print(osteotrack.library_path())' >"$tmp/where.out" 2>&1) || { cat "$tmp/where.out"; fail "import osteotrack failed"; }
  [ "$(sed -n 1p "$tmp/where.out")" = "$(realpath "$want_mod")" ] ||
    fail "imported $(sed -n 1p "$tmp/where.out"), expected $want_mod"
  [ "$(sed -n 2p "$tmp/where.out")" = "$want_lib" ] ||
    fail "loaded $(sed -n 2p "$tmp/where.out"), expected $want_lib"
  (cd "$tmp/run" && env "$@" OSTEOTRACK_SOURCE_DIR="$src" "$vpy" -m unittest -v test_osteotrack) ||
    fail "the binding's tests failed ($vpy)"
}

echo "== a fresh venv, the copy cmake --install put in the prefix"
"$py" -m venv --system-site-packages "$tmp/venv-prefix" ||
  fail "python3 -m venv failed: python3-venv is needed (bash scripts/setup.sh --deps-only installs it)"
run_tests "$tmp/venv-prefix/bin/python" "$mod" "$libdir/libosteotrack.so.$abi" PYTHONPATH="$pydir"

echo "== a fresh venv, pip install --no-deps --no-build-isolation bindings/python"
"$py" -m venv --system-site-packages "$tmp/venv-pip" ||
  fail "python3 -m venv failed: python3-venv is needed (bash scripts/setup.sh --deps-only installs it)"
# pip builds in the directory it is given: a copy, so the source tree stays clean
mkdir "$tmp/pysrc"
cp -r "$src/bindings/python/osteotrack" "$src/bindings/python/pyproject.toml" \
   "$src/bindings/python/README.md" "$tmp/pysrc/"
rm -rf "$tmp/pysrc/osteotrack/__pycache__"
"$tmp/venv-pip/bin/python" -m pip install --no-deps --no-build-isolation --no-index \
  --disable-pip-version-check "$tmp/pysrc" >"$tmp/pip.log" 2>&1 ||
  { cat "$tmp/pip.log"; fail "pip install failed (python3-pip, python3-setuptools: bash scripts/setup.sh --deps-only)"; }
shown=$("$tmp/venv-pip/bin/python" -m pip show osteotrack 2>/dev/null | sed -n 's/^Version: //p')
[ "$shown" = "$version" ] || fail "pip show osteotrack: version '$shown', expected $version"
site=$("$tmp/venv-pip/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
case $site in "$tmp/venv-pip"/*) ;; *) fail "the venv's site-packages is $site" ;; esac
[ -x "$tmp/venv-pip/bin/osteotrack-dask" ] || fail "pip did not install the osteotrack-dask command"
"$tmp/venv-pip/bin/osteotrack-dask" --help | grep -q "partition" ||
  fail "osteotrack-dask --help does not answer"
run_tests "$tmp/venv-pip/bin/python" "$site/osteotrack/__init__.py" "$libdir/libosteotrack.so.$abi" \
  PKG_CONFIG_PATH="$libdir/pkgconfig"

echo "== without pkg-config's answer: a clear error, or a library from elsewhere"
out=$(cd "$tmp/run" && "$tmp/venv-pip/bin/python" -c '
import osteotrack
try:
    print("loaded", osteotrack.library_path())
except osteotrack.OsteotrackError as e:
    print("error", e)' 2>&1) || fail "import osteotrack: $out"
case $out in
  "error cannot find libosteotrack $abi; tried "*"pkg-config"*) ;;
  "loaded $prefix"*) fail "found the prefix's library without being told where: $out" ;;
  "loaded "*) echo "(the system has its own libosteotrack: $out)" ;;
  *) fail "unexpected: $out" ;;
esac

echo "python-package-test: passed (prefix $prefix)"

#!/usr/bin/env bash
# Installs osteotrack into a temporary prefix and uses it as a user would:
#   - configures a build of the source tree with CMAKE_INSTALL_PREFIX set to
#     the prefix (the library compiles in PREFIX/share/osteotrack as its data
#     directory, so this is how an install that finds its own data is made),
#     builds and installs it;
#   - checks every installed file (libraries, header, data, schemas, command,
#     man pages, osteotrack.pc, the CMake package);
#   - builds examples/embed with pkg-config (Makefile) and with
#     find_package(osteotrack) against the shared and against the static
#     library, and runs each; OSTEOTRACK_DATA_DIR is unset, so they must find
#     the installed data by themselves;
#   - loads the installed library from Python (bindings/python);
#   - runs the installed command, and renders both man pages with man -l.
# Usage: install-test.sh SOURCE_DIR CMAKE C_COMPILER [extra cmake args...]
set -euo pipefail
src=$1 cmake=$2 cc=$3
shift 3
unset OSTEOTRACK_DATA_DIR
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ot-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "install-test: $*" >&2; exit 1; }

echo "== configure, build and install into $prefix"
"$cmake" -S "$src" -B "$tmp/build" -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_C_COMPILER="$cc" \
  -DBUILD_TESTING=OFF -DOT_BENCH=OFF "$@" >"$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
"$cmake" --build "$tmp/build" -j1 >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
"$cmake" --install "$tmp/build" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }

libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$tmp/build/CMakeCache.txt")
[ -n "$libdir" ] || libdir=lib
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
version=$(sed -n 's/^#define OT_VERSION_STRING "\(.*\)"/\1/p' "$src/include/osteotrack.h")
major=${version%%.*}
# SONAME: libosteotrack.so.MAJOR from 1.0; for 0.x libosteotrack.so.0.MINOR
abi=$major
[ "$major" = 0 ] && { minor=${version#0.}; abi=0.${minor%%.*}; }

echo "== installed files"
for f in "$libdir/libosteotrack.so" "$libdir/libosteotrack.so.$abi" \
         "$libdir/libosteotrack.so.$version" "$libdir/libosteotrack.a" \
         "$prefix/include/osteotrack.h" "$prefix/bin/osteotrack" \
         "$prefix/share/osteotrack/lsc.json" "$prefix/share/osteotrack/markers.json" \
         "$prefix/share/osteotrack/schema/report.schema.json" \
         "$prefix/share/osteotrack/schema/patient.schema.json" \
         "$prefix/share/osteotrack/schema/facility.schema.json" \
         "$prefix/share/man/man1/osteotrack.1" "$prefix/share/man/man3/osteotrack.3" \
         "$libdir/pkgconfig/osteotrack.pc" \
         "$libdir/cmake/osteotrack/osteotrackConfig.cmake" \
         "$libdir/cmake/osteotrack/osteotrackConfigVersion.cmake" \
         "$libdir/cmake/osteotrack/osteotrackTargets.cmake"; do
  [ -e "$f" ] || fail "not installed: ${f#"$prefix"/}"
done
[ ! -e "$prefix/share/osteotrack/examples" ] || fail "data/examples should not be installed"
soname=$(readelf -d "$libdir/libosteotrack.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libosteotrack.so.$abi" ] || fail "SONAME is '$soname', expected libosteotrack.so.$abi"

expect_embed() { # the output of a run of the example
  local out=$1
  grep -qx "osteotrack $version, data from $prefix/share/osteotrack" "$out" ||
    fail "embed did not load the installed data: $(head -1 "$out")"
  grep -q '^compare: lumbar_spine +0.040 g/cm2 (+5.0%) in 24 months, LSC 0.0424 g/cm2: stable$' "$out" ||
    fail "embed: unexpected comparison: $(grep compare: "$out")"
  grep -q '^report: EMBED-1: responding$' "$out" || fail "embed: unexpected report: $(grep report: "$out")"
  grep -q '^json: [0-9]* bytes$' "$out" || fail "embed: no JSON report"
}

echo "== pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion osteotrack)" = "$version" ] || fail "pkg-config --modversion"
[ -f "$(pkg-config --variable=datadir osteotrack)/lsc.json" ] || fail "pkg-config's datadir has no data"
pkg-config --libs --static osteotrack | grep -q -- '-lgsl' || fail "pkg-config --static lacks -lgsl"
pkg-config --libs --static osteotrack | grep -q -- '-lcjson' || fail "pkg-config --static lacks -lcjson"
mkdir "$tmp/pc"
cp "$src/examples/embed/embed.c" "$src/examples/embed/Makefile" "$tmp/pc/"
make -s -C "$tmp/pc" CC="$cc" CFLAGS="-O2 -Wall -Wextra -pedantic -Werror" >/dev/null
readelf -d "$tmp/pc/embed" | grep -q "NEEDED.*\[libosteotrack.so.$abi\]" ||
  fail "pkg-config build is not linked with the shared library"
LD_LIBRARY_PATH=$libdir "$tmp/pc/embed" >"$tmp/pc.out" || { cat "$tmp/pc.out"; fail "pkg-config build failed to run"; }
expect_embed "$tmp/pc.out"
# Static through pkg-config, as osteotrack(3) shows.
"$cc" -std=c11 -Wall -Wextra -pedantic -Werror "$src/examples/embed/embed.c" -o "$tmp/pc/embed-static" \
  $(pkg-config --cflags osteotrack) -Wl,-Bstatic -losteotrack -Wl,-Bdynamic \
  $(pkg-config --libs --static osteotrack)
if readelf -d "$tmp/pc/embed-static" | grep -q 'NEEDED.*libosteotrack'; then
  fail "static pkg-config build needs the shared library"
fi
"$tmp/pc/embed-static" >"$tmp/pc-static.out"
expect_embed "$tmp/pc-static.out"

echo "== find_package(osteotrack)"
for kind in shared static; do
  static=OFF
  [ $kind = static ] && static=ON
  "$cmake" -S "$src/examples/embed" -B "$tmp/cm-$kind" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" -DEMBED_STATIC=$static -DCMAKE_C_FLAGS=-Werror >"$tmp/cm-$kind.log" ||
    { cat "$tmp/cm-$kind.log"; fail "find_package ($kind) failed"; }
  grep -qx -- "-- osteotrack $version, data in $prefix/share/osteotrack" "$tmp/cm-$kind.log" ||
    fail "find_package: osteotrack_VERSION or osteotrack_DATA_DIR: $(grep -- '-- osteotrack' "$tmp/cm-$kind.log")"
  "$cmake" --build "$tmp/cm-$kind" >>"$tmp/cm-$kind.log" 2>&1 ||
    { cat "$tmp/cm-$kind.log"; fail "find_package build ($kind) failed"; }
  if [ $kind = shared ]; then
    readelf -d "$tmp/cm-$kind/embed" | grep -q "NEEDED.*\[libosteotrack.so.$abi\]" ||
      fail "osteotrack::osteotrack is not the shared library"
  elif readelf -d "$tmp/cm-$kind/embed" | grep -q 'NEEDED.*libosteotrack'; then
    fail "osteotrack::osteotrack_static links the shared library"
  fi
  "$tmp/cm-$kind/embed" >"$tmp/cm-$kind.out" # CMake's build RPATH finds the library
  expect_embed "$tmp/cm-$kind.out"
done
# A version this package does not satisfy is refused.
mkdir "$tmp/cm-version"
cat >"$tmp/cm-version/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.18)
project(v LANGUAGES C)
find_package(osteotrack $((major + 1)).0 QUIET)
if(osteotrack_FOUND)
  message(FATAL_ERROR "find_package(osteotrack $((major + 1)).0) accepted $version")
endif()
EOF
"$cmake" -S "$tmp/cm-version" -B "$tmp/cm-version/b" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null ||
  fail "the version check of the CMake package"

echo "== the Python wrapper on the installed library"
py=$(command -v python3) || fail "python3 is needed (bash scripts/setup.sh installs it)"
out=$(cd "$tmp" && PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$src/bindings/python \
  OSTEOTRACK_LIBRARY=$libdir/libosteotrack.so.$abi "$py" -c '
import osteotrack
ot = osteotrack.load()
print(ot.version, ot.data_dir, ot.compare("spine", 0.800, 0.840, lsc=0.028)["significance"])')
[ "$out" = "$version $prefix/share/osteotrack increase" ] || fail "python on the installed library: $out"

echo "== the installed command"
out=$("$prefix/bin/osteotrack" compare --site lumbar_spine --from 0.800 --to 0.840 \
  --from-date 2022-03-01 --to-date 2024-03-01 --therapy alendronate)
case $out in *'"significance":"stable"'*'"vs_expected":"within"'*) ;;
  *) fail "installed osteotrack compare: $out" ;; esac
[ "$("$prefix/bin/osteotrack" --version)" = "osteotrack $version" ] || fail "osteotrack --version"
if readelf -d "$prefix/bin/osteotrack" | grep -q 'NEEDED.*libosteotrack'; then
  fail "the command should be linked statically with the library"
fi

echo "== man pages"
command -v man >/dev/null && command -v groff >/dev/null ||
  fail "man and groff are needed (Debian: man-db groff-base; bash scripts/setup.sh installs them)"
for page in man1/osteotrack.1 man3/osteotrack.3; do
  f=$prefix/share/man/$page
  warn=$(groff -man -Tutf8 -ww -z "$f" 2>&1) || fail "groff failed on $page"
  [ -z "$warn" ] || fail "groff warns on $page: $warn"
  MANWIDTH=80 man -l "$f" >"$tmp/page.txt" 2>"$tmp/page.err" || { cat "$tmp/page.err"; fail "man -l $page"; }
  grep -q 'osteotrack' "$tmp/page.txt" || fail "man -l $page rendered nothing"
done
MANWIDTH=80 man -l "$prefix/share/man/man1/osteotrack.1" | grep -q -- '--months-on-therapy' ||
  fail "osteotrack(1) lacks --months-on-therapy"
MANPATH=$prefix/share/man man -w osteotrack >/dev/null || fail "man -w osteotrack in the prefix"

echo "install-test: passed (prefix $prefix)"

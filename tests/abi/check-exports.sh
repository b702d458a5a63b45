#!/usr/bin/env bash
# The shared library exports the public API and nothing else:
#   - every defined dynamic symbol starts with ot_ (nm -D --defined-only);
#   - every function the header declares with OT_EXTERN is exported;
#   - SONAME is libosteotrack.so.MAJOR from 1.0, libosteotrack.so.0.MINOR before
#     (every 0.x minor release may change the ABI), from OT_VERSION_MAJOR/MINOR.
# Usage: check-exports.sh LIBOSTEOTRACK.so include/osteotrack.h
set -euo pipefail
lib=$1 header=$2
fail=0
syms=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sort -u)
[ -n "$syms" ] || { echo "no dynamic symbols in $lib"; exit 1; }
stray=$(grep -v '^ot_' <<<"$syms" || true)
if [ -n "$stray" ]; then
  echo "exported symbols outside the ot_ API:"; echo "$stray"; fail=1
fi
# Declared functions: "OT_EXTERN <type> [*]ot_name(" possibly across lines.
declared=$(tr '\n' ' ' <"$header" | grep -o 'OT_EXTERN [^;(]*(' |
           grep -o 'ot_[a-z0-9_]*($' | tr -d '(' | sort -u)
[ -n "$declared" ] || { echo "found no OT_EXTERN declarations in $header"; exit 1; }
missing=$(comm -23 <(echo "$declared") <(echo "$syms"))
if [ -n "$missing" ]; then
  echo "declared in the header but not exported:"; echo "$missing"; fail=1
fi
extra=$(comm -13 <(echo "$declared") <(echo "$syms"))
if [ -n "$extra" ]; then
  echo "exported but not declared OT_EXTERN in the header:"; echo "$extra"; fail=1
fi
major=$(sed -n 's/^#define OT_VERSION_MAJOR \([0-9]*\).*/\1/p' "$header")
minor=$(sed -n 's/^#define OT_VERSION_MINOR \([0-9]*\).*/\1/p' "$header")
want=libosteotrack.so.$major
[ "$major" = 0 ] && want=libosteotrack.so.0.$minor
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" != "$want" ]; then
  echo "SONAME is '$soname', expected $want"; fail=1
fi
[ $fail = 0 ] && echo "$(wc -l <<<"$syms") symbols exported, all ot_ and all declared; SONAME $soname"
exit $fail

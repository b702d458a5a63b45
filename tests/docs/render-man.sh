#!/usr/bin/env bash
# The man pages made from docs/*.md render without a warning from groff
# (-ww: all warnings) and with man -l, and have their sections.
# Usage: render-man.sh BUILD_DOCS_DIR
set -euo pipefail
dir=$1
command -v groff >/dev/null && command -v man >/dev/null ||
  { echo "man and groff are needed (Debian: man-db groff-base; scripts/setup.sh installs them)"; exit 1; }
fail=0
for page in osteotrack.1 osteotrack.3; do
  f=$dir/$page
  [ -s "$f" ] || { echo "$page was not built"; fail=1; continue; }
  warn=$(groff -man -Tutf8 -ww -z "$f" 2>&1) || { echo "groff failed on $page"; fail=1; }
  [ -z "$warn" ] || { echo "groff warns on $page:"; echo "$warn"; fail=1; }
  text=$(MANWIDTH=80 man -l "$f" 2>&1) || { echo "man -l $page failed: $text"; fail=1; continue; }
  for section in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
    grep -q "^$section" <<<"$text" || { echo "$page: no $section section"; fail=1; }
  done
  # Markdown that the converter did not understand shows up as raw marks.
  if grep -nE '`|^#|^: ' <<<"$text"; then
    echo "$page: Markdown left in the rendered page (above)"; fail=1
  fi
done
[ $fail = 0 ] && echo "osteotrack.1 and osteotrack.3 render cleanly"
exit $fail

#!/usr/bin/env bash
# Formats every tracked C++ file (*.cc, *.h; nothing generated is tracked, third_party/ is left alone) with the
# repository's .clang-format (Google style, 120 columns), using Debian 12's clang-format (deploy/install-deps.sh test).
#   deploy/format.sh           rewrites the files that are not formatted
#   deploy/format.sh --check   changes nothing; names each file that is not formatted and exits 1 if there is one
#                              (the CTest test clang_format)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
mapfile -d '' files < <(git ls-files -z -- '*.cc' '*.h' ':(exclude)third_party/')
[ ${#files[@]} -gt 0 ] || { echo "format.sh: no tracked C++ files under $repo" >&2; exit 1; }
case "${1:-}" in
  "")
    clang-format -i "${files[@]}"
    echo "formatted ${#files[@]} files"
    ;;
  --check)
    if out=$(clang-format --dry-run -Werror --ferror-limit=1 "${files[@]}" 2>&1); then
      echo "ok: ${#files[@]} files formatted"
      exit 0
    fi
    echo "$out" | head -n 40
    bad=$(echo "$out" | grep -oE '^[^ :]+\.(cc|h):[0-9]+:[0-9]+: error' | cut -d: -f1 | sort -u)
    [ -n "$bad" ] || exit 1  # clang-format itself failed; its message is above
    while read -r f; do echo "not formatted: $f"; done <<< "$bad"
    echo "FAIL $(echo "$bad" | wc -l) of ${#files[@]} files are not formatted: run deploy/format.sh"
    exit 1
    ;;
  *) echo "usage: format.sh [--check]" >&2; exit 2 ;;
esac

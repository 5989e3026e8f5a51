#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# callgrind_breakdown.sh: instructions per call of every piece of bench.breakdown (breakdown.cpp),
# counted by valgrind's callgrind inside the piece's own function (--toggle-collect), so set-up
# and the calling loop are not counted. Deterministic: the same binary gives the same counts on
# a busy machine.
#
#   tests/bench/callgrind_breakdown.sh <bench build dir> [calls, default 2000]
set -euo pipefail
build="${1:?usage: callgrind_breakdown.sh <bench build dir> [calls]}"
calls="${2:-2000}"
exe="$build/bench.breakdown"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
printf '| piece | instructions per call |\n|---|---:|\n'
for piece in $("$exe" --list); do
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" --toggle-collect="piece_$piece" \
    "$exe" "$piece" "$calls" >/dev/null 2>"$out/log"
  total=$(grep -E '^summary:|^totals:' "$out/cg.out" | head -1 | awk '{print $2}')
  printf '| %s | %s |\n' "$piece" "$(awk -v t="$total" -v c="$calls" 'BEGIN { printf "%.0f", t / c }')"
done

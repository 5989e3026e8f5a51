#!/bin/sh
# SPDX-License-Identifier: MIT
# run_fuzz.sh: builds the libFuzzer targets (clang, ASan + UBSan), writes the seed corpus,
# fuzzes each target for a bounded time and fails on any finding (crash, sanitizer report,
# invariant violation, timeout, out-of-memory).
#
#   tests/fuzz/run_fuzz.sh [seconds per target, default 30] [build dir, default ./build-fuzz]
#
# Environment: CXX (default clang++); CTNN_FUZZ_COVERAGE=1 also reports the line and region
# coverage of include/ctnn/{serialize,finite}.hpp reached by the final corpus (llvm-cov).
# The corpus grows in <build dir>/corpus/<target> across runs; findings go to
# <build dir>/artifacts/. Summaries: <build dir>/fuzz.<target>.log.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-30}
build=${2:-$root/build-fuzz}
cxx=${CXX:-clang++}
coverage=${CTNN_FUZZ_COVERAGE:-0}

cov_flag=OFF
[ "$coverage" = 1 ] && cov_flag=ON
cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCTNN_FUZZ_COVERAGE="$cov_flag" >/dev/null
targets="fuzz.load fuzz.train fuzz.make_corpus"
[ "$coverage" = 1 ] && targets="$targets fuzz.load.coverage fuzz.train.coverage"
# shellcheck disable=SC2086
cmake --build "$build" -j2 --target $targets

rm -rf "$build/seeds" "$build/artifacts"
mkdir -p "$build/corpus/load" "$build/corpus/train" "$build/artifacts"
"$build/fuzz.make_corpus" "$build/seeds"

failed=0
for t in load train; do
  echo "== fuzz.$t: ${secs} s"
  start=$(date +%s)
  if ! "$build/fuzz.$t" "$build/corpus/$t" "$build/seeds/$t" -max_total_time="$secs" \
       -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$t-" >"$build/fuzz.$t.log" 2>&1; then
    echo "fuzz.$t: FINDING (see $build/fuzz.$t.log)"
    grep -E "ERROR|invariant violated|runtime error|SUMMARY" "$build/fuzz.$t.log" | head -20 || true
    failed=1
  fi
  end=$(date +%s)
  grep -E "INITED|DONE" "$build/fuzz.$t.log" | sed 's/^/  /'
  grep -E "stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" \
       "$build/fuzz.$t.log" | sed 's/^/  /'
  echo "  wall time: $((end - start)) s, corpus: $(ls "$build/corpus/$t" | wc -l) files"
done

if [ -n "$(ls -A "$build/artifacts")" ]; then
  echo "findings:"
  ls -l "$build/artifacts"
  failed=1
fi

if [ "$coverage" = 1 ]; then
  for t in load train; do
    rm -f "$build/cov-$t.profraw"
    LLVM_PROFILE_FILE="$build/cov-$t.profraw" "$build/fuzz.$t.coverage" \
      "$build/corpus/$t" "$build/seeds/$t" >/dev/null
  done
  llvm-profdata merge -sparse "$build/cov-load.profraw" -o "$build/cov-load.profdata"
  llvm-profdata merge -sparse "$build/cov-train.profraw" -o "$build/cov-train.profdata"
  echo "== coverage of fuzz.load's corpus"
  llvm-cov report "$build/fuzz.load.coverage" -instr-profile="$build/cov-load.profdata" \
    "$root/include/ctnn/serialize.hpp"
  echo "== coverage of fuzz.train's corpus"
  llvm-cov report "$build/fuzz.train.coverage" -instr-profile="$build/cov-train.profdata" \
    "$root/include/ctnn/finite.hpp" "$root/include/ctnn/train.hpp" \
    "$root/include/ctnn/optimizer.hpp" "$root/include/ctnn/loss.hpp"
fi

if [ "$failed" != 0 ]; then
  echo "run_fuzz.sh: FAILED"
  exit 1
fi
echo "run_fuzz.sh: no findings"

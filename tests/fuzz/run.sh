#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz/ (clang, ASan+UBSan) and fuzzes each for a while.
#
#   tests/fuzz/run.sh 600              # every target 600 s, one after the other
#   tests/fuzz/run.sh 60 engine        # one target
#   FUZZ_MERGE=1 tests/fuzz/run.sh 600 # also merge new coverage into the committed corpus
#
# Targets: engine (record bytes -> ParseRecord -> Decide -> Evolve) and query (query string ->
# httplib decoding -> consumers/query_params). Seeds: tests/fuzz/corpus/<target>; the growing
# working corpus stays in build-fuzz/corpus/<target>. A crash (or broken invariant) is copied
# to tests/fuzz/crashes/<target>/, where fuzz_regression_tests (ctest, g++) replays it from then
# on; the script exits 1 when any target found one. Builds under the shared build lock.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:?usage: tests/fuzz/run.sh <seconds per target> [engine|query ...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(engine query)
CC=${CC:-clang-14}
CXX=${CXX:-clang++-14}
command -v "$CXX" >/dev/null || { echo "run.sh: $CXX not found (deploy/local/install-deps.sh)" >&2; exit 2; }
LOCK=${GENDAN_BUILD_LOCK:-/tmp/gendan-build.lock}
BUILD=build-fuzz

if [ ! -f $BUILD/build.ninja ]; then
  flock "$LOCK" env CC="$CC" CXX="$CXX" cmake -S . -B $BUILD -G Ninja -DGENDAN_FUZZ=ON \
    -DGENDAN_BUILD_BENCH=OFF -DGENDAN_JEMALLOC=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
flock "$LOCK" ninja -C $BUILD "${targets[@]/#/fuzz_}"

found=0
for t in "${targets[@]}"; do
  work=$BUILD/corpus/$t
  artifacts=$BUILD/artifacts/$t/
  mkdir -p "$work" "$artifacts" "tests/fuzz/crashes/$t"
  echo "== fuzzing $t for ${seconds}s"
  set +e
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts" "$work" "tests/fuzz/corpus/$t" \
    2>"$BUILD/fuzz_$t.log"
  rc=$?
  set -e
  grep -E "^(stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)|^#[0-9]+ *DONE" \
    "$BUILD/fuzz_$t.log" || true
  for crash in "$artifacts"crash-* "$artifacts"timeout-* "$artifacts"oom-* "$artifacts"leak-*; do
    [ -f "$crash" ] || continue
    cp "$crash" "tests/fuzz/crashes/$t/"
    echo "FOUND: $crash -> tests/fuzz/crashes/$t/ (see $BUILD/fuzz_$t.log)"
    found=1
  done
  [ $rc -eq 0 ] || [ $found -eq 1 ] || { echo "fuzz_$t exited $rc (see $BUILD/fuzz_$t.log)"; found=1; }
  if [ "${FUZZ_MERGE:-0}" = 1 ]; then
    "$BUILD/tests/fuzz/fuzz_$t" -merge=1 "tests/fuzz/corpus/$t" "$work" 2>>"$BUILD/fuzz_$t.log"
  fi
done
exit $found

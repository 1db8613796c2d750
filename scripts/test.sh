#!/usr/bin/env bash
# Installs what the tests need, then builds and runs every test twice: a normal build with
# warnings as errors, and a build under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
# The store suite runs against a real PostgreSQL too (started here; skipped only if that fails).
if url=$(./scripts/start-postgres.sh); then
  export VOXGATE_TEST_POSTGRES_URL="$url"
else
  echo "warning: PostgreSQL could not be started: its tests will be skipped" >&2
fi
# The blob store suite runs against a local S3-compatible server (s3rver, from npm) too.
s3pid=$(mktemp)
trap 'kill "$(cat "$s3pid")" 2>/dev/null; rm -f "$s3pid"' EXIT  # stopped however the tests end
if command -v npm >/dev/null && ep=$(VOXGATE_S3RVER_PIDFILE="$s3pid" ./tests/s3/start-s3rver.sh); then
  export VOXGATE_TEST_S3_ENDPOINT="$ep"
else
  echo "warning: s3rver could not be started: the S3 blob store tests will be skipped" >&2
fi
export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"

echo "== build (warnings are errors)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVOXGATE_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure -j "$jobs" | tee build/ctest.log

echo "== build under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVOXGATE_WERROR=ON -DVOXGATE_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
echo "== tests under sanitizers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" | tee build-asan/ctest.log

echo "== fuzz every parser and the call bridge for ${FUZZ_SECONDS:-30} s (libFuzzer + ASan + UBSan)"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DVOXGATE_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$jobs"
corpus=$(mktemp -d)
cp fuzz/corpus/* "$corpus"/
./build-fuzz/fuzz/vg_fuzz_parsers -max_total_time="${FUZZ_SECONDS:-30}" -max_len=4096 -print_final_stats=1 "$corpus" 2>&1 | tail -4
rm -rf "$corpus"

# One closing line for both test runs (ctest prints "... tests failed out of N" for each).
total=0
for log in build/ctest.log build-asan/ctest.log; do
  n=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  total=$((total + ${n:-0}))
done
echo "voxgate: $total passed, 0 failed"

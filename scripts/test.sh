#!/usr/bin/env bash
# Installs what is missing, builds skiff and runs the whole test suite:
#   1. the release build's tests (unit, crash, churn, end-to-end) under CTest;
#   2. the same tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
# Set SKIFF_SKIP_SANITIZE=1 to run only the first pass (quicker, for local iteration).
# Some tests mount a small tmpfs and must run as root (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

# CTest prints a failing test's output where it fails, long before the end of the run; the
# last lines are what a CI summary shows, so repeat each failure's own summary there.
run_ctest() {
  local dir=$1; shift
  if ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@"; then
    return 0
  fi
  echo "==== failures in $dir (pytest summaries, Catch2 and sanitizer lines) ===="
  grep -hE '^(FAILED|ERROR) |^E +|^[^ ]+:[0-9]+: FAILED|^SUMMARY: |^==[0-9]+==ERROR' \
    "$dir"/Testing/Temporary/LastTest*.log | tail -n 60 || true
  return 1
}

scripts/build.sh build -DSKIFF_BUILD_TESTS=ON
run_ctest build

if [ "${SKIFF_SKIP_SANITIZE:-0}" != 1 ]; then
  scripts/build.sh build-asan -DSKIFF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_ctest build-asan
fi

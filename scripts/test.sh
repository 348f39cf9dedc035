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

scripts/build.sh build -DSKIFF_BUILD_TESTS=ON
ctest --test-dir build --output-on-failure -j "$jobs"

if [ "${SKIFF_SKIP_SANITIZE:-0}" != 1 ]; then
  scripts/build.sh build-asan -DSKIFF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi

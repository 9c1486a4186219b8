#!/usr/bin/env bash
# Builds everything with ThreadSanitizer into build-tsan/ and runs the tests that drive the engine's
# threads (the delivery threads, the PostgreSQL worker, stdin ingest, the window's engine thread).
# Qt itself is not instrumented: tests/tsan.supp names the few reports that come from inside Qt's
# own, uninstrumented atomics, each with its reason.
#   scripts/test-tsan.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
CDCSCOPE_BUILD_DIR=build-tsan scripts/build.sh \
  -DCDCSCOPE_WARNINGS_AS_ERRORS=ON -DCDCSCOPE_BUILD_BENCH=OFF \
  "-DCMAKE_CXX_FLAGS=-fsanitize=thread -fno-omit-frame-pointer"
cd build-tsan
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/../tests/tsan.supp" \
  ctest --output-on-failure -j 2 -E 'package_metadata' "$@"

#!/usr/bin/env bash
# Builds everything with ThreadSanitizer into build-tsan/ and runs the tests of the engine and its
# delivery threads (unit, integration, headless binary, TLS, stdin ingest, the Node ws client).
# Qt itself is not instrumented, so it cannot see Qt's own locks and queues: every hand-over
# between the engine's threads goes through net/Mailbox (a std::mutex and an eventfd, which it
# sees), and tests/tsan.supp names the few reports from inside Qt, each with its reason.
# Left out: the window, keychain, PostgreSQL and client-command suites, whose threads hand data over
# inside Qt (queued signals, QNetworkAccessManager, BlockingQueuedConnection) - see docs/reliability.md.
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
  ctest --output-on-failure -j 2 -E 'package_metadata|tst_mainwindow|tst_keychain|tst_postgres|tst_clientcommands' "$@"

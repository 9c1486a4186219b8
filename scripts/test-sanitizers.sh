#!/usr/bin/env bash
# Builds with sanitizers and runs the tests there.
#   scripts/test-sanitizers.sh [ctest args...]
#       AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer into build-asan/, every test.
#   scripts/test-sanitizers.sh thread [ctest args...]
#       ThreadSanitizer into build-tsan/: the engine's unit, integration and end-to-end suites (its
#       connection threads, TLS, the headless binary, stdin ingest, the Node ws client and the
#       storm). Only what those suites run is built (the binary and their executables), which keeps
#       the pass short enough for CI. Qt is not instrumented, so it cannot see Qt's own locks and
#       queues: hand-overs between the engine's threads go through net/Mailbox (a std::mutex and an
#       eventfd, which it sees), and tests/tsan.supp names the few reports from inside Qt or glib,
#       each with its reason — never one of the engine's own. Left out: the window, keychain,
#       PostgreSQL, cluster and client-command suites, whose threads hand data over inside Qt
#       (docs/reliability.md).
# CI runs both, after scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=address
if [ "${1:-}" = thread ]; then
  mode=thread
  shift
fi

scripts/install-deps.sh
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
if [ "$mode" = address ]; then
  build_dir=build-asan
  flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
else
  build_dir=build-tsan
  flags="-fsanitize=thread -fno-omit-frame-pointer"
fi
# -g1: line tables only — the sanitizers' reports keep their file:line stacks, and the build (compile
# and above all the links of ~50 test executables) takes less time than with full debug info.
configure=(-DCDCSCOPE_WARNINGS_AS_ERRORS=ON -DCDCSCOPE_BUILD_BENCH=OFF "-DCMAKE_CXX_FLAGS=$flags"
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
if [ "$mode" = address ]; then
  CDCSCOPE_BUILD_DIR=$build_dir scripts/build.sh "${configure[@]}"
  cd "$build_dir"
  # The large-transaction suite: a tenth of the rows (instrumented code is several times slower), and no
  # RSS bound (shadow memory is not the server's); likewise tst_budgets checks all but its RSS figures.
  export CDCSCOPE_TEST_LARGE_TRANSACTION_ROWS=100000 CDCSCOPE_TEST_PEAK_RSS_MIB=0 CDCSCOPE_TEST_RSS_BOUNDS=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j 2 "$@"
else
  labels='unit|integration|e2e'
  excluded='tst_clientcommands'
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${configure[@]}" >/dev/null
  mapfile -t suites < <(cd "$build_dir" && ctest -N -L "$labels" -E "$excluded" |
    sed -n 's/^ *Test *#[0-9]*: \(tst_[a-z0-9_]*\)$/\1/p')
  cmake --build "$build_dir" -j 2 --target cdcscope "${suites[@]}"
  cd "$build_dir"
  export CDCSCOPE_TEST_RSS_BOUNDS=0 # shadow memory is not the server's (tst_budgets)
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/../tests/tsan.supp" \
    ctest --output-on-failure -j 2 -L "$labels" -E "$excluded" "$@"
fi

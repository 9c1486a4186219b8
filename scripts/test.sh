#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs every test: unit, integration (real sockets, the real
# binary) and end-to-end (the spec's Node ws client, curl). Warnings are errors here.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
# The plain protocol server the remote-window test watches (bench/baseline, as athena would be).
(cd bench/baseline && npm ci --no-audit --no-fund --loglevel=error)
scripts/build.sh -DCDCSCOPE_WARNINGS_AS_ERRORS=ON
cd "${CDCSCOPE_BUILD_DIR:-build}"
ctest --output-on-failure -j 2 "$@"

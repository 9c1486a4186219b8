#!/usr/bin/env bash
# The request parsers on their own: our HTTP head reader and chunked decoder beside Node's archived
# http_parser (Debian's libhttp-parser-dev, installed here: only this benchmark uses it), and the
# publish-body parser (simdjson) in events/s. Not a test; figures in docs/performance.md.
#   bench/parsers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dpkg-query -W -f='${Status}' libhttp-parser-dev 2>/dev/null | grep -q "install ok installed"; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends libhttp-parser-dev >/dev/null
fi
scripts/build.sh >/dev/null
cmake -S . -B "${CDCSCOPE_BUILD_DIR:-build}" >/dev/null # find the library installed just now
cmake --build "${CDCSCOPE_BUILD_DIR:-build}" --target cdcscope-parsers >/dev/null
"${CDCSCOPE_BUILD_DIR:-build}"/bench/cdcscope-parsers

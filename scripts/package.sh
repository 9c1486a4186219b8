#!/usr/bin/env bash
# Builds CDC Scope and makes its packages with CPack: on Linux build/cdcscope_VERSION_ARCH.deb and
# build/cdcscope-VERSION-linux-ARCH.tar.gz (docs/installing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
cd "${CDCSCOPE_BUILD_DIR:-build}"
rm -f cdcscope_*.deb cdcscope-*.tar.gz
cpack

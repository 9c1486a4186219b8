#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs CDC Scope. Arguments go to cdcscope, for example
#   scripts/run-app.sh --port 4053 --log-format json
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
exec build/app/cdcscope "$@"

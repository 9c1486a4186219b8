#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs CDC Scope: the desktop window when there is a display,
# the headless server otherwise. Arguments go to cdcscope, for example
#   scripts/run-app.sh --port 4053
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run-app: no display found, starting the headless server (Ctrl+C stops it)" >&2
  exec build/app/cdcscope --headless "$@"
fi
exec build/app/cdcscope "$@"

#!/usr/bin/env bash
# Configures and builds CDC Scope into build/ with Ninja. Extra arguments go to CMake's configure.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="${CDCSCOPE_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j 2

#!/usr/bin/env bash
# Many connections at the machine's limit (issue 32): 19 000 WebSocket clients opened 2 000 at a
# time (a reconnect storm after a restart), greeted, then one event to all of them — CDC Scope
# (in memory, limits raised to let them in) and the minimal server of bench/minimal_server.cpp
# (accept, upgrade, greet, one pre-built frame to every socket from one thread per core),
# alternating, ROUNDS times. Prints each run, then the medians and CDC Scope's ratio to the minimal
# server. This machine allows 20 000 open files per process: 19 000 is as many as one instance
# holds here. Not a test.
#   bench/crowd.sh [ROUNDS] [CONNECTIONS]        default: 6 rounds of 19000
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-6}
connections=${2:-19000}
scripts/build.sh >/dev/null
. bench/servers.sh
results=$(mktemp)
trap 'stop_server; rm -f "$results"' EXIT
server_pid=""

run() { # kind flags...
  local kind=$1
  shift
  start_server "$kind" "$@"
  local figures
  figures=$(build/bench/cdcscope-bench crowd --port "$port" --connections "$connections" --subscribers 2000 \
    --server-pid "$server_pid")
  echo "$kind $figures" | tee -a "$results"
  stop_server
}

for round in $(seq "$rounds"); do
  run cdcscope --in-memory --max-connections 20000 --max-connections-per-ip 20000
  run minimal
done

median() { # kind field
  grep "^$1 " "$results" | sed "s/.* $2=\([0-9.]*\).*/\1/" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
echo "medians of $rounds rounds, $connections connections:"
for field in greet_s broadcast_ms; do
  cdc=$(median cdcscope "$field")
  ref=$(median minimal "$field")
  echo "  $field cdcscope=$cdc minimal=$ref ratio=$(awk -v a="$cdc" -v b="$ref" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
done
# The minimal server's connections live in the kernel (socket buffers), which RSS does not count.
echo "  kib_per_idle_connection cdcscope=$(median cdcscope kib_per_idle_connection)"

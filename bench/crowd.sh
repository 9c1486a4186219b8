#!/usr/bin/env bash
# Many connections at the machine's limit (issue 32): 19 000 WebSocket clients opened 2 000 at a
# time (a reconnect storm after a restart), greeted, then five events to all of them, one at a time
# (the median of the five is the figure) — CDC Scope
# (in memory, limits raised to let them in) and the minimal server of bench/minimal_server.cpp
# (accept, upgrade, greet, one pre-built frame to every socket from one thread per core),
# alternating, ROUNDS times. Prints each run, then the medians and CDC Scope's ratio to the minimal
# server, each without and with permessage-deflate (a Debezium-shaped 2 KB event; the minimal server
# compresses it once too). This machine allows 20 000 open files per process: 19 000 is as many as
# one instance holds here. Not a test.
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

run() { # label kind bench-flags -- server flags...
  local label=$1 kind=$2 bench_flags=()
  shift 2
  while [ "$1" != -- ]; do bench_flags+=("$1"); shift; done
  shift
  start_server "$kind" "$@"
  local figures
  figures=$(build/bench/cdcscope-bench crowd --port "$port" --connections "$connections" --subscribers 2000 \
    --server-pid "$server_pid" "${bench_flags[@]}")
  echo "$label $figures" | tee -a "$results"
  stop_server
}

for round in $(seq "$rounds"); do
  run cdcscope cdcscope --events 5 -- --in-memory --max-connections 20000 --max-connections-per-ip 20000
  run minimal minimal --events 5 --
  # Compressed: every client offers permessage-deflate, the event is a Debezium-shaped 2 KB change.
  run cdcscope_deflate cdcscope --events 5 --deflate 1 --debezium 1 --payload 2000 -- \
    --in-memory --max-connections 20000 --max-connections-per-ip 20000
  run minimal_deflate minimal --events 5 --deflate 1 --debezium 1 --payload 2000 -- --deflate 1
done

median() { # kind field
  grep "^$1 " "$results" | sed "s/.* $2=\([0-9.]*\).*/\1/" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
echo "medians of $rounds rounds, $connections connections:"
for variant in "" _deflate; do
  for field in greet_s broadcast_ms; do
    cdc=$(median "cdcscope$variant" "$field")
    ref=$(median "minimal$variant" "$field")
    echo "  $field$variant cdcscope=$cdc minimal=$ref ratio=$(awk -v a="$cdc" -v b="$ref" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
  done
done
# The minimal server's connections live in the kernel (socket buffers), which RSS does not count.
echo "  kib_per_idle_connection cdcscope=$(median cdcscope kib_per_idle_connection)"
echo "  kib_per_busy_connection cdcscope=$(median cdcscope kib_per_busy_connection)"

#!/usr/bin/env bash
# The journal's cost: ingest events/s at each --sync level (batches of 1 000, 200-byte payloads),
# journal bytes per event, and the restart time with 1 000 000 retained events. Not a test.
#   bench/journal.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
scripts/build.sh >/dev/null
unset CDCSCOPE_IN_MEMORY

start_server() { # data-dir log args...
  local dir=$1 log=$2; shift 2
  build/app/cdcscope --headless --port 0 --data-dir "$dir" "$@" 2>"$log" & server=$!
  for _ in $(seq 600); do
    port=$(sed -n 's#.*ws://127.0.0.1:\([0-9]*\)/ws.*#\1#p' "$log"); [ -n "$port" ] && return 0
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  echo "server did not start" >&2; exit 1
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; }

big=(--retain-events 1000000 --retain-bytes 4GiB --retain-bytes-per-channel 4GiB)
for round in $(seq "$rounds"); do
  for sync in off normal full; do
    dir=$(mktemp -d); log=$(mktemp)
    start_server "$dir" "$log" --sync "$sync" "${big[@]}"
    result=$(build/bench/cdcscope-bench ingest --port "$port" --events 500000 --batch 1000 --payload 200)
    stop_server
    bytes=$(du -cb "$dir"/journal.sqlite* | tail -1 | cut -f1)
    echo "round=$round sync=$sync $result journal_bytes_per_event=$((bytes / 500000))"
    rm -rf "$dir" "$log"
  done
  in_memory=$(mktemp -d); log=$(mktemp)
  start_server "$in_memory" "$log" --in-memory "${big[@]}"
  echo "round=$round sync=in-memory $(build/bench/cdcscope-bench ingest --port "$port" --events 500000 --batch 1000 --payload 200)"
  stop_server; rm -rf "$in_memory" "$log"

  dir=$(mktemp -d); log=$(mktemp)
  start_server "$dir" "$log" "${big[@]}"
  build/bench/cdcscope-bench ingest --port "$port" --events 1000000 --batch 1000 --payload 200 >/dev/null
  stop_server
  start=$(date +%s%N)
  start_server "$dir" "$log" "${big[@]}"
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "round=$round restart: $(grep -o '[0-9]* events in [0-9]* channels restored in [0-9]* ms' "$log") process_ready_ms=$ready_ms"
  stop_server; rm -rf "$dir" "$log"
done

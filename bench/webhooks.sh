#!/usr/bin/env bash
# Webhook ingest beside POST /events, ROUNDS alternating runs each, in memory and with the journal:
# the same 200-byte payloads in batches of 1 000, as athena's envelopes to /events and as a bare
# array to /channels/ingest/events (docs/webhooks.md). Prints each run and the medians. Not a test.
#   bench/webhooks.sh [ROUNDS]     (docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
scripts/build.sh >/dev/null
results=$(mktemp)
. bench/servers.sh
data_dir=$(mktemp -d)
trap 'rm -rf "$results" "$data_dir"' EXIT

run() { # events|webhook memory|journal
  local storage=(--in-memory)
  rm -rf "${data_dir:?}"/*
  [ "$2" = journal ] && storage=(--data-dir "$data_dir")
  start_server cdcscope "${storage[@]}"
  echo "$1 $2 $(build/bench/cdcscope-bench ingest --port "$port" --events 500000 --batch 1000 --payload 200 \
    --webhook "$([ "$1" = webhook ] && echo 1 || echo 0)")" | tee -a "$results"
  stop_server
}

for _ in $(seq "$rounds"); do
  for storage in memory journal; do
    run events "$storage"
    run webhook "$storage"
  done
done
echo "medians of $rounds (events/s):"
print_ingest_medians "$results" events webhook

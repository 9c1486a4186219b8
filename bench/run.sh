#!/usr/bin/env bash
# Runs every scenario of cdcscope-bench against a fresh `cdcscope --headless` per round and prints
# the median of each figure. Not a test: nothing here passes or fails on speed.
#   bench/run.sh [rounds]        (default 5; builds first)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"

scripts/build.sh >/dev/null
bench_bin=build/bench/cdcscope-bench
results=$(mktemp)
trap 'rm -f "$results"; [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true' EXIT

. bench/servers.sh

run() { # scenario args...
  start_server cdcscope --in-memory
  "$bench_bin" "$@" --port "$port" | tee -a "$results"
  stop_server
}

for round in $(seq "$rounds"); do
  echo "# round $round of $rounds" >&2
  run fanout --subscribers 100 --events 200000 --batch 1000 --payload 200
  run latency --subscribers 100 --rate 1000 --seconds 10 --payload 200
  run travel --events 50000 --payload 200
  run ingest --events 500000 --batch 1000 --payload 200
done

echo
echo "Medians of $rounds rounds ($(nproc) cores, $(uname -r)):"
awk '
  { scenario=""; for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "scenario") scenario = kv[2] } }
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[2] ~ /^[0-9.]+%?$/) { gsub("%", "", kv[2]); values[scenario "." kv[1]] = values[scenario "." kv[1]] " " kv[2] } } }
  END {
    for (key in values) {
      n = split(substr(values[key], 2), list, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (list[j] + 0 < list[i] + 0) { t = list[i]; list[i] = list[j]; list[j] = t }
      median = (n % 2) ? list[(n + 1) / 2] : (list[n / 2] + list[n / 2 + 1]) / 2
      printf "  %-32s %s\n", key, median
    }
  }' "$results" | sort

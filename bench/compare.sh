#!/usr/bin/env bash
# Side by side: each scenario of cdcscope-bench against CDC Scope and against two baselines a user
# might write instead — bench/baseline/server.mjs (Node and ws) and bench/baseline/qt (Qt's
# QWebSocketServer, the design CDC Scope started from) — in turn, several rounds; prints the median
# of each figure per server and the ratios CDC Scope / baseline. Not a test.
#   bench/compare.sh [rounds]        (default 3; builds first; docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"

scripts/build.sh >/dev/null
(cd bench/baseline && npm ci --no-audit --no-fund --loglevel=error)
ulimit -n "$(ulimit -Hn)" # 10 000 idle connections, for both servers and the load tool
bench_bin=build/bench/cdcscope-bench
results=$(mktemp)
data_dir=$(mktemp -d)
trap 'rm -rf "$results" "$data_dir"; [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true' EXIT

. bench/servers.sh

run() { # kind label [--journal] scenario args...
  local kind=$1 label=$2 storage=(--in-memory)
  shift 2
  if [ "$1" = --journal ]; then
    shift
    rm -rf "${data_dir:?}"/*
    storage=(--data-dir "$data_dir")
  fi
  start_server "$kind" --max-connections 20000 --max-connections-per-ip 20000 "${storage[@]}"
  local line
  line=$("$bench_bin" "$@" --port "$port" --server-pid "$server_pid" || true)
  echo "server=$kind case=$label $line" | tee -a "$results" >&2
  stop_server
}

for round in $(seq "$rounds"); do
  echo "# round $round of $rounds" >&2
  for kind in cdcscope node qt; do
    run "$kind" fanout_100x1 fanout --subscribers 100 --events 200000 --payload 200
    run "$kind" fanout_1000x1 fanout --subscribers 1000 --events 10000 --payload 200
    run "$kind" fanout_100x100 fanout --subscribers 100 --channels 100 --events 200000 --payload 200
    run "$kind" fanout_1000x100 fanout --subscribers 1000 --channels 100 --events 100000 --payload 200
    run "$kind" latency_1000/s_x100 latency --subscribers 100 --rate 1000 --seconds 10 --payload 200
    run "$kind" latency_300/s_x100 latency --subscribers 100 --rate 300 --seconds 10 --payload 200
    run "$kind" travel_50000 travel --events 50000 --payload 200
    run "$kind" ingest_memory ingest --events 500000 --batch 1000 --payload 200
    # The baselines have no journal: their in-memory figure stands beside CDC Scope's durable one.
    if [ "$kind" = cdcscope ]; then
      run "$kind" ingest_journal --journal ingest --events 500000 --batch 1000 --payload 200
    else
      run "$kind" ingest_journal ingest --events 500000 --batch 1000 --payload 200
    fi
    run "$kind" idle_10000 idle --connections 10000
    run "$kind" retained_100000 retained --events 100000 --payload 200
  done
done

echo
echo "Medians of $rounds rounds ($(nproc) cores, $(uname -r), node $(node --version), Qt $(qtpaths6 --qt-version 2>/dev/null || echo 6)):"
printf '  %-22s %-20s %12s %12s %12s %8s %8s\n' case figure "CDC Scope" "Node ws" QWebSocketSrv "/Node" "/Qt"
awk '
  {
    server = ""; label = ""
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=")
      if (kv[1] == "server") server = kv[2]
      else if (kv[1] == "case") label = kv[2]
    }
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=")
      if (kv[1] ~ /^(deliveries_per_s|bench_cpu|p50_ms|p99_ms|p999_ms|ms|events_per_s|rss_mib|kib_per_connection|bytes_per_event|times_payload)$/) {
        key = label SUBSEP kv[1]
        values[server, key] = values[server, key] " " kv[2]
        keys[key] = 1
      }
    }
  }
  function median(list,    n, a, i, j, t) {
    n = split(substr(list, 2), a, " ")
    if (n == 0) return ""
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    for (key in keys) {
      split(key, part, SUBSEP)
      ours = median(values["cdcscope", key]); node = median(values["node", key]); qt = median(values["qt", key])
      byNode = (node + 0 != 0) ? sprintf("%.2f", ours / node) : "-"
      byQt = (qt + 0 != 0) ? sprintf("%.2f", ours / qt) : "-"
      printf "  %-22s %-20s %12s %12s %12s %8s %8s\n", part[1], part[2], ours, node, qt, byNode, byQt
    }
  }' "$results" | sort
echo "(deliveries_per_s and events_per_s: higher is better; ms, MiB and bytes: lower is better;"
echo " bench_cpu: the load tool's own CPU, % of one core - near 100 it limits the figure)"

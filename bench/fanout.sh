#!/usr/bin/env bash
# Fan-out against the loopback limit (issue 32), side by side in one run: the minimal sender of
# bench/minimal_server.cpp (the same frames, built once, one sendmsg() per socket per batch: what
# the kernel allows), CDC Scope, and the two baselines of bench/compare.sh (Node ws and Qt's
# QWebSocketServer), in turn, ROUNDS times; every run's reader checks every seq. Then Debezium-shaped
# 2 KB payloads with and without permessage-deflate (CDC Scope and the minimal sender, both
# compressing each event once): deliveries per second and bytes on the wire per event. Prints the
# medians and the ratios to the limit. With BEFORE_REV, that commit's CDC Scope runs beside (built
# once in a worktree, bench/build-rev.sh). Not a test.
#   bench/fanout.sh [ROUNDS] [BEFORE_REV]       default 5 rounds
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
before_rev=${2:-}
scripts/build.sh >/dev/null
if [ -n "$before_rev" ]; then
  . bench/build-rev.sh
  build_rev "$before_rev"
fi
(cd bench/baseline && npm ci --no-audit --no-fund --loglevel=error)
ulimit -n "$(ulimit -Hn)"
. bench/servers.sh
results=$(mktemp)
trap 'stop_server; rm -f "$results"' EXIT
server_pid=""

run() { # server case [bench flags...] [-- server flags...]
  local server=$1 label=$2 bench_flags=() server_flags=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do bench_flags+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift && server_flags=("$@")
  case "$server" in
    cdcscope) start_server cdcscope --in-memory --max-connections 20000 --max-connections-per-ip 20000 ;;
    before) CDCSCOPE_BENCH_BINARY=$rev_binary start_server cdcscope --in-memory --max-connections 20000 \
      --max-connections-per-ip 20000 ;;
    limit) start_server minimal "${server_flags[@]}" ;;
    *) start_server "$server" ;;
  esac
  local line
  line=$(build/bench/cdcscope-bench fanout --port "$port" "${bench_flags[@]}" || echo "failed=1")
  echo "server=$server case=$label $line" | tee -a "$results" >&2
  stop_server
}

for round in $(seq "$rounds"); do
  echo "# round $round of $rounds" >&2
  servers=(limit cdcscope)
  [ -n "$before_rev" ] && servers+=(before)
  for server in "${servers[@]}" node qt; do
    # The baselines deliver a tenth as fast or less: a tenth of the events keeps their runs short.
    events=200000
    case "$server" in node | qt) events=20000 ;; esac
    run "$server" 100_subscribers --subscribers 100 --events "$events" --payload 200
    run "$server" 1000_subscribers --subscribers 1000 --events $((events / 10)) --payload 200
  done
  for server in limit cdcscope; do
    run "$server" debezium_2k --subscribers 100 --events 100000 --payload 2000 --debezium 1
    run "$server" debezium_2k_deflate --subscribers 100 --events 100000 --payload 2000 --debezium 1 --deflate 1 \
      -- --deflate 1
  done
done

echo
echo "Medians of $rounds rounds ($(nproc) cores, $(uname -r), node $(node --version)):"
printf '  %-22s %-22s %12s %12s %12s %12s %12s %9s\n' case figure limit "CDC Scope" before "Node ws" QWebSocketSrv \
  "CDC/limit"
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
      if (kv[1] ~ /^(deliveries_per_s|wire_bytes_per_event|bench_cpu)$/) {
        key = label SUBSEP kv[1]
        values[server, key] = values[server, key] " " kv[2]
        keys[key] = 1
      }
    }
  }
  function median(list,    n, a, i, j, t) {
    n = split(substr(list, 2), a, " ")
    if (n == 0) return "-"
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    for (key in keys) {
      split(key, part, SUBSEP)
      limit = median(values["limit", key]); ours = median(values["cdcscope", key])
      ratio = (limit + 0 != 0) ? sprintf("%.2f", ours / limit) : "-"
      printf "  %-22s %-22s %12s %12s %12s %12s %12s %9s\n", part[1], part[2], limit, ours,
        median(values["before", key]), median(values["node", key]), median(values["qt", key]), ratio
    }
  }' "$results" | sort
if grep -q "failed=1\|out_of_order=[1-9]" "$results"; then
  echo "Runs that failed or saw a seq out of order:"
  grep "failed=1\|out_of_order=[1-9]" "$results"
fi
echo "(bench_cpu: the reader's own CPU, % of one core - near 100 it limits the figure)"

#!/usr/bin/env bash
# Delivery, before and after: the engine at REV (bench/build-rev.sh) and the current build
# alternate ROUNDS times on cdcscope-bench's fan-out (100 subscribers, 200 000 events) and latency
# (100 subscribers, 1 000 events/s for 10 s: what the clients measure, publish to receipt) scenarios;
# prints each run and the medians. Not a test.   bench/delivery-ab.sh REV [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/delivery-ab.sh REV [ROUNDS]}
rounds=${2:-5}
. bench/build-rev.sh
build_rev "$rev"
scripts/build.sh >/dev/null
results=$(mktemp)
trap 'rm -f "$results"' EXIT
. bench/servers.sh

run() { # binary label scenario args...
  local binary=$1 label=$2
  shift 2
  CDCSCOPE_BENCH_BINARY=$binary start_server cdcscope --in-memory
  echo "$label $(build/bench/cdcscope-bench "$@" --port "$port")" | tee -a "$results"
  stop_server
}

for _ in $(seq "$rounds"); do
  for side in before after; do
    binary=build/app/cdcscope
    [ "$side" = before ] && binary=$rev_binary
    run "$binary" "$side" fanout --subscribers 100 --events 200000 --batch 1000 --payload 200
    run "$binary" "$side" latency --subscribers 100 --rate 1000 --seconds 10 --payload 200
  done
done

median() { # label scenario field
  grep "^$1 scenario=$2 " "$results" | sed "s/.* $3=\([0-9.]*\).*/\1/" | sort -g |
    awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
echo "medians of $rounds:"
for side in before after; do
  echo "  $side fanout deliveries/s $(median "$side" fanout deliveries_per_s)" \
    "latency p50 $(median "$side" latency p50_ms) ms p99 $(median "$side" latency p99_ms) ms"
done

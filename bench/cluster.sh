#!/usr/bin/env bash
# Cluster mode against a single instance, in one run (docs/performance.md, "Cluster mode"):
#   latency  publish -> deliver at 1 000 events/s: one instance alone; in a cluster, published on
#            instance A and delivered by instance B
#   ingest   batches of 1 000 through POST /events: one instance alone; a cluster member (every
#            batch is one EVALSHA: seqs, stream, Pub/Sub)
#   fanout   100 subscribers on one instance: alone, and as a cluster member
# Each figure is the median of ROUNDS runs (default 5). Redis: a private redis-server with AOF and
# appendfsync always, as docs/cluster.md asks for.
#   bench/cluster.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
bench=build/bench/cdcscope-bench
[ -x "$bench" ] || { echo "build the benchmarks first (scripts/build.sh)" >&2; exit 1; }
. bench/servers.sh

redis_dir=$(mktemp -d)
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$redis_dir" --save "" --appendonly yes \
  --appendfsync always --daemonize no --logfile "$redis_dir/redis.log" &
redis_pid=$!
cleanup() { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$redis_dir"; }
trap cleanup EXIT
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
export CDCSCOPE_REDIS_PASSWORD=
redis=(--redis "redis://127.0.0.1:$redis_port/0")

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

declare -A results
record() { results["$1"]+="$2 "; }

for round in $(seq "$rounds"); do
  # One instance alone (in memory, as a cluster member is).
  start_server cdcscope --in-memory
  out=$("$bench" latency --port "$port" --subscribers 10 --rate 1000 --seconds 5)
  record single_p50 "$(field p50_ms <<<"$out")"; record single_p99 "$(field p99_ms <<<"$out")"
  record single_ingest "$("$bench" ingest --port "$port" --events 200000 | field events_per_s)"
  record single_fanout "$("$bench" fanout --port "$port" --subscribers 100 --events 200000 | field deliveries_per_s)"
  stop_server

  # Two cluster members: publish on A, subscribers on B.
  redis-cli -p "$redis_port" flushall >/dev/null
  start_server cdcscope "${redis[@]}"; a_pid=$server_pid; a_port=$port
  start_server cdcscope "${redis[@]}"; b_pid=$server_pid; b_port=$port
  out=$("$bench" latency --port "$b_port" --publish-port "$a_port" --subscribers 10 --rate 1000 --seconds 5)
  record cluster_p50 "$(field p50_ms <<<"$out")"; record cluster_p99 "$(field p99_ms <<<"$out")"
  record cluster_ingest "$("$bench" ingest --port "$a_port" --events 200000 | field events_per_s)"
  record cluster_fanout "$("$bench" fanout --port "$b_port" --subscribers 100 --events 200000 | field deliveries_per_s)"
  server_pid=$a_pid; stop_server
  server_pid=$b_pid; stop_server
  echo "round $round done" >&2
done

m() { tr ' ' '\n' <<<"${results[$1]}" | sed '/^$/d' | median; }
echo "medians of $rounds rounds ($(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1))"
printf '%-44s %14s %14s\n' "" "one instance" "cluster (A->B)"
printf '%-44s %14s %14s\n' "latency p50 at 1 000 events/s, 10 subs (ms)" "$(m single_p50)" "$(m cluster_p50)"
printf '%-44s %14s %14s\n' "latency p99 at 1 000 events/s, 10 subs (ms)" "$(m single_p99)" "$(m cluster_p99)"
printf '%-44s %14s %14s\n' "ingest, batches of 1 000 (events/s)" "$(m single_ingest)" "$(m cluster_ingest)"
printf '%-44s %14s %14s\n' "fan-out, 100 subscribers (deliveries/s)" "$(m single_fanout)" "$(m cluster_fanout)"

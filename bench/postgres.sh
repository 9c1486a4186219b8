#!/usr/bin/env bash
# The PostgreSQL source end to end: pgbench inserts rows into a private PostgreSQL 15 cluster,
# CDC Scope streams them by logical replication (journal on, default sync) to WebSocket
# subscribers, and cdcscope-bench sink measures changes/s and insert->client latency. Not a test.
#   bench/postgres.sh [rounds]        (another build: CDCSCOPE_BENCH_BINARY=path/to/cdcscope)
# Three loads per round: one-row transactions (4 clients x 5 000) to 10 subscribers, and 100-row
# transactions (2 clients x 1 000) to 1 and to 10 subscribers. Latency is from the row's clock_timestamp() (taken by PostgreSQL as it
# inserts, microseconds) to the subscriber reading the frame; both clocks are this machine's.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
scripts/build.sh >/dev/null
unset CDCSCOPE_IN_MEMORY
. bench/pg-cluster.sh
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  stop_pg_cluster
}
trap cleanup EXIT
start_pg_cluster -c shared_buffers=256MB

psql_run -c "CREATE TABLE bench (id bigserial PRIMARY KEY, organization_id text NOT NULL, t bigint NOT NULL, pad text NOT NULL)"
stamp="(extract(epoch from clock_timestamp()) * 1000000)::bigint"
echo "INSERT INTO bench (organization_id, t, pad) VALUES ('bench', $stamp, repeat('x', 150));" >"$work/single.sql"
echo "INSERT INTO bench (organization_id, t, pad) SELECT 'bench', $stamp, repeat('x', 150) FROM generate_series(1, 100);" >"$work/hundred.sql"

start_server() { # slot [extra cdcscope flags]
  local log="$work/cdcscope.log" dir="$work/cdcscope-$1" slot=$1; shift
  "${CDCSCOPE_BENCH_BINARY:-build/app/cdcscope}" --headless --port 0 --data-dir "$dir" --pg-dsn "host=$work port=$pgport user=postgres dbname=postgres" \
    --pg-slot "$slot" --retain-events 1000000 "$@" 2>"$log" & server=$!
  for _ in $(seq 600); do
    port=$(sed -n 's#.*ws://127.0.0.1:\([0-9]*\)/ws.*#\1#p' "$log")
    if [ -n "$port" ] && curl -s "http://127.0.0.1:$port/health" | grep -q '"state":"streaming"'; then return 0; fi
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  echo "the source did not start streaming" >&2; cat "$log" >&2; exit 1
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }

run_load() { # name script clients transactions rows-per-transaction subscribers [cdcscope flags]
  local name=$1 script=$2 clients=$3 transactions=$4 rows=$5 subscribers=$6 slot="bench_${1}_$round"
  shift 6
  start_server "$slot" "$@"
  local expected=$((clients * transactions * rows))
  build/bench/cdcscope-bench sink --port "$port" --subscribers "$subscribers" --events "$expected" \
    >"$work/sink.out" 2>"$work/sink.err" & local sink=$!
  until grep -q ready "$work/sink.err"; do kill -0 "$sink" || { cat "$work/sink.err" >&2; exit 1; }; sleep 0.05; done
  local tps
  tps=$("$bindir/pgbench" -n -h "$work" -p "$pgport" -U postgres -c "$clients" -j 2 -t "$transactions" \
    -f "$script" postgres 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  wait "$sink" || echo "round=$round load=$name: not every change arrived" >&2
  local cut
  cut=$(curl -s "http://127.0.0.1:$port/metrics" | sed -n 's/^cdcscope_slow_consumer_disconnects_total \(.*\)/\1/p')
  echo "round=$round load=$name pgbench_tps=$tps $(cat "$work/sink.out") slow_consumer_cuts=$cut"
  stop_server
  psql_run -c "SELECT pg_drop_replication_slot('$slot')" >/dev/null
}

for round in $(seq "$rounds"); do
  run_load single_row "$work/single.sql" 4 5000 1 10
  run_load hundred_row "$work/hundred.sql" 2 1000 100 1
  # A 50 000 rows/s burst to 10 subscribers outruns this 2-core machine's delivery for a while:
  # with the default 16 MiB bound the slowest subscribers are cut (1008, by design); 256 MiB lets
  # them catch up, and the figures show the backlog as latency.
  run_load hundred_row_10 "$work/hundred.sql" 2 1000 100 10
  run_load hundred_row_10_big_queue "$work/hundred.sql" 2 1000 100 10 --max-queued 256MiB
done

#!/usr/bin/env bash
# Peak memory against transaction size: one INSERT … SELECT generate_series(1, N) into a private
# PostgreSQL 15 cluster, streamed by CDC Scope (journal on, default retention) to one WebSocket
# subscriber that must receive every row. Prints the server's peak RSS (VmHWM), its RSS before the
# transaction, and rows/s from the first to the last row the subscriber read. Not a test.
#   bench/pg-transactions.sh [rounds] [sizes...]            default: 3 rounds of 10000 100000 1000000
#   BASELINE_REV=<commit> bench/pg-transactions.sh …        also the server built from <commit>,
#                                                           run alternately in the same rounds
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
scripts/build.sh >/dev/null
unset CDCSCOPE_IN_MEMORY
. bench/pg-cluster.sh
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  [ -n "${baseline_tree:-}" ] && git worktree remove --force "$baseline_tree" >/dev/null 2>&1 || true
  stop_pg_cluster
}
trap cleanup EXIT
start_pg_cluster -c max_replication_slots=40 -c shared_buffers=256MB -c max_wal_size=4GB

binaries=("candidate=$PWD/build/app/cdcscope")
if [ -n "${BASELINE_REV:-}" ]; then
  baseline_tree="$work/baseline"
  git worktree add --detach "$baseline_tree" "$BASELINE_REV" >/dev/null
  echo "building the baseline $BASELINE_REV (a few minutes)" >&2
  (cd "$baseline_tree" && CDCSCOPE_BUILD_DIR=build scripts/build.sh -DCDCSCOPE_BUILD_TESTS=OFF \
    -DCDCSCOPE_BUILD_BENCH=OFF >/dev/null)
  binaries+=("baseline=$baseline_tree/build/app/cdcscope")
fi

psql_run -c "CREATE TABLE bench (id bigint PRIMARY KEY, organization_id text NOT NULL, t bigint NOT NULL, pad text NOT NULL)"

kib_of() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$server/status"; }

run_one() { # label binary rows
  local label=$1 binary=$2 rows=$3 slot="tx_${1}_${3}_$round" log="$work/cdcscope.log"
  "$binary" --headless --port 0 --data-dir "$work/cdcscope-$slot" \
    --pg-dsn "host=$work port=$pgport user=postgres dbname=postgres" --pg-slot "$slot" 2>"$log" & server=$!
  for _ in $(seq 600); do
    port=$(sed -n 's#.*ws://127.0.0.1:\([0-9]*\)/ws.*#\1#p' "$log")
    if [ -n "$port" ] && curl -s "http://127.0.0.1:$port/health" | grep -q '"state":"streaming"'; then break; fi
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  build/bench/cdcscope-bench sink --port "$port" --subscribers 1 --events "$rows" \
    >"$work/sink.out" 2>"$work/sink.err" & local sink=$!
  until grep -q ready "$work/sink.err"; do kill -0 "$sink" || { cat "$work/sink.err" >&2; exit 1; }; sleep 0.05; done
  local idle_kib
  idle_kib=$(kib_of VmRSS)
  psql_run -c "TRUNCATE bench" -c "INSERT INTO bench SELECT i, 'bench', (extract(epoch from clock_timestamp()) * 1000000)::bigint, repeat('x', 150) FROM generate_series(1, $rows) i"
  local complete=yes
  wait "$sink" || complete=no
  local peak_kib
  peak_kib=$(kib_of VmHWM)
  local rate
  rate=$(sed -n 's/.*changes_per_s=\([0-9]*\).*/\1/p' "$work/sink.out")
  echo "round=$round server=$label rows=$rows every_row_received=$complete idle_rss_mib=$((idle_kib / 1024)) peak_rss_mib=$((peak_kib / 1024)) rows_per_s=$rate"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  # The walsender may outlive the killed server by a moment.
  for _ in $(seq 50); do psql_run -c "SELECT pg_drop_replication_slot('$slot')" >/dev/null 2>&1 && break; sleep 0.2; done
  rm -rf "$work/cdcscope-$slot"
}

for round in $(seq "$rounds"); do
  for rows in "${sizes[@]}"; do
    for entry in "${binaries[@]}"; do
      run_one "${entry%%=*}" "${entry#*=}" "$rows"
    done
  done
done

#!/usr/bin/env bash
# Backfill while streaming (docs/postgres.md, "Backfill"): a private PostgreSQL 15 cluster with a
# table of N rows (id bigint key, organization_id, a number and 150 bytes of text), read by CDC Scope
# (journal on; 1 000 events retained per channel, so the store's retention does not hide the
# backfill's own memory) with POST /sources/postgres/backfills, quiet and while a writer
# updates random rows of it one transaction at a time. Prints rows/s (the backfill's own start and
# finish times), the server's peak RSS (VmHWM), the most WAL the slot retained while it ran
# (pg_current_wal_lsn() - restart_lsn, sampled every 0.2 s) — beside the most it retained in the
# 10 s before, with the writer alone — and the writer's transactions during the backfill. Not a test.
#   bench/backfill.sh [rounds] [sizes...]        default: 3 rounds of 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000)
scripts/build.sh >/dev/null
unset CDCSCOPE_IN_MEMORY
. bench/pg-cluster.sh
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  [ -n "${writer:-}" ] && kill "$writer" 2>/dev/null || true
  stop_pg_cluster
}
trap cleanup EXIT
start_pg_cluster -c max_replication_slots=40 -c shared_buffers=256MB -c max_wal_size=4GB

kib_of() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$server/status"; }
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }

run_one() { # rows mode(quiet|writes)
  local rows=$1 mode=$2 slot="bf_${1}_${2}_$round" log="$work/cdcscope.log"
  "$CDCSCOPE" --headless --port 0 --data-dir "$work/cdcscope-$slot" \
    --pg-dsn "host=$work port=$pgport user=postgres dbname=postgres" --pg-slot "$slot" --pg-publication "$slot" \
    --pg-tables public.bench --retain-events 1000 2>"$log" & server=$!
  local port=
  for _ in $(seq 600); do
    port=$(sed -n 's#.*ws://127.0.0.1:\([0-9]*\)/ws.*#\1#p' "$log")
    if [ -n "$port" ] && curl -s "http://127.0.0.1:$port/health" | grep -q '"state":"streaming"'; then break; fi
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  local idle_kib
  idle_kib=$(kib_of VmRSS)
  if [ "$mode" = writes ]; then
    PGAPPNAME=bench-writer psql_run -c "DO \$\$ DECLARE r bigint; BEGIN LOOP r := 1 + floor(random() * $rows)::bigint; UPDATE bench SET t = t + 1 WHERE id = r; COMMIT; END LOOP; END \$\$" \
      >/dev/null 2>&1 & writer=$!
  fi
  # The same writer for 10 s before the backfill: the WAL the slot retains without one.
  local baseline_max=0
  if [ -n "${writer:-}" ]; then
    for _ in $(seq 50); do
      local held
      held=$(psql_run -c "SELECT coalesce((pg_current_wal_lsn() - restart_lsn)::bigint, 0) FROM pg_replication_slots WHERE slot_name = '$slot'")
      [ "${held:-0}" -gt "$baseline_max" ] && baseline_max=$held
      sleep 0.2
    done
  fi
  local before_sum
  before_sum=$(psql_run -c "SELECT sum(t) FROM bench")
  curl -s -X POST -H 'Content-Type: application/json' -d '{"table":"public.bench"}' \
    "http://127.0.0.1:$port/sources/postgres/backfills" >/dev/null
  local retained_max=0 state=running health
  while [ "$state" != done ]; do
    local retained
    retained=$(psql_run -c "SELECT coalesce((pg_current_wal_lsn() - restart_lsn)::bigint, 0) FROM pg_replication_slots WHERE slot_name = '$slot'")
    [ "${retained:-0}" -gt "$retained_max" ] && retained_max=$retained
    health=$(curl -s "http://127.0.0.1:$port/sources/postgres/backfills")
    state=$(sed -n 's/.*"state":"\([a-z]*\)".*/\1/p' <<<"$health")
    [ "$state" = failed ] && { echo "$health" >&2; exit 1; }
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
  done
  local writes=0
  if [ -n "${writer:-}" ]; then
    # The DO loop never writes to its client: ending psql does not end it, so the backend is ended.
    psql_run -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'bench-writer'" >/dev/null
    wait "$writer" 2>/dev/null || true; writer=
    writes=$(( $(psql_run -c "SELECT sum(t) FROM bench") - before_sum )) # each update adds 1
  fi
  local started finished read skipped peak_kib
  started=$(field started_at_ms <<<"$health"); finished=$(field finished_at_ms <<<"$health")
  read=$(field rows_read <<<"$health"); skipped=$(field rows_skipped <<<"$health")
  peak_kib=$(kib_of VmHWM)
  echo "round=$round rows=$rows mode=$mode rows_read=$read rows_left_to_changes=$skipped" \
    "rows_per_s=$(( read * 1000 / (finished - started) ))" "idle_rss_mib=$((idle_kib / 1024))" \
    "peak_rss_mib=$((peak_kib / 1024))" "max_retained_wal_mib=$((retained_max / 1048576))" \
    "max_retained_wal_mib_writer_alone=$((baseline_max / 1048576))" "writer_transactions=$writes"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  for _ in $(seq 50); do psql_run -c "SELECT pg_drop_replication_slot('$slot')" >/dev/null 2>&1 && break; sleep 0.2; done
  psql_run -c "DROP PUBLICATION IF EXISTS $slot" >/dev/null
  rm -rf "$work/cdcscope-$slot"
}

CDCSCOPE="$PWD/build/app/cdcscope"
psql_run -c "CREATE TABLE bench (id bigint PRIMARY KEY, organization_id text NOT NULL, t bigint NOT NULL, pad text NOT NULL)"
for rows in "${sizes[@]}"; do
  psql_run -c "TRUNCATE bench" \
    -c "INSERT INTO bench SELECT i, 'org-' || (i % 100), i, repeat('x', 150) FROM generate_series(1, $rows) i" \
    -c "VACUUM ANALYZE bench"
  for round in $(seq "$rounds"); do
    for mode in quiet writes; do
      run_one "$rows" "$mode"
    done
  done
done

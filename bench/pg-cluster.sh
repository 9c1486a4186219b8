# Sourced by the PostgreSQL benches: a private PostgreSQL 15 cluster in a temporary directory, on a
# free port of 127.0.0.1, with trust authentication on its own socket and wal_level=logical.
#   start_pg_cluster [-c name=value ...]   sets work (the directory), pgport, and psql_run
#   stop_pg_cluster                        for the script's EXIT trap
# As root every server command runs as the `postgres` user (PostgreSQL refuses root), as CI does.
bindir="${CDCSCOPE_PG_BINDIR:-/usr/lib/postgresql/15/bin}"

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() {
  while :; do
    local candidate=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null || { echo "$candidate"; return; }
  done
}

start_pg_cluster() {
  work=$(mktemp -d)
  [ "$(id -u)" -eq 0 ] && chown postgres "$work"
  pgport=$(free_port)
  as_postgres "$bindir/initdb" -D "$work/data" -U postgres --auth=trust --no-sync >/dev/null
  as_postgres "$bindir/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start \
    -o "-p $pgport -k $work -c listen_addresses=127.0.0.1 -c wal_level=logical -c max_wal_senders=10 $*" >/dev/null
}

psql_run() { "$bindir/psql" -X -q -At -h "$work" -p "$pgport" -U postgres -d postgres "$@"; }

stop_pg_cluster() {
  [ -n "${work:-}" ] || return 0
  as_postgres "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}

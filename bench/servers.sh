# Sourced by the benchmark scripts: start and stop the server under test on a free port.
#   start_server cdcscope [flags...]   build/app/cdcscope --headless --port 0 FLAGS
#   start_server baseline              node bench/baseline/server.mjs --port 0
# Sets server_pid and port.

start_server() {
  local kind=$1 log
  shift
  log=$(mktemp)
  if [ "$kind" = cdcscope ]; then
    build/app/cdcscope --headless --port 0 "$@" 2>"$log" &
  else
    node bench/baseline/server.mjs --port 0 2>"$log" &
  fi
  server_pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's#.*listening on ws://127.0.0.1:\([0-9]*\)/ws.*#\1#p' "$log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  rm -f "$log"
  [ -n "$port" ] || { echo "the $kind server did not start" >&2; exit 1; }
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# Sourced by the benchmark scripts: start and stop the server under test on a free port.
#   start_server cdcscope [flags...]   build/app/cdcscope --headless --port 0 FLAGS
#                                      (another build: CDCSCOPE_BENCH_BINARY=path/to/cdcscope)
#   start_server node                  node bench/baseline/server.mjs --port 0
#   start_server qt                    build/bench/cdcscope-qt-baseline --port 0 (QWebSocketServer)
#   start_server minimal               build/bench/cdcscope-minimal-server (accept, greet, one frame to all)
# Sets server_pid and port.

start_server() {
  local kind=$1 log
  shift
  log=$(mktemp)
  case "$kind" in
    cdcscope) "${CDCSCOPE_BENCH_BINARY:-build/app/cdcscope}" --headless --port 0 "$@" 2>"$log" & ;;
    node) node bench/baseline/server.mjs --port 0 2>"$log" & ;;
    qt) build/bench/cdcscope-qt-baseline --port 0 2>"$log" & ;;
    minimal) build/bench/cdcscope-minimal-server "$@" 2>"$log" >&2 & ;;
    *) echo "start_server: unknown server $kind" >&2; exit 2 ;;
  esac
  server_pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n -e 's#.*listening on wss\{0,1\}://127.0.0.1:\([0-9]*\)/ws.*#\1#p' -e 's#^listening on \([0-9]*\)$#\1#p' "$log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  rm -f "$log"
  [ -n "$port" ] || { echo "the $kind server did not start" >&2; exit 1; }
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true # it may have died already
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# The median events_per_s of the runs in RESULTS labelled "LABEL STORAGE …", for each label and
# storage (memory, journal).   print_ingest_medians RESULTS LABEL...
print_ingest_medians() {
  local results=$1 label storage
  shift
  for label in "$@"; do
    for storage in memory journal; do
      grep "^$label $storage " "$results" | sed 's/.*events_per_s=\([0-9]*\).*/\1/' | sort -n |
        awk -v l="$label" -v s="$storage" '{v[NR]=$1} END {print "  " l " " s " " v[int((NR+1)/2)]}'
    done
  done
}

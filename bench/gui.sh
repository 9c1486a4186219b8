#!/usr/bin/env bash
# The window under load: 20 000 events/s to 10 subscribers, once against the headless server, once
# against the window (cdcscope-gui-probe, under Xvfb) and once against the window with the inspector
# open (a field filter, the detail pane, a followed row: --inspect 1), several rounds; then the two
# stalls issue 30 named: selecting a 15 MB event (until its tree shows) and typing a filter over
# 100 000 rows at 2 000 events/s (until it applies). Prints each run; the figures and their medians
# go into docs/performance.md. Not a test.
#   bench/gui.sh [rounds] [rate] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; rate="${2:-20000}"; seconds="${3:-10}"

scripts/build.sh >/dev/null
command -v Xvfb >/dev/null || { echo "bench/gui.sh needs Xvfb (apt-get install xvfb)" >&2; exit 1; }
display=":${CDCSCOPE_BENCH_DISPLAY:-96}"
Xvfb "$display" -screen 0 1280x860x24 -nolisten tcp & xvfb_pid=$!
config_home=$(mktemp -d)
trap 'kill $xvfb_pid 2>/dev/null || true; rm -rf "$config_home"' EXIT
sleep 1
export XDG_CONFIG_HOME="$config_home"

for round in $(seq "$rounds"); do
  log=$(mktemp)
  build/app/cdcscope --headless --in-memory --port 0 2>"$log" & server=$!
  for _ in $(seq 100); do port=$(sed -n 's#.*ws://127.0.0.1:\([0-9]*\)/ws.*#\1#p' "$log"); [ -n "$port" ] && break; sleep 0.05; done
  echo "round $round headless: $(build/bench/cdcscope-bench steady --port "$port" --subscribers 10 --rate "$rate" --seconds "$seconds")"
  kill "$server"; wait "$server" 2>/dev/null || true; rm -f "$log"

  for inspect in 0 1; do
    label=$([ "$inspect" = 1 ] && echo "inspector" || echo "window   ")
    out=$(mktemp)
    DISPLAY="$display" build/bench/cdcscope-gui-probe --seconds $((seconds + 4)) --inspect "$inspect" >"$out" 2>/dev/null & probe=$!
    for _ in $(seq 100); do port=$(sed -n 's#^port=\([0-9]*\)#\1#p' "$out"); [ -n "$port" ] && break; sleep 0.05; done
    sleep 0.5 # the inspector's row is published and followed first
    echo "round $round $label: $(build/bench/cdcscope-bench steady --port "$port" --subscribers 10 --rate "$rate" --seconds "$seconds")"
    wait "$probe" || true
    echo "round $round $label: $(grep scenario=gui "$out")"
    rm -f "$out"
  done
done

for round in $(seq "$rounds"); do
  for scenario in large filter; do
    echo "round $round: $(DISPLAY="$display" build/bench/cdcscope-gui-probe --scenario "$scenario" 2>/dev/null | grep scenario=)"
  done
done

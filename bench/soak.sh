#!/usr/bin/env bash
# The soak and reconnect storm of docs/reliability.md: 2 000 WebSocket clients over 100 channels,
# 2 000 events/s for 10 minutes (journal on, default sync), then every client drops and reconnects
# with a travel catch-up. Loopback only; not a test.
#   bench/soak.sh [seconds=600] [clients=2000] [channels=100] [rate=2000] [retained events per channel=1000]
# Retention is what bounds memory; with 1 000 events per channel it is reached within the first
# two minutes, so RSS must be flat after that.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}" clients="${2:-2000}" channels="${3:-100}" rate="${4:-2000}" retain="${5:-1000}"
scripts/build.sh >/dev/null
unset CDCSCOPE_IN_MEMORY
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)"

# One address holds every client here, twice over during the storm (old connections still closing
# while new ones arrive): the per-address limit has to allow that.
build/app/cdcscope --headless --port 0 --data-dir "$work" --max-connections-per-ip $((2 * clients + 100)) \
  --retain-events "$retain" \
  2>"$work/server.log" & server=$!
for _ in $(seq 200); do
  port=$(sed -n 's#.*ws://127.0.0.1:\([0-9]*\)/ws.*#\1#p' "$work/server.log"); [ -n "$port" ] && break; sleep 0.05
done
[ -n "$port" ] || { cat "$work/server.log" >&2; exit 1; }
build/bench/cdcscope-bench soak --port "$port" --subscribers "$clients" --channels "$channels" --rate "$rate" \
  --seconds "$seconds" --server-pid "$server"
status=$?
grep -E "slow consumer|error" "$work/server.log" | head -5 || true
exit $status

#!/usr/bin/env bash
# Connections, before and after: the engine at REV (bench/build-rev.sh) and the current build
# alternate ROUNDS times on cdcscope-bench's fan-out (100 subscribers) over wss:// and over ws://,
# and on handshakes per second (connect, TLS handshake, upgrade, greeting, close; 4 client threads)
# over wss:// and ws://, and over https:// with GET /health in place of the upgrade; prints each run and the medians. The TLS server uses a fresh self-signed
# RSA 2048 certificate, as tests/support/TestCertificate.cpp makes. A run whose server died (the
# engine before issue 27 crashes under wss:// load) is printed as such and counted. Not a test.
#   bench/connections-ab.sh REV [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/connections-ab.sh REV [ROUNDS]}
rounds=${2:-3}
. bench/build-rev.sh
build_rev "$rev"
scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
results=$work/results
. bench/servers.sh

run() { # binary label tls scenario args...
  local binary=$1 label=$2 tls=$3
  shift 3
  local flags=(--in-memory)
  [ "$tls" = 1 ] && flags+=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
  CDCSCOPE_BENCH_BINARY=$binary start_server cdcscope "${flags[@]}"
  local figures
  if figures=$(build/bench/cdcscope-bench "$@" --tls "$tls" --port "$port"); then
    echo "$label $figures" | tee -a "$results"
  else
    echo "$label scenario=$1 tls=$tls failed: the server died (or refused)" | tee -a "$results"
  fi
  stop_server
}

for _ in $(seq "$rounds"); do
  for side in before after; do
    binary=build/app/cdcscope
    [ "$side" = before ] && binary=$rev_binary
    run "$binary" "$side" 1 fanout --subscribers 100 --events 50000 --batch 1000 --payload 200
    run "$binary" "$side" 0 fanout --subscribers 100 --events 200000 --batch 1000 --payload 200
    run "$binary" "$side" 1 handshakes --connections 2000 --subscribers 4
    run "$binary" "$side" 0 handshakes --connections 5000 --subscribers 4
    run "$binary" "$side" 1 handshakes --connections 2000 --subscribers 4 --upgrade 0
  done
done

median() { # label scenario tls field [another field=value the line must have]
  grep "^$1 scenario=$2 .*tls=$3 .*${5:-}.*$4=" "$results" | sed "s/.* $4=\([0-9.]*\).*/\1/" | sort -g |
    awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
echo "medians of $rounds:"
for side in before after; do
  echo "  $side wss fanout deliveries/s $(median "$side" fanout 1 deliveries_per_s)," \
    "ws fanout $(median "$side" fanout 0 deliveries_per_s);" \
    "handshakes/s wss $(median "$side" handshakes 1 handshakes_per_s upgrade=1)," \
    "ws $(median "$side" handshakes 0 handshakes_per_s upgrade=1)," \
    "https GET /health $(median "$side" handshakes 1 handshakes_per_s upgrade=0);" \
    "runs whose server died: $(grep -c "^$side .* failed:" "$results" || true)"
done

#!/usr/bin/env bash
# Ingest, before and after: the engine at REV (built in a git worktree under /tmp) and the current
# build alternate, in memory and with the journal, ROUNDS times; prints each run and the medians.
# Not a test.   bench/ingest-ab.sh REV [ROUNDS]     (docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/ingest-ab.sh REV [ROUNDS]}
rounds=${2:-5}
. bench/build-rev.sh
build_rev "$rev"
scripts/build.sh >/dev/null
results=$(mktemp)

. bench/servers.sh
data_dir=$(mktemp -d)
trap 'rm -rf "$results" "$data_dir"' EXIT

run() { # binary label memory|journal
  local storage=(--in-memory)
  rm -rf "${data_dir:?}"/*
  [ "$3" = journal ] && storage=(--data-dir "$data_dir")
  CDCSCOPE_BENCH_BINARY=$1 start_server cdcscope "${storage[@]}"
  echo "$2 $3 $(build/bench/cdcscope-bench ingest --port "$port" --events 500000 --batch 1000 --payload 200)" |
    tee -a "$results"
  stop_server
}

for _ in $(seq "$rounds"); do
  for storage in memory journal; do
    run "$rev_binary" before "$storage"
    run build/app/cdcscope after "$storage"
  done
done
echo "medians of $rounds (events/s):"
print_ingest_medians "$results" before after

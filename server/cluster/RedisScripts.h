#pragma once

#include <QByteArray>

namespace cdc::redis_scripts {

// The Lua scripts of cluster mode (docs/cluster.md has their keys and replies). Each runs
// atomically inside Redis; RedisLink loads them with SCRIPT LOAD and runs them by EVALSHA.

// One channel's batch: the next seqs, a non-decreasing ts_ms from Redis' clock, the capped stream
// (entry id "<seq>-0"), the Pub/Sub message, and the idempotency record — all or nothing.
extern const QByteArray publish;

// One channel's travel from the stream: by seq, by time (binary search over the entries' ts_ms),
// or the newest; never past a given seq.
extern const QByteArray travel;

// A new epoch for a channel whose counter went back (a fail-over lost writes), unless another
// instance already started one.
extern const QByteArray newEpoch;

} // namespace cdc::redis_scripts

#pragma once

#include <QByteArrayView>

#include <optional>

namespace cdc {

// When the change an event carries was committed at its source, as the payload says, in ms since
// the epoch — the first of:
//   commit_ts_ms                     (CDC Scope's PostgreSQL source, athena)
//   source.ts_ms, payload.source.ts_ms (Debezium: the database's commit time)
//   ts_ms, payload.ts_ms             (Debezium's processing time, or a publisher's own)
//   commit_timestamp                 (Supabase: ISO 8601 text)
//   metadata.commit_timestamp        (Sequin's webhook sinks: ISO 8601 text)
// Values that are not a time between 2000 and 2200 (seconds, microseconds, text) are ignored, and
// so is every other shape: the payload carries no commit time then. Payloads without any of those
// names cost a substring search only.
std::optional<qint64> readCommitTimeMs(QByteArrayView payload);

} // namespace cdc

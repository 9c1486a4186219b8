#pragma once

#include "protocol/PublishRequest.h"

#include <QByteArrayList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace cdc::pg {

// Where a backfill of one table stands (docs/postgres.md, "Backfill"): journaled with each chunk's
// events (SourceMark::detail), so a restart — or a kill -9 — goes on after the last chunk stored,
// and no row of a stored chunk is read again.
struct BackfillPosition
{
    enum class State { Running, Paused, Done, Cancelled, Failed };

    QString table; // "public.orders"
    QString id;    // this run; a later backfill of the same table is another
    State state = State::Running;
    QString error;          // Failed: why
    QByteArrayList lastKey; // the primary key of the last row read, as text per key column; empty: none yet
    qint64 rowsRead = 0;    // rows the chunks' SELECTs returned
    qint64 rowsSkipped = 0; // of them, changed between their chunk's watermarks: the live change says it
    qint64 chunks = 0;
    qint64 estimate = 0; // pg_class.reltuples when it started (-1: never analyzed)
    qint64 chunkSize = 0;
    qint64 startedAtMs = 0;
    qint64 finishedAtMs = 0;

    bool isActive() const { return state == State::Running || state == State::Paused; }
    QByteArray toJson() const;
    static std::optional<BackfillPosition> fromJson(const QByteArray &json);
};

QString backfillStateName(BackfillPosition::State state);

// The key a backfill's position is journaled under: one per table and database, so a new backfill
// of the table replaces the last one's.
QString backfillSourceKey(const QString &sourceKey, const QString &table);

// A chunk's rows that outlived its watermarks, as read events, and the backfill after it.
struct BackfillChunk
{
    PublishBatch events;
    BackfillPosition after;
};

// What the engine asks of the replication thread's backfills.
struct BackfillOrder
{
    enum class Kind { Start, Pause, Resume, Cancel, Rewind };
    Kind kind = Kind::Start;
    // Start: the backfill to run (new, or from the journal); Rewind: where it is stored, to read
    // again from (the broker refused what came after); the others: `position.table` only.
    BackfillPosition position;
};

} // namespace cdc::pg

Q_DECLARE_METATYPE(cdc::pg::BackfillChunk)
Q_DECLARE_METATYPE(cdc::pg::BackfillPosition)

#pragma once

#include "PgOutput.h"

#include <QByteArrayList>
#include <QSet>

namespace cdc::pg {

// One chunk of a backfill between its watermarks — the watermark algorithm of Netflix's DBLog,
// which Debezium's incremental snapshots use. The chunk's rows were read by a SELECT after a low
// watermark and before a high one were written into the WAL; a change to one of those rows that
// the stream carries between the two watermarks is at least as new as what the SELECT read, so the
// row is dropped from the chunk: its live change says it. What is left goes out at the high
// watermark, in order with the stream.
//
// One more case the classic algorithm misses: PostgreSQL writes a commit record before it makes the
// transaction visible (the flush comes between; with synchronous replication, seconds), so a
// transaction whose commit the stream carries before the low watermark may still be one the
// SELECT's snapshot did not see — running in its xip list, or at or past its xmax (a transaction
// still committing is not listed). Its changes overtake the chunk's rows like the window's do. One
// whose commit the stream carried before the chunk was even read makes it stale (read again with
// new watermarks), and so does a truncate of the table in the window.
//
// Pure: fed the stream's messages in order (the replication thread does that).
class ChunkWindow
{
public:
    static constexpr const char *prefix = "cdcscope_backfill";

    // The SELECT's snapshot as pg_current_snapshot() says it ("xmin:xmax:xip,…"), 32-bit xids as
    // the stream's Begin carries them: which transactions it did not see.
    struct Snapshot
    {
        quint32 xmax = 0;
        QSet<quint32> running;

        static Snapshot parse(const QByteArray &text);
        bool missed(quint32 xid) const;
    };

    // `marker` tells this chunk's watermarks from any other ("<marker> low", "<marker> high");
    // `tableOid` and `keyColumns` (by name, in key order) say which changes concern it.
    ChunkWindow(QByteArray marker, quint32 tableOid, QStringList keyColumns, Snapshot snapshot);

    QByteArray lowWatermark() const { return m_marker + " low"; }
    QByteArray highWatermark() const { return m_marker + " high"; }

    const Snapshot &snapshot() const { return m_snapshot; }
    // A transaction it could not see committed before the chunk was even read.
    void markStale() { m_stale = true; }
    // A change of transaction `xid`.
    void noteChange(const Relation &relation, const Change &change, quint32 xid);
    void noteTruncate(quint32 relationOid);
    // True when `message` is one of this chunk's watermarks.
    bool noteMessage(const LogicalMessage &message);

    bool isClosed() const { return m_stage == Stage::Closed; }
    bool isStale() const { return m_stale; }
    // Whether the row with this key changed between the watermarks (its values in key order).
    bool changed(const QByteArrayList &key) const { return m_changedKeys.contains(packKey(key)); }

    // The key's values as one byte string (lengths first, so ("a","bc") and ("ab","c") differ).
    static QByteArray packKey(const QByteArrayList &values);

private:
    enum class Stage { BeforeLow, Open, Closed };
    void noteKeyOf(const Relation &relation, const Tuple &tuple);

    QByteArray m_marker;
    quint32 m_tableOid;
    QStringList m_keyColumns;
    Snapshot m_snapshot;
    Stage m_stage = Stage::BeforeLow;
    bool m_stale = false;
    QSet<QByteArray> m_changedKeys;
};

} // namespace cdc::pg

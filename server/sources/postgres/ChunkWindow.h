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
// One more case makes a chunk stale (read again with new watermarks): a transaction the SELECT's
// snapshot did not see (`invisible`, its xip list) whose commit the stream carried before the low
// watermark. PostgreSQL writes a commit record before it makes the transaction visible; with
// synchronous replication the two can be far apart, and without this check the chunk would carry
// rows older than a change already passed on. A truncate of the table in the window does too.
//
// Pure: fed the stream's messages in order (the replication thread does that).
class ChunkWindow
{
public:
    static constexpr const char *prefix = "cdcscope_backfill";

    // `marker` tells this chunk's watermarks from any other ("<marker> low", "<marker> high");
    // `tableOid` and `keyColumns` (by name, in key order) say which changes concern it.
    ChunkWindow(QByteArray marker, quint32 tableOid, QStringList keyColumns, QSet<quint32> invisible);

    QByteArray lowWatermark() const { return m_marker + " low"; }
    QByteArray highWatermark() const { return m_marker + " high"; }

    void noteCommit(quint32 xid);
    // A transaction it could not see committed before the chunk was even read.
    void markStale() { m_stale = true; }
    void noteChange(const Relation &relation, const Change &change);
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
    QSet<quint32> m_invisible;
    Stage m_stage = Stage::BeforeLow;
    bool m_stale = false;
    QSet<QByteArray> m_changedKeys;
};

} // namespace cdc::pg

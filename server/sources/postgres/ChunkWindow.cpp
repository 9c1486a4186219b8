#include "ChunkWindow.h"

namespace cdc::pg {

ChunkWindow::Snapshot ChunkWindow::Snapshot::parse(const QByteArray &text)
{
    Snapshot snapshot;
    const QByteArrayList parts = text.split(':');
    if (parts.size() != 3)
        return snapshot;
    snapshot.xmax = quint32(parts[1].toULongLong()); // xid8: its low 32 bits are the xid
    for (const QByteArray &xid : parts[2].split(','))
        if (!xid.isEmpty())
            snapshot.running.insert(quint32(xid.toULongLong()));
    return snapshot;
}

bool ChunkWindow::Snapshot::missed(quint32 xid) const
{
    // At or past xmax in xid order (modulo 2^32, as PostgreSQL compares them), or running.
    return qint32(xid - xmax) >= 0 || running.contains(xid);
}

ChunkWindow::ChunkWindow(QByteArray marker, quint32 tableOid, QStringList keyColumns, Snapshot snapshot)
    : m_marker(std::move(marker))
    , m_tableOid(tableOid)
    , m_keyColumns(std::move(keyColumns))
    , m_snapshot(std::move(snapshot))
{}

QByteArray ChunkWindow::packKey(const QByteArrayList &values)
{
    QByteArray packed;
    for (const QByteArray &value : values)
        packed += QByteArray::number(value.size()) + ':' + value;
    return packed;
}

void ChunkWindow::noteKeyOf(const Relation &relation, const Tuple &tuple)
{
    QByteArrayList key;
    for (const QString &name : std::as_const(m_keyColumns)) {
        const auto column = std::find_if(relation.columns.cbegin(), relation.columns.cend(),
                                         [&name](const Column &candidate) { return candidate.name == name; });
        const size_t index = size_t(column - relation.columns.cbegin());
        if (column == relation.columns.cend() || index >= tuple.size() || tuple[index].kind != Value::Kind::Text) {
            m_stale = true; // a key this change does not say (a key column renamed): read it all again
            return;
        }
        key.append(tuple[index].text);
    }
    m_changedKeys.insert(packKey(key));
}

void ChunkWindow::noteChange(const Relation &relation, const Change &change, quint32 xid)
{
    // In the window, or before it from a transaction the snapshot missed: newer than the SELECT.
    const bool overtakes = m_stage == Stage::Open || (m_stage == Stage::BeforeLow && m_snapshot.missed(xid));
    if (!overtakes || relation.oid != m_tableOid)
        return;
    // An update that moved the key has both; a key-only old tuple has the key columns.
    if (change.oldTuple)
        noteKeyOf(relation, *change.oldTuple);
    if (change.newTuple)
        noteKeyOf(relation, *change.newTuple);
}

void ChunkWindow::noteTruncate(quint32 relationOid)
{
    if (m_stage == Stage::Open && relationOid == m_tableOid)
        m_stale = true;
}

bool ChunkWindow::noteMessage(const LogicalMessage &message)
{
    if (message.prefix != QLatin1String(prefix))
        return false;
    if (m_stage == Stage::BeforeLow && message.content == lowWatermark()) {
        m_stage = Stage::Open;
        return true;
    }
    if (m_stage == Stage::Open && message.content == highWatermark()) {
        m_stage = Stage::Closed;
        return true;
    }
    return false;
}

} // namespace cdc::pg

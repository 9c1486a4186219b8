#include "SchemaLog.h"

namespace cdc {

QString SchemaNote::describe() const
{
    return QStringLiteral("schema change: %1 — %2").arg(table, changes.join(QStringLiteral("; ")));
}

void SchemaLog::add(const SchemaNote &note)
{
    auto found = m_notes.find(note.channel);
    if (found == m_notes.end()) {
        if (qsizetype(m_channelOrder.size()) >= channels) {
            m_notes.remove(m_channelOrder.front());
            m_channelOrder.pop_front();
        }
        m_channelOrder.push_back(note.channel);
        found = m_notes.insert(note.channel, {});
    }
    std::deque<SchemaNote> &notes = found.value();
    // A transaction PostgreSQL sends again after a reconnect brings its change again: once.
    for (const SchemaNote &known : notes)
        if (known.seq == note.seq && known.table == note.table && known.changes == note.changes)
            return;
    notes.push_back(note);
    ++m_total;
    if (qsizetype(notes.size()) > perChannel)
        notes.pop_front();
    Q_EMIT noted(note);
}

QList<SchemaNote> SchemaLog::of(const QString &channel) const
{
    const auto found = m_notes.constFind(channel);
    return found == m_notes.cend() ? QList<SchemaNote>() : QList<SchemaNote>(found->cbegin(), found->cend());
}

} // namespace cdc

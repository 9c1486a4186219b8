#pragma once

#include <QHash>
#include <QMetaType>
#include <QObject>
#include <QStringList>

#include <deque>

namespace cdc {

// One table's schema change as its channel's readers meet it: before the event `seq`.
struct SchemaNote
{
    QString channel;
    qint64 seq = 0;     // the first event of the table after the change
    QString table;      // schema.table
    QStringList changes; // "column note text added", "amount numeric(10,2) → numeric(12,2)"
    qint64 atMs = 0;

    // "schema change: public.orders — column note text added; …"
    QString describe() const;
};

// The schema changes the sources saw, by channel, with the seq each precedes: what
// GET /channels/{id}/schema lists, and the window marks in the live view. In memory since start
// (with --pg-schema-events they are events in the channel too, durable like them); the newest
// `perChannel` of a channel and `channels` channels are kept, so a table altered in a loop cannot
// grow it without end.
class SchemaLog : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype perChannel = 1000;
    static constexpr qsizetype channels = 10'000;

    using QObject::QObject;

    void add(const SchemaNote &note);
    QList<SchemaNote> of(const QString &channel) const;
    // How many were noted since start (in GET /health: a remote window asks for them when it moves).
    qint64 total() const { return m_total; }

Q_SIGNALS:
    void noted(const cdc::SchemaNote &note);

private:
    QHash<QString, std::deque<SchemaNote>> m_notes;
    std::deque<QString> m_channelOrder; // the order channels came in, to let the oldest go
    qint64 m_total = 0;
};

} // namespace cdc

Q_DECLARE_METATYPE(cdc::SchemaNote)

#pragma once

#include "PgOutput.h"
#include "protocol/PublishRequest.h"

namespace cdc::pg {

// Which channel a row change goes to: the row's `column` (default organization_id) when it has a
// non-blank value; otherwise `defaultChannel`, or "schema.table" when that is empty too.
struct RoutingRules
{
    QString column = QStringLiteral("organization_id");
    QString defaultChannel;
};

// Turns decoded pgoutput messages into CDC events, in commit order, sharing their transaction's
// commit_ts_ms. A transaction comes out whole at its Commit, unless it grows past `partSize`
// changes: then it comes out in parts of that many as they stream in, so memory stays flat however
// large it is. Part boundaries depend only on the changes and `partSize`, so a transaction that
// PostgreSQL sends again is cut the same way (what makes a part idempotent after a crash).
class ChangeStream
{
public:
    static constexpr qsizetype defaultPartSize = 10'000;
    explicit ChangeStream(RoutingRules rules = {}, qsizetype partSize = defaultPartSize);

    // A whole transaction, or one part of a large one.
    struct Transaction
    {
        PublishBatch events;
        Lsn commitLsn = 0;      // the commit record's position: the transaction's identity
        Lsn endLsn = 0;         // complete only: confirm up to here once the events are durable
        qint64 firstChange = 0; // how many of the transaction's changes came in earlier parts
        quint32 xid = 0;
        bool complete = true; // ends with the Commit; false: more parts follow
        // A table whose description changed since the last one seen (pgoutput carries no DDL: a
        // new Relation message is all there is), before events[beforeEvent], its first change since.
        struct SchemaChange
        {
            QString schema;
            QString table;
            QStringList changes; // "column note text added", "amount numeric(10,2) → numeric(12,2)"
            qsizetype beforeEvent = 0;

            // "public.orders — column note text added; amount numeric(10,2) → numeric(12,2)"
            QString describe() const;
        };
        QList<SchemaChange> schemaChanges;
    };

    // What changed between two descriptions of one table, in words; empty when nothing a reader
    // of its rows would notice did.
    static QStringList schemaDifferences(const Relation &before, const Relation &after);

    // `walStart` is the WAL position of the XLogData that carried the message. Returns a finished
    // transaction at each Commit and a part each time a large one fills one; an error for a change
    // to a relation never described.
    std::variant<std::optional<Transaction>, QString> feed(const Message &message, Lsn walStart);

    // A table whose deletes cannot name their channel: its replica identity (what PostgreSQL sends
    // of a deleted row) lacks the routing column, so they go to the fallback channel while the
    // row's inserts and updates went to the tenant's. Noted when a table's description arrives and
    // says something new about it: `warning` is empty once a new description shows it fixed.
    struct IdentityNote
    {
        QString table;
        QString warning;
    };
    QList<IdentityNote> takeIdentityNotes() { return std::exchange(m_identityNotes, {}); }

    // The table a change names, as last described in this stream; null before its description.
    const Relation *relation(quint32 oid) const;

    // A row a backfill read (SELECT) at `lsn`, its chunk's high watermark: an `op: "read"` event in
    // the channel its changes go to, the row in `new` as a change carries it.
    static NewEvent readEvent(const RoutingRules &rules, const Relation &relation, const Tuple &row, Lsn lsn,
                              qint64 readAtMs);

private:
    void checkIdentity(const Relation &relation);
    static QString channelFor(const RoutingRules &rules, const Relation &relation, const std::optional<Tuple> &row);
    QByteArray payloadFor(const Change &change, const Relation &relation, Lsn lsn) const;
    static QByteArray rowJson(const Relation &relation, const Tuple &tuple, bool keyOnly);

    std::optional<Transaction> takePartIfFull();
    Transaction take(Lsn commitLsn, Lsn endLsn, bool complete);

    RoutingRules m_rules;
    qsizetype m_partSize;
    QHash<quint32, Relation> m_relations;
    Begin m_begin;
    PublishBatch m_pending;
    QList<Transaction::SchemaChange> m_pendingSchemaChanges; // positions in m_pending
    qint64 m_changesBefore = 0;                 // this transaction's changes handed out in earlier parts
    QHash<QString, QString> m_identityWarnings; // table -> the warning in force
    QList<IdentityNote> m_identityNotes;
};

} // namespace cdc::pg

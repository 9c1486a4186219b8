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

// Turns decoded pgoutput messages into CDC events, a transaction at a time: the changes between
// Begin and Commit come out together at the Commit, in commit order, sharing its commit_ts_ms.
class ChangeStream
{
public:
    explicit ChangeStream(RoutingRules rules = {});

    struct Transaction
    {
        PublishBatch events;
        Lsn commitLsn = 0; // confirm up to here once the events are durable
        Lsn endLsn = 0;
    };

    // `walStart` is the WAL position of the XLogData that carried the message. Returns a finished
    // transaction at each Commit; an error for a change to a relation never described.
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

private:
    void checkIdentity(const Relation &relation);
    QString channelFor(const Relation &relation, const std::optional<Tuple> &row) const;
    QByteArray payloadFor(const Change &change, const Relation &relation, Lsn lsn) const;
    static QByteArray rowJson(const Relation &relation, const Tuple &tuple, bool keyOnly);

    RoutingRules m_rules;
    QHash<quint32, Relation> m_relations;
    Begin m_begin;
    PublishBatch m_pending;
    QHash<QString, QString> m_identityWarnings; // table -> the warning in force
    QList<IdentityNote> m_identityNotes;
};

} // namespace cdc::pg

#include "ChangeStream.h"

#include "protocol/ClientMessage.h"
#include "protocol/JsonWriter.h"

namespace cdc::pg {

ChangeStream::ChangeStream(RoutingRules rules, qsizetype partSize)
    : m_rules(std::move(rules))
    , m_partSize(std::max<qsizetype>(1, partSize))
{}

std::optional<ChangeStream::Transaction> ChangeStream::takePartIfFull()
{
    if (m_pending.size() < m_partSize)
        return std::nullopt;
    Transaction part = take(m_begin.finalLsn, 0, false);
    m_changesBefore += part.events.size();
    return part;
}

ChangeStream::Transaction ChangeStream::take(Lsn commitLsn, Lsn endLsn, bool complete)
{
    Transaction taken{std::exchange(m_pending, {}), commitLsn, endLsn, m_changesBefore, m_begin.xid, complete, {}};
    taken.schemaChanges = std::exchange(m_pendingSchemaChanges, {});
    return taken;
}

QString ChangeStream::Transaction::SchemaChange::describe() const
{
    return QStringLiteral("%1.%2 — %3").arg(schema, table, changes.join(QStringLiteral("; ")));
}

QStringList ChangeStream::schemaDifferences(const Relation &before, const Relation &after)
{
    QStringList said;
    if (before.schema != after.schema || before.table != after.table)
        said.append(QStringLiteral("renamed from %1.%2").arg(before.schema, before.table));
    const auto find = [](const Relation &relation, const QString &name) -> const Column * {
        for (const Column &column : relation.columns)
            if (column.name == name)
                return &column;
        return nullptr;
    };
    QList<const Column *> dropped, added;
    for (const Column &old : before.columns)
        if (!find(after, old.name))
            dropped.append(&old);
    for (const Column &now : after.columns)
        if (!find(before, now.name))
            added.append(&now);
    // One column gone and one come, of one type: a rename (pgoutput does not number columns).
    if (dropped.size() == 1 && added.size() == 1 && dropped[0]->typeOid == added[0]->typeOid &&
        dropped[0]->typmod == added[0]->typmod) {
        said.append(QStringLiteral("column %1 renamed to %2").arg(dropped[0]->name, added[0]->name));
        dropped.clear();
        added.clear();
    }
    for (const Column *column : std::as_const(added))
        said.append(QStringLiteral("column %1 %2 added").arg(column->name, typeText(column->typeOid, column->typmod)));
    for (const Column *column : std::as_const(dropped))
        said.append(QStringLiteral("column %1 dropped").arg(column->name));
    for (const Column &now : after.columns) {
        const Column *old = find(before, now.name);
        if (!old)
            continue;
        if (old->typeOid != now.typeOid || old->typmod != now.typmod)
            said.append(QStringLiteral("%1 %2 → %3")
                            .arg(now.name, typeText(old->typeOid, old->typmod), typeText(now.typeOid, now.typmod)));
        if (old->isKey != now.isKey)
            said.append(now.isKey ? QStringLiteral("%1 is now part of the replica identity").arg(now.name)
                                  : QStringLiteral("%1 is no longer part of the replica identity").arg(now.name));
    }
    if (before.replicaIdentity != after.replicaIdentity) {
        const auto identity = [](char code) {
            switch (code) {
            case 'f': return QStringLiteral("full");
            case 'n': return QStringLiteral("nothing");
            case 'i': return QStringLiteral("index");
            default: return QStringLiteral("default");
            }
        };
        said.append(QStringLiteral("replica identity %1 → %2")
                        .arg(identity(before.replicaIdentity), identity(after.replicaIdentity)));
    }
    return said;
}

std::variant<std::optional<ChangeStream::Transaction>, QString> ChangeStream::feed(const Message &message, Lsn walStart)
{
    if (const auto *begin = std::get_if<Begin>(&message)) {
        m_begin = *begin;
        m_pending.clear();
        m_pendingSchemaChanges.clear();
        m_changesBefore = 0;
    } else if (const auto *relation = std::get_if<Relation>(&message)) {
        // PostgreSQL describes a table again in each session and after its shape changed: a
        // description unlike the last one seen is a schema change, before the table's next change.
        if (const auto known = m_relations.constFind(relation->oid); known != m_relations.cend())
            if (QStringList changes = schemaDifferences(*known, *relation); !changes.isEmpty())
                m_pendingSchemaChanges.append({relation->schema, relation->table, std::move(changes), m_pending.size()});
        m_relations.insert(relation->oid, *relation);
        checkIdentity(*relation);
    } else if (const auto *change = std::get_if<Change>(&message)) {
        const auto found = m_relations.constFind(change->relation);
        if (found == m_relations.cend())
            return QStringLiteral("change to relation %1 before its description").arg(change->relation);
        const std::optional<Tuple> &row = change->newTuple ? change->newTuple : change->oldTuple;
        m_pending.append({channelFor(m_rules, *found, row), payloadFor(*change, *found, walStart)});
        return takePartIfFull();
    } else if (const auto *truncate = std::get_if<Truncate>(&message)) {
        for (const quint32 oid : truncate->relations) {
            const auto found = m_relations.constFind(oid);
            if (found == m_relations.cend())
                return QStringLiteral("truncate of relation %1 before its description").arg(oid);
            JsonWriter writer;
            writer.beginObject()
                .field("op", "truncate")
                .field("schema", QStringView(found->schema))
                .field("table", QStringView(found->table))
                .field("lsn", QStringView(formatLsn(walStart)))
                .field("commit_ts_ms", m_begin.commitTsMs)
                .field("xid", qint64(m_begin.xid))
                .field("cascade", truncate->cascade)
                .field("restart_identity", truncate->restartIdentity)
                .endObject();
            m_pending.append({channelFor(m_rules, *found, std::nullopt), writer.take()});
        }
        return takePartIfFull(); // a truncate of many tables may overshoot a part: it stays whole
    } else if (const auto *commit = std::get_if<Commit>(&message)) {
        Transaction done = take(commit->commitLsn, commit->endLsn, true);
        m_changesBefore = 0;
        return std::optional<Transaction>(std::move(done));
    }
    return std::optional<Transaction>();
}

void ChangeStream::checkIdentity(const Relation &relation)
{
    const QString table = relation.schema + u'.' + relation.table;
    const auto column = std::find_if(relation.columns.cbegin(), relation.columns.cend(),
                                     [this](const Column &candidate) { return candidate.name == m_rules.column; });
    QString warning;
    if (column != relation.columns.cend()) {
        const QString fallback = m_rules.defaultChannel.isEmpty() ? table : m_rules.defaultChannel;
        if (relation.replicaIdentity == 'n')
            warning = QStringLiteral("table %1 has REPLICA IDENTITY NOTHING: its deletes carry no row, so they go to "
                                     "channel \"%2\" instead of the one %3 names; run ALTER TABLE %1 REPLICA "
                                     "IDENTITY FULL")
                          .arg(table, fallback, m_rules.column);
        else if (relation.replicaIdentity != 'f' && !column->isKey)
            warning = QStringLiteral("table %1: its deletes carry only %2, which lacks %3, so they go to channel "
                                     "\"%4\" instead of the one %3 names; run ALTER TABLE %1 REPLICA IDENTITY FULL, "
                                     "or make %3 part of that key")
                          .arg(table,
                               relation.replicaIdentity == 'i' ? QStringLiteral("the replica identity index's columns")
                                                               : QStringLiteral("the primary key"),
                               m_rules.column, fallback);
    }
    if (m_identityWarnings.value(table) == warning)
        return;
    if (warning.isEmpty())
        m_identityWarnings.remove(table);
    else
        m_identityWarnings.insert(table, warning);
    m_identityNotes.append({table, warning});
}

const Relation *ChangeStream::relation(quint32 oid) const
{
    const auto found = m_relations.constFind(oid);
    return found == m_relations.cend() ? nullptr : &found.value();
}

NewEvent ChangeStream::readEvent(const RoutingRules &rules, const Relation &relation, const Tuple &row, Lsn lsn,
                                 qint64 readAtMs)
{
    JsonWriter writer;
    writer.beginObject()
        .field("op", "read")
        .field("schema", QStringView(relation.schema))
        .field("table", QStringView(relation.table))
        .field("lsn", QStringView(formatLsn(lsn)))
        .field("read_ts_ms", readAtMs)
        .key("new")
        .rawValue(rowJson(relation, row, false))
        .endObject();
    return {channelFor(rules, relation, row), writer.take()};
}

QString ChangeStream::channelFor(const RoutingRules &rules, const Relation &relation, const std::optional<Tuple> &row)
{
    if (row) {
        for (size_t i = 0; i < relation.columns.size() && i < row->size(); ++i) {
            if (relation.columns[i].name != rules.column || (*row)[i].kind != Value::Kind::Text)
                continue;
            const QString channel = normalizedChannel(QString::fromUtf8((*row)[i].text));
            if (!channel.isEmpty() && channel.size() <= maxChannelNameLength)
                return channel;
        }
    }
    if (!rules.defaultChannel.isEmpty())
        return rules.defaultChannel;
    return relation.schema + u'.' + relation.table;
}

QByteArray ChangeStream::rowJson(const Relation &relation, const Tuple &tuple, bool keyOnly)
{
    JsonWriter writer;
    writer.beginObject();
    for (size_t i = 0; i < relation.columns.size() && i < tuple.size(); ++i) {
        // A key-only old tuple carries nulls for the other columns: they were not sent, so they
        // are left out rather than reported as NULL.
        if (keyOnly && !relation.columns[i].isKey)
            continue;
        writer.key(QStringView(relation.columns[i].name)).rawValue(valueToJson(tuple[i], relation.columns[i].typeOid));
    }
    writer.endObject();
    return writer.take();
}

QByteArray ChangeStream::payloadFor(const Change &change, const Relation &relation, Lsn lsn) const
{
    const char *op = change.op == Change::Op::Insert ? "insert" : change.op == Change::Op::Update ? "update" : "delete";
    JsonWriter writer;
    writer.beginObject()
        .field("op", op)
        .field("schema", QStringView(relation.schema))
        .field("table", QStringView(relation.table))
        .field("lsn", QStringView(formatLsn(lsn)))
        .field("commit_ts_ms", m_begin.commitTsMs)
        .field("xid", qint64(m_begin.xid));
    if (change.newTuple)
        writer.key("new").rawValue(rowJson(relation, *change.newTuple, false));
    if (change.oldTuple)
        writer.key("old").rawValue(rowJson(relation, *change.oldTuple, change.oldIsKeyOnly));
    writer.endObject();
    return writer.take();
}

} // namespace cdc::pg

// Payloads read as row changes: the PostgreSQL source's shape (DEFAULT and FULL replica identity,
// an unchanged TOAST value), Debezium's (with and without the schema envelope), Supabase's and Sequin's;
// the one-line summary the live view shows; values kept as written.
#include "inspect/ChangeReading.h"

#include <QTest>

using namespace cdc;
using namespace Qt::StringLiterals;

namespace {

QStringList columnsOf(const ChangeReading &change)
{
    QStringList out;
    for (const ColumnChange &column : change.columns)
        out.append(column.name);
    return out;
}

} // namespace

class TestChangeReading : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Sequin's messages (its webhook sinks, docs/webhooks.md): "changes" holds an update's old
    // values of the changed columns only, so the old row is the record with those put back.
    void sequinMessagesReadAsChanges()
    {
        const auto update = readChange(
            R"({"record":{"id":7,"status":"paid","total":12.5},"changes":{"status":"new"},"action":"update","metadata":{"table_schema":"public","table_name":"orders","idempotency_key":"k"}})");
        QVERIFY(update);
        QCOMPARE(update->table, u"public.orders"_s);
        QCOMPARE(update->key, u"id=7"_s);
        QCOMPARE(update->summary(), u"update public.orders id=7: status \"new\" → \"paid\""_s);
        QCOMPARE(update->columns[1].kind, ColumnChange::Kind::Unchanged);
        const auto removed = readChange(
            R"({"record":{"id":8,"status":"paid"},"changes":null,"action":"delete","metadata":{"table_schema":"public","table_name":"orders"}})");
        QVERIFY(removed);
        QCOMPARE(removed->summary(), u"delete public.orders id=8"_s);
        const auto backfilled = readChange(
            R"({"record":{"id":9},"changes":null,"action":"read","metadata":{"table_schema":"public","table_name":"orders"}})");
        QVERIFY(backfilled);
        QCOMPARE(backfilled->operation, u"read"_s);
    }

    void fullReplicaIdentityGivesARealDiffChangedColumnsFirst()
    {
        const auto change = readChange(
            R"({"op":"update","schema":"public","table":"orders","new":{"id":42,"note":"x","amount":2.50,"status":"paid"},"old":{"id":42,"note":"x","amount":1.50,"status":"open"}})");
        QVERIFY(change);
        QCOMPARE(change->table, u"public.orders"_s);
        QCOMPARE(change->key, u"id=42"_s);
        QCOMPARE(columnsOf(*change), (QStringList{u"amount"_s, u"status"_s, u"id"_s, u"note"_s}));
        QCOMPARE(change->columns[0].kind, ColumnChange::Kind::Changed);
        QCOMPARE(*change->columns[0].before, QByteArray("1.50"));
        QCOMPARE(*change->columns[0].after, QByteArray("2.50"));
        QCOMPARE(change->columns[2].kind, ColumnChange::Kind::Unchanged);
        QVERIFY(change->oldRowNote.isEmpty());
        QCOMPARE(change->summary(), u"update public.orders id=42: amount 1.50 → 2.50, status \"open\" → \"paid\""_s);
    }

    void defaultReplicaIdentitySaysTheOldRowWasNotSent()
    {
        const auto change =
            readChange(R"({"op":"update","schema":"public","table":"orders","new":{"id":42,"amount":2}})");
        QVERIFY(change);
        QVERIFY(change->oldRowNote.contains(u"replica identity is DEFAULT"_s));
        QCOMPARE(change->columns[0].kind, ColumnChange::Kind::Set);
        QVERIFY(!change->columns[0].before);
        QCOMPARE(change->summary(), u"update public.orders id=42: id=42, amount=2 (old values not sent)"_s);
    }

    // Some tools send the key as the old row of every update: when it is the same, the key did not
    // change, and "id 143756 → 143756" would say it did.
    void aKeyOnlyOldRowThatDidNotChangeIsSaidAsSuch()
    {
        const auto change = readChange(
            R"({"op":"update","schema":"public","table":"orders","new":{"id":143756,"amount":2},"old":{"id":143756}})");
        QVERIFY(change);
        QVERIFY2(change->oldRowNote.contains(u"did not change"_s), qPrintable(change->oldRowNote));
        QCOMPARE(change->columns[0].name, u"amount"_s);
        QCOMPARE(change->columns[1].kind, ColumnChange::Kind::Unchanged);
        QCOMPARE(change->summary(), u"update public.orders id=143756: amount=2 (old values not sent)"_s);
        const auto moved = readChange(
            R"({"op":"update","schema":"public","table":"orders","new":{"id":2,"amount":2},"old":{"id":1}})");
        QVERIFY(moved->oldRowNote.contains(u"the key changed"_s));
    }

    void anUnchangedToastValueIsNamedNeverShownAsChanged()
    {
        const auto change = readChange(
            R"({"op":"update","schema":"public","table":"docs","new":{"id":1,"body":{"unchanged_toast":true},"title":"b"},"old":{"id":1,"body":"long","title":"a"}})");
        QVERIFY(change);
        QCOMPARE(columnsOf(*change), (QStringList{u"title"_s, u"id"_s, u"body"_s}));
        QCOMPARE(change->columns[2].kind, ColumnChange::Kind::ToastUnchanged);
        QCOMPARE(change->summary(), u"update public.docs id=1: title \"a\" → \"b\""_s);
    }

    void deletesAndInsertsReadAsSuch()
    {
        const auto deleted = readChange(R"({"op":"delete","schema":"public","table":"orders","old":{"id":7}})");
        QVERIFY(deleted);
        QCOMPARE(deleted->summary(), u"delete public.orders id=7"_s);
        QVERIFY(deleted->oldRowNote.contains(u"only the key"_s));
        const auto inserted =
            readChange(R"({"op":"insert","schema":"public","table":"orders","new":{"id":8,"amount":1}})");
        QCOMPARE(inserted->summary(), u"insert public.orders id=8"_s);
        QCOMPARE(inserted->columns[1].kind, ColumnChange::Kind::Set);
    }

    void debeziumEnvelopesWithAndWithoutSchema()
    {
        const QByteArray envelope =
            R"({"before":{"id":1,"qty":1},"after":{"id":1,"qty":3},"source":{"schema":"inventory","table":"items"},"op":"u","ts_ms":1})";
        const auto bare = readChange(envelope);
        QVERIFY(bare);
        QCOMPARE(bare->summary(), u"update inventory.items id=1: qty 1 → 3"_s);
        const QByteArray withSchema = R"({"schema":{"type":"struct"},"payload":)" + envelope + "}";
        const auto wrapped = readChange(withSchema);
        QVERIFY(wrapped);
        QCOMPARE(wrapped->summary(), bare->summary());
        const auto noBefore = readChange(
            R"({"before":null,"after":{"id":1,"qty":3,"doc":"__debezium_unavailable_value"},"source":{"table":"items"},"op":"u"})");
        QVERIFY(noBefore->oldRowNote.contains(u"\"before\" is null"_s));
        const auto snapshot =
            readChange(R"({"before":null,"after":{"id":5,"qty":1},"source":{"table":"items"},"op":"r"})");
        QCOMPARE(snapshot->operation, u"read"_s); // a snapshot's row, not an insert
        QCOMPARE(snapshot->summary(), u"read items id=5"_s);
        QCOMPARE(noBefore->columns.last().kind, ColumnChange::Kind::ToastUnchanged);
    }

    void supabaseRecords()
    {
        const auto change = readChange(
            R"({"type":"UPDATE","schema":"public","table":"todos","record":{"id":3,"done":true},"old_record":{"id":3}})");
        QVERIFY(change);
        QCOMPARE(change->operation, u"update"_s);
        QVERIFY(change->oldRowNote.contains(u"old_record holds only the key"_s));
        QCOMPARE(change->summary(), u"update public.todos id=3: done=true (old values not sent)"_s);
    }

    void otherPayloadsAreNotChanges()
    {
        QVERIFY(!readChange(R"({"hello":"world"})"));
        QVERIFY(!readChange(R"([1,2])"));
        QVERIFY(!readChange(R"({"op":"launch","new":{}})"));
    }
};

QTEST_GUILESS_MAIN(TestChangeReading)
#include "tst_changereading.moc"

// pgoutput decoding and the change events built from it, from hand-built protocol messages
// (protocol version 1, as PostgreSQL 15 sends them).
#include "sources/postgres/ChangeStream.h"
#include "sources/postgres/PgOutput.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QtEndian>

using namespace cdc;
using namespace cdc::pg;

namespace {

// Builds a message the way the server writes it: big-endian integers, NUL-terminated strings.
class Bytes
{
public:
    Bytes &u8(quint8 v) { return raw(reinterpret_cast<const char *>(&v), 1); }
    Bytes &tag(char c) { return raw(&c, 1); }
    Bytes &i16(qint16 v) { return be(v); }
    Bytes &i32(qint32 v) { return be(v); }
    Bytes &i64(qint64 v) { return be(v); }
    Bytes &str(const char *s) { return raw(s, qsizetype(std::strlen(s)) + 1); }
    Bytes &text(const QByteArray &t) { return tag('t').i32(qint32(t.size())).raw(t.constData(), t.size()); }
    Bytes &null() { return tag('n'); }
    Bytes &toast() { return tag('u'); }
    QByteArray take() { return m_data; }
    Bytes &raw(const char *data, qsizetype size)
    {
        m_data.append(data, size);
        return *this;
    }

private:
    template <typename T> Bytes &be(T v)
    {
        char buffer[sizeof(T)];
        qToBigEndian(v, buffer);
        return raw(buffer, sizeof(T));
    }
    QByteArray m_data;
};

// public.orders (id int4 key, organization_id text, total numeric, paid bool, meta jsonb)
QByteArray ordersRelation(char replicaIdentity = 'd', qint32 totalTypmod = -1)
{
    return Bytes()
        .tag('R')
        .i32(16400)
        .str("public")
        .str("orders")
        .tag(replicaIdentity)
        .i16(5)
        .u8(1)
        .str("id")
        .i32(23)
        .i32(-1)
        .u8(0)
        .str("organization_id")
        .i32(25)
        .i32(-1)
        .u8(0)
        .str("total")
        .i32(1700)
        .i32(totalTypmod)
        .u8(0)
        .str("paid")
        .i32(16)
        .i32(-1)
        .u8(0)
        .str("meta")
        .i32(3802)
        .i32(-1)
        .take();
}

QByteArray insertRow(qint32 id, const QByteArray &organization)
{
    Bytes row;
    row.tag('I').i32(16400).tag('N').i16(5).text(QByteArray::number(id));
    if (organization.isNull())
        row.null();
    else
        row.text(organization);
    return row.text("12.50").text("t").text("{\"tags\": [\"a\"],\n \"n\": 1}").take();
}

constexpr qint64 commitMicros = 753'000'000'000'000; // 2023-11-10T06:40:00Z in µs since 2000

template <typename T> T decoded(const QByteArray &bytes)
{
    auto result = decode(bytes);
    if (auto *error = std::get_if<QString>(&result))
        qFatal("decode failed: %s", qPrintable(*error));
    return std::get<T>(std::get<Message>(result));
}

} // namespace

class TestPgOutput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lsnAndTimestamps()
    {
        QCOMPARE(formatLsn(0x16B3748), QStringLiteral("0/16B3748"));
        QCOMPARE(formatLsn((Lsn(0x2A) << 32) | 0xFF), QStringLiteral("2A/FF"));
        QCOMPARE(pgTimestampToUnixMs(0), 946'684'800'000);
        QCOMPARE(pgTimestampToUnixMs(commitMicros), 946'684'800'000 + 753'000'000'000);
    }

    void beginAndCommit()
    {
        const auto begin = decoded<Begin>(Bytes().tag('B').i64(0x16B3748).i64(commitMicros).i32(731).take());
        QCOMPARE(begin.finalLsn, Lsn(0x16B3748));
        QCOMPARE(begin.commitTsMs, pgTimestampToUnixMs(commitMicros));
        QCOMPARE(begin.xid, 731u);
        const auto commit = decoded<Commit>(Bytes().tag('C').u8(0).i64(0x100).i64(0x180).i64(commitMicros).take());
        QCOMPARE(commit.commitLsn, Lsn(0x100));
        QCOMPARE(commit.endLsn, Lsn(0x180));
    }

    void relationDescribesColumns()
    {
        const auto relation = decoded<Relation>(ordersRelation());
        QCOMPARE(relation.oid, 16400u);
        QCOMPARE(relation.schema, QStringLiteral("public"));
        QCOMPARE(relation.table, QStringLiteral("orders"));
        QCOMPARE(relation.columns.size(), size_t(5));
        QVERIFY(relation.columns[0].isKey);
        QVERIFY(!relation.columns[1].isKey);
        QCOMPARE(relation.columns[4].typeOid, 3802u);
    }

    void tuplesKeepNullsAndUnchangedToast()
    {
        const auto change = decoded<Change>(
            Bytes().tag('U').i32(16400).tag('K').i16(2).text("7").null().tag('N').i16(2).text("7").toast().take());
        QCOMPARE(change.op, Change::Op::Update);
        QVERIFY(change.oldIsKeyOnly);
        QCOMPARE(change.oldTuple->size(), size_t(2));
        QCOMPARE((*change.newTuple)[1].kind, Value::Kind::UnchangedToast);
        const auto removed = decoded<Change>(Bytes().tag('D').i32(16400).tag('O').i16(1).text("9").take());
        QCOMPARE(removed.op, Change::Op::Delete);
        QVERIFY(!removed.oldIsKeyOnly);
        QVERIFY(!removed.newTuple);
    }

    void truncateOptions()
    {
        const auto truncate = decoded<Truncate>(Bytes().tag('T').i32(2).u8(3).i32(16400).i32(16500).take());
        QCOMPARE(truncate.relations, (std::vector<quint32>{16400, 16500}));
        QVERIFY(truncate.cascade);
        QVERIFY(truncate.restartIdentity);
    }

    void malformedMessagesAreNamed()
    {
        const auto cut = decode(Bytes().tag('B').i64(1).take());
        QVERIFY(std::get<QString>(cut).startsWith(QStringLiteral("truncated pgoutput 'B'")));
        const auto unknown = decode(Bytes().tag('Z').take());
        QVERIFY(std::get<QString>(unknown).startsWith(QStringLiteral("unknown pgoutput message 'Z'")));
        QVERIFY(std::holds_alternative<Ignored>(std::get<Message>(decode(Bytes().tag('O').i64(1).str("x").take()))));
        const auto cutMessage = decode(Bytes().tag('M').u8(0).i64(5).str("p").i32(10).raw("abc", 3).take());
        QVERIFY(std::get<QString>(cutMessage).startsWith(QStringLiteral("truncated pgoutput 'M'")));
    }

    // pg_logical_emit_message's record (the backfill's watermarks), with the `messages` option.
    void logicalMessagesAreDecoded()
    {
        const auto decoded = decode(Bytes().tag('M').u8(1).i64(0x16B3748).str("cdcscope_backfill").i32(6).raw("x high", 6).take());
        const auto &message = std::get<LogicalMessage>(std::get<Message>(decoded));
        QVERIFY(message.transactional);
        QCOMPARE(message.lsn, Lsn(0x16B3748));
        QCOMPARE(message.prefix, QStringLiteral("cdcscope_backfill"));
        QCOMPARE(message.content, QByteArray("x high"));
        ChangeStream stream;
        const auto fed = stream.feed(std::get<Message>(decoded), 1);
        QVERIFY(!std::get<std::optional<ChangeStream::Transaction>>(fed)); // nothing to publish
    }

    void valuesAreTypedJson_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("oid");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("int4") << QByteArray("42") << 23 << QByteArray("42");
        QTest::newRow("int8 max") << QByteArray("9223372036854775807") << 20 << QByteArray("9223372036854775807");
        QTest::newRow("numeric exact") << QByteArray("12.50") << 1700 << QByteArray("12.50");
        QTest::newRow("numeric NaN") << QByteArray("NaN") << 1700 << QByteArray("\"NaN\"");
        QTest::newRow("float8 Infinity") << QByteArray("Infinity") << 701 << QByteArray("\"Infinity\"");
        QTest::newRow("bool t") << QByteArray("t") << 16 << QByteArray("true");
        QTest::newRow("bool f") << QByteArray("f") << 16 << QByteArray("false");
        QTest::newRow("jsonb") << QByteArray("{\"a\": [1, 2]}") << 3802 << QByteArray("{\"a\":[1,2]}");
        QTest::newRow("json with newline") << QByteArray("{\n\"b\" : true}") << 114 << QByteArray("{\"b\":true}");
        // json keeps what was typed: order, duplicate keys, digits, escapes — never re-sorted.
        QTest::newRow("json as typed")
            << QByteArray("{\"z\": 1.10, \"a\": 123456789012345678901234567890, \"z\": \"\\u00e9\"}") << 114
            << QByteArray("{\"z\":1.10,\"a\":123456789012345678901234567890,\"z\":\"\\u00e9\"}");
        QTest::newRow("jsonb in PostgreSQL's order")
            << QByteArray("{\"b\": 1, \"aa\": 2}") << 3802 << QByteArray("{\"b\":1,\"aa\":2}");
        QTest::newRow("text with quote") << QByteArray("say \"hi\"") << 25 << QByteArray("\"say \\\"hi\\\"\"");
        QTest::newRow("timestamptz as string")
            << QByteArray("2023-11-10 06:40:00+00") << 1184 << QByteArray("\"2023-11-10 06:40:00+00\"");
    }

    void valuesAreTypedJson()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, oid);
        QFETCH(QByteArray, json);
        QCOMPARE(valueToJson({Value::Kind::Text, text}, quint32(oid)), json);
        QCOMPARE(valueToJson({Value::Kind::Null, {}}, quint32(oid)), QByteArray("null"));
        QCOMPARE(valueToJson({Value::Kind::UnchangedToast, {}}, quint32(oid)),
                 QByteArray("{\"unchanged_toast\":true}"));
    }

    // Deletes carry the replica identity only: without the routing column in it, they cannot
    // reach the row's channel. Said per table, again only when it changes.
    void replicaIdentityLackingTheChannelColumnIsNoted()
    {
        ChangeStream stream;
        const auto describe = [&stream](char identity) {
            stream.feed(std::get<Message>(decode(ordersRelation(identity))), 0x100);
            return stream.takeIdentityNotes();
        };
        auto notes = describe('d');
        QCOMPARE(notes.size(), 1);
        QCOMPARE(notes[0].table, QStringLiteral("public.orders"));
        QVERIFY2(notes[0].warning.contains(QStringLiteral("only the primary key, which lacks organization_id")),
                 qPrintable(notes[0].warning));
        QVERIFY(describe('d').isEmpty()); // the same again: nothing new
        notes = describe('n');
        QCOMPARE(notes.size(), 1);
        QVERIFY(notes[0].warning.contains(QStringLiteral("REPLICA IDENTITY NOTHING")));
        notes = describe('f');
        QCOMPARE(notes.size(), 1);
        QVERIFY(notes[0].warning.isEmpty()); // fixed
        QVERIFY(describe('f').isEmpty());
    }

    void aTransactionBecomesConsecutiveEventsRoutedByColumn()
    {
        ChangeStream stream;
        const auto feed = [&stream](const QByteArray &bytes, Lsn at) {
            auto message = decode(bytes);
            return stream.feed(std::get<Message>(message), at);
        };
        QVERIFY(!std::get<std::optional<ChangeStream::Transaction>>(
                     feed(Bytes().tag('B').i64(0x300).i64(commitMicros).i32(731).take(), 0x100))
                     .has_value());
        feed(ordersRelation(), 0x100);
        feed(insertRow(1, "acme"), 0x16B3748);
        feed(insertRow(2, QByteArray()), 0x16B3790);
        const auto committed = std::get<std::optional<ChangeStream::Transaction>>(
            feed(Bytes().tag('C').u8(0).i64(0x300).i64(0x340).i64(commitMicros).take(), 0x300));
        QVERIFY(committed);
        QCOMPARE(committed->commitLsn, Lsn(0x300));
        QCOMPARE(committed->events.size(), 2);
        QCOMPARE(committed->events[0].channel, QStringLiteral("acme"));
        QCOMPARE(committed->events[1].channel, QStringLiteral("public.orders")); // no organization_id
        const QJsonObject first = QJsonDocument::fromJson(committed->events[0].payload).object();
        QCOMPARE(first.value(QStringLiteral("op")).toString(), QStringLiteral("insert"));
        QCOMPARE(first.value(QStringLiteral("schema")).toString(), QStringLiteral("public"));
        QCOMPARE(first.value(QStringLiteral("table")).toString(), QStringLiteral("orders"));
        QCOMPARE(first.value(QStringLiteral("lsn")).toString(), QStringLiteral("0/16B3748"));
        QCOMPARE(first.value(QStringLiteral("commit_ts_ms")).toInteger(), pgTimestampToUnixMs(commitMicros));
        QCOMPARE(first.value(QStringLiteral("xid")).toInt(), 731);
        QVERIFY(!first.contains(QStringLiteral("old")));
        QCOMPARE(
            committed->events[0].payload.mid(committed->events[0].payload.indexOf("\"new\"")),
            QByteArray(
                R"("new":{"id":1,"organization_id":"acme","total":12.50,"paid":true,"meta":{"tags":["a"],"n":1}}})"));
        const QJsonObject second = QJsonDocument::fromJson(committed->events[1].payload).object();
        QCOMPARE(second.value(QStringLiteral("commit_ts_ms")), first.value(QStringLiteral("commit_ts_ms")));
    }

    // A large transaction comes out in parts of the configured size as it streams in, each knowing
    // how many changes came before it; the Commit's part completes it. The same changes cut the
    // same way every time, so a part sent again after a crash is recognized.
    void aLargeTransactionComesOutInPartsAsItStreams()
    {
        const auto run = [] {
            ChangeStream stream({}, 2);
            QList<ChangeStream::Transaction> out;
            const auto feed = [&stream, &out](const QByteArray &bytes, Lsn at) {
                auto fed = stream.feed(std::get<Message>(decode(bytes)), at);
                if (auto &ready = std::get<std::optional<ChangeStream::Transaction>>(fed))
                    out.append(*ready);
            };
            feed(Bytes().tag('B').i64(0x900).i64(commitMicros).i32(77).take(), 0x100);
            feed(ordersRelation(), 0x100);
            for (int id = 1; id <= 5; ++id)
                feed(insertRow(id, "acme"), 0x200 + id);
            feed(Bytes().tag('C').u8(0).i64(0x900).i64(0x940).i64(commitMicros).take(), 0x900);
            return out;
        };
        const QList<ChangeStream::Transaction> parts = run();
        QCOMPARE(parts.size(), 3);
        QList<qint64> firstChanges, sizes;
        for (const ChangeStream::Transaction &part : parts) {
            firstChanges.append(part.firstChange);
            sizes.append(part.events.size());
            QCOMPARE(part.commitLsn, Lsn(0x900)); // every part names its transaction
            QCOMPARE(part.xid, quint32(77));
        }
        QCOMPARE(firstChanges, (QList<qint64>{0, 2, 4}));
        QCOMPARE(sizes, (QList<qint64>{2, 2, 1}));
        QVERIFY(!parts[0].complete && !parts[1].complete && parts[2].complete);
        QCOMPARE(parts[0].endLsn, Lsn(0));
        QCOMPARE(parts[2].endLsn, Lsn(0x940));
        const QJsonObject third = QJsonDocument::fromJson(parts[1].events[0].payload).object();
        QCOMPARE(third.value(QStringLiteral("new")).toObject().value(QStringLiteral("id")).toInt(), 3);
        const QList<ChangeStream::Transaction> again = run();
        QCOMPARE(again.size(), parts.size());
        for (qsizetype i = 0; i < parts.size(); ++i) {
            QCOMPARE(again[i].firstChange, parts[i].firstChange);
            QCOMPARE(again[i].events.size(), parts[i].events.size());
            QCOMPARE(again[i].events.last().payload, parts[i].events.last().payload);
        }
    }

    void keyOnlyOldTupleShowsOnlyTheKey()
    {
        ChangeStream stream({QStringLiteral("organization_id"), QStringLiteral("fallback")});
        stream.feed(std::get<Message>(decode(Bytes().tag('B').i64(1).i64(commitMicros).i32(9).take())), 1);
        stream.feed(std::get<Message>(decode(ordersRelation())), 1);
        stream.feed(std::get<Message>(decode(
                        Bytes().tag('D').i32(16400).tag('K').i16(5).text("5").null().null().null().null().take())),
                    2);
        const auto committed = std::get<std::optional<ChangeStream::Transaction>>(
            stream.feed(std::get<Message>(decode(Bytes().tag('C').u8(0).i64(3).i64(4).i64(commitMicros).take())), 3));
        QVERIFY(committed);
        QCOMPARE(committed->events.size(), 1);
        QCOMPARE(committed->events[0].channel, QStringLiteral("fallback"));
        const QJsonObject payload = QJsonDocument::fromJson(committed->events[0].payload).object();
        QCOMPARE(payload.value(QStringLiteral("op")).toString(), QStringLiteral("delete"));
        QCOMPARE(payload.value(QStringLiteral("old")).toObject(), (QJsonObject{{QStringLiteral("id"), 5}}));
        QVERIFY(!payload.contains(QStringLiteral("new")));
    }

    // pgoutput carries no DDL: a table described again, unlike before, is a schema change, said in
    // words and placed before the table's next change.
    void aNewDescriptionOfATableIsASchemaChangeBeforeItsNextChange()
    {
        ChangeStream stream({QStringLiteral("organization_id"), QStringLiteral("fallback")});
        stream.feed(std::get<Message>(decode(ordersRelation('d', (10 << 16 | 2) + 4))), 1);
        stream.feed(std::get<Message>(decode(Bytes().tag('B').i64(1).i64(commitMicros).i32(9).take())), 1);
        stream.feed(std::get<Message>(decode(insertRow(1, "acme"))), 2);
        stream.feed(std::get<Message>(decode(ordersRelation('f', (12 << 16 | 2) + 4))), 3);
        stream.feed(std::get<Message>(decode(insertRow(2, "acme"))), 4);
        const auto committed = std::get<std::optional<ChangeStream::Transaction>>(
            stream.feed(std::get<Message>(decode(Bytes().tag('C').u8(0).i64(5).i64(6).i64(commitMicros).take())), 5));
        QVERIFY(committed);
        QCOMPARE(committed->schemaChanges.size(), 1);
        const auto &change = committed->schemaChanges.front();
        QCOMPARE(change.beforeEvent, 1); // before the second insert, the first after it
        QCOMPARE(change.changes, (QStringList{QStringLiteral("total numeric(10,2) → numeric(12,2)"),
                                              QStringLiteral("replica identity default → full")}));
        QCOMPARE(change.describe(), QStringLiteral("public.orders — total numeric(10,2) → numeric(12,2); "
                                                   "replica identity default → full"));

        // Columns added, dropped and renamed, as a reader of the rows meets them.
        Relation before;
        before.schema = QStringLiteral("public");
        before.table = QStringLiteral("orders");
        before.columns = {{QStringLiteral("id"), 23, -1, true}, {QStringLiteral("memo"), 25, -1, false},
                          {QStringLiteral("qty"), 23, -1, false}};
        Relation after = before;
        after.columns = {{QStringLiteral("id"), 23, -1, true}, {QStringLiteral("note"), 25, -1, false},
                         {QStringLiteral("qty"), 20, -1, false}, {QStringLiteral("sku"), 1043, 84, false}};
        QCOMPARE(ChangeStream::schemaDifferences(before, after),
                 (QStringList{QStringLiteral("column note text added"),
                              QStringLiteral("column sku character varying(80) added"),
                              QStringLiteral("column memo dropped"), QStringLiteral("qty integer → bigint")}));
        after.columns.pop_back();
        QCOMPARE(ChangeStream::schemaDifferences(before, after),
                 (QStringList{QStringLiteral("column memo renamed to note"), QStringLiteral("qty integer → bigint")}));
        QVERIFY(ChangeStream::schemaDifferences(before, before).isEmpty());
    }

    void aChangeBeforeItsRelationIsAnError()
    {
        ChangeStream stream;
        const auto result = stream.feed(std::get<Message>(decode(insertRow(1, "x"))), 1);
        QVERIFY(std::get<QString>(result).contains(QStringLiteral("relation 16400")));
    }
};

QTEST_GUILESS_MAIN(TestPgOutput)
#include "tst_pgoutput.moc"

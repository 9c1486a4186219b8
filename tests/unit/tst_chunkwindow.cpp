// A backfill chunk between its watermarks (ChunkWindow): which rows the live stream overtakes, and
// when a chunk must be read again.
#include "sources/postgres/Backfill.h"
#include "sources/postgres/ChunkWindow.h"

#include <QTest>

using namespace cdc::pg;

namespace {

constexpr quint32 itemsOid = 16500;

Relation items(char replicaIdentity = 'd')
{
    Relation relation;
    relation.oid = itemsOid;
    relation.schema = QStringLiteral("public");
    relation.table = QStringLiteral("items");
    relation.replicaIdentity = replicaIdentity;
    relation.columns = {{QStringLiteral("region"), 25, -1, true}, {QStringLiteral("id"), 23, -1, true},
                        {QStringLiteral("v"), 23, -1, false}};
    return relation;
}

Tuple row(const QByteArray &region, const QByteArray &id, const QByteArray &v = "1")
{
    return {{Value::Kind::Text, region}, {Value::Kind::Text, id}, {Value::Kind::Text, v}};
}

Change change(Change::Op op, std::optional<Tuple> before, std::optional<Tuple> after)
{
    Change made;
    made.op = op;
    made.relation = itemsOid;
    made.oldTuple = std::move(before);
    made.oldIsKeyOnly = true;
    made.newTuple = std::move(after);
    return made;
}

LogicalMessage watermark(const QByteArray &content, const char *prefix = ChunkWindow::prefix)
{
    return {false, 1, QLatin1String(prefix), content};
}

// A snapshot with xmax 800 and 700 still running, unless said otherwise.
ChunkWindow window(const QByteArray &snapshot = "690:800:700")
{
    return ChunkWindow("slot:ab:1", itemsOid, {QStringLiteral("region"), QStringLiteral("id")},
                       ChunkWindow::Snapshot::parse(snapshot));
}

constexpr quint32 seenXid = 650; // committed and visible to the snapshot

} // namespace

class TestChunkWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyChangesBetweenTheWatermarksOvertakeRows()
    {
        ChunkWindow chunk = window();
        const Relation relation = items();
        chunk.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "1")), seenXid); // before: the SELECT saw it
        QVERIFY(!chunk.noteMessage(watermark("slot:ab:1 low", "other_prefix")));
        QVERIFY(!chunk.noteMessage(watermark("slot:ab:2 low"))); // another chunk's
        QVERIFY(chunk.noteMessage(watermark("slot:ab:1 low")));
        chunk.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "2")), seenXid);
        chunk.noteChange(relation, change(Change::Op::Delete, row("us", "3"), std::nullopt), seenXid);
        // A key that moved: both the old and the new row are the live change's.
        chunk.noteChange(relation, change(Change::Op::Update, row("us", "4"), row("us", "40")), seenXid);
        Relation other = relation;
        other.oid = 1;
        chunk.noteChange(other, change(Change::Op::Update, std::nullopt, row("eu", "5")), seenXid); // another table
        QVERIFY(!chunk.isClosed());
        QVERIFY(chunk.noteMessage(watermark("slot:ab:1 high")));
        QVERIFY(chunk.isClosed());
        chunk.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "6")), seenXid); // after: comes later
        QVERIFY(!chunk.isStale());
        QVERIFY(!chunk.changed({"eu", "1"}));
        QVERIFY(chunk.changed({"eu", "2"}));
        QVERIFY(chunk.changed({"us", "3"}));
        QVERIFY(chunk.changed({"us", "4"}));
        QVERIFY(chunk.changed({"us", "40"}));
        QVERIFY(!chunk.changed({"eu", "5"}));
        QVERIFY(!chunk.changed({"eu", "6"}));
        // Keys are compared whole: ("e","u2") is not ("eu","2").
        QVERIFY(!chunk.changed({"e", "u2"}));
    }

    // A transaction the SELECT's snapshot missed — running (its xip) or at or past its xmax, as one
    // still committing is — whose commit the stream carries before the low watermark: its changes
    // overtake the chunk's rows like the window's do (PostgreSQL writes the commit record before
    // the transaction becomes visible).
    void changesOfTransactionsTheSnapshotMissedOvertakeRowsBeforeTheWindowToo()
    {
        ChunkWindow chunk = window("690:800:700");
        const Relation relation = items();
        chunk.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "1")), seenXid);
        chunk.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "2")), 700); // running
        chunk.noteChange(relation, change(Change::Op::Delete, row("eu", "3"), std::nullopt), 800); // at xmax
        chunk.noteChange(relation, change(Change::Op::Update, row("eu", "4"), row("eu", "40")), 801);
        QVERIFY(chunk.noteMessage(watermark("slot:ab:1 low")));
        QVERIFY(chunk.noteMessage(watermark("slot:ab:1 high")));
        QVERIFY(!chunk.isStale());
        QVERIFY(!chunk.changed({"eu", "1"}));
        QVERIFY(chunk.changed({"eu", "2"}));
        QVERIFY(chunk.changed({"eu", "3"}));
        QVERIFY(chunk.changed({"eu", "4"}));
        // xids compare modulo 2^32, as PostgreSQL's do: just past a wraparound is still past xmax.
        const ChunkWindow::Snapshot wrapped = ChunkWindow::Snapshot::parse("4294967290:4294967295:");
        QVERIFY(wrapped.missed(3));
        QVERIFY(!wrapped.missed(4294967200u));
        // The snapshot as pg_current_snapshot() prints it, epoch and all (xid8): the low 32 bits.
        const ChunkWindow::Snapshot epoch = ChunkWindow::Snapshot::parse("4294968000:4294968010:4294968005");
        QVERIFY(epoch.missed(709)); // 4294968005 - 2^32
        QVERIFY(!epoch.missed(705));
    }

    void aTruncateOrAKeyTheChangeDoesNotCarryMakesTheChunkStale()
    {
        ChunkWindow truncated = window();
        QVERIFY(truncated.noteMessage(watermark("slot:ab:1 low")));
        truncated.noteTruncate(itemsOid);
        QVERIFY(truncated.isStale());

        ChunkWindow renamed = window();
        QVERIFY(renamed.noteMessage(watermark("slot:ab:1 low")));
        Relation relation = items();
        relation.columns[0].name = QStringLiteral("area");
        renamed.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "1")), seenXid);
        QVERIFY(renamed.isStale());
    }

    void aPositionRoundTripsThroughItsJson()
    {
        BackfillPosition position;
        position.table = QStringLiteral("public.items");
        position.id = QStringLiteral("run-1");
        position.state = BackfillPosition::State::Paused;
        position.lastKey = {"eu", "ü 42"};
        position.rowsRead = 5000;
        position.rowsSkipped = 3;
        position.chunks = 5;
        position.estimate = 200'000;
        position.chunkSize = 1000;
        position.startedAtMs = 1'700'000'000'000;
        const auto back = BackfillPosition::fromJson(position.toJson());
        QVERIFY(back);
        QCOMPARE(back->table, position.table);
        QCOMPARE(back->state, BackfillPosition::State::Paused);
        QCOMPARE(back->lastKey, position.lastKey);
        QCOMPARE(back->rowsRead, 5000);
        QCOMPARE(back->chunks, 5);
        QCOMPARE(back->estimate, 200'000);
        QCOMPARE(back->startedAtMs, position.startedAtMs);
        QVERIFY(!BackfillPosition::fromJson("{\"table\":\"t\",\"state\":\"sleeping\"}"));
        QVERIFY(!BackfillPosition::fromJson("not json"));
    }
};

QTEST_GUILESS_MAIN(TestChunkWindow)
#include "tst_chunkwindow.moc"

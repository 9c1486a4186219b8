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

ChunkWindow window(QSet<quint32> invisible = {})
{
    return ChunkWindow("slot:ab:1", itemsOid, {QStringLiteral("region"), QStringLiteral("id")}, std::move(invisible));
}

} // namespace

class TestChunkWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyChangesBetweenTheWatermarksOvertakeRows()
    {
        ChunkWindow chunk = window();
        const Relation relation = items();
        chunk.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "1"))); // before: the SELECT saw it
        QVERIFY(!chunk.noteMessage(watermark("slot:ab:1 low", "other_prefix")));
        QVERIFY(!chunk.noteMessage(watermark("slot:ab:2 low"))); // another chunk's
        QVERIFY(chunk.noteMessage(watermark("slot:ab:1 low")));
        chunk.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "2")));
        chunk.noteChange(relation, change(Change::Op::Delete, row("us", "3"), std::nullopt));
        // A key that moved: both the old and the new row are the live change's.
        chunk.noteChange(relation, change(Change::Op::Update, row("us", "4"), row("us", "40")));
        Relation other = relation;
        other.oid = 1;
        chunk.noteChange(other, change(Change::Op::Update, std::nullopt, row("eu", "5"))); // another table
        QVERIFY(!chunk.isClosed());
        QVERIFY(chunk.noteMessage(watermark("slot:ab:1 high")));
        QVERIFY(chunk.isClosed());
        chunk.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "6"))); // after: comes later
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

    // A transaction the SELECT could not see, committed before the window opened: the chunk has
    // rows older than a change already passed on, and is read again.
    void anInvisibleTransactionCommittedBeforeTheLowWatermarkMakesTheChunkStale()
    {
        ChunkWindow stale = window({700, 701});
        stale.noteCommit(699);
        QVERIFY(!stale.isStale());
        stale.noteCommit(700);
        QVERIFY(stale.isStale());

        ChunkWindow fine = window({700});
        QVERIFY(fine.noteMessage(watermark("slot:ab:1 low")));
        fine.noteCommit(700); // in the window: its changes are noted by key instead
        QVERIFY(!fine.isStale());
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
        renamed.noteChange(relation, change(Change::Op::Update, std::nullopt, row("eu", "1")));
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

// One row's timeline from change events of the shapes ChangeReading understands: matching by
// table and key, the server's order, each event once, and the row as it stood after each change.
#include "inspect/RowHistory.h"

#include <QTest>

using namespace cdc;

class TestRowHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void followsOneRowThroughInsertUpdateDeleteAndReinsert()
    {
        RowTimeline timeline({QStringLiteral("public.orders"), QStringLiteral("id=42")});
        const auto offer = [&timeline](qint64 seq, const QByteArray &payload, const char *origin = "live") {
            return timeline.offer(QStringLiteral("acme"), seq, 1000 + seq, payload, QString::fromLatin1(origin));
        };
        QVERIFY(offer(1, "{\"op\":\"insert\",\"schema\":\"public\",\"table\":\"orders\","
                         "\"new\":{\"id\":42,\"amount\":1.50,\"doc\":\"long text\"}}"));
        QVERIFY(!offer(2, "{\"op\":\"insert\",\"schema\":\"public\",\"table\":\"orders\",\"new\":{\"id\":43}}"));
        QVERIFY(!offer(3, "{\"op\":\"insert\",\"schema\":\"public\",\"table\":\"items\",\"new\":{\"id\":42}}"));
        // An update that left the TOASTed doc out: the row after it still has the doc.
        QVERIFY(offer(5, "{\"op\":\"update\",\"schema\":\"public\",\"table\":\"orders\","
                         "\"new\":{\"id\":42,\"amount\":2.50,\"doc\":{\"unchanged_toast\":true}}}"));
        QVERIFY(offer(7, "{\"op\":\"delete\",\"schema\":\"public\",\"table\":\"orders\",\"old\":{\"id\":42}}"));
        QVERIFY(offer(9, "{\"op\":\"insert\",\"schema\":\"public\",\"table\":\"orders\","
                         "\"new\":{\"id\":42,\"amount\":9}}"));
        // Replayed copies add nothing; an event seen only by the replay lands in its place.
        QVERIFY(!offer(5,
                       "{\"op\":\"update\",\"schema\":\"public\",\"table\":\"orders\","
                       "\"new\":{\"id\":42,\"amount\":2.50,\"doc\":{\"unchanged_toast\":true}}}",
                       "travel"));
        QVERIFY(offer(4,
                      "{\"op\":\"update\",\"schema\":\"public\",\"table\":\"orders\","
                      "\"new\":{\"id\":42,\"amount\":2.00,\"doc\":\"longer text\"}}",
                      "travel"));

        const QList<RowVersion> &versions = timeline.versions();
        QList<qint64> seqs;
        for (const RowVersion &version : versions)
            seqs.append(version.seq);
        QCOMPARE(seqs, (QList<qint64>{1, 4, 5, 7, 9}));
        QCOMPARE(versions[0].rowAfterJson(), QByteArray("{\"id\":42,\"amount\":1.50,\"doc\":\"long text\"}"));
        QCOMPARE(versions[1].origin, QStringLiteral("travel"));
        // Carried over from seq 4, which arrived after seq 5: recomputed when it came.
        QCOMPARE(versions[2].rowAfterJson(), QByteArray("{\"id\":42,\"amount\":2.50,\"doc\":\"longer text\"}"));
        // The update sent no old values; the timeline knows them from seq 4.
        QCOMPARE(versions[2].change.summary(),
                 QStringLiteral("update public.orders id=42: id=42, amount=2.50 (old values not sent)"));
        QCOMPARE(versions[2].describe(), QStringLiteral("update public.orders id=42: amount 2.00 → 2.50"));
        QCOMPARE(versions[2].changedColumns, QStringList{QStringLiteral("amount")}); // doc was carried over
        QCOMPARE(versions[0].describe(), versions[0].change.summary());              // nothing before it
        QCOMPARE(versions[4].describe(), versions[4].change.summary());              // re-inserted after a delete
        QVERIFY(versions[3].rowAfterJson().isEmpty());                               // deleted
        QCOMPARE(versions[4].rowAfterJson(), QByteArray("{\"id\":42,\"amount\":9}"));
    }

    void debeziumAndSupabaseRowsAndLooseNames()
    {
        RowTimeline timeline({QStringLiteral("items"), QStringLiteral("id = \"A-1\"")});
        QVERIFY(timeline.offer(QStringLiteral("inv"), 1, 1,
                               "{\"before\":null,\"after\":{\"id\":\"A-1\",\"qty\":1},"
                               "\"source\":{\"schema\":\"inventory\",\"table\":\"items\"},\"op\":\"c\"}",
                               QStringLiteral("capture a.jsonl")));
        QVERIFY(timeline.offer(QStringLiteral("inv"), 2, 2,
                               "{\"type\":\"UPDATE\",\"schema\":\"public\",\"table\":\"items\","
                               "\"record\":{\"id\":\"A-1\",\"qty\":3},\"old_record\":{\"id\":\"A-1\"}}",
                               QStringLiteral("live")));
        QCOMPARE(timeline.versions().size(), 2);
        QCOMPARE(timeline.versions()[1].rowAfterJson(), QByteArray("{\"id\":\"A-1\",\"qty\":3}"));
        QVERIFY(!timeline.offer(QStringLiteral("inv"), 3, 3, "{\"n\":1}", QStringLiteral("live")));
    }
};

QTEST_GUILESS_MAIN(TestRowHistory)
#include "tst_rowhistory.moc"

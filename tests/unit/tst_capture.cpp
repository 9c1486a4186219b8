// Captures: export in the wire shape, read back byte for byte, ranges, and bad lines.
#include "store/Capture.h"
#include "store/EventStore.h"

#include <QTest>

using namespace cdc;

class TestCapture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exportIsTheWireShapeInMergedOrder()
    {
        EventStore store({});
        qint64 now = 1'000;
        store.setClock([&now] { return now; });
        store.append({{QStringLiteral("b"), R"({"k":1})"}, {QStringLiteral("a"), R"({"k":2})"}});
        now = 2'000;
        store.append({{QStringLiteral("a"), R"({"k":3})"}});
        const QList<QByteArray> lines = exportCapture(store, {}, {}).split('\n');
        QCOMPARE(lines.size(), 4); // three lines and the empty rest after the last newline
        QCOMPARE(lines[0], QByteArray(R"({"organization_id":"a","data":{"seq":1,"ts_ms":1000,"payload":{"k":2}}})"));
        QCOMPARE(lines[1], QByteArray(R"({"organization_id":"b","data":{"seq":1,"ts_ms":1000,"payload":{"k":1}}})"));
        QCOMPARE(lines[2], QByteArray(R"({"organization_id":"a","data":{"seq":2,"ts_ms":2000,"payload":{"k":3}}})"));
        QVERIFY(lines[3].isEmpty());
    }

    void rangesCutBothEnds()
    {
        EventStore store({});
        qint64 now = 0;
        store.setClock([&now] { return now; });
        for (int i = 1; i <= 10; ++i) {
            now = i * 100;
            store.append({{QStringLiteral("r"), QByteArray::number(i)}});
        }
        const auto count = [&](const CaptureRange &range) {
            return exportCapture(store, {QStringLiteral("r")}, range).count('\n');
        };
        QCOMPARE(count({}), 10);
        QCOMPARE(count({.sinceSeq = 3}), 7);
        QCOMPARE(count({.sinceSeq = 3, .untilSeq = 5}), 2);
        QCOMPARE(count({.sinceTsMs = 500, .untilTsMs = 800}), 3); // ts 500, 600, 700
    }

    // Read a page at a time (as GET /export streams it), a capture is the same lines in the same
    // order; events appended meanwhile are not in it, and events evicted meanwhile are skipped.
    void pagesMakeTheSameCapture()
    {
        EventStore store({});
        qint64 now = 0;
        store.setClock([&now] { return now; });
        for (int i = 1; i <= 300; ++i) {
            now = i / 7 * 10; // several events share a time, across channels
            store.append({{QStringLiteral("c%1").arg(i % 4), R"({"n":)" + QByteArray::number(i) + "}"}});
        }
        for (const CaptureRange &range : {CaptureRange{}, CaptureRange{.sinceSeq = 20, .untilTsMs = 300}}) {
            const QByteArray whole = exportCapture(store, {}, range);
            CaptureCursor cursor(store, {}, range);
            QByteArray paged;
            int pages = 0;
            for (QByteArray page = cursor.nextPage(store, 500); !page.isEmpty(); page = cursor.nextPage(store, 500)) {
                QVERIFY(page.endsWith('\n'));
                paged.append(page);
                ++pages;
                // Appended after the cursor began: not part of this capture.
                store.append({{QStringLiteral("c1"), R"({"late":true})"}});
            }
            QVERIFY(pages > 5);
            QCOMPARE(paged, whole.left(paged.size()));
            QCOMPARE(paged.size(), whole.size());
        }
    }

    void aLineReadsBackByteForByte()
    {
        const QByteArray payload = R"({"z":1,"a":[1.5,"x y",null,{"n":9007199254740993}]})";
        const QByteArray line =
            R"({"organization_id":"orders","data":{"seq":7,"ts_ms":1700000000000,"payload":)" + payload + "}}\n";
        const auto parsed = parseCaptureLine(line);
        const auto *event = std::get_if<CapturedEvent>(&parsed);
        QVERIFY(event);
        QCOMPARE(event->channel, QStringLiteral("orders"));
        QCOMPARE(event->tsMs, 1'700'000'000'000);
        QCOMPARE(event->payload, payload);
    }

    // A line another tool wrote: members in any order and spaced out; the payload keeps its key
    // order and digits, and loses only the whitespace between tokens.
    void aHandWrittenLineKeepsItsPayloadAsWritten()
    {
        const auto parsed = parseCaptureLine(
            R"({ "data": { "ts_ms": 5, "payload": { "b": 2, "a": 1.50, "n": 123456789012345678901234567890 } }, "organization_id": "x" })");
        QCOMPARE(std::get<CapturedEvent>(parsed).payload,
                 QByteArray(R"({"b":2,"a":1.50,"n":123456789012345678901234567890})"));
        QCOMPARE(std::get<CapturedEvent>(parsed).tsMs, 5);
    }

    void badLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("not json") << QByteArray("{oops") << QStringLiteral("not valid JSON");
        QTest::newRow("no channel") << QByteArray(R"({"data":{"ts_ms":1,"payload":1}})")
                                    << QStringLiteral("organization_id");
        QTest::newRow("no payload") << QByteArray(R"({"organization_id":"a","data":{"ts_ms":1}})")
                                    << QStringLiteral("data.payload");
        QTest::newRow("no ts") << QByteArray(R"({"organization_id":"a","data":{"payload":1}})")
                               << QStringLiteral("data.ts_ms");
    }

    void badLines()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, messagePart);
        const auto parsed = parseCaptureLine(line);
        const auto *error = std::get_if<QString>(&parsed);
        QVERIFY(error);
        QVERIFY2(error->contains(messagePart), qPrintable(*error));
    }
};

QTEST_GUILESS_MAIN(TestCapture)
#include "tst_capture.moc"

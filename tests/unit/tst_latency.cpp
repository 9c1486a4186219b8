// Where the time went, piece by piece: the histogram's buckets and quantiles, the commit time read
// from each payload shape, a delivery thread's bookkeeping and the engine's book that joins them.

#include "latency/LatencyBook.h"
#include "net/DeliveryLatency.h"
#include "protocol/CommitTime.h"
#include "store/StoredEvent.h"

#include <QTest>

#include <cmath>

using namespace cdc;

namespace {

// A stored event as the store makes it, enough for the book: seq, ts_ms and the payload's bytes.
StoredEvent storedEvent(qint64 seq, qint64 tsMs, const QByteArray &payload)
{
    StoredEvent event;
    event.seq = seq;
    event.tsMs = tsMs;
    event.wire = "{\"payload\":" + payload + "}}";
    event.jsonOffset = 0;
    event.payloadOffset = 11;
    return event;
}

constexpr qint64 t0 = 1'796'000'000'000; // a ms timestamp in 2026

} // namespace

class TestLatency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bucketsCoverEveryValueInOrder()
    {
        int previous = -1;
        for (qint64 us :
             std::initializer_list<qint64>{0, 1, 2, 3, 4, 5, 7, 8, 100, 1000, 1001, 65536, 10000000, qint64(1) << 32}) {
            const int bucket = LatencyHistogram::bucketOf(us);
            QVERIFY2(bucket >= previous, qPrintable(QString::number(us)));
            QVERIFY(LatencyHistogram::lowerBound(bucket) <= us);
            QVERIFY(us < LatencyHistogram::upperBound(bucket));
            previous = bucket;
        }
        // Each bucket's width is at most a quarter of its lower bound: quantiles within 12%.
        for (int bucket = 4; bucket < LatencyHistogram::bucketCount; ++bucket) {
            const qint64 width = LatencyHistogram::upperBound(bucket) - LatencyHistogram::lowerBound(bucket);
            QVERIFY(width * 4 <= LatencyHistogram::lowerBound(bucket));
            QCOMPARE(LatencyHistogram::lowerBound(bucket), LatencyHistogram::upperBound(bucket - 1));
        }
        QCOMPARE(LatencyHistogram::bucketOf(-5), 0);                // a clock step back counts as no wait
        QCOMPARE(LatencyHistogram::bucketOf(qint64(1) << 50), 127); // hours count in the last bucket
    }

    void quantilesAreWithinTheBucketWidth()
    {
        LatencyHistogram samples;
        QCOMPARE(samples.quantileMs(0.5), 0.0);
        for (int i = 1; i <= 100; ++i)
            samples.record(i * 1000); // 1 ms … 100 ms
        QCOMPARE(samples.count(), 100);
        const double p50 = samples.quantileMs(0.50);
        const double p99 = samples.quantileMs(0.99);
        QVERIFY2(std::abs(p50 - 50) <= 50 * 0.125, qPrintable(QString::number(p50)));
        QVERIFY2(std::abs(p99 - 99) <= 99 * 0.125, qPrintable(QString::number(p99)));

        RecentLatency recent;
        recent.add(samples);
        recent.rotate();
        QCOMPARE(recent.window().count(), 100); // the period before still counts
        recent.record(5000);
        QCOMPARE(recent.window().count(), 101);
        recent.rotate();
        QCOMPARE(recent.window().count(), 1); // two periods on, the first is gone
        recent.rotate();
        QVERIFY(recent.isEmpty());
        QCOMPARE(recent.total(), 101);
    }

    void fewBucketsAndTheFullArrayGiveTheSameFigures()
    {
        // Samples in up to four buckets are counted in place, the fifth brings the full array: the
        // quantiles, counts and merges are the same either way, in whatever order they come.
        const std::vector<qint64> samples{90'000, 3, 90'500, 70'000, 3, 1'200'000, 70'100, 15, 2, 90'000};
        for (size_t kept = 1; kept <= samples.size(); ++kept) {
            LatencyHistogram recorded;
            for (size_t i = 0; i < kept; ++i)
                recorded.record(samples[i], qint64(i + 1));
            // The same samples one bucket at a time into the full array (a histogram past four
            // buckets), then the rest of its buckets taken out again by a larger merge.
            LatencyHistogram merged;
            LatencyHistogram halves[2];
            for (size_t i = 0; i < kept; ++i)
                halves[i % 2].record(samples[i], qint64(i + 1));
            merged.add(halves[0]);
            merged.add(halves[1]);
            LatencyHistogram copied = merged;
            QCOMPARE(recorded.count(), merged.count());
            QCOMPARE(copied.count(), merged.count());
            for (const double quantile : {0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0}) {
                QCOMPARE(recorded.quantileMs(quantile), merged.quantileMs(quantile));
                QCOMPARE(copied.quantileMs(quantile), merged.quantileMs(quantile));
            }
        }
        // A sample seen twice counts twice, in place or not.
        LatencyHistogram few;
        few.record(1000);
        few.record(1001);
        QCOMPARE(few.count(), 2);
        QCOMPARE(few.quantileMs(1.0), few.quantileMs(0.01));
        few.clear();
        QVERIFY(few.isEmpty());
        QCOMPARE(few.quantileMs(0.5), 0.0);
    }

    void commitTimeIsReadFromEachShape_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<qint64>("commitMs"); // -1: none
        const QByteArray ms = QByteArray::number(t0);
        QTest::newRow("cdcscope/athena") << QByteArray("{\"op\":\"insert\",\"commit_ts_ms\":" + ms + ",\"new\":{}}")
                                         << t0;
        QTest::newRow("debezium source") << QByteArray("{\"op\":\"c\",\"ts_ms\":" + QByteArray::number(t0 + 90) +
                                                       ",\"source\":{\"ts_ms\":" + ms + ",\"table\":\"t\"}}")
                                         << t0;
        QTest::newRow("debezium with schema")
            << QByteArray("{\"schema\":{},\"payload\":{\"op\":\"u\",\"source\":{\"ts_ms\":" + ms + "}}}") << t0;
        QTest::newRow("ts_ms of a publisher") << QByteArray("{\"ts_ms\":" + ms + ".5,\"x\":1}") << t0;
        QTest::newRow("supabase micros")
            << QByteArray("{\"type\":\"INSERT\",\"commit_timestamp\":\"2026-11-30T12:00:00.123456+00:00\"}")
            << qint64(1796040000123);
        QTest::newRow("supabase Z") << QByteArray("{\"commit_timestamp\":\"2026-11-30T12:00:00Z\"}")
                                    << qint64(1796040000000);
        QTest::newRow("past any integer") << QByteArray("{\"commit_ts_ms\":0.7960639e52}") << qint64(-1);
        QTest::newRow("exponent in range") << QByteArray("{\"commit_ts_ms\":1.796e12}") << qint64(1796000000000);
        QTest::newRow("seconds are not ms") << QByteArray("{\"ts_ms\":1796000000}") << qint64(-1);
        QTest::newRow("text is not a time") << QByteArray("{\"commit_ts_ms\":\"soon\"}") << qint64(-1);
        QTest::newRow("none") << QByteArray("{\"op\":\"insert\",\"new\":{\"id\":1}}") << qint64(-1);
        QTest::newRow("nested elsewhere") << QByteArray("{\"row\":{\"ts_ms\":" + ms + "}}") << qint64(-1);
        QTest::newRow("an array") << QByteArray("[{\"ts_ms\":" + ms + "}]") << qint64(-1);
    }

    void commitTimeIsReadFromEachShape()
    {
        QFETCH(QByteArray, payload);
        QFETCH(qint64, commitMs);
        const std::optional<qint64> read = readCommitTimeMs(payload);
        QCOMPARE(read.value_or(-1), commitMs);
    }

    void aDeliveryThreadCountsPerChannelAndClient()
    {
        DeliveryLatency lane;
        const ChannelKey orders = lane.acquire(QStringLiteral("orders"));
        ConnectionLatency connection;
        const qint64 sentUs = (t0 + 3) * 1000 + 250;
        for (qint64 seq = 1; seq <= 4; ++seq)
            connection.queued({seq, seq < 4 ? t0 : t0 + 1, orders}); // two runs: 1-3 and 4
        QCOMPARE(connection.oldestQueuedTsMs(), t0);
        for (int frame = 0; frame < 2; ++frame)
            connection.written(1);
        connection.settle(sentUs, lane); // one write: 1-2
        connection.written(1);
        connection.settle(sentUs, lane); // the same moment: one record 1-3
        QCOMPARE(connection.oldestQueuedTsMs(), t0 + 1);
        connection.written(1);
        connection.settle(sentUs + 900, lane);
        QCOMPARE(connection.oldestQueuedTsMs(), qint64(0));
        LatencyReport report;
        report.clients.push_back(connection.report(7, 0, lane));
        lane.collectChannels(report);
        const LatencyReport::Client &client = report.clients.front();
        QCOMPARE(client.storedToSent.count(), 4);
        QCOMPARE(client.newWrites.size(), std::size_t(2));
        QCOMPARE(client.newWrites[0].firstSeq, 1);
        QCOMPARE(client.newWrites[0].lastSeq, 3);
        QCOMPARE(client.newWrites[0].sentUs, sentUs);
        QCOMPARE(client.newWrites[1].channel, QStringLiteral("orders"));
        QCOMPARE(report.channels.size(), std::size_t(1));
        QCOMPARE(report.channels[0].storedToSent.count(), 4);

        // Reported samples and writes are not reported again.
        const LatencyReport::Client again = connection.report(7, 0, lane);
        QCOMPARE(again.storedToSent.count(), 0);
        QVERIFY(again.newWrites.empty());
        // Then an idle connection has nothing to report, until its wait changes.
        QVERIFY(!connection.hasNews(0));
        QVERIFY(connection.hasNews(250));

        // Frames dropped unsent (a closing connection) leave nothing behind.
        ConnectionLatency closing;
        for (qint64 seq = 1; seq <= 3; ++seq)
            closing.queued({seq, t0, orders});
        closing.written(1);
        closing.settle(sentUs, lane);
        closing.dropNewest(1);
        closing.dropNewest(1);
        QCOMPARE(closing.oldestQueuedTsMs(), qint64(0));

        // A block of frames (a batch's events of one channel, one queue entry): queued as runs in one
        // call, written together, dropped together.
        ConnectionLatency block;
        block.queued({{10, t0, orders}, 5});
        block.queued({{15, t0 + 2, orders}, 3}); // another ts_ms: another run
        block.written(8);
        block.settle(sentUs, lane);
        const LatencyReport::Client blocked = block.report(8, 0, lane);
        QCOMPARE(blocked.storedToSent.count(), 8);
        QCOMPARE(blocked.newWrites.size(), std::size_t(1)); // one write: one record, whatever the runs
        QCOMPARE(blocked.newWrites[0].firstSeq, 10);
        QCOMPARE(blocked.newWrites[0].lastSeq, 17);
        block.queued({{18, t0, orders}, 4});
        block.queued({{22, t0 + 1, orders}, 2});
        block.dropNewest(6);
        QCOMPARE(block.oldestQueuedTsMs(), qint64(0));

        // A channel whose last subscriber left: frames still queued for it count for their client only,
        // also when its slot is taken by another channel.
        lane.release(orders);
        const ChannelKey audit = lane.acquire(QStringLiteral("audit"));
        QCOMPARE(audit.slot, orders.slot);
        connection.queued({5, t0, orders});
        connection.written(1);
        connection.settle(sentUs, lane);
        LatencyReport later;
        later.clients.push_back(connection.report(7, 0, lane));
        lane.collectChannels(later);
        QCOMPARE(later.clients[0].storedToSent.count(), 1);
        QVERIFY(later.channels.empty());
        for (const SentRange &write : later.clients[0].newWrites)
            QCOMPARE(write.channel, QStringLiteral("orders")); // never labelled "audit"
    }

    void writesCrossOnceAndTheBookKeepsEachClientsLast()
    {
        // 100 single-event writes over several reports (a connection reports only what is new),
        // then a burst of 200 before one report: the book ends with the client's last 64 writes,
        // and the events they cover say when they went out.
        DeliveryLatency lane;
        const ChannelKey orders = lane.acquire(QStringLiteral("orders"));
        ConnectionLatency connection;
        LatencyBook book;
        book.addClient(3);
        const auto writeEvent = [&](qint64 seq) {
            book.stored(QStringLiteral("orders"), storedEvent(seq, t0, "{}"), true);
            connection.queued({seq, t0, orders});
            connection.written(1);
            connection.settle((t0 + seq) * 1000, lane);
        };
        const auto reportToBook = [&] {
            LatencyReport report;
            report.clients.push_back(connection.report(3, 0, lane));
            book.merge(report);
            return report.clients.front().newWrites.size();
        };
        qint64 seq = 0;
        for (int report = 0; report < 10; ++report) {
            for (int write = 0; write < 10; ++write)
                writeEvent(++seq);
            QCOMPARE(reportToBook(), std::size_t(10));
        }
        QCOMPARE(reportToBook(), std::size_t(0));
        for (int write = 0; write < 200; ++write)
            writeEvent(++seq);
        QCOMPARE(reportToBook(), LatencyReport::keptWrites);

        const std::vector<EventTimes> events = book.recentEvents(QStringLiteral("orders"));
        QCOMPARE(events.size(), LatencyBook::keptEvents);
        qsizetype withTimes = 0;
        for (const EventTimes &event : events) {
            if (event.sent.empty())
                continue;
            ++withTimes;
            QCOMPARE(event.sent.size(), std::size_t(1));
            QCOMPARE(event.sent[0].sentUs, (t0 + event.seq) * 1000);
            QVERIFY(event.seq > seq - qint64(LatencyReport::keptWrites));
        }
        QCOMPARE(withTimes, qsizetype(LatencyReport::keptWrites));
    }

    void theBookJoinsStoredEventsWithTheirWrites()
    {
        LatencyBook book;
        book.addClient(1);
        book.addClient(2);
        const QByteArray payload = "{\"commit_ts_ms\":" + QByteArray::number(t0) + "}";
        for (qint64 seq = 1; seq <= 3; ++seq)
            book.stored(QStringLiteral("orders"), storedEvent(seq, t0 + 4, payload), true);
        book.stored(QStringLiteral("orders"), storedEvent(4, t0 + 5, "{\"x\":1}"), true);
        // A channel nobody watches: its commit→stored counts, its events' times are not kept.
        book.stored(QStringLiteral("quiet"), storedEvent(1, t0 + 2, payload), false);

        LatencyReport report;
        LatencyReport::Client first;
        first.id = 1;
        first.storedToSent.record(500);
        first.newWrites = {{QStringLiteral("orders"), 1, 4, (t0 + 6) * 1000}};
        LatencyReport::Client second;
        second.id = 2;
        second.waitingMs = 2500;
        second.newWrites = {{QStringLiteral("orders"), 2, 2, (t0 + 7) * 1000}};
        LatencyReport::Client gone;
        gone.id = 9; // finished before its report arrived: not brought back
        report.clients = {first, second, gone};
        LatencyHistogram channelSent;
        channelSent.record(500);
        report.channels.push_back({QStringLiteral("orders"), channelSent});
        book.merge(report);

        const std::vector<EventTimes> events = book.recentEvents(QStringLiteral("orders"));
        QCOMPARE(events.size(), std::size_t(4));
        QCOMPARE(events[0].commitMs.value_or(-1), t0);
        QVERIFY(!events[3].commitMs);
        QCOMPARE(events[0].sent.size(), std::size_t(1));
        QCOMPARE(events[1].sent.size(), std::size_t(2));
        QCOMPARE(events[1].sent[0].sentUs + events[1].sent[1].sentUs, (t0 + 6) * 1000 + (t0 + 7) * 1000);
        QVERIFY(book.recentEvents(QStringLiteral("quiet")).empty());

        QCOMPARE(book.commitToStored(QStringLiteral("orders")).count, 3);
        QCOMPARE(book.commitToStored(QStringLiteral("quiet")).count, 1);
        QVERIFY(std::abs(book.commitToStored(QStringLiteral("orders")).p50Ms - 4) <= 0.5);
        QCOMPARE(book.storedToSent(QStringLiteral("orders")).count, 1);
        QCOMPARE(book.clientStoredToSent(1).count, 1);
        QCOMPARE(book.clientWaitingMs(2), 2500);
        QVERIFY(book.clientWaitingMs(2) >= LatencyBook::fallingBehindMs);
        QCOMPARE(book.clientStoredToSent(9).count, 0);
        QCOMPARE(book.channels(), (QStringList{QStringLiteral("orders"), QStringLiteral("quiet")}));

        // Two quiet periods later the channels have nothing left and are gone; a client stays until it leaves.
        book.stored(QStringLiteral("orders"), storedEvent(5, t0 + 6, "{}"), false);
        book.rotate();
        book.rotate();
        QVERIFY(book.channels().isEmpty());
        QVERIFY(book.recentEvents(QStringLiteral("orders")).empty());
        book.forgetClient(2);
        QCOMPARE(book.clientWaitingMs(2), 0);
    }

    // A publisher spraying channels with commit times: the book measures at most maxChannels at once
    // and takes new ones again once quiet ones have left the window.
    void theBookMeasuresABoundedNumberOfChannels()
    {
        LatencyBook book;
        const QByteArray payload = "{\"commit_ts_ms\":" + QByteArray::number(t0) + "}";
        const auto spray = [&](const QString &prefix, qsizetype count) {
            for (qsizetype i = 0; i < count; ++i)
                book.stored(prefix + QString::number(i), storedEvent(1, t0 + 1, payload), false);
        };
        spray(QStringLiteral("a"), qsizetype(LatencyBook::maxChannels) + 500);
        QCOMPARE(book.channels().size(), qsizetype(LatencyBook::maxChannels));
        QCOMPARE(book.commitToStored(QStringLiteral("a0")).count, 1);
        QCOMPARE(book.commitToStored(QStringLiteral("a10200")).count, 0);
        book.rotate();
        book.rotate();
        spray(QStringLiteral("b"), 3);
        QCOMPARE(book.channels().size(), qsizetype(3));
    }
};

QTEST_GUILESS_MAIN(TestLatency)
#include "tst_latency.moc"

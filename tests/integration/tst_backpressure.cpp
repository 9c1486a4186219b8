// A client that stops reading is cut off at the bound (1008, with a reason) while its memory stays
// bounded and every other client keeps receiving everything.
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"
#include "net/SessionHub.h"

#include <QTest>
#include <QtEndian>

using namespace cdc;

class TestBackpressure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void slowConsumerIsCutOffOthersMissNothing()
    {
        // The bound has to exceed the largest burst one publish delivers at once (here 80 KiB);
        // the flood (32 MiB) has to exceed the bound plus what the kernel's socket buffers absorb.
        constexpr qint64 bound = 1024 * 1024;
        constexpr int batches = 400;
        constexpr int perBatch = 10;
        ServerConfig config;
        config.maxQueuedBytesPerClient = bound;
        auto server = startTestServer(config);

        TestWsClient fast(server->port(), QStringLiteral("flood"));
        QVERIFY(fast.waitForMessages(1));
        auto slow = rawWebSocket(server->port(), "flood");
        QVERIFY(slow);
        slow->setReadBufferSize(1); // stop reading: the kernel buffers fill, then the server's queue
        QTRY_COMPARE(server->sessions().sessionCount(), 2);
        WsSession *slowSession = server->sessions().sessions().back();

        const QByteArray payload = '"' + QByteArray(8 * 1024, 'x') + '"';
        qint64 largestBacklog = 0;
        int published = 0;
        // Publishing stops at the cut, so the test reads the close frame well within the grace
        // period the server gives a cut-off peer before dropping the connection.
        for (int b = 0; b < batches && server->metrics().slowConsumerDisconnects == 0; ++b) {
            PublishBatch batch;
            for (int i = 0; i < perBatch; ++i)
                batch.append({QStringLiteral("flood"), payload});
            server->publish(batch);
            published += perBatch;
            if (server->sessions().sessionCount() == 2 && !slowSession->isClosing())
                largestBacklog = std::max(largestBacklog, slowSession->queuedBytes());
            QTest::qWait(5); // let the fast client read
        }

        QCOMPARE(server->metrics().slowConsumerDisconnects, 1);
        // The bound held: the queue never passed it by more than the frame that crossed it, plus
        // what the socket itself holds (at most 256 KiB and a frame).
        QVERIFY2(largestBacklog <= bound + 256 * 1024 + 2 * (payload.size() + 128),
                 qPrintable(QString::number(largestBacklog)));

        // The slow client, once it reads again, finds the close frame with 1008 and a reason.
        slow->setReadBufferSize(0);
        QByteArray buffer;
        QPair<int, QByteArray> closeFrame{-1, {}};
        QVERIFY(QTest::qWaitFor(
            [&] {
                buffer.append(slow->readAll());
                for (const auto &frame : takeWebSocketFrames(buffer))
                    if (frame.first == 0x8)
                        closeFrame = frame;
                return closeFrame.first == 0x8;
            },
            10000));
        QCOMPARE(qFromBigEndian<quint16>(closeFrame.second.constData()), quint16(1008));
        QVERIFY2(closeFrame.second.mid(2).contains("slow consumer"), closeFrame.second.mid(2).constData());

        // The fast client got every event, in order.
        // Publishing goes on after the cut; the fast client keeps receiving.
        for (int b = 0; b < 20; ++b) {
            PublishBatch batch;
            for (int i = 0; i < perBatch; ++i)
                batch.append({QStringLiteral("flood"), payload});
            server->publish(batch);
            published += perBatch;
            QTest::qWait(5);
        }
        QVERIFY(fast.waitForMessages(1 + published, 20000));
        QList<qint64> expected;
        for (qint64 seq = 1; seq <= published; ++seq)
            expected.append(seq);
        QCOMPARE(fast.eventSeqs(), expected);
        QVERIFY(fast.isConnected());
        QTRY_COMPARE(server->sessions().sessionCount(), 1);
        QVERIFY(httpGet(server->port(), "/metrics").body.contains("cdcscope_slow_consumer_disconnects_total 1"));
    }

    // Before the cut: a client whose events wait is marked falling behind (the window's Clients view,
    // /clients, /metrics), and unmarked once it reads again; the one keeping up never is.
    void aClientFallingBehindIsMarkedUntilItCatchesUp()
    {
        ServerConfig config;
        config.maxQueuedBytesPerClient = qint64(256) << 20; // no cut in this test
        auto server = startTestServer(config);
        TestWsClient fast(server->port(), QStringLiteral("lag"));
        QVERIFY(fast.waitForMessages(1));
        auto slow = rawWebSocket(server->port(), "lag");
        QVERIFY(slow);
        slow->setReadBufferSize(1);
        QTRY_COMPARE(server->sessions().sessionCount(), 2);
        const WsSession *slowSession = server->sessions().sessions().back();

        // Until the kernel's buffers are full and events wait in the server's queue.
        const QByteArray payload = '"' + QByteArray(8 * 1024, 'y') + '"';
        int published = 0;
        while (slowSession->queuedBytes() < (qint64(1) << 20) && published < 20000) {
            PublishBatch batch;
            for (int i = 0; i < 10; ++i)
                batch.append({QStringLiteral("lag"), payload});
            server->publish(batch);
            published += 10;
            QTest::qWait(2);
        }
        QVERIFY(fast.waitForMessages(1 + published, 20000));
        const auto behind = [&](quint64 session) {
            for (const ClientStats &client : server->sessions().clientStats())
                if (client.sessionId == session)
                    return client.fallingBehind();
            return false;
        };
        const quint64 fastId = server->sessions().sessions().front()->id();
        QTRY_VERIFY_WITH_TIMEOUT(behind(slowSession->id()), 5000);
        QVERIFY(!behind(fastId));
        const QByteArray clients = httpGet(server->port(), "/clients").body;
        QVERIFY2(clients.contains("\"falling_behind\":true"), clients.constData());
        QVERIFY2(clients.contains("\"falling_behind\":false"), clients.constData());
        QVERIFY(httpGet(server->port(), "/metrics").body.contains("cdcscope_clients_falling_behind 1"));

        // It reads everything: nothing waits any more, and the mark goes.
        slow->setReadBufferSize(0);
        QObject::connect(slow.get(), &QIODevice::readyRead, slow.get(), [&] { slow->readAll(); });
        slow->readAll();
        QTRY_VERIFY_WITH_TIMEOUT(!behind(slowSession->id()), 10000);
        QVERIFY(httpGet(server->port(), "/metrics").body.contains("cdcscope_clients_falling_behind 0"));
    }

    void aClientThatAsksWithoutReadingTheAnswersIsCutOff()
    {
        // Every junk message earns an error frame; a client that never reads them must not grow the
        // server's queue without end. 150 000 answers of ~110 bytes pass any kernel buffering.
        ServerConfig config;
        config.maxQueuedBytesPerClient = 64 * 1024;
        auto server = startTestServer(config);
        auto greedy = rawWebSocket(server->port(), "greedy");
        QVERIFY(greedy);
        greedy->setReadBufferSize(1);
        greedy->write(maskedClientFrame(0x81, "x").repeated(150'000));
        QTRY_COMPARE_WITH_TIMEOUT(server->metrics().slowConsumerDisconnects, qint64(1), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(server->sessions().sessionCount(), 0, 10000);
    }

    void aLargeReplayDoesNotCountAsSlowness()
    {
        // 50 000 replayed events are far more than the bound, but a client that reads them is fine.
        ServerConfig config;
        config.maxQueuedBytesPerClient = 64 * 1024;
        auto server = startTestServer(config);
        PublishBatch batch;
        for (int i = 0; i < 50'000; ++i)
            batch.append({QStringLiteral("replay"), QByteArray::number(i)});
        server->publish(batch);
        TestWsClient client(server->port(), QStringLiteral("replay"));
        QVERIFY(client.waitForMessages(1));
        client.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                         {QStringLiteral("since_seq"), 0},
                         {QStringLiteral("limit"), 50'000}});
        QVERIFY(!client.waitForStatus(QStringLiteral("travel_complete"), 1, 30000).isEmpty());
        QCOMPARE(client.events().size(), 50'000);
        QVERIFY(client.isConnected());
        QCOMPARE(server->metrics().slowConsumerDisconnects, 0);
    }

    void travelsPilingUpAreRefused()
    {
        ServerConfig config;
        config.travel.maxLimit = 1'000; // at most 2 000 replay frames may wait per client
        auto server = startTestServer(config);
        PublishBatch batch;
        for (int i = 0; i < 1'000; ++i)
            batch.append({QStringLiteral("pile"), '"' + QByteArray(1024, 'p') + '"'});
        server->publish(batch);
        auto reader = rawWebSocket(server->port(), "pile");
        QVERIFY(reader);
        reader->setReadBufferSize(1);
        // Masked client text frames asking for travel, sent without reading anything back.
        const QByteArray travel = R"({"type":"travel","since_seq":0})";
        QByteArray frame;
        frame.append(char(0x81)).append(char(0x80 | travel.size())).append(QByteArray(4, '\0')).append(travel);
        for (int i = 0; i < 10; ++i)
            reader->write(frame);
        QVERIFY(
            QTest::qWaitFor([&] { return server->metrics().errors.value(QStringLiteral("travel_busy")) > 0; }, 10000));
        QVERIFY(server->metrics().travels < 10);
        QCOMPARE(server->sessions().sessionCount(), 1); // refused, not disconnected
    }
};

QTEST_GUILESS_MAIN(TestBackpressure)
#include "tst_backpressure.moc"

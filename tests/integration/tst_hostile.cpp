// Hostile and broken peers: garbage and truncated heads, slowloris, frames arriving byte by byte,
// invalid UTF-8 in text frames. Each is answered per the rules, nothing crashes, and a well-behaved
// client beside them receives everything. (The sanitizer run adds LeakSanitizer to all of it.)
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"
#include "net/SessionHub.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTest>

using namespace cdc;

namespace {

// Reads frames from a raw WebSocket until `done` says so.
QList<QPair<int, QByteArray>> readFrames(QTcpSocket &socket,
                                         const std::function<bool(const QList<QPair<int, QByteArray>> &)> &done,
                                         int timeoutMs = 5000)
{
    QByteArray buffer;
    QList<QPair<int, QByteArray>> frames;
    (void)QTest::qWaitFor(
        [&] {
            buffer.append(socket.readAll());
            frames.append(takeWebSocketFrames(buffer));
            return done(frames);
        },
        timeoutMs);
    return frames;
}

} // namespace

class TestHostile : public QObject
{
    Q_OBJECT

    std::unique_ptr<CdcServer> m_server;
    std::unique_ptr<TestWsClient> m_bystander;
    qint64 m_published = 0;

    // The well-behaved client still gets every event.
    void bystanderStillServed()
    {
        m_server->publish({{QStringLiteral("calm"), QByteArray::number(++m_published)}});
        QVERIFY(m_bystander->waitForMessages(1 + m_published));
        QCOMPARE(m_bystander->eventSeqs().size(), m_published);
    }

private Q_SLOTS:
    void init()
    {
        ServerConfig config;
        config.headTimeout = std::chrono::milliseconds(500);
        m_server = startTestServer(config);
        m_bystander = std::make_unique<TestWsClient>(m_server->port(), QStringLiteral("calm"));
        QVERIFY(m_bystander->waitForMessages(1));
        m_published = 0;
    }

    void cleanup()
    {
        m_bystander.reset();
        m_server.reset();
    }

    void garbageGets400()
    {
        QByteArray garbage(2048, '\0');
        for (char &byte : garbage)
            byte = char(QRandomGenerator::global()->bounded(256));
        garbage.replace(0, 4, "\x01\x02\r\n"); // not a request line; not a TLS handshake either
        const HttpReply reply = rawHttp(m_server->port(), garbage + "\r\n\r\n");
        QCOMPARE(reply.status, 400);
        QVERIFY(reply.connectionClosed);
        bystanderStillServed();
    }

    void truncatedHeadsAndAbruptClosesAreHarmless()
    {
        for (const QByteArray &partial :
             {QByteArray("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nX-Athena"), QByteArray("POST /events HTTP/1.1\r\nHost: localhost\r\n"),
              QByteArray("POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"organization_id\":")}) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_server->port());
            QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 3000));
            socket.write(partial);
            QTest::qWait(50);
            socket.abort();
        }
        QTest::qWait(100);
        QCOMPARE(m_server->store().channelCount(), 0); // the half body published nothing
        bystanderStillServed();
    }

    void slowlorisGets408AtTheHeadTimeout()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 3000));
        const QByteArray head = "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + QByteArray(200, 'z') + "\r\n\r\n";
        QElapsedTimer elapsed;
        elapsed.start();
        QByteArray received;
        bool closed = false;
        connect(&socket, &QTcpSocket::disconnected, &socket, [&closed] { closed = true; });
        // One byte every 50 ms: the head would take 10 s; the server stops listening at 0.5 s.
        for (qsizetype i = 0; i < head.size() && !closed; ++i) {
            socket.write(head.mid(i, 1));
            QTest::qWait(50);
            received += socket.readAll();
        }
        received += socket.readAll();
        QVERIFY2(received.startsWith("HTTP/1.1 408"), received.constData());
        QVERIFY(closed);
        QVERIFY2(elapsed.elapsed() < 3000, qPrintable(QString::number(elapsed.elapsed())));
        bystanderStillServed();
    }

    void framesSplitByteByByteAreReassembled()
    {
        auto socket = rawWebSocket(m_server->port(), "splitter");
        QVERIFY(socket);
        const QByteArray frame = maskedClientFrame(0x81, R"({"type":"subscribe","organization_id":"calm"})");
        for (const char byte : frame) {
            socket->write(&byte, 1);
            socket->flush();
            QTest::qWait(2);
        }
        const auto frames = readFrames(*socket, [](const auto &got) {
            for (const auto &[opcode, payload] : got)
                if (payload.contains("\"organization_id\":\"calm\"") && payload.contains("subscription_count"))
                    return true;
            return false;
        });
        QVERIFY(!frames.isEmpty());
        bystanderStillServed();
    }

    void invalidUtf8InATextFrameCloses1007()
    {
        auto socket = rawWebSocket(m_server->port(), "broken");
        QVERIFY(socket);
        socket->write(maskedClientFrame(0x81, QByteArray("{\"type\":\"travel\",\"x\":\"\xC3\x28\xFF\"}")));
        const auto frames = readFrames(*socket, [](const auto &got) {
            for (const auto &[opcode, payload] : got)
                if (opcode == 0x8)
                    return true;
            return false;
        });
        int closeCode = 0;
        for (const auto &[opcode, payload] : frames)
            if (opcode == 0x8 && payload.size() >= 2)
                closeCode = (uchar(payload[0]) << 8) | uchar(payload[1]);
        QCOMPARE(closeCode, 1007);
        bystanderStillServed();
    }

    void aFrameFloodOfPingsAndJunkStaysBounded()
    {
        auto socket = rawWebSocket(m_server->port(), "noisy");
        QVERIFY(socket);
        QByteArray burst;
        for (int i = 0; i < 2000; ++i)
            burst += maskedClientFrame(0x81, QByteArray("not json " + QByteArray::number(i)));
        socket->write(burst);
        // Every junk frame is answered with an error frame; the connection stays open.
        const auto frames = readFrames(
            *socket, [](const auto &got) { return got.size() >= 2001; }, 10000); // greeting + 2000 errors
        QCOMPARE(frames.size(), 2001);
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
        bystanderStillServed();
    }

    void pingsAreAnsweredWithTheirPayloadEvenBetweenFragments()
    {
        auto socket = rawWebSocket(m_server->port(), "pinger");
        QVERIFY(socket);
        const QByteArray subscribe = R"({"type":"subscribe","organization_id":"calm"})";
        const QByteArray first = maskedClientFrame(0x01, subscribe.first(10)); // not final: fragmented
        const QByteArray last = maskedClientFrame(0x80, subscribe.sliced(10));
        socket->write(first + maskedClientFrame(0x89, "are you there") + last);
        const auto frames = readFrames(*socket, [](const auto &got) { return got.size() >= 3; });
        QCOMPARE(frames.size(), 3); // greeting, pong, then the answer to the reassembled message
        QCOMPARE(frames[1].first, 0xA);
        QCOMPARE(frames[1].second, QByteArray("are you there"));
        QVERIFY(frames[2].second.contains("subscription_count"));
        bystanderStillServed();
    }

    void aClientsCloseIsEchoedAndTheConnectionEnds()
    {
        auto socket = rawWebSocket(m_server->port(), "leaver");
        QVERIFY(socket);
        QTRY_COMPARE(m_server->sessions().sessionCount(), 2);
        socket->write(maskedClientFrame(0x88, QByteArray("\x0f\xa0"
                                                         "done",
                                                         6))); // 4000
        const auto frames =
            readFrames(*socket, [](const auto &got) { return !got.isEmpty() && got.back().first == 0x8; });
        QVERIFY(!frames.isEmpty());
        QCOMPARE(frames.back().first, 0x8);
        QCOMPARE(frames.back().second.left(2), QByteArray("\x0f\xa0", 2)); // the code, echoed
        // The server closes the TCP connection after the handshake, and forgets the client.
        QTRY_COMPARE(socket->state(), QAbstractSocket::UnconnectedState);
        QTRY_COMPARE(m_server->sessions().sessionCount(), 1);
        bystanderStillServed();
    }

    // Qt 6.4's QWebSocket closes with 1007 a text message whose valid UTF-8 is split inside a
    // character across fragments; RFC 6455 §8.1 judges the whole message. Ours accepts it.
    void aCharacterSplitAcrossFragmentsIsAccepted()
    {
        auto socket = rawWebSocket(m_server->port(), "fragments");
        QVERIFY(socket);
        socket->write(maskedClientFrame(0x01, "{\"type\":\"subscribe\",\"organization_id\":\"price\xe2"));
        socket->write(maskedClientFrame(0x80, "\x82\xac\"}"));
        const QByteArray answer = "{\"status\":\"subscribed\",\"organization_id\":\"price\xe2\x82\xac\"";
        const auto frames = readFrames(*socket, [&answer](const auto &got) {
            return !got.isEmpty() && (got.back().first != 0x1 || got.back().second.startsWith(answer));
        });
        QVERIFY(!frames.isEmpty());
        QCOMPARE(frames.back().first, 0x1); // not a close
        QVERIFY2(frames.back().second.startsWith(answer), frames.back().second.constData());
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
    }

    void anUnmaskedFrameCloses1002()
    {
        auto socket = rawWebSocket(m_server->port(), "unmasked");
        QVERIFY(socket);
        socket->write(QByteArray("\x81\x02hi", 4));
        const auto frames =
            readFrames(*socket, [](const auto &got) { return !got.isEmpty() && got.back().first == 0x8; });
        QVERIFY(!frames.isEmpty());
        QCOMPARE(frames.back().second.left(2), QByteArray("\x03\xea", 2)); // 1002
        QTRY_COMPARE(socket->state(), QAbstractSocket::UnconnectedState);
        bystanderStillServed();
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"

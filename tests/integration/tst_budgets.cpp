// What one client can make the server hold, measured on the real binary (its RSS from
// /proc/<pid>/status) while the abuse goes on: pipelined exports that are never read, request
// bodies declared large and sent slowly or without a token, WebSocket clients flooding messages,
// 1 000 subscribes, keyed batches. Each stays within its budget, /health is answered throughout,
// and what was acknowledged before is still there byte for byte.
#include "HeadlessProcess.h"
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace cdc;

namespace {

constexpr qint64 MiB = qint64(1) << 20;

// A client on a bare non-blocking descriptor: sends what the kernel takes from a buffer the test
// shares between many of them (so the test does not hold what it sends), reads only when asked.
class RawPeer
{
public:
    explicit RawPeer(quint16 port)
        : m_fd(::socket(AF_INET, SOCK_STREAM, 0))
    {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        m_connected = ::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    }
    ~RawPeer() { ::close(m_fd); }
    RawPeer(const RawPeer &) = delete;
    RawPeer &operator=(const RawPeer &) = delete;

    bool connected() const { return m_connected; }
    // Sends as much of `data` as the kernel takes now; the count (0 when it takes nothing, -1 once
    // the server has closed).
    qint64 sendSome(QByteArrayView data)
    {
        const ssize_t n = ::send(m_fd, data.data(), size_t(data.size()), MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    bool sendAll(QByteArrayView data, int timeoutMs = 5000)
    {
        qsizetype sent = 0;
        return QTest::qWaitFor(
            [&] {
                const qint64 n = sendSome(data.sliced(sent));
                sent += std::max<qint64>(n, 0);
                return sent == data.size() || n < 0;
            },
            timeoutMs) &&
               sent == data.size();
    }
    // Whatever has arrived, appended to received() (or only counted, when `keep` is false);
    // false once the server has closed or reset the connection.
    bool readSome(bool keep = true)
    {
        char buffer[64 * 1024];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                m_receivedBytes += n;
                if (keep)
                    m_received.append(buffer, n);
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                m_closed = true;
            return !m_closed;
        }
    }
    qint64 receivedBytes() const { return m_receivedBytes; }
    const QByteArray &received() const { return m_received; }
    bool closed() const { return m_closed; }

private:
    int m_fd;
    bool m_connected = false;
    bool m_closed = false;
    QByteArray m_received;
    qint64 m_receivedBytes = 0;
};

// A figure of /proc/<pid>/status, in bytes ("VmRSS", "VmHWM").
qint64 memoryOf(const HeadlessProcess &server, const char *field)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(server.process->processId()));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qstrlen(field) + 1).trimmed().split(' ').value(0).toLongLong() * 1024;
    return -1;
}

// Starts the server's peak (VmHWM) again from its current RSS, so the peak measures what follows.
qint64 restartPeak(const HeadlessProcess &server)
{
    QFile clearRefs(QStringLiteral("/proc/%1/clear_refs").arg(server.process->processId()));
    if (clearRefs.open(QIODevice::WriteOnly))
        clearRefs.write("5");
    return memoryOf(server, "VmRSS");
}

// Whether RSS figures mean what they say: under the sanitizers the process's memory is mostly
// theirs (shadow memory, ASan's quarantine of freed blocks), so the sanitizer runs set
// CDCSCOPE_TEST_RSS_BOUNDS=0 and check everything here but the figures.
bool rssBoundsApply()
{
    return qEnvironmentVariable("CDCSCOPE_TEST_RSS_BOUNDS") != u"0";
}

// `grown` bytes within `bound`, where the figures apply.
bool withinRss(qint64 grown, qint64 bound)
{
    return !rssBoundsApply() || grown < bound;
}

bool healthAnswered(quint16 port)
{
    return rawHttp(port, "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 5000).status == 200;
}

// A batch of `count` events of about `payloadBytes` each to `channel`.
QByteArray batchOf(const QString &channel, int count, int payloadBytes, int first = 0)
{
    QByteArray body = "[";
    const QByteArray filler(payloadBytes, 'p');
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            body += ',';
        body += R"({"organization_id":")" + channel.toUtf8() + R"(","data":{"n":)" + QByteArray::number(first + i) +
                R"(,"f":")" + filler + "\"}}";
    }
    return body + "]";
}

QByteArray exportOf(quint16 port, const QByteArray &channel)
{
    return httpGet(port, "/channels/" + channel + "/export").body;
}

} // namespace

class TestBudgets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The in-process servers come first: once the test process has started the binary (QProcess,
    // whose vfork ThreadSanitizer takes for a fork of this process), ThreadSanitizer refuses to
    // let it start the engine's threads.
    // A client that sends its whole body before it reads (Python's requests, say) still gets the
    // refusal it was given on the head: the body is read and dropped, not answered with a reset.
    void aRefusedBodyIsDrainedSoItsAnswerArrives()
    {
        auto loaded = AccessControl::parse(R"({"tokens":[{"name":"ci","token":"a-secret-of-enough-length"}]})");
        ServerConfig config;
        config.accessControl = std::get<std::shared_ptr<const AccessControl>>(loaded);
        auto server = startTestServer(config);
        Wire wire(server->port());
        wire.send("POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4194304\r\n\r\n" +
                  QByteArray(4 * MiB, 'x'));
        QVERIFY(wire.waitFor("\"code\":\"unauthorized\""));
        QVERIFY(wire.received.startsWith("HTTP/1.1 401 Unauthorized\r\n"));
        QVERIFY(wire.waitClosed()); // once all of it came
    }

    // A body that trickles is cut when its deadline passes, however long it keeps going.
    void aTricklingBodyIsCut()
    {
        ServerConfig config;
        config.headTimeout = std::chrono::milliseconds(300);
        auto server = startTestServer(config);
        Wire wire(server->port());
        wire.send("POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{");
        QTimer trickle;
        QObject::connect(&trickle, &QTimer::timeout, &trickle, [&wire] { wire.send(" "); });
        trickle.start(50); // a byte every 50 ms: each would have reset a per-byte timeout
        QVERIFY(wire.waitFor("HTTP/1.1 408", 5000));
        QVERIFY(wire.received.contains("\"code\":\"request_timeout\""));
        QVERIFY(httpGet(server->port(), "/metrics").body.contains("cdcscope_limit_rejections_total{limit=\"body_time\"} 1"));
    }

    // 1 000 subscribes are answered with 1 000 small replies, not 1 000 lists.
    void subscribeRepliesDoNotGrowWithTheSet()
    {
        auto server = startTestServer();
        TestWsClient client(server->port(), QStringLiteral("home"));
        QVERIFY(client.waitForMessages(1));
        for (int i = 0; i < 1000; ++i)
            client.sendText(QStringLiteral(R"({"type":"subscribe","organization_id":"channel-%1"})").arg(i));
        QVERIFY(client.waitForMessages(1001, 20000));
        qint64 bytes = 0;
        for (const QString &text : client.rawTexts())
            bytes += text.size();
        QVERIFY2(bytes < 150'000, qPrintable(QStringLiteral("%1 bytes of replies").arg(bytes))); // 129 MB before
        QCOMPARE(client.messages().last().value(QStringLiteral("error")).toString(),
                 QStringLiteral("too_many_subscriptions"));
    }

    // One socket pipelines 100 exports of 20 MB and never reads: the server answers one at a time,
    // reading the next request only once the last answer has left, and the answer is made a page
    // at a time as it leaves; it does not build 100 of them (2 GB before).
    void pipelinedExportsHoldOnePageOrTwo()
    {
        auto server = startHeadless({QStringLiteral("--in-memory")});
        QVERIFY(server->port);
        for (int batch = 0; batch < 40; ++batch)
            QCOMPARE(httpPost(server->port, "/events", batchOf(QStringLiteral("big"), 500, 1000, batch * 500)).status,
                     200);
        const QByteArray before = exportOf(server->port, "big");
        QCOMPARE(before.count('\n'), 20'000);
        const qint64 baseline = restartPeak(*server);

        RawPeer greedy(server->port);
        QVERIFY(greedy.connected());
        QByteArray requests;
        for (int i = 0; i < 100; ++i)
            requests += "GET /channels/big/export HTTP/1.1\r\nHost: localhost\r\n\r\n";
        QVERIFY(greedy.sendAll(requests));
        // Every /health is answered while it waits; the engine is not building exports nobody reads.
        for (int i = 0; i < 100; ++i)
            QVERIFY(healthAnswered(server->port));
        const qint64 grown = memoryOf(*server, "VmHWM") - baseline;
        qInfo("export abuse: RSS %lld MB before, peak %lld MB more", baseline / MiB, grown / MiB);
        QVERIFY2(withinRss(grown, 40 * MiB), qPrintable(QStringLiteral("grew by %1 MB").arg(grown / MiB)));
        // It is being answered, as it reads: the first export has begun, chunked.
        QVERIFY(QTest::qWaitFor([&] { return greedy.readSome() && greedy.received().size() > 64 * 1024; }, 5000));
        QVERIFY(greedy.received().startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(greedy.received().contains("Transfer-Encoding: chunked"));
        QCOMPARE(exportOf(server->port, "big"), before);
    }

    // 40 connections declare 16 MiB bodies and send 8 MiB of them: the body budget (64 MiB here)
    // takes four; the rest get 503 with Retry-After on their head, before a byte is read.
    void bodiesStayWithinTheBudget()
    {
        auto server = startHeadless({QStringLiteral("--in-memory"), QStringLiteral("--body-budget"),
                                     QStringLiteral("64MiB")});
        QVERIFY(server->port);
        QCOMPARE(publish(server->port, QStringLiteral("kept"), QJsonValue(QStringLiteral("before"))).status, 200);
        const QByteArray before = exportOf(server->port, "kept");
        const qint64 baseline = memoryOf(*server, "VmRSS");

        const QByteArray head = "POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                                QByteArray::number(16 * MiB) + "\r\n\r\n";
        const QByteArray body(8 * MiB, ' ');
        std::vector<std::unique_ptr<RawPeer>> peers;
        std::vector<qint64> sent;
        for (int i = 0; i < 40; ++i) {
            peers.push_back(std::make_unique<RawPeer>(server->port));
            QVERIFY(peers.back()->sendAll(head));
            sent.push_back(0);
        }
        int refused = 0;
        int holding = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                refused = holding = 0;
                for (size_t i = 0; i < peers.size(); ++i) {
                    RawPeer &peer = *peers[i];
                    peer.readSome();
                    if (peer.received().startsWith("HTTP/1.1 503")) {
                        ++refused;
                        continue;
                    }
                    if (sent[i] < body.size())
                        sent[i] += std::max<qint64>(0, peer.sendSome(QByteArrayView(body).sliced(sent[i])));
                    holding += sent[i] == body.size() ? 1 : 0;
                }
                return refused + holding == int(peers.size());
            },
            60000));
        QCOMPARE(refused, 36);
        for (const auto &peer : peers)
            if (peer->received().startsWith("HTTP/1.1 503")) {
                QVERIFY(peer->received().contains("Retry-After: 1"));
                QVERIFY(peer->received().contains("\"code\":\"server_busy\""));
            }
        QVERIFY(healthAnswered(server->port));
        const qint64 grown = memoryOf(*server, "VmRSS") - baseline;
        qInfo("body abuse: RSS %lld MB before, %lld MB more while four 8 MiB bodies are held", baseline / MiB,
              grown / MiB);
        QVERIFY2(withinRss(grown, 64 * MiB + 24 * MiB), qPrintable(QStringLiteral("grew by %1 MB").arg(grown / MiB)));
        QVERIFY(httpGet(server->port, "/metrics").body.contains("cdcscope_limit_rejections_total{limit=\"body_budget\"} 36"));
        QCOMPARE(exportOf(server->port, "kept"), before);
    }

    // Without a token, a declared body is never read: 401 on the head.
    void tokensAreCheckedBeforeTheBody()
    {
        QTemporaryFile tokens;
        QVERIFY(tokens.open());
        tokens.write(R"({"tokens":[{"name":"ci","token":"a-secret-of-enough-length","publish":true}]})");
        tokens.flush();
        auto server = startHeadless({QStringLiteral("--in-memory"), QStringLiteral("--auth-tokens"), tokens.fileName()});
        QVERIFY(server->port);
        const qint64 baseline = restartPeak(*server);
        const QByteArray head = "POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                                QByteArray::number(16 * MiB) + "\r\n\r\n";
        std::vector<std::unique_ptr<RawPeer>> peers;
        for (int i = 0; i < 50; ++i) {
            peers.push_back(std::make_unique<RawPeer>(server->port));
            QVERIFY(peers.back()->sendAll(QByteArray(head + QByteArray(64 * 1024, ' '))));
        }
        QVERIFY(QTest::qWaitFor(
            [&] {
                return std::all_of(peers.begin(), peers.end(), [](const auto &peer) {
                    peer->readSome();
                    return peer->received().endsWith("}");
                });
            },
            10000));
        for (const auto &peer : peers)
            QVERIFY(peer->received().startsWith("HTTP/1.1 401"));
        const qint64 grown = memoryOf(*server, "VmHWM") - baseline;
        qInfo("tokenless bodies: RSS %lld MB before, peak %lld MB more", baseline / MiB, grown / MiB);
        QVERIFY2(withinRss(grown, 24 * MiB), qPrintable(QStringLiteral("grew by %1 MB").arg(grown / MiB)));
    }

    // Six clients send `{}` frames as fast as they can (each answered with an error frame, which
    // they read): before, the connection threads read them far faster than the engine answers and
    // queued them for it without limit (/health unanswered for 10-34 s, 1.2 GB). Now a connection
    // is not read while 64 of its messages wait, and the engine answers everyone in turn.
    void floodingClientsAreHeldBack()
    {
        auto server = startHeadless({QStringLiteral("--in-memory")});
        QVERIFY(server->port);
        QCOMPARE(publish(server->port, QStringLiteral("kept"), QJsonValue(QStringLiteral("before"))).status, 200);
        const QByteArray before = exportOf(server->port, "kept");
        const qint64 baseline = restartPeak(*server);
        constexpr int messagesPerClient = 65'536;
        QByteArray frames; // what each client sends, all of it
        for (int i = 0; i < messagesPerClient; ++i)
            frames += QByteArrayView("\x81\x82\0\0\0\0{}", 8); // masked (with a zero key) text "{}"
        std::vector<std::unique_ptr<RawPeer>> flooders;
        std::vector<qint64> sent;
        for (int i = 0; i < 6; ++i) {
            flooders.push_back(std::make_unique<RawPeer>(server->port));
            QVERIFY(flooders.back()->sendAll(upgradeRequest("X-Athena-Client: flood\r\n")));
            QVERIFY(QTest::qWaitFor([&] { return flooders.back()->readSome() && flooders.back()->received().contains("Subscribed"); }, 5000));
            sent.push_back(0);
        }
        int rounds = 0;
        bool healthy = true;
        QVERIFY(QTest::qWaitFor(
            [&] {
                bool allSent = true;
                for (size_t i = 0; i < flooders.size(); ++i) {
                    RawPeer &flooder = *flooders[i];
                    flooder.readSome(false); // its answers: read, so it is no slow consumer
                    if (sent[i] == frames.size() || flooder.closed())
                        continue;
                    allSent = false;
                    sent[i] += std::max<qint64>(0, flooder.sendSome(QByteArrayView(frames).sliced(sent[i])));
                }
                if (++rounds % 256 == 0)
                    healthy = healthy && healthAnswered(server->port);
                // Done once the engine has answered every message (each a missing_type error).
                return allSent && rounds % 64 == 0 &&
                       httpGet(server->port, "/metrics").body.contains("cdcscope_errors_total{kind=\"missing_type\"} 393216\n");
            },
            120000));
        QVERIFY(healthy); // /health was answered within 5 s every time it was asked
        for (const auto &flooder : flooders)
            QVERIFY(!flooder->closed());
        QVERIFY(healthAnswered(server->port));
        const QByteArray metrics = httpGet(server->port, "/metrics").body;
        QVERIFY2(!metrics.contains("\ncdcscope_inbound_pauses_total 0\n"), metrics.constData());
        const qint64 grown = memoryOf(*server, "VmHWM") - baseline;
        qInfo("flood of 393 216 messages: RSS %lld MB before, peak %lld MB more", baseline / MiB, grown / MiB);
        QVERIFY2(withinRss(grown, 64 * MiB), qPrintable(QStringLiteral("grew by %1 MB").arg(grown / MiB)));
        QCOMPARE(exportOf(server->port, "kept"), before);
    }

    // Keyed batches keep a compact answer each (20 keyed 16 MiB batches held 760 MB before); a
    // retry still gets exactly the first answer.
    void idempotencyAnswersAreCompact()
    {
        auto server = startHeadless({QStringLiteral("--in-memory")});
        QVERIFY(server->port);
        QByteArray firstAnswer;
        qint64 baseline = 0;
        for (int i = 0; i < 6; ++i) {
            const QByteArray request = "POST /events HTTP/1.1\r\nHost: localhost\r\nIdempotency-Key: batch-" +
                                       QByteArray::number(i) + "\r\nContent-Length: ";
            const QByteArray body = batchOf(QStringLiteral("keyed"), 50'000, 8, i * 50'000);
            const HttpReply reply = rawHttp(server->port, request + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            QCOMPARE(reply.status, 200);
            if (i == 0) {
                firstAnswer = reply.body;
                const HttpReply retry =
                    rawHttp(server->port, request + QByteArray::number(body.size()) + "\r\n\r\n" + body);
                QCOMPARE(retry.headers.value("idempotent-replayed"), QByteArray("true"));
                QCOMPARE(retry.body, firstAnswer); // 50 000 receipts, byte for byte
            }
            if (i == 1) // the store is full from here on (100 000 events per channel)
                baseline = restartPeak(*server);
        }
        QVERIFY(firstAnswer.size() > 2 * MiB);
        const QByteArray metrics = httpGet(server->port, "/metrics").body;
        QVERIFY(metrics.contains("cdcscope_idempotency_answers 6"));
        const qsizetype at = metrics.indexOf("\ncdcscope_idempotency_bytes ") + 1;
        const qint64 answerBytes = metrics.mid(at + 27, metrics.indexOf('\n', at) - at - 27).toLongLong();
        QVERIFY2(answerBytes > 0 && answerBytes < 4096, qPrintable(QString::number(answerBytes)));
        const qint64 grown = memoryOf(*server, "VmHWM") - baseline;
        qInfo("keyed batches: answers %lld bytes, RSS peak %lld MB over four more 2.4 MB batches", answerBytes,
              grown / MiB);
        QVERIFY2(withinRss(grown, 48 * MiB), qPrintable(QStringLiteral("grew by %1 MB").arg(grown / MiB)));
    }
};

QTEST_GUILESS_MAIN(TestBudgets)
#include "tst_budgets.moc"

// Every configurable limit, hit on purpose: the documented answer (an HTTP error with a JSON body,
// a WebSocket error frame or close code), a count in /metrics, and a server that keeps serving
// everyone else.
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"

#include <QJsonArray>
#include <QNetworkInterface>
#include <QTcpSocket>
#include <QTest>

using namespace cdc;

namespace {

// How often /metrics says `limit` refused something (asked from 127.0.0.3, which no test fills).
qint64 rejections(quint16 port, const QByteArray &limit)
{
    const QByteArray metrics =
        rawHttp(port, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n", 10000, QHostAddress(QStringLiteral("127.0.0.3")))
            .body;
    const QByteArray sample = "cdcscope_limit_rejections_total{limit=\"" + limit + "\"} ";
    const qsizetype at = metrics.indexOf(sample);
    return at < 0 ? 0 : metrics.mid(at + sample.size()).split('\n').value(0).toLongLong();
}

bool countsRejection(quint16 port, const QByteArray &limit)
{
    return rejections(port, limit) >= 1;
}

// A connection that is open and idle, optionally from another loopback address (all of 127/8 is
// this host), so per-address limits can be told apart.
std::unique_ptr<QTcpSocket> idleConnection(quint16 port, const QHostAddress &from = QHostAddress::LocalHost)
{
    auto socket = std::make_unique<QTcpSocket>();
    if (from != QHostAddress(QHostAddress::LocalHost))
        socket->bind(from);
    socket->connectToHost(QHostAddress::LocalHost, port);
    return socket->waitForConnected(3000) ? std::move(socket) : nullptr;
}

// GET /health on a connection from `from`.
// One of this machine's own IPv4 addresses outside 127/8, or null.
QHostAddress nonLoopbackAddress()
{
    for (const QHostAddress &address : QNetworkInterface::allAddresses())
        if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback())
            return address;
    return {};
}

HttpReply healthFrom(quint16 port, const QHostAddress &from)
{
    return rawHttp(port, "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 10000, from);
}

} // namespace

class TestLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connectionsBeyondTheTotalGet503()
    {
        ServerConfig config;
        config.maxConnections = 3;
        auto server = startTestServer(config);
        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 3; ++i)
            held.push_back(idleConnection(server->port()));
        QTest::qWait(100); // accepted

        const HttpReply refused = healthFrom(server->port(), QHostAddress::LocalHost);
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.json().value(QStringLiteral("code")).toString(), QStringLiteral("too_many_connections"));
        QVERIFY(
            refused.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("--max-connections")));

        held.pop_back(); // one leaves: a new one is served
        QTRY_COMPARE(healthFrom(server->port(), QHostAddress::LocalHost).status, 200);
        held.clear();
        QTRY_VERIFY(countsRejection(server->port(), "connections"));
    }

    // The per-address limit is for remote peers: here the machine's own network address stands
    // for one (a socket bound to it reaches the server from it). Local processes all connect from
    // loopback, and one holding many connections must not lock the others out.
    void connectionsBeyondThePerAddressLimitGet429AndOtherAddressesAreServed()
    {
        const QHostAddress remote = nonLoopbackAddress();
        if (remote.isNull())
            QSKIP("this machine has no non-loopback IPv4 address to stand for a remote peer");
        ServerConfig config;
        config.maxConnectionsPerIp = 2;
        auto server = startTestServer(config);
        QTcpSocket first;
        QTcpSocket second;
        for (QTcpSocket *held : {&first, &second}) {
            held->bind(remote);
            held->connectToHost(QHostAddress::LocalHost, server->port());
            held->write(upgradeRequest("X-Athena-Client: a\r\n"));
            QVERIFY(QTest::qWaitFor([held] { return held->peek(64 * 1024).contains("Subscribed via"); }, 5000));
        }

        const HttpReply refused = healthFrom(server->port(), remote);
        QCOMPARE(refused.status, 429);
        QCOMPARE(refused.json().value(QStringLiteral("code")).toString(),
                 QStringLiteral("too_many_connections_from_address"));

        // Another address is not held to that one's count, and loopback (every local process)
        // is not held to the per-address limit at all.
        QCOMPARE(healthFrom(server->port(), QHostAddress(QStringLiteral("127.0.0.2"))).status, 200);
        TestWsClient local1(server->port(), QStringLiteral("a"));
        TestWsClient local2(server->port(), QStringLiteral("a"));
        TestWsClient local3(server->port(), QStringLiteral("a"));
        QVERIFY(local1.waitForMessages(1) && local2.waitForMessages(1) && local3.waitForMessages(1));
        server->publish({{QStringLiteral("a"), "1"}});
        QVERIFY(QTest::qWaitFor([&first] { return first.peek(64 * 1024).contains("\"seq\":1"); }, 5000));
        QVERIFY(local3.waitForMessages(2));
        QVERIFY(countsRejection(server->port(), "connections_per_ip"));
    }

    void subscriptionsBeyondTheLimitGetAnErrorFrame()
    {
        ServerConfig config;
        config.maxSubscriptionsPerConnection = 2;
        auto server = startTestServer(config);
        TestWsClient client(server->port(), QStringLiteral("home"));
        QVERIFY(client.waitForMessages(1));
        const auto subscribe = [&client](const QString &channel, bool on = true) {
            client.sendJson({{QStringLiteral("type"), on ? QStringLiteral("subscribe") : QStringLiteral("unsubscribe")},
                             {QStringLiteral("organization_id"), channel}});
        };
        subscribe(QStringLiteral("second"));
        QVERIFY(!client.waitForStatus(QStringLiteral("subscribed"), 1).isEmpty());
        subscribe(QStringLiteral("third"));
        QVERIFY(client.waitForMessages(3));
        const QJsonObject error = client.messages().last();
        QCOMPARE(error.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        QCOMPARE(error.value(QStringLiteral("error")).toString(), QStringLiteral("too_many_subscriptions"));
        QVERIFY(client.isConnected());

        // Not subscribed: its events do not arrive. After an unsubscribe there is room again.
        server->publish({{QStringLiteral("third"), "1"}});
        subscribe(QStringLiteral("second"), false);
        QVERIFY(client.waitForMessages(4));
        subscribe(QStringLiteral("third"));
        QVERIFY(client.waitForMessages(5));
        QCOMPARE(client.messages().last().value(QStringLiteral("subscription_count")).toInt(), 2);
        QVERIFY(client.events().isEmpty());
        server->publish({{QStringLiteral("third"), "2"}});
        QVERIFY(client.waitForMessages(6));
        QCOMPARE(client.eventSeqs(QStringLiteral("third")), QList<qint64>{2});
        QVERIFY(countsRejection(server->port(), "subscriptions"));
    }

    void travelsBeyondTheRateGetAnErrorFrameThenWorkAgain()
    {
        ServerConfig config;
        config.maxTravelsPerSecond = 2;
        auto server = startTestServer(config);
        server->publish({{QStringLiteral("t"), "1"}});
        TestWsClient client(server->port(), QStringLiteral("t"));
        QVERIFY(client.waitForMessages(1));
        const QJsonObject travel{{QStringLiteral("type"), QStringLiteral("travel")}};
        for (int i = 0; i < 3; ++i)
            client.sendJson(travel);
        QVERIFY(client.waitForMessages(1 + 2 * 2 + 1)); // two replays (event + ack each) and one error
        int acks = 0, limited = 0;
        for (const QJsonObject &message : client.messages()) {
            acks += message.value(QStringLiteral("status")).toString() == u"travel_complete";
            limited += message.value(QStringLiteral("error")).toString() == u"rate_limited";
        }
        QCOMPARE(acks, 2);
        QCOMPARE(limited, 1);
        QTest::qWait(1100); // the bucket refills
        client.sendJson(travel);
        QVERIFY(client.waitForMessages(8));
        QCOMPARE(client.messages().last().value(QStringLiteral("status")).toString(),
                 QStringLiteral("travel_complete"));
        QVERIFY(countsRejection(server->port(), "travel_rate"));
    }

    void aPublishBeyondTheChannelLimitIsRefusedWhole()
    {
        ServerConfig config;
        config.maxChannels = 3;
        auto server = startTestServer(config);
        QCOMPARE(httpPost(server->port(), "/events",
                          R"([{"organization_id":"a","data":1},{"organization_id":"b","data":1}])")
                     .status,
                 200);
        const HttpReply refused = httpPost(
            server->port(), "/events",
            R"([{"organization_id":"a","data":2},{"organization_id":"c","data":1},{"organization_id":"d","data":1}])");
        QCOMPARE(refused.status, 429);
        QCOMPARE(refused.json().value(QStringLiteral("code")).toString(), QStringLiteral("too_many_channels"));
        QVERIFY2(refused.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("the limit is 3")),
                 refused.body.constData());
        // Whole: not even the event for the existing channel was stored.
        QCOMPARE(server->store().channel(QStringLiteral("a"))->lastSeq(), 1);
        QVERIFY(!server->store().channel(QStringLiteral("c")));
        QVERIFY(countsRejection(server->port(), "channels"));
        // Up to the limit is fine, and existing channels stay open.
        QCOMPARE(httpPost(server->port(), "/events",
                          R"([{"organization_id":"a","data":2},{"organization_id":"c","data":1}])")
                     .status,
                 200);
        QCOMPARE(httpPost(server->port(), "/events", R"({"organization_id":"b","data":2})").status, 200);
        // The other publish paths (stdin, captures, the window) ask the same question.
        QString refusal;
        server->publish({{QStringLiteral("e"), "1"}},
                        [&](const QList<AppendReceipt> &, const QString &error) { refusal = error; });
        QVERIFY(refusal.contains(QStringLiteral("--max-channels")));
    }

    void metricsStaySmallWhateverTheChannelCount()
    {
        auto server = startTestServer();
        for (int batchNumber = 0; batchNumber < 100; ++batchNumber) {
            PublishBatch batch;
            for (int i = 0; i < 1000; ++i)
                batch.append({QStringLiteral("tenant-%1").arg(batchNumber * 1000 + i), "{}"});
            server->publish(batch);
        }
        PublishBatch hot;
        for (int i = 0; i < 5; ++i)
            hot.append({QStringLiteral("tenant-77777"), "{}"});
        server->publish(hot);
        QCOMPARE(server->store().channelCount(), 100'000);

        const HttpReply metrics = httpGet(server->port(), "/metrics");
        QCOMPARE(metrics.status, 200);
        QVERIFY2(metrics.body.size() < 100 * 1024, QByteArray::number(metrics.body.size()).constData());
        QCOMPARE(metrics.body.count("\ncdcscope_channel_depth_events{"), 100);
        QVERIFY(metrics.body.contains("\ncdcscope_channels 100000\n"));
        QVERIFY(metrics.body.contains("\ncdcscope_other_channels 99900\n"));
        // The busiest channel has its own series; every event is counted once, named or summed.
        QVERIFY(metrics.body.contains("cdcscope_channel_depth_events{channel=\"tenant-77777\"} 6"));
        QVERIFY(metrics.body.contains("\ncdcscope_other_channels_depth_events 99900\n"));
    }

    // 200 000 tenants that each published once and expired do not stay: the server forgets every
    // channel nobody subscribes to once its events are gone, keeps the subscribed one, and a
    // forgotten channel that comes back continues after its last seq.
    void expiredChannelsNobodyFollowsAreForgotten()
    {
        ServerConfig config;
        config.retention.maxAgeMs = 1'000;
        config.maxChannels = 300'000;
        auto server = startTestServer(config);
        // Subscribed before its channel exists, so it is followed from its first event on.
        TestWsClient follower(server->port(), QStringLiteral("followed"));
        QVERIFY(follower.waitConnected());
        QTRY_VERIFY(httpGet(server->port(), "/clients").body.contains("\"followed\""));
        PublishBatch batch;
        for (int i = 0; i < 200'000; ++i)
            batch.append({QStringLiteral("tenant-%1").arg(i), "{}"});
        server->publish(batch);
        server->publish({{QStringLiteral("tenant-7"), "{}"}, {QStringLiteral("followed"), "{}"}});

        // Slow under the sanitizers: 200 000 channels to create, expire and forget.
        QTRY_COMPARE_WITH_TIMEOUT(server->store().channelCount(), 1, 60000);
        QVERIFY(server->store().channel(QStringLiteral("followed")));
        const QJsonArray channels = httpGet(server->port(), "/channels").json().value(u"channels").toArray();
        QCOMPARE(channels.size(), 1);
        QCOMPARE(channels.at(0).toObject().value(u"organization_id").toString(), QStringLiteral("followed"));
        QCOMPARE(channels.at(0).toObject().value(u"subscribers").toInt(), 1);
        QVERIFY(httpGet(server->port(), "/metrics").body.contains("\ncdcscope_forgotten_channels_total 200000\n"));

        const HttpReply again = httpPost(server->port(), "/events", "{\"organization_id\":\"tenant-7\",\"data\":{}}");
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(u"seq").toInteger(), 3);
    }

    // --max-message (1009, counted as message_size) is tst_websocket's oversizedMessage test.

    void httpLimitsAreCounted()
    {
        ServerConfig config;
        config.maxBodyBytes = 2048;
        config.maxHeadBytes = 4096;
        config.headTimeout = std::chrono::milliseconds(300);
        auto server = startTestServer(config);
        QCOMPARE(httpPost(server->port(), "/events", QByteArray(4096, ' ')).status, 413);
        QCOMPARE(rawHttp(server->port(), "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + QByteArray(5000, 'a') + "\r\n\r\n").status,
                 431);
        QCOMPARE(rawHttp(server->port(), "GET /health HTTP/1.1\r\nHost: localhost\r\n").status, 408);
        QVERIFY(countsRejection(server->port(), "body_size"));
        QVERIFY(countsRejection(server->port(), "head_size"));
        QVERIFY(countsRejection(server->port(), "handshake_time"));
        QCOMPARE(httpGet(server->port(), "/health").status, 200);
    }
};

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"

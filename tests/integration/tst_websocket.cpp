// The /ws protocol over real sockets: the upgrade rules, the greeting, live delivery, channels,
// error frames, and the heartbeat. Every line of the spec and of DESIGN.md's WebSocket decisions.
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"
#include "net/SessionHub.h"

#include <QJsonArray>
#include <QTest>

#include <set>

using namespace cdc;

class TestWebSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void upgradeWithoutClientHeaderIsA400WithJsonBody()
    {
        auto server = startTestServer();
        const HttpReply reply = rawHttp(server->port(), upgradeRequest({}));
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.headers.value("content-type"), QByteArray("application/json"));
        const QJsonObject body = reply.json();
        QCOMPARE(body.value(QStringLiteral("error")).toString(), QStringLiteral("Missing X-Athena-Client header"));
        QVERIFY(body.value(QStringLiteral("message")).toString().contains(QStringLiteral("X-Athena-Client")));
        QVERIFY(body.value(QStringLiteral("hint")).toString().contains(QStringLiteral("ws://")));
        QVERIFY(body.value(QStringLiteral("hint")).toString().contains(QStringLiteral("WRONG_VERSION_NUMBER")));
        QVERIFY(reply.connectionClosed);
    }

    void blankClientHeaderCountsAsMissing()
    {
        auto server = startTestServer();
        const HttpReply reply = rawHttp(server->port(), upgradeRequest("X-Athena-Client:    \r\n"));
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value(QStringLiteral("error")).toString(),
                 QStringLiteral("Missing X-Athena-Client header"));
    }

    void qtClientWithoutHeaderIsRefused()
    {
        auto server = startTestServer();
        TestWsClient client(server->port(), QString());
        QVERIFY(!client.waitConnected());
        QCOMPARE(server->sessions().sessionCount(), 0);
    }

    void plainGetOnWsAsksForAnUpgrade()
    {
        auto server = startTestServer();
        const HttpReply reply = rawHttp(
            server->port(), "GET /ws HTTP/1.1\r\nHost: localhost\r\nX-Athena-Client: curl\r\nConnection: close\r\n\r\n");
        QCOMPARE(reply.status, 426);
        QCOMPARE(reply.json().value(QStringLiteral("code")).toString(), QStringLiteral("upgrade_required"));
    }

    void headerNameIsCaseInsensitiveAndValueTrimmed()
    {
        auto server = startTestServer();
        auto socket = rawWebSocket(server->port(), "  athena_logging  ");
        QVERIFY(socket);
        QByteArray buffer;
        QList<QPair<int, QByteArray>> frames;
        QVERIFY(QTest::qWaitFor(
            [&] {
                buffer.append(socket->readAll());
                frames.append(takeWebSocketFrames(buffer));
                return !frames.isEmpty();
            },
            5000));
        QCOMPARE(
            frames[0].second,
            QByteArray(
                R"({"status":"subscribed","client_id":"athena_logging","message":"Subscribed via X-Athena-Client header"})"));

        const HttpReply lower = rawHttp(server->port(), upgradeRequest("x-athena-client: lower\r\n"));
        QCOMPARE(lower.status, 101);
    }

    void greetingIsTheSpecsFrame()
    {
        auto server = startTestServer();
        TestWsClient client(server->port(), QStringLiteral("athena_logging"));
        QVERIFY(client.waitConnected());
        QVERIFY(client.waitForMessages(1));
        QCOMPARE(
            client.rawTexts().constFirst(),
            QStringLiteral(
                R"({"status":"subscribed","client_id":"athena_logging","message":"Subscribed via X-Athena-Client header"})"));
    }

    void liveEventsReachOnlyTheirChannel()
    {
        auto server = startTestServer();
        TestWsClient alpha(server->port(), QStringLiteral("alpha"));
        TestWsClient beta(server->port(), QStringLiteral("beta"));
        QVERIFY(alpha.waitForMessages(1));
        QVERIFY(beta.waitForMessages(1));

        QCOMPARE(publish(server->port(), QStringLiteral("alpha"), QJsonObject{{QStringLiteral("n"), 1}}).status, 200);
        QCOMPARE(publish(server->port(), QStringLiteral("beta"), QJsonObject{{QStringLiteral("n"), 2}}).status, 200);
        QCOMPARE(publish(server->port(), QStringLiteral("alpha"), QJsonObject{{QStringLiteral("n"), 3}}).status, 200);

        QVERIFY(alpha.waitForMessages(3));
        QVERIFY(beta.waitForMessages(2));
        QTest::qWait(100);
        QCOMPARE(alpha.eventSeqs(), (QList<qint64>{1, 2}));
        QCOMPARE(beta.eventSeqs(), (QList<qint64>{1}));
        const QJsonObject event = alpha.events().constLast();
        QCOMPARE(event.value(QStringLiteral("organization_id")).toString(), QStringLiteral("alpha"));
        const QJsonObject data = event.value(QStringLiteral("data")).toObject();
        QCOMPARE(data.value(QStringLiteral("payload")).toObject().value(QStringLiteral("n")).toInt(), 3);
        QVERIFY(data.value(QStringLiteral("ts_ms")).toInteger() > 1'700'000'000'000);
        QCOMPARE(data.keys(), (QStringList{QStringLiteral("payload"), QStringLiteral("seq"), QStringLiteral("ts_ms")}));
    }

    void everyRecipientGetsTheSameBytes()
    {
        auto server = startTestServer();
        TestWsClient first(server->port(), QStringLiteral("shared"));
        TestWsClient second(server->port(), QStringLiteral("shared"));
        QVERIFY(first.waitForMessages(1));
        QVERIFY(second.waitForMessages(1));
        publish(server->port(), QStringLiteral("shared"), QJsonObject{{QStringLiteral("k"), QStringLiteral("v")}});
        QVERIFY(first.waitForMessages(2));
        QVERIFY(second.waitForMessages(2));
        QCOMPARE(first.rawTexts()[1], second.rawTexts()[1]);
        QCOMPARE(server->sessions().subscriberCount(QStringLiteral("shared")), 2);
    }

    void clientsOnEveryDeliveryThreadGetEveryEventInOrder()
    {
        ServerConfig config;
        config.deliveryThreads = 3;
        auto server = startTestServer(config);
        QCOMPARE(server->sessions().deliveryThreadCount(), 3);
        // Seven clients on two channels, spread over the three threads.
        std::vector<std::unique_ptr<TestWsClient>> clients;
        for (int i = 0; i < 7; ++i) {
            clients.push_back(std::make_unique<TestWsClient>(server->port(), i % 2 ? QStringLiteral("odd")
                                                                                   : QStringLiteral("even")));
            QVERIFY(clients.back()->waitForMessages(1));
        }
        std::set<const DeliveryLane *> lanes;
        for (const WsSession *session : server->sessions().sessions())
            lanes.insert(session->lane());
        QCOMPARE(lanes.size(), size_t(3));
        // Batches to both channels, interleaved, and single events between them.
        for (int round = 0; round < 20; ++round) {
            QJsonArray batch;
            for (int i = 0; i < 25; ++i)
                batch.append(QJsonObject{{QStringLiteral("organization_id"), i % 2 ? QStringLiteral("odd")
                                                                                  : QStringLiteral("even")},
                                         {QStringLiteral("data"), QJsonObject{{QStringLiteral("i"), i}}}});
            QCOMPARE(httpPost(server->port(), "/events", QJsonDocument(batch).toJson()).status, 200);
            server->publish({{QStringLiteral("odd"), QByteArray::number(round)}});
        }
        // Each channel gets 13 events a round: even 13 of the batch; odd 12 of it plus the single one.
        const qint64 expected = 20 * 13;
        for (size_t i = 0; i < clients.size(); ++i) {
            QVERIFY2(clients[i]->waitForMessages(1 + expected), qPrintable(QString::number(i)));
            const QList<qint64> seqs = clients[i]->eventSeqs();
            QCOMPARE(seqs.size(), expected);
            for (qsizetype k = 0; k < seqs.size(); ++k)
                QCOMPARE(seqs[k], k + 1);
        }
        for (size_t i = 1; i < clients.size(); i += 2)
            QCOMPARE(clients[i]->rawTexts(), clients[1]->rawTexts()); // the same bytes, whichever thread
    }

    void batchPublishArrivesInOrder()
    {
        auto server = startTestServer();
        TestWsClient client(server->port(), QStringLiteral("orders"));
        QVERIFY(client.waitForMessages(1));
        QJsonArray batch;
        for (int i = 0; i < 50; ++i)
            batch.append(QJsonObject{{QStringLiteral("organization_id"), QStringLiteral("orders")},
                                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("i"), i}}}});
        const HttpReply reply = httpPost(server->port(), "/events", QJsonDocument(batch).toJson());
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(QStringLiteral("count")).toInt(), 50);
        QVERIFY(client.waitForMessages(51));
        const auto events = client.events();
        for (int i = 0; i < 50; ++i) {
            const QJsonObject data = events[i].value(QStringLiteral("data")).toObject();
            QCOMPARE(data.value(QStringLiteral("seq")).toInteger(), i + 1);
            QCOMPARE(data.value(QStringLiteral("payload")).toObject().value(QStringLiteral("i")).toInt(), i);
        }
    }

    void aBatchAcrossChannelsKeepsEachReadersOrder()
    {
        // One batch interleaving two channels: a reader of one channel gets its events as one block,
        // a reader of both gets them frame by frame in the batch's order; every delivery thread.
        ServerConfig config;
        config.deliveryThreads = 2;
        auto server = startTestServer(config);
        std::vector<std::unique_ptr<TestWsClient>> alphaOnly, betaOnly, both;
        for (int i = 0; i < 3; ++i) {
            alphaOnly.push_back(std::make_unique<TestWsClient>(server->port(), QStringLiteral("alpha")));
            betaOnly.push_back(std::make_unique<TestWsClient>(server->port(), QStringLiteral("beta")));
            both.push_back(std::make_unique<TestWsClient>(server->port(), QStringLiteral("alpha")));
        }
        for (auto &client : both) {
            QVERIFY(client->waitForMessages(1));
            client->sendJson({{QStringLiteral("type"), QStringLiteral("subscribe")},
                              {QStringLiteral("organization_id"), QStringLiteral("beta")}});
            QVERIFY(!client->waitForStatus(QStringLiteral("subscribed"), 1).isEmpty());
        }
        QJsonArray batch;
        QStringList order;
        for (int i = 0; i < 40; ++i) {
            const QString channel = (i % 3 == 1) ? QStringLiteral("beta") : QStringLiteral("alpha");
            order.append(channel + QString::number(i));
            batch.append(QJsonObject{{QStringLiteral("organization_id"), channel},
                                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("i"), i}}}});
        }
        QCOMPARE(httpPost(server->port(), "/events", QJsonDocument(batch).toJson()).status, 200);
        const auto received = [](const TestWsClient &client) {
            QStringList seen;
            for (const QJsonObject &event : client.events())
                seen.append(event.value(QStringLiteral("organization_id")).toString() +
                            QString::number(event.value(QStringLiteral("data"))
                                                .toObject()
                                                .value(QStringLiteral("payload"))
                                                .toObject()
                                                .value(QStringLiteral("i"))
                                                .toInt()));
            return seen;
        };
        const QStringList alphaOrder = order.filter(QStringLiteral("alpha"));
        const QStringList betaOrder = order.filter(QStringLiteral("beta"));
        for (auto &client : alphaOnly)
            QTRY_COMPARE(received(*client), alphaOrder);
        for (auto &client : betaOnly)
            QTRY_COMPARE(received(*client), betaOrder);
        for (auto &client : both)
            QTRY_COMPARE(received(*client), order);
    }

    void subscribeUnsubscribeAndLegacySubscribe()
    {
        auto server = startTestServer();
        TestWsClient client(server->port(), QStringLiteral("home"));
        QVERIFY(client.waitForMessages(1));

        client.sendJson({{QStringLiteral("type"), QStringLiteral("subscribe")},
                         {QStringLiteral("organization_id"), QStringLiteral("extra")}});
        QJsonObject reply = client.waitForStatus(QStringLiteral("subscribed"), 1);
        QCOMPARE(reply.value(QStringLiteral("organization_id")).toString(), QStringLiteral("extra"));
        QCOMPARE(reply.value(QStringLiteral("subscription_count")).toInt(), 2);

        client.sendJson({{QStringLiteral("subscribe_to_organization_id"), QStringLiteral("legacy")}});
        QVERIFY(client.waitForMessages(3));
        QCOMPARE(client.messages()[2].value(QStringLiteral("organization_id")).toString(), QStringLiteral("legacy"));

        client.sendJson({{QStringLiteral("type"), QStringLiteral("unsubscribe")},
                         {QStringLiteral("organization_id"), QStringLiteral("home")}});
        reply = client.waitForStatus(QStringLiteral("unsubscribed"), 3);
        QCOMPARE(reply.value(QStringLiteral("subscription_count")).toInt(), 2);
        // The reply counts the set (its size must not grow with it); GET /clients lists it.
        const QJsonArray clients = httpGet(server->port(), "/clients").json().value(QStringLiteral("clients")).toArray();
        QCOMPARE(clients.size(), 1);
        QCOMPARE(clients[0].toObject().value(QStringLiteral("subscriptions")).toArray(),
                 (QJsonArray{QStringLiteral("extra"), QStringLiteral("legacy")}));

        publish(server->port(), QStringLiteral("home"), 1);
        publish(server->port(), QStringLiteral("extra"), 2);
        publish(server->port(), QStringLiteral("legacy"), 3);
        QVERIFY(client.waitForMessages(6));
        QTest::qWait(100);
        QStringList channels;
        for (const QJsonObject &event : client.events())
            channels.append(event.value(QStringLiteral("organization_id")).toString());
        QCOMPARE(channels, (QStringList{QStringLiteral("extra"), QStringLiteral("legacy")}));
    }

    void errorFramesNeverCloseTheSocket_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("code");
        QTest::newRow("invalid json") << QStringLiteral("{not json") << QStringLiteral("invalid_json");
        QTest::newRow("not an object") << QStringLiteral("42") << QStringLiteral("invalid_json");
        QTest::newRow("array") << QStringLiteral("[]") << QStringLiteral("not_an_object");
        QTest::newRow("unknown type") << QStringLiteral(R"({"type":"fly"})") << QStringLiteral("unknown_type");
        QTest::newRow("missing type") << QStringLiteral(R"({"organization_id":"x"})") << QStringLiteral("missing_type");
        QTest::newRow("wrong field type")
            << QStringLiteral(R"({"type":"travel","since_seq":"3"})") << QStringLiteral("invalid_field");
        QTest::newRow("negative value") << QStringLiteral(R"({"type":"travel","limit":-1})")
                                        << QStringLiteral("invalid_field");
    }

    void errorFramesNeverCloseTheSocket()
    {
        QFETCH(QString, text);
        QFETCH(QString, code);
        auto server = startTestServer();
        TestWsClient client(server->port(), QStringLiteral("errs"));
        QVERIFY(client.waitForMessages(1));
        client.sendText(text);
        const QJsonObject error = client.waitForStatus(QStringLiteral("error"), 1);
        QCOMPARE(error.value(QStringLiteral("error")).toString(), code);
        QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
        // Still open and still served.
        client.sendJson({{QStringLiteral("type"), QStringLiteral("travel")}});
        QVERIFY(!client.waitForStatus(QStringLiteral("travel_complete"), 2).isEmpty());
        QVERIFY(client.isConnected());
        QVERIFY(httpGet(server->port(), "/metrics")
                    .body.contains(QByteArray("cdcscope_errors_total{kind=\"" + code.toUtf8() + "\"} 1")));
    }

    void binaryFrameGetsAnErrorFrame()
    {
        auto server = startTestServer();
        TestWsClient client(server->port(), QStringLiteral("bin"));
        QVERIFY(client.waitForMessages(1));
        client.socket().sendBinaryMessage(QByteArray("\x01\x02", 2));
        const QJsonObject error = client.waitForStatus(QStringLiteral("error"), 1);
        QCOMPARE(error.value(QStringLiteral("error")).toString(), QStringLiteral("binary_not_supported"));
        QVERIFY(client.isConnected());
    }

    void oversizedMessageDoesNotGrowTheServer()
    {
        ServerConfig config;
        config.maxIncomingMessageBytes = 4096;
        auto server = startTestServer(config);
        TestWsClient client(server->port(), QStringLiteral("big"));
        TestWsClient other(server->port(), QStringLiteral("big"));
        QVERIFY(client.waitForMessages(1));
        QVERIFY(other.waitForMessages(1));
        client.sendText(QString(100'000, u'x'));
        QVERIFY(client.waitForDisconnect());
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
        QTRY_COMPARE(server->sessions().sessionCount(), 1);
        // The limit is counted, and the client beside it stays.
        server->publish({{QStringLiteral("big"), "1"}});
        QVERIFY(other.waitForMessages(2));
        QVERIFY(httpGet(server->port(), "/metrics")
                    .body.contains("cdcscope_limit_rejections_total{limit=\"message_size\"} 1"));
    }

    void answeringClientsStayAndSilentOnesAreDropped()
    {
        ServerConfig config;
        config.pingInterval = std::chrono::milliseconds(100);
        config.idleTimeout = std::chrono::milliseconds(500);
        auto server = startTestServer(config);
        TestWsClient polite(server->port(), QStringLiteral("polite")); // QWebSocket answers pings
        QVERIFY(polite.waitForMessages(1));
        auto silent = rawWebSocket(server->port(), "silent"); // never reads, never answers
        QVERIFY(silent);
        QTRY_COMPARE(server->sessions().sessionCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(server->sessions().sessionCount(), 1, 5000);
        QTest::qWait(800); // well past the idle timeout
        QVERIFY(polite.isConnected());
        QCOMPARE(server->sessions().sessions().front()->clientId(), QStringLiteral("polite"));
        QVERIFY(httpGet(server->port(), "/metrics").body.contains("cdcscope_idle_disconnects_total 1"));
    }

    void closingClientLeavesNoSubscription()
    {
        auto server = startTestServer();
        {
            TestWsClient client(server->port(), QStringLiteral("brief"));
            QVERIFY(client.waitForMessages(1));
            QCOMPARE(server->sessions().subscriberCount(QStringLiteral("brief")), 1);
            client.socket().close();
            QVERIFY(client.waitForDisconnect());
        }
        QTRY_COMPARE(server->sessions().sessionCount(), 0);
        QCOMPARE(server->sessions().subscriberCount(QStringLiteral("brief")), 0);
        QCOMPARE(publish(server->port(), QStringLiteral("brief"), 1).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestWebSocket)
#include "tst_websocket.moc"

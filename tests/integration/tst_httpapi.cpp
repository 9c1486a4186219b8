// The HTTP side of the port over real sockets: athena's POST /events, the read endpoints, and a
// JSON error for every way a request can be wrong.
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"

#include <QJsonArray>
#include <QTest>

using namespace cdc;

namespace {

QByteArray post(const QByteArray &path, const QByteArray &body, const QByteArray &extra = {})
{
    return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n" +
           extra + "\r\n" + body;
}

} // namespace

class TestHttpApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void publishAnswersSeqAndTs()
    {
        auto server = startTestServer();
        const HttpReply first =
            publish(server->port(), QStringLiteral("orders"), QJsonObject{{QStringLiteral("id"), 1}});
        QCOMPARE(first.status, 200);
        QCOMPARE(first.headers.value("content-type"), QByteArray("application/json"));
        const QJsonObject body = first.json();
        QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(body.value(QStringLiteral("organization_id")).toString(), QStringLiteral("orders"));
        QCOMPARE(body.value(QStringLiteral("seq")).toInteger(), 1);
        QVERIFY(body.value(QStringLiteral("ts_ms")).toInteger() > 1700000000000LL);
        QCOMPARE(publish(server->port(), QStringLiteral("orders"), 2).json().value(QStringLiteral("seq")).toInteger(),
                 2);
    }

    void batchIsAllOrNothing()
    {
        auto server = startTestServer();
        QCOMPARE(publish(server->port(), QStringLiteral("a"), 0).status, 200);
        const HttpReply refused = httpPost(server->port(), "/events",
                                           R"([{"organization_id":"a","data":1},{"organization_id":"","data":2}])");
        QCOMPARE(refused.status, 422);
        QCOMPARE(refused.json().value(QStringLiteral("code")).toString(), QStringLiteral("invalid_event"));
        QVERIFY(refused.json().value(QStringLiteral("message")).toString().startsWith(QStringLiteral("event 1:")));
        // Nothing of the refused batch was stored, and what was accepted before is untouched.
        QCOMPARE(server->store().channel(QStringLiteral("a"))->lastSeq(), 1);

        const HttpReply accepted = httpPost(
            server->port(), "/events",
            R"([{"organization_id":"a","data":1},{"organization_id":"b","data":2},{"organization_id":"a","data":3}])");
        QCOMPARE(accepted.status, 200);
        const QJsonObject body = accepted.json();
        QCOMPARE(body.value(QStringLiteral("count")).toInt(), 3);
        const QJsonArray receipts = body.value(QStringLiteral("events")).toArray();
        QCOMPARE(receipts[0].toObject().value(QStringLiteral("seq")).toInteger(), 2);
        QCOMPARE(receipts[1].toObject().value(QStringLiteral("organization_id")).toString(), QStringLiteral("b"));
        QCOMPARE(receipts[1].toObject().value(QStringLiteral("seq")).toInteger(), 1);
        QCOMPARE(receipts[2].toObject().value(QStringLiteral("seq")).toInteger(), 3);
    }

    void healthAndChannels()
    {
        auto server = startTestServer();
        TestWsClient watcher(server->port(), QStringLiteral("a"));
        QVERIFY(watcher.waitForMessages(1));
        publish(server->port(), QStringLiteral("a"), 1);
        publish(server->port(), QStringLiteral("a"), 2);
        publish(server->port(), QStringLiteral("b"), 3);

        const QJsonObject health = httpGet(server->port(), "/health").json();
        QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(health.value(QStringLiteral("version")).toString(), QStringLiteral(CDCSCOPE_VERSION));
        QCOMPARE(health.value(QStringLiteral("connections")).toInt(), 1);
        QCOMPARE(health.value(QStringLiteral("channels")).toInt(), 2);
        QCOMPARE(health.value(QStringLiteral("events")).toInt(), 3);

        const QJsonArray channels =
            httpGet(server->port(), "/channels").json().value(QStringLiteral("channels")).toArray();
        QCOMPARE(channels.size(), 2);
        const QJsonObject a = channels[0].toObject();
        QCOMPARE(a.value(QStringLiteral("organization_id")).toString(), QStringLiteral("a"));
        QCOMPARE(a.value(QStringLiteral("subscribers")).toInt(), 1);
        QCOMPARE(a.value(QStringLiteral("events")).toInt(), 2);
        QCOMPARE(a.value(QStringLiteral("last_seq")).toInt(), 2);
        QCOMPARE(a.value(QStringLiteral("oldest_seq")).toInt(), 1);
        QVERIFY(a.value(QStringLiteral("bytes")).toInt() > 0);

        // Without tokens, GET /clients is open like the other reads.
        QVERIFY(watcher.waitForMessages(3));
        const QJsonArray clients =
            httpGet(server->port(), "/clients").json().value(QStringLiteral("clients")).toArray();
        QCOMPARE(clients.size(), 1);
        QCOMPARE(clients[0].toObject().value(QStringLiteral("client_id")).toString(), QStringLiteral("a"));
        QCOMPARE(clients[0].toObject().value(QStringLiteral("events_sent")).toInt(), 2);
    }

    void metricsArePrometheusText()
    {
        auto server = startTestServer();
        TestWsClient watcher(server->port(), QStringLiteral("m"));
        QVERIFY(watcher.waitForMessages(1));
        publish(server->port(), QStringLiteral("m"), 1);
        QVERIFY(watcher.waitForMessages(2));
        httpPost(server->port(), "/events", "{broken");
        const HttpReply reply = httpGet(server->port(), "/metrics");
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.headers.value("content-type").startsWith("text/plain; version=0.0.4"));
        for (const char *line :
             {"cdcscope_connections 1", "cdcscope_connections_total 1", "cdcscope_events_in_total 1",
              "cdcscope_events_out_total{kind=\"live\"} 1", "cdcscope_channel_depth_events{channel=\"m\"} 1",
              "cdcscope_channel_subscribers{channel=\"m\"} 1", "cdcscope_slow_consumer_disconnects_total 0",
              "cdcscope_errors_total{kind=\"invalid_json\"} 1", "cdcscope_http_responses_total{status=\"400\"} 1",
              "# TYPE cdcscope_channel_depth_bytes gauge"})
            QVERIFY2(reply.body.contains(line), line);
    }

    void errorsAreJson_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("invalid json") << post("/events", "{\"organization_id\":") << 400
                                      << QStringLiteral("invalid_json");
        QTest::newRow("missing data") << post("/events", R"({"organization_id":"a"})") << 422
                                      << QStringLiteral("invalid_event");
        QTest::newRow("number channel") << post("/events", R"({"organization_id":5,"data":1})") << 422
                                        << QStringLiteral("invalid_event");
        QTest::newRow("unknown path") << QByteArray("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n") << 404
                                      << QStringLiteral("not_found");
        QTest::newRow("wrong method") << QByteArray("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n") << 405
                                      << QStringLiteral("method_not_allowed");
        QTest::newRow("chunked, not JSON")
            << QByteArray(
                   "POST /events HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            << 400 << QStringLiteral("invalid_json");
        QTest::newRow("garbage head") << QByteArray("HELLO THERE\r\n\r\n") << 400 << QStringLiteral("bad_request");
        QTest::newRow("bad length") << QByteArray("POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: ten\r\n\r\n") << 400
                                    << QStringLiteral("bad_request");
    }

    void errorsAreJson()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QString, code);
        auto server = startTestServer();
        QCOMPARE(publish(server->port(), QStringLiteral("kept"), 1).status, 200);
        const HttpReply reply = rawHttp(server->port(), request);
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(reply.json().value(QStringLiteral("code")).toString(), code);
        QVERIFY(!reply.json().value(QStringLiteral("error")).toString().isEmpty());
        QVERIFY(!reply.json().value(QStringLiteral("message")).toString().isEmpty());
        QCOMPARE(server->store().channel(QStringLiteral("kept"))->size(), 1);
    }

    void wrongMethodNamesTheAllowedOne()
    {
        auto server = startTestServer();
        const HttpReply reply = rawHttp(server->port(), "DELETE /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QCOMPARE(reply.status, 405);
        QCOMPARE(reply.headers.value("allow"), QByteArray("GET, HEAD, OPTIONS"));
    }

    void bodyOverTheCapIs413()
    {
        ServerConfig config;
        config.maxBodyBytes = 1024;
        auto server = startTestServer(config);
        const QByteArray body = QByteArray("{\"organization_id\":\"a\",\"data\":\"") + QByteArray(2000, 'x') + "\"}";
        const HttpReply reply = rawHttp(server->port(), post("/events", body));
        QCOMPARE(reply.status, 413);
        QCOMPARE(reply.json().value(QStringLiteral("code")).toString(), QStringLiteral("body_too_large"));
        QVERIFY(reply.connectionClosed);
        QCOMPARE(server->store().channelCount(), 0);
    }

    void headOver16KiBIs431()
    {
        auto server = startTestServer();
        const QByteArray request = "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + QByteArray(20 * 1024, 'a') + "\r\n\r\n";
        const HttpReply reply = rawHttp(server->port(), request);
        QCOMPARE(reply.status, 431);
        QCOMPARE(reply.json().value(QStringLiteral("code")).toString(), QStringLiteral("head_too_large"));
    }

    void incompleteHeadTimesOutWith408()
    {
        ServerConfig config;
        config.headTimeout = std::chrono::milliseconds(300);
        auto server = startTestServer(config);
        const HttpReply reply = rawHttp(server->port(), "GET /health HTTP/1.1\r\nHost: localhost\r\n", 5000);
        QCOMPARE(reply.status, 408);
        QCOMPARE(reply.json().value(QStringLiteral("code")).toString(), QStringLiteral("request_timeout"));
        QVERIFY(reply.connectionClosed);
    }

    void silentConnectionAlsoGets408()
    {
        ServerConfig config;
        config.headTimeout = std::chrono::milliseconds(300);
        auto server = startTestServer(config);
        QCOMPARE(rawHttp(server->port(), QByteArray(), 5000).status, 408);
    }

    void keepAliveServesPipelinedRequests()
    {
        auto server = startTestServer();
        const QByteArray requests = post("/events", R"({"organization_id":"p","data":1})") +
                                    "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n" +
                                    post("/events", R"({"organization_id":"p","data":2})");
        const QList<HttpReply> replies = rawHttpExchange(server->port(), requests, 3);
        QCOMPARE(replies.size(), 3);
        QCOMPARE(replies[0].json().value(QStringLiteral("seq")).toInt(), 1);
        QCOMPARE(replies[1].json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(replies[2].json().value(QStringLiteral("seq")).toInt(), 2);
        QCOMPARE(replies[2].headers.value("connection"), QByteArray("keep-alive"));
        QVERIFY(!replies[2].connectionClosed);
    }

    void http10ClosesAfterTheResponse()
    {
        auto server = startTestServer();
        const HttpReply reply = rawHttp(server->port(), "GET /health HTTP/1.0\r\n\r\n");
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.connectionClosed);
    }

    void bodyArrivingInPiecesIsAssembled()
    {
        auto server = startTestServer();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server->port());
        QVERIFY(socket.waitForConnected(5000));
        const QByteArray request =
            post("/events", R"({"organization_id":"slow","data":{"k":"v"}})", "Connection: close\r\n");
        for (const char byte : request) {
            socket.write(&byte, 1);
            socket.flush();
            QTest::qWait(1);
        }
        QByteArray response;
        QVERIFY(QTest::qWaitFor(
            [&] {
                response.append(socket.readAll());
                return response.contains("\"seq\":1");
            },
            10000));
        QVERIFY(response.startsWith("HTTP/1.1 200"));
    }
};

QTEST_GUILESS_MAIN(TestHttpApi)
#include "tst_httpapi.moc"

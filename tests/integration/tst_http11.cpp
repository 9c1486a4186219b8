// HTTP/1.1 as clients send it (RFC 9110/9112), over real sockets: chunked bodies, Expect:
// 100-continue, HEAD, CORS preflights, HTTP/1.0 and Connection: close, pipelining.
#include "TestHttp.h"
#include "TestServer.h"

#include "auth/AccessControl.h"
#include "store/Capture.h"

#include <QTcpSocket>
#include <QTest>

using namespace cdc;

namespace {

QByteArray chunked(const QList<QByteArray> &chunks, const QByteArray &trailer = {})
{
    QByteArray out;
    for (const QByteArray &chunk : chunks)
        out += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
    return out + "0\r\n" + trailer + "\r\n";
}

const QByteArray chunkedHead = "POST /events HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";

} // namespace

class TestHttp11 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chunkedBodyIsDecodedWithExtensionsAndTrailers()
    {
        auto server = startTestServer();
        const QByteArray payload = R"({"b":1,"a":123456789012345678901234567890})";
        const QByteArray body = R"({"organization_id":"c","data":)" + payload + "}";
        // Cut anywhere, with a chunk extension and a trailer field, then a pipelined GET.
        QByteArray request = chunkedHead + QByteArray::number(10, 16) + ";name=value\r\n" + body.left(10) + "\r\n" +
                             chunked({body.mid(10, 7), body.mid(17)}, "X-Checksum: 1\r\n");
        request += "GET /channels HTTP/1.1\r\nHost: localhost\r\n\r\n";
        const QList<HttpReply> replies = rawHttpExchange(server->port(), request, 2);
        QCOMPARE(replies.size(), 2);
        QCOMPARE(replies[0].status, 200);
        QCOMPARE(replies[0].json().value(QStringLiteral("seq")).toInteger(), 1);
        QCOMPARE(replies[1].status, 200);
        QVERIFY(replies[1].body.contains("\"organization_id\":\"c\""));
        QCOMPARE(server->store().channel(QStringLiteral("c"))->newest().payload(), payload);
    }

    void chunkedBodyArrivingByteByByte()
    {
        auto server = startTestServer();
        Wire wire(server->port());
        const QByteArray request = chunkedHead + chunked({R"({"organization_id":"slow",)", R"("data":[1.0]})"});
        for (const char byte : request) {
            wire.send(QByteArray(1, byte));
            QTest::qWait(1);
        }
        QVERIFY(wire.waitFor("\"seq\":1"));
        QCOMPARE(server->store().channel(QStringLiteral("slow"))->newest().payload(), QByteArray("[1.0]"));
    }

    void badChunkedBodiesAreRefusedAndKeepWhatWasAccepted_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("size not hex") << (chunkedHead + "zz\r\nhello\r\n0\r\n\r\n") << 400
                                      << QStringLiteral("bad_chunked_body");
        QTest::newRow("data longer than its size")
            << (chunkedHead + "2\r\nhello\r\n0\r\n\r\n") << 400 << QStringLiteral("bad_chunked_body");
        QTest::newRow("decoded size over the cap")
            << (chunkedHead + chunked({QByteArray(600, 'x'), QByteArray(600, 'x')})) << 413
            << QStringLiteral("body_too_large");
        QTest::newRow("chunked and a length")
            << QByteArray("POST /events HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n")
            << 400 << QStringLiteral("bad_request");
        QTest::newRow("chunked in HTTP/1.0")
            << QByteArray("POST /events HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400
            << QStringLiteral("bad_request");
        QTest::newRow("a coding not supported")
            << QByteArray("POST /events HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") << 501
            << QStringLiteral("unsupported_transfer_coding");
        QTest::newRow("a second coding on its own line")
            << QByteArray(
                   "POST /events HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n")
            << 501 << QStringLiteral("unsupported_transfer_coding");
        QTest::newRow("conflicting lengths")
            << QByteArray("POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}") << 400
            << QStringLiteral("bad_request");
    }

    void badChunkedBodiesAreRefusedAndKeepWhatWasAccepted()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QString, code);
        ServerConfig config;
        config.maxBodyBytes = 1024;
        auto server = startTestServer(config);
        QCOMPARE(publish(server->port(), QStringLiteral("kept"), 1).status, 200);
        const HttpReply reply = rawHttp(server->port(), request);
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.json().value(QStringLiteral("code")).toString(), code);
        QVERIFY(reply.connectionClosed);
        QCOMPARE(server->store().channelCount(), 1);
        QCOMPARE(server->store().channel(QStringLiteral("kept"))->size(), 1);
    }

    // curl sends Expect: 100-continue past 1 MiB and waits for leave before the body.
    void expectContinueIsAnsweredBeforeTheBody()
    {
        auto server = startTestServer();
        const QByteArray body = "{\"organization_id\":\"big\",\"data\":\"" + QByteArray(2 << 20, 'x') + "\"}";
        Wire wire(server->port());
        wire.send("POST /events HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: " +
                  QByteArray::number(body.size()) + "\r\n\r\n");
        QVERIFY(wire.waitFor("HTTP/1.1 100 Continue\r\n\r\n"));
        QVERIFY(wire.received.startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
        wire.send(body);
        QVERIFY(wire.waitFor("\"seq\":1", 10000));
        QVERIFY(wire.received.contains("\r\n\r\nHTTP/1.1 200 OK\r\n"));
    }

    void expectContinueOverTheCapIsRefusedWithoutTheBody()
    {
        ServerConfig config;
        config.maxBodyBytes = 1024;
        auto server = startTestServer(config);
        Wire wire(server->port());
        wire.send("POST /events HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
        QVERIFY(wire.waitClosed());
        QVERIFY(wire.received.startsWith("HTTP/1.1 413 "));
        QVERIFY(!wire.received.contains("100 Continue"));
    }

    void headAnswersEveryGetWithoutTheBody_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("health") << QByteArray("/health");
        QTest::newRow("metrics") << QByteArray("/metrics");
        QTest::newRow("channels") << QByteArray("/channels");
        QTest::newRow("export") << QByteArray("/export");
        QTest::newRow("channel export") << QByteArray("/channels/h/export");
    }

    void headAnswersEveryGetWithoutTheBody()
    {
        QFETCH(QByteArray, path);
        auto server = startTestServer();
        QCOMPARE(publish(server->port(), QStringLiteral("h"), 1).status, 200);
        const HttpReply get = rawHttp(server->port(), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QCOMPARE(get.status, 200);
        // HEAD, then a pipelined GET: the HEAD answer ends with its head, or the GET would be
        // read as its body.
        Wire wire(server->port());
        wire.send("HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\nGET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QVERIFY(wire.waitFor("\"status\":\"ok\""));
        const qsizetype headEnd = wire.received.indexOf("\r\n\r\n");
        QVERIFY(wire.received.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(wire.received.mid(headEnd + 4).startsWith("HTTP/1.1 200 OK\r\n"));
        const QByteArray head = wire.received.left(headEnd).toLower();
        QVERIFY(head.contains(QByteArray("content-type: " + get.headers.value("content-type").toLower())));
        // Exports are streamed as the client reads (chunked); the rest say their length. /health and
        // /metrics change from one request to the next.
        if (path.endsWith("/export"))
            QVERIFY(head.contains("transfer-encoding: chunked"));
        else if (path != "/health" && path != "/metrics")
            QVERIFY(head.contains(QByteArray("content-length: " + QByteArray::number(get.body.size()))));
    }

    // An export is streamed a page at a time; a request pipelined behind it waits for its end,
    // then is answered. HTTP/1.0 gets the same bytes unchunked, ended by the close.
    void aStreamedExportIsFollowedByThePipelinedRequest()
    {
        auto server = startTestServer();
        for (int batch = 0; batch < 6; ++batch) {
            QByteArray body = "[";
            for (int i = 0; i < 500; ++i)
                body += QByteArray(i ? "," : "") + "{\"organization_id\":\"big\",\"data\":{\"pad\":\"" +
                        QByteArray(500, 'p') + "\",\"i\":" + QByteArray::number(batch * 500 + i) + "}}";
            QCOMPARE(httpPost(server->port(), "/events", body + "]").status, 200);
        }
        const QByteArray expected = exportCapture(server->store(), {QStringLiteral("big")}, {});
        QVERIFY(expected.size() > 1'000'000); // several pages
        const QList<HttpReply> replies = rawHttpExchange(server->port(),
                                                         "GET /channels/big/export HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                                         "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n",
                                                         2);
        QCOMPARE(replies.size(), 2);
        QCOMPARE(replies[0].headers.value("transfer-encoding"), QByteArray("chunked"));
        QCOMPARE(replies[0].body, expected);
        QCOMPARE(replies[1].json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));

        Wire old(server->port());
        old.send("GET /channels/big/export HTTP/1.0\r\n\r\n");
        QVERIFY(old.waitClosed());
        const qsizetype headEnd = old.received.indexOf("\r\n\r\n");
        QVERIFY(old.received.left(headEnd).contains("Connection: close"));
        QVERIFY(!old.received.left(headEnd).contains("Transfer-Encoding"));
        QCOMPARE(old.received.mid(headEnd + 4), expected);
    }

    void preflightAndCorsForAllowedOrigins()
    {
        ServerConfig config;
        config.allowedOrigins = {QStringLiteral("http://app.example")};
        auto server = startTestServer(config);
        const HttpReply preflight =
            rawHttp(server->port(), "OPTIONS /events HTTP/1.1\r\nHost: localhost\r\nOrigin: http://app.example\r\n"
                                    "Access-Control-Request-Method: POST\r\n"
                                    "Access-Control-Request-Headers: content-type, idempotency-key\r\n\r\n");
        QCOMPARE(preflight.status, 204);
        QCOMPARE(preflight.headers.value("access-control-allow-origin"), QByteArray("http://app.example"));
        QCOMPARE(preflight.headers.value("access-control-allow-methods"), QByteArray("POST, OPTIONS"));
        QCOMPARE(preflight.headers.value("access-control-allow-headers"), QByteArray("content-type, idempotency-key"));
        QCOMPARE(preflight.headers.value("vary"), QByteArray("Origin"));
        QVERIFY(!preflight.headers.contains("content-length"));

        const HttpReply published =
            rawHttp(server->port(), "POST /events HTTP/1.1\r\nHost: localhost\r\nOrigin: http://app.example\r\n"
                                    "Content-Type: application/json\r\nContent-Length: 35\r\n\r\n"
                                    R"({"organization_id":"w","data":true})");
        QCOMPARE(published.status, 200);
        QCOMPARE(published.headers.value("access-control-allow-origin"), QByteArray("http://app.example"));

        // Another origin is refused on every route, and gets no grant.
        const HttpReply other = rawHttp(server->port(), "OPTIONS /channels HTTP/1.1\r\nHost: localhost\r\n"
                                                        "Origin: http://evil.example\r\n"
                                                        "Access-Control-Request-Method: GET\r\n\r\n");
        QCOMPARE(other.status, 403);
        QVERIFY(!other.headers.contains("access-control-allow-origin"));
        QVERIFY(!other.headers.contains("access-control-allow-methods"));
        const HttpReply read =
            rawHttp(server->port(), "GET /channels HTTP/1.1\r\nHost: localhost\r\nOrigin: http://evil.example\r\n\r\n");
        QCOMPARE(read.status, 403);
        QCOMPARE(read.json().value(QStringLiteral("code")).toString(), QStringLiteral("forbidden_origin"));
        QVERIFY(!read.headers.contains("access-control-allow-origin"));
        QCOMPARE(rawHttp(server->port(), "OPTIONS /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 404);
    }

    // The preflight needs no token (browsers send none with it); the request it announces does.
    void tokenRulesStandBehindThePreflight()
    {
        auto loaded = AccessControl::parse(
            R"({"tokens":[{"name":"page","token":"s3cret-page-token","channels":["w"],"publish":true}]})");
        QVERIFY(std::holds_alternative<std::shared_ptr<const AccessControl>>(loaded));
        ServerConfig config;
        config.allowedOrigins = {QStringLiteral("*")};
        config.accessControl = std::get<std::shared_ptr<const AccessControl>>(loaded);
        auto server = startTestServer(config);
        const QByteArray origin = "Origin: http://page.example\r\n";
        const HttpReply preflight = rawHttp(server->port(), "OPTIONS /events HTTP/1.1\r\nHost: localhost\r\n" + origin +
                                                                "Access-Control-Request-Method: POST\r\n\r\n");
        QCOMPARE(preflight.status, 204);
        // Allowed by "*": answered with "*", never with what the request wrote.
        QCOMPARE(preflight.headers.value("access-control-allow-origin"), QByteArray("*"));
        const QByteArray body = R"({"organization_id":"w","data":1})";
        const HttpReply refused = rawHttp(server->port(), "POST /events HTTP/1.1\r\nHost: localhost\r\n" + origin +
                                                              "Content-Length: 32\r\n\r\n" + body);
        QCOMPARE(refused.status, 401);
        QCOMPARE(refused.headers.value("access-control-allow-origin"), QByteArray("*"));
        const HttpReply accepted =
            rawHttp(server->port(), "POST /events HTTP/1.1\r\nHost: localhost\r\n" + origin +
                                        "Authorization: Bearer s3cret-page-token\r\nContent-Length: 32\r\n\r\n" + body);
        QCOMPARE(accepted.status, 200);
    }

    void http10AndConnectionCloseEndTheConnection_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<bool>("closed");
        QTest::newRow("HTTP/1.0") << QByteArray("GET /health HTTP/1.0\r\n\r\n") << true;
        QTest::newRow("HTTP/1.0 keep-alive")
            << QByteArray("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << false;
        QTest::newRow("HTTP/1.1 Connection: close")
            << QByteArray("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n") << true;
        QTest::newRow("HTTP/1.1") << QByteArray("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n") << false;
    }

    void http10AndConnectionCloseEndTheConnection()
    {
        QFETCH(QByteArray, request);
        QFETCH(bool, closed);
        auto server = startTestServer();
        Wire wire(server->port());
        wire.send(request);
        QVERIFY(wire.waitFor("\"status\":\"ok\""));
        QCOMPARE(wire.waitClosed(closed ? 5000 : 500), closed);
        QVERIFY(wire.received.contains(closed ? "Connection: close\r\n" : "Connection: keep-alive\r\n"));
    }
};

QTEST_GUILESS_MAIN(TestHttp11)
#include "tst_http11.moc"

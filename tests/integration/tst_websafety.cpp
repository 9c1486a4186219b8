// What a web page the user visits, and a client that bends HTTP, can make a desktop server do:
// cross-site writes and DNS rebinding are refused on every route, malformed header fields end the
// connection before they can hide a request, answers before an upgrade are not lost, and names
// cannot carry controls into logs and tables. After every probe, what was accepted before is
// still there byte for byte.
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"

#include <QJsonArray>
#include <QTest>

using namespace cdc;

namespace {

const QByteArray acceptedPayload = R"({"id":1,"name":"Grüße ✓"})";

QByteArray post(const QByteArray &headers, const QByteArray &body)
{
    return "POST /events HTTP/1.1\r\n" + headers + "Content-Length: " + QByteArray::number(body.size()) +
           "\r\n\r\n" + body;
}

} // namespace

class TestWebSafety : public QObject
{
    Q_OBJECT

    std::unique_ptr<CdcServer> m_server;

    // The event accepted before the probe is still the only one, unchanged.
    void acceptedEventIntact()
    {
        const ChannelLog *log = m_server->store().channel(QStringLiteral("kept"));
        QVERIFY(log);
        QCOMPARE(qint64(log->size()), qint64(1));
        QCOMPARE(log->newest().payload(), acceptedPayload);
        QCOMPARE(m_server->store().channelCount(), qsizetype(1));
    }

    void start(ServerConfig config = {})
    {
        m_server = startTestServer(std::move(config));
        QCOMPARE(httpPost(m_server->port(), "/events", R"({"organization_id":"kept","data":)" + acceptedPayload + "}")
                     .status,
                 200);
    }

private Q_SLOTS:
    void cleanup() { m_server.reset(); }

    // A form on any site can POST text/plain here without a preflight.
    void crossSiteWritesAreRefused_data()
    {
        QTest::addColumn<QStringList>("allowedOrigins");
        QTest::newRow("no origins allowed") << QStringList();
        QTest::newRow("another origin allowed") << QStringList{QStringLiteral("https://app.example")};
    }

    void crossSiteWritesAreRefused()
    {
        QFETCH(QStringList, allowedOrigins);
        ServerConfig config;
        config.allowedOrigins = allowedOrigins;
        start(config);
        const HttpReply reply =
            rawHttp(m_server->port(), post("Host: 127.0.0.1\r\nOrigin: https://evil.example\r\n"
                                           "Content-Type: text/plain\r\n",
                                           R"({"organization_id":"planted","data":1})"));
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.json().value(QStringLiteral("code")).toString(), QStringLiteral("forbidden_origin"));
        QVERIFY(reply.json().value(QStringLiteral("hint")).toString().contains(QStringLiteral("--allowed-origins")));
        QVERIFY(!reply.headers.contains("access-control-allow-origin"));
        QVERIFY(reply.connectionClosed);
        acceptedEventIntact();
        // Reads and upgrades too.
        QCOMPARE(rawHttp(m_server->port(), "GET /channels HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example"
                                           "\r\n\r\n")
                     .status,
                 403);
        QCOMPARE(rawHttp(m_server->port(), upgradeRequest("Origin: https://evil.example\r\n")).status, 403);
        // The allowed origin is served, and its name echoed exactly.
        if (!allowedOrigins.isEmpty()) {
            const HttpReply allowed = rawHttp(
                m_server->port(), post("Host: localhost\r\nOrigin: https://app.example\r\n", R"({"organization_id":"kept","data":2})"));
            QCOMPARE(allowed.status, 200);
            QCOMPARE(allowed.headers.value("access-control-allow-origin"), QByteArray("https://app.example"));
        }
    }

    // A page that rebinds its own name to 127.0.0.1 reaches us with that name in Host.
    void reboundNamesAreRefusedOnLoopback()
    {
        start();
        const HttpReply read =
            rawHttp(m_server->port(), "GET /channels HTTP/1.1\r\nHost: attacker.example:4053\r\n\r\n");
        QCOMPARE(read.status, 403);
        QCOMPARE(read.json().value(QStringLiteral("code")).toString(), QStringLiteral("forbidden_host"));
        QVERIFY(read.json().value(QStringLiteral("hint")).toString().contains(QStringLiteral("--allowed-hosts")));
        QVERIFY(!read.body.contains("kept"));
        QCOMPARE(rawHttp(m_server->port(), post("Host: attacker.example\r\n", R"({"organization_id":"planted","data":1})"))
                     .status,
                 403);
        QByteArray upgrade = upgradeRequest("X-Athena-Client: kept\r\n");
        upgrade.replace("Host: 127.0.0.1", "Host: attacker.example");
        QCOMPARE(rawHttp(m_server->port(), upgrade).status, 403);
        acceptedEventIntact();

        // This machine's names are served; HTTP/1.1 without Host is malformed (RFC 9112 §3.2).
        for (const QByteArray host : {"localhost:1", "127.0.0.1", "[::1]:4053", "app.localhost"})
            QCOMPARE(rawHttp(m_server->port(), "GET /health HTTP/1.1\r\nHost: " + host + "\r\n\r\n").status, 200);
        const HttpReply hostless = rawHttp(m_server->port(), "GET /health HTTP/1.1\r\n\r\n");
        QCOMPARE(hostless.status, 400);
        QCOMPARE(hostless.json().value(QStringLiteral("code")).toString(), QStringLiteral("missing_host"));
        QCOMPARE(rawHttp(m_server->port(), "GET /health HTTP/1.0\r\n\r\n").status, 200);
    }

    void allowedHostsAreServed()
    {
        ServerConfig config;
        config.allowedHosts = {QStringLiteral("cdc.internal")};
        start(config);
        QCOMPARE(rawHttp(m_server->port(), "GET /channels HTTP/1.1\r\nHost: cdc.internal:4053\r\n\r\n").status, 200);
        QCOMPARE(rawHttp(m_server->port(), "GET /channels HTTP/1.1\r\nHost: other.internal\r\n\r\n").status, 403);
    }

    // RFC 9112 §2.2, §5.1, RFC 9110 §5.5: where a proxy in front could see a different request.
    void malformedFieldsEndTheConnection_data()
    {
        QTest::addColumn<QByteArray>("request");
        const QByteArray hidden = "GET /channels HTTP/1.1\r\nHost: localhost\r\n\r\n";
        // A bare LF read as a line end would turn the body (a whole request) into a second request.
        QTest::newRow("bare LF in a value") << "POST /events HTTP/1.1\r\nHost: localhost\r\nX-A: a\nContent-Length: " +
                                                   QByteArray::number(hidden.size()) + "\r\n\r\n" + hidden;
        QTest::newRow("bare CR in a value") << QByteArray("GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: a\rb\r\n\r\n");
        static const char withNul[] = "GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: a\0b\r\n\r\n";
        QTest::newRow("NUL in a value") << QByteArray(withNul, sizeof withNul - 1);
        QTest::newRow("bare LF line ends") << QByteArray("GET /health HTTP/1.1\nHost: localhost\n\n");
        QTest::newRow("space before a colon")
            << QByteArray("POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length : 5\r\n\r\n{}{}{");
        QTest::newRow("folded header") << QByteArray("GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: a\r\n b\r\n\r\n");
    }

    void malformedFieldsEndTheConnection()
    {
        QFETCH(QByteArray, request);
        start();
        const QList<HttpReply> replies = rawHttpExchange(m_server->port(), request, 2, 3000);
        QCOMPARE(replies.size(), 1); // no second answer: nothing hidden was served
        QCOMPARE(replies[0].status, 400);
        QCOMPARE(replies[0].json().value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
        QVERIFY(replies[0].connectionClosed);
        acceptedEventIntact();
    }

    // With every origin allowed, an Origin carrying a line break must not reach our headers.
    void anOriginCannotInjectHeaders()
    {
        ServerConfig config;
        config.allowedOrigins = {QStringLiteral("*")};
        start(config);
        const HttpReply reply = rawHttp(
            m_server->port(), "GET /health HTTP/1.1\r\nHost: localhost\r\nOrigin: https://a.example\nX-Injected: yes\r\n\r\n");
        QCOMPARE(reply.status, 400);
        QVERIFY(!reply.headers.contains("x-injected"));
        const HttpReply star =
            rawHttp(m_server->port(), "GET /health HTTP/1.1\r\nHost: localhost\r\nOrigin: https://a.example\r\n\r\n");
        QCOMPARE(star.headers.value("access-control-allow-origin"), QByteArray("*"));
    }

    // A publish and an upgrade in one write: the publish's answer comes first, then the 101.
    void answersBeforeAnUpgradeArriveInOrder()
    {
        start();
        Wire wire(m_server->port());
        const QByteArray body = R"({"organization_id":"kept","data":"second"})";
        wire.send(post("Host: localhost\r\n", body) + upgradeRequest("X-Athena-Client: kept\r\n"));
        QVERIFY(wire.waitFor("Subscribed via"));
        const qsizetype answer = wire.received.indexOf("HTTP/1.1 200 OK");
        const qsizetype switching = wire.received.indexOf("HTTP/1.1 101 Switching Protocols");
        QVERIFY2(answer >= 0, wire.received.constData());
        QVERIFY(switching > answer);
        QVERIFY(wire.received.mid(answer, switching - answer).contains("\"seq\":2"));
        QCOMPARE(qint64(m_server->store().channel(QStringLiteral("kept"))->size()), qint64(2));
    }

    // Controls and bidirectional overrides in names could forge log lines or disguise a channel.
    void namesWithControlsAreRefused()
    {
        start();
        const HttpReply client =
            rawHttp(m_server->port(), upgradeRequest({}, "/ws?client=a%0A2026-12-07T00:00:00Z%20info%20forged"));
        QCOMPARE(client.status, 400);
        QCOMPARE(client.json().value(QStringLiteral("code")).toString(), QStringLiteral("invalid_client_header"));
        QVERIFY(client.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("U+000A")));

        for (const QByteArray &name : {QByteArray(R"(a\u0000b)"), QByteArray(R"(a\nb)"), QByteArray(R"(invoice\u202Etxt)")}) {
            const HttpReply published =
                httpPost(m_server->port(), "/events", R"({"organization_id":")" + name + R"(","data":1})");
            QCOMPARE(published.status, 422);
            QVERIFY(published.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("U+")));
        }

        TestWsClient ws(m_server->port(), QStringLiteral("kept"));
        QVERIFY(ws.waitForMessages(1));
        ws.sendText(QStringLiteral(R"({"type":"subscribe","organization_id":"x\u202Ey"})"));
        const QJsonObject refused = ws.waitForStatus(QStringLiteral("error"));
        QCOMPARE(refused.value(QStringLiteral("error")).toString(), QStringLiteral("invalid_field"));
        QVERIFY(refused.value(QStringLiteral("message")).toString().contains(QStringLiteral("U+202E")));
        acceptedEventIntact();
    }
};

QTEST_GUILESS_MAIN(TestWebSafety)
#include "tst_websafety.moc"

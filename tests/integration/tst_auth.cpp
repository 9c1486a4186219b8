// Authentication and the browser path: tokens with their rights on WebSocket upgrades, subscribe,
// travel, publish and the read endpoints; ?client= and ?token= with the Origin allow-list; and the
// start-up warning for a server open beyond loopback without tokens.
#include "HeadlessProcess.h"
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"
#include "net/SessionHub.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace cdc;

namespace {

const QByteArray readerSecret = "reader-secret-0123456789";
const QByteArray producerSecret = "producer-secret-0123456789";
const QByteArray monitorSecret = "monitor-secret-0123456789";

const QByteArray tokenFile = R"({"tokens":[
  {"name":"reader","token":"reader-secret-0123456789","channels":["orders","billing_*"]},
  {"name":"producer","token":"producer-secret-0123456789","clients":["producer"],"channels":["orders"],"publish":true},
  {"name":"ops","token":"monitor-secret-0123456789","channels":["*"],"monitor":true}
]})";

ServerConfig authConfig()
{
    ServerConfig config;
    auto parsed = AccessControl::parse(tokenFile);
    config.accessControl = std::get<std::shared_ptr<const AccessControl>>(parsed);
    return config;
}

HttpReply request(quint16 port, const QByteArray &method, const QByteArray &target, const QByteArray &token,
                  const QByteArray &body = {})
{
    QByteArray head = method + ' ' + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
    if (!token.isEmpty())
        head += "Authorization: Bearer " + token + "\r\n";
    if (!body.isEmpty())
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return rawHttp(port, head + "\r\n" + body);
}

QNetworkRequest wsRequest(quint16 port, const QString &client, const QByteArray &token)
{
    QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port)));
    request.setRawHeader("X-Athena-Client", client.toUtf8());
    request.setRawHeader("Authorization", "Bearer " + token);
    return request;
}

} // namespace

class TestAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void upgradesWithoutTheRightTokenAreRefused_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("no token") << QByteArray("X-Athena-Client: orders\r\n") << 401 << QStringLiteral("unauthorized");
        QTest::newRow("unknown token")
            << QByteArray("X-Athena-Client: orders\r\nAuthorization: Bearer nope-nope-nope-1234\r\n") << 401
            << QStringLiteral("invalid_token");
        QTest::newRow("channel the token cannot read")
            << QByteArray("X-Athena-Client: secret\r\nAuthorization: Bearer " + readerSecret + "\r\n") << 403
            << QStringLiteral("forbidden_client");
        QTest::newRow("client name the token does not list")
            << QByteArray("X-Athena-Client: orders\r\nAuthorization: Bearer " + producerSecret + "\r\n") << 403
            << QStringLiteral("forbidden_client");
    }

    void upgradesWithoutTheRightTokenAreRefused()
    {
        QFETCH(QByteArray, headers);
        QFETCH(int, status);
        QFETCH(QString, code);
        auto server = startTestServer(authConfig());
        const HttpReply reply = rawHttp(server->port(), upgradeRequest(headers));
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.json().value(QStringLiteral("code")).toString(), code);
        if (status == 401)
            QCOMPARE(reply.headers.value("www-authenticate"), QByteArray("Bearer"));
        QCOMPARE(server->sessions().sessionCount(), 0);
    }

    void aGoodTokenSubscribesAndTravelsOnlyWhereItMay()
    {
        auto server = startTestServer(authConfig());
        server->publish({{QStringLiteral("orders"), "1"}, {QStringLiteral("secret"), "2"}});
        TestWsClient client(wsRequest(server->port(), QStringLiteral("orders"), readerSecret));
        QVERIFY(client.waitForMessages(1));
        QCOMPARE(client.messages().first().value(QStringLiteral("status")).toString(), QStringLiteral("subscribed"));

        const auto send = [&client](const QString &type, const QString &channel) {
            client.sendJson({{QStringLiteral("type"), type}, {QStringLiteral("organization_id"), channel}});
        };
        send(QStringLiteral("subscribe"), QStringLiteral("billing_eu"));
        QVERIFY(!client.waitForStatus(QStringLiteral("subscribed"), 1).isEmpty());
        send(QStringLiteral("subscribe"), QStringLiteral("secret"));
        QVERIFY(client.waitForMessages(3));
        QCOMPARE(client.messages().last().value(QStringLiteral("error")).toString(), QStringLiteral("forbidden"));
        send(QStringLiteral("travel"), QStringLiteral("secret"));
        QVERIFY(client.waitForMessages(4));
        QCOMPARE(client.messages().last().value(QStringLiteral("error")).toString(), QStringLiteral("forbidden"));
        send(QStringLiteral("travel"), QStringLiteral("orders"));
        QVERIFY(client.waitForMessages(6));
        QCOMPARE(client.eventSeqs(QStringLiteral("orders")), QList<qint64>{1});

        // Live events of the forbidden channel never arrive.
        server->publish({{QStringLiteral("secret"), "3"}, {QStringLiteral("billing_eu"), "4"}});
        QVERIFY(client.waitForMessages(7));
        QTest::qWait(100);
        QCOMPARE(client.eventSeqs(QStringLiteral("secret")), QList<qint64>{});
        QCOMPARE(client.eventSeqs(QStringLiteral("billing_eu")), QList<qint64>{1});
    }

    void publishingNeedsThePublishRightForEveryEvent()
    {
        auto server = startTestServer(authConfig());
        const QByteArray one = R"({"organization_id":"orders","data":{"n":1}})";
        QCOMPARE(request(server->port(), "POST", "/events", {}, one).status, 401);
        const HttpReply readOnly = request(server->port(), "POST", "/events", readerSecret, one);
        QCOMPARE(readOnly.status, 403);
        QVERIFY(
            readOnly.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("may not publish")));
        QCOMPARE(request(server->port(), "POST", "/events", producerSecret, one).status, 200);

        const QByteArray batch = R"([{"organization_id":"orders","data":1},{"organization_id":"secret","data":2}])";
        const HttpReply mixed = request(server->port(), "POST", "/events", producerSecret, batch);
        QCOMPARE(mixed.status, 403);
        QVERIFY2(mixed.json().value(QStringLiteral("message")).toString().startsWith(QStringLiteral("event 2:")),
                 mixed.body.constData());
        QCOMPARE(server->store().channel(QStringLiteral("orders"))->lastSeq(), 1); // nothing of the batch
        QVERIFY(!server->store().channel(QStringLiteral("secret")));
    }

    void readEndpointsShowOnlyWhatTheTokenMayRead()
    {
        auto server = startTestServer(authConfig());
        server->publish({{QStringLiteral("orders"), "1"}, {QStringLiteral("secret"), "2"}});
        QCOMPARE(request(server->port(), "GET", "/health", {}).status, 200);
        QCOMPARE(request(server->port(), "GET", "/metrics", {}).status, 401);
        QCOMPARE(request(server->port(), "GET", "/metrics", readerSecret).status, 200);
        const QJsonArray channels = request(server->port(), "GET", "/channels", readerSecret)
                                        .json()
                                        .value(QStringLiteral("channels"))
                                        .toArray();
        QCOMPARE(channels.size(), 1);
        QCOMPARE(channels[0].toObject().value(QStringLiteral("organization_id")).toString(), QStringLiteral("orders"));
        const HttpReply all = request(server->port(), "GET", "/export", readerSecret);
        QCOMPARE(all.status, 200);
        QCOMPARE(all.body.count('\n'), 1);
        QVERIFY(all.body.contains("\"orders\""));
        QCOMPARE(request(server->port(), "GET", "/channels/secret/export", readerSecret).status, 403);
        // /metrics names only the channels the token may read; the rest are only summed.
        const HttpReply scraped = request(server->port(), "GET", "/metrics", readerSecret);
        QCOMPARE(scraped.status, 200);
        QVERIFY(scraped.body.contains("channel=\"orders\""));
        QVERIFY(!scraped.body.contains("secret"));
        QVERIFY(scraped.body.contains("cdcscope_other_channels 1"));
        // ?token= is for browsers' WebSockets only: on HTTP a URL's token would end up in logs and
        // histories, so it counts for nothing there.
        const HttpReply queried = request(server->port(), "GET", "/channels?token=" + readerSecret, {});
        QCOMPARE(queried.status, 401);
        QCOMPARE(queried.json().value(QStringLiteral("code")).toString(), QStringLiteral("unauthorized"));
    }

    // What a remote window monitoring this server reads and does needs the "monitor" right.
    void clientsAreListedAndDisconnectedOnlyWithTheMonitorRight()
    {
        auto server = startTestServer(authConfig());
        TestWsClient watched(wsRequest(server->port(), QStringLiteral("orders"), readerSecret));
        QVERIFY(watched.waitForMessages(1));

        QCOMPARE(request(server->port(), "GET", "/clients", {}).status, 401);
        const HttpReply refused = request(server->port(), "GET", "/clients", readerSecret);
        QCOMPARE(refused.status, 403);
        QVERIFY(refused.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("\"reader\"")));
        QVERIFY(refused.json().value(QStringLiteral("hint")).toString().contains(QStringLiteral("\"monitor\": true")));

        const HttpReply listed = request(server->port(), "GET", "/clients", monitorSecret);
        QCOMPARE(listed.status, 200);
        const QJsonArray clients = listed.json().value(QStringLiteral("clients")).toArray();
        QCOMPARE(clients.size(), 1);
        const QJsonObject client = clients[0].toObject();
        QCOMPARE(client.value(QStringLiteral("client_id")).toString(), QStringLiteral("orders"));
        QCOMPARE(client.value(QStringLiteral("subscriptions")).toArray(), QJsonArray{QStringLiteral("orders")});
        QVERIFY(client.value(QStringLiteral("peer")).toString().startsWith(QStringLiteral("127.0.0.1")));
        const QByteArray target = "/clients/" + QByteArray::number(client.value(QStringLiteral("id")).toInteger());

        QCOMPARE(request(server->port(), "DELETE", target, readerSecret).status, 403);
        QVERIFY(watched.isConnected());
        QCOMPARE(request(server->port(), "DELETE", "/clients/999999", monitorSecret).status, 404);
        QCOMPARE(request(server->port(), "GET", target, monitorSecret).status, 405);
        QCOMPARE(request(server->port(), "DELETE", target, monitorSecret).status, 200);
        QVERIFY(watched.waitForDisconnect());
        QCOMPARE(watched.closeReason(), QStringLiteral("disconnected by token \"ops\""));
        QTRY_COMPARE(request(server->port(), "GET", "/clients", monitorSecret)
                         .json()
                         .value(QStringLiteral("clients"))
                         .toArray()
                         .size(),
                     0);
    }

    void browsersUseQueryParametersAndTheOriginAllowList()
    {
        ServerConfig config = authConfig();
        config.allowedOrigins = {QStringLiteral("https://dash.example")};
        auto server = startTestServer(config);
        const QByteArray target = "/ws?client=orders&token=" + readerSecret;
        const HttpReply stranger = rawHttp(server->port(), upgradeRequest("Origin: https://evil.example\r\n", target));
        QCOMPARE(stranger.status, 403);
        QCOMPARE(stranger.json().value(QStringLiteral("code")).toString(), QStringLiteral("forbidden_origin"));
        QVERIFY(stranger.json().value(QStringLiteral("hint")).toString().contains(QStringLiteral("--allowed-origins")));

        QNetworkRequest browser(
            QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server->port()) + QString::fromUtf8(target)));
        browser.setRawHeader("Origin", "https://dash.example");
        TestWsClient client(browser);
        QVERIFY(client.waitForMessages(1));
        QCOMPARE(client.messages().first().value(QStringLiteral("client_id")).toString(), QStringLiteral("orders"));
        server->publish({{QStringLiteral("orders"), "1"}});
        QVERIFY(client.waitForMessages(2));
    }

    void withoutTokensAnyOriginIsStillRefusedUnlessAllowed()
    {
        auto server = startTestServer();
        const HttpReply page =
            rawHttp(server->port(), upgradeRequest("Origin: https://page.example\r\n", "/ws?client=x"));
        QCOMPARE(page.status, 403);
        ServerConfig open;
        open.allowedOrigins = {QStringLiteral("*")};
        auto anyOrigin = startTestServer(open);
        QNetworkRequest browser(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?client=x").arg(anyOrigin->port())));
        browser.setRawHeader("Origin", "https://page.example");
        TestWsClient client(browser);
        QVERIFY(client.waitForMessages(1));
    }

    void theBinaryWarnsWhenOpenWithoutTokensAndLoadsTokenFiles()
    {
        auto open = startHeadless({QStringLiteral("--bind"), QStringLiteral("0.0.0.0")});
        QVERIFY2(open->port, open->log.constData());
        QVERIFY(open->waitForLog("without authentication"));
        QVERIFY(open->stop());

        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("tokens.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(tokenFile);
        file.close();
        auto secured = startHeadless(
            {QStringLiteral("--bind"), QStringLiteral("0.0.0.0"), QStringLiteral("--auth-tokens"), file.fileName()});
        QVERIFY2(secured->port, secured->log.constData());
        QVERIFY(secured->waitForLog("authentication on: 3 token(s)"));
        QVERIFY(!secured->log.contains("without authentication"));
        QCOMPARE(request(secured->port, "GET", "/channels", {}).status, 401);
        QVERIFY(secured->stop());

        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(R"({"tokens":[{"name":"short","token":"abc"}]})");
        file.close();
        auto refused = startHeadless({QStringLiteral("--auth-tokens"), file.fileName()});
        QVERIFY(refused->waitForExit());
        QCOMPARE(refused->process->exitCode(), 2);
        QVERIFY2(refused->readLog().contains("token \"short\": \"token\" must be a string of at least 16 characters"),
                 refused->log.constData());
    }
};

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"

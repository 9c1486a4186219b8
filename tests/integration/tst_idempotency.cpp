// POST /events with Idempotency-Key, over real sockets: a retry gets the first answer and stores
// nothing again — answered already, still in flight, or after a restart from the journal.
#include "HeadlessProcess.h"
#include "TestHttp.h"
#include "TestServer.h"

#include "auth/AccessControl.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace cdc;

namespace {

QByteArray keyedPost(const QByteArray &key, const QByteArray &body)
{
    return "POST /events HTTP/1.1\r\nHost: localhost\r\nIdempotency-Key: " + key +
           "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

const QByteArray body = R"([{"organization_id":"pay","data":{"id":1}},{"organization_id":"pay","data":{"id":2}}])";

} // namespace

class TestIdempotency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aRetryGetsTheFirstAnswerAndStoresNothing()
    {
        auto server = startTestServer();
        const HttpReply first = rawHttp(server->port(), keyedPost("order-7-attempt", body));
        QCOMPARE(first.status, 200);
        QVERIFY(!first.headers.contains("idempotent-replayed"));
        const HttpReply retry = rawHttp(server->port(), keyedPost("order-7-attempt", body));
        QCOMPARE(retry.status, 200);
        QCOMPARE(retry.body, first.body); // the same seqs and ts_ms
        QCOMPARE(retry.headers.value("idempotent-replayed"), QByteArray("true"));
        QCOMPARE(server->store().channel(QStringLiteral("pay"))->size(), 2);
        // The draft's quoted form names the same key.
        QCOMPARE(rawHttp(server->port(), keyedPost("\"order-7-attempt\"", body)).body, first.body);
        // Without a key, or with another, it is a new publish.
        QCOMPARE(rawHttp(server->port(), keyedPost("order-8", body)).status, 200);
        QCOMPARE(server->store().channel(QStringLiteral("pay"))->size(), 4);
    }

    void aKeyReusedForAnotherBodyIsRefused()
    {
        auto server = startTestServer();
        QCOMPARE(rawHttp(server->port(), keyedPost("k1", body)).status, 200);
        const HttpReply reused = rawHttp(server->port(), keyedPost("k1", R"({"organization_id":"pay","data":3})"));
        QCOMPARE(reused.status, 422);
        QCOMPARE(reused.json().value(QStringLiteral("code")).toString(), QStringLiteral("idempotency_key_reused"));
        QCOMPARE(server->store().channel(QStringLiteral("pay"))->size(), 2);
    }

    // Keys are per token: another publisher's key, even with the same body, is another key.
    void keysArePerToken()
    {
        auto loaded = AccessControl::parse(R"({"tokens":[
            {"name":"a","token":"token-of-publisher-a","channels":["pay"],"publish":true},
            {"name":"b","token":"token-of-publisher-b","channels":["pay"],"publish":true}]})");
        QVERIFY(std::holds_alternative<std::shared_ptr<const AccessControl>>(loaded));
        ServerConfig config;
        config.accessControl = std::get<std::shared_ptr<const AccessControl>>(loaded);
        auto server = startTestServer(config);
        const auto post = [&](const QByteArray &token) {
            return rawHttp(server->port(), "POST /events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token +
                                               "\r\nIdempotency-Key: shared\r\nContent-Length: " +
                                               QByteArray::number(body.size()) + "\r\n\r\n" + body);
        };
        const HttpReply first = post("token-of-publisher-a");
        QCOMPARE(first.status, 200);
        const HttpReply other = post("token-of-publisher-b");
        QCOMPARE(other.status, 200);
        QVERIFY(!other.headers.contains("idempotent-replayed"));
        QVERIFY(other.body != first.body);
        QCOMPARE(post("token-of-publisher-a").headers.value("idempotent-replayed"), QByteArray("true"));
        QCOMPARE(server->store().channel(QStringLiteral("pay"))->size(), 4);
    }

    void invalidKeysAreRefused()
    {
        auto server = startTestServer();
        for (const QByteArray &key : {QByteArray(300, 'k'), QByteArray("\"\"")}) {
            const HttpReply reply = rawHttp(server->port(), keyedPost(key, body));
            QCOMPARE(reply.status, 400);
            QCOMPARE(reply.json().value(QStringLiteral("code")).toString(), QStringLiteral("invalid_idempotency_key"));
        }
        QCOMPARE(server->store().channelCount(), 0);
    }

    // A failed first attempt keeps nothing: the corrected retry with the same key is stored.
    void aRefusedAttemptIsNotRemembered()
    {
        auto server = startTestServer();
        QCOMPARE(rawHttp(server->port(), keyedPost("k2", R"({"organization_id":"pay"})")).status, 422);
        QCOMPARE(rawHttp(server->port(), keyedPost("k2", body)).status, 200);
        QCOMPARE(server->store().channel(QStringLiteral("pay"))->size(), 2);
    }

    // With a journal the answer waits for the commit; retries arriving meanwhile wait for it too
    // (pipelined on one connection and sent on others), and nothing is stored twice.
    void retriesWhileTheFirstIsInFlightShareItsAnswer()
    {
        QTemporaryDir dir;
        ServerConfig config;
        config.journal = JournalOptions{dir.filePath(QStringLiteral("journal.sqlite")), SyncLevel::Normal};
        auto server = startTestServer(config);
        QVERIFY(server->store().hasJournal());
        QTcpSocket first;
        QTcpSocket second;
        first.connectToHost(QHostAddress::LocalHost, server->port());
        second.connectToHost(QHostAddress::LocalHost, server->port());
        QVERIFY(first.waitForConnected(5000) && second.waitForConnected(5000));
        first.write(keyedPost("burst", body) + keyedPost("burst", body));
        second.write(keyedPost("burst", body));
        QByteArray one;
        QByteArray two;
        QVERIFY(QTest::qWaitFor(
            [&] {
                one += first.readAll();
                two += second.readAll();
                return one.count("\"seq\":1") == 2 && two.count("\"seq\":1") == 1;
            },
            10000));
        QCOMPARE(server->store().channel(QStringLiteral("pay"))->size(), 2);
        QCOMPARE(QByteArray(one + two).count("Idempotent-Replayed: true"), 2);
    }

    void theAnswerSurvivesARestart()
    {
        QTemporaryDir dir;
        const QStringList flags{QStringLiteral("--data-dir"), dir.path()};
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("CDCSCOPE_IN_MEMORY"));
        QByteArray answer;
        {
            auto server = startHeadless(flags, environment);
            QVERIFY2(server->port, server->log.constData());
            const HttpReply first = rawHttp(server->port, keyedPost("before-the-crash", body));
            QCOMPARE(first.status, 200);
            answer = first.body;
            // No clean shutdown: only what was committed counts.
            ::kill(pid_t(server->process->processId()), SIGKILL);
            QVERIFY(server->waitForExit());
        }
        auto again = startHeadless(flags, environment);
        QVERIFY2(again->port, again->log.constData());
        const HttpReply retry = rawHttp(again->port, keyedPost("before-the-crash", body));
        QCOMPARE(retry.status, 200);
        QCOMPARE(retry.body, answer);
        QCOMPARE(retry.headers.value("idempotent-replayed"), QByteArray("true"));
        const QJsonArray channels =
            httpGet(again->port, "/channels").json().value(QStringLiteral("channels")).toArray();
        QCOMPARE(channels.at(0).toObject().value(QStringLiteral("last_seq")).toInt(), 2);
        QVERIFY(again->stop());
    }
};

QTEST_GUILESS_MAIN(TestIdempotency)
#include "tst_idempotency.moc"

// The seam under the engine: a real server (real sockets) over a fake Broker of our own. What the
// clients see must come from the broker — history it holds that this instance's window never had,
// its refusals, its state — whichever broker it is (LocalBroker and RedisBroker have their suites).
#include "TestHttp.h"
#include "TestWsClient.h"

#include "CdcServer.h"
#include "broker/Broker.h"
#include "net/SessionHub.h"
#include "protocol/JsonWriter.h"

#include <QJsonArray>
#include <QTest>
#include <QTimer>

using namespace cdc;

namespace {

// A broker whose history lives elsewhere, as Redis' streams do: a travel is answered later, from
// its own store, never from the server's window.
class FakeStreamBroker : public Broker
{
public:
    FakeStreamBroker()
        : m_stream(RetentionLimits{})
    {}

    EventStore &stream() { return m_stream; }
    QStringList tracked;
    QList<PublishOptions> publishes;
    std::optional<PublishRefusal> refuseWith;
    QString currentProblem;
    int travels = 0;

    bool start(int, QString *) override { return true; }
    void serve(const Serving &) override {}
    void leave() override {}
    void publish(const PublishBatch &batch, const PublishOptions &options, PublishDone done) override
    {
        publishes.append(options);
        if (refuseWith)
            return done({{}, false, refuseWith});
        done({m_stream.append(batch), false, std::nullopt});
    }
    void travel(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits,
                TravelDone done) override
    {
        ++travels;
        // Later, as a network read would be: the asking client may have gone meanwhile.
        QTimer::singleShot(0, this, [this, channels, window, limits, done = std::move(done)] {
            done(runTravel(m_stream, channels, window, limits));
        });
    }
    void track(const QString &channel) override { tracked.append(channel); }
    QByteArray epoch(const QString &) const override { return QByteArrayLiteral("fake-epoch"); }
    void endRun(const QString &) override {}
    qint64 sourcePosition(const QString &) const override { return 0; }
    QHash<QString, qint64> sourcePositions() const override { return {}; }
    QByteArray sourceDetail(const QString &) const override { return {}; }
    bool isShared() const override { return true; }
    QString problem() const override { return currentProblem; }
    void writeHealth(JsonWriter &writer) const override
    {
        writer.key("fake_store").beginObject().field("travels", qint64(travels)).endObject();
    }
    std::optional<Membership> membership() const override
    {
        return Membership{QStringLiteral("me"), QStringLiteral("fake://"), true, {}};
    }

private:
    EventStore m_stream;
};

struct ServerOverFake
{
    FakeStreamBroker *broker = nullptr;
    std::unique_ptr<CdcServer> server;
};

ServerOverFake startOverFake()
{
    ServerOverFake made;
    ServerConfig config;
    config.port = 0;
    made.server = std::make_unique<CdcServer>(config, [&made](EventStore &, ServerMetrics &, const ServerConfig &) {
        auto broker = std::make_unique<FakeStreamBroker>();
        made.broker = broker.get();
        return broker;
    });
    QString error;
    if (!made.server->start(&error))
        qFatal("server over a fake broker did not start: %s", qPrintable(error));
    return made;
}

QJsonObject travelRequest(const QString &channel, qint64 sinceSeq, qint64 limit)
{
    return {{QStringLiteral("type"), QStringLiteral("travel")},
            {QStringLiteral("organization_id"), channel},
            {QStringLiteral("since_seq"), sinceSeq},
            {QStringLiteral("limit"), limit}};
}

} // namespace

class TestBroker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void travelReadsTheBrokersHistoryNotTheWindow()
    {
        auto [broker, server] = startOverFake();
        PublishBatch elsewhere;
        for (int i = 1; i <= 50; ++i)
            elsewhere.append({QStringLiteral("elsewhere"), QByteArray::number(i)});
        broker->stream().append(elsewhere); // published by another instance: the window never had it
        QCOMPARE(server->store().channel(QStringLiteral("elsewhere")), nullptr);

        TestWsClient client(server->port(), QStringLiteral("elsewhere"));
        QVERIFY(client.waitForMessages(1));
        QTRY_VERIFY(broker->tracked.contains(QStringLiteral("elsewhere"))); // the subscription asks the broker
        const qsizetype before = client.messages().size();
        client.sendJson(travelRequest(QStringLiteral("elsewhere"), 10, 5));
        const QJsonObject ack = client.waitForStatus(QStringLiteral("travel_complete"), before);
        QCOMPARE(ack.value(QStringLiteral("count")).toInteger(), 5);
        QList<qint64> seqs;
        QList<QByteArray> payloads;
        for (qsizetype i = before; i < client.messages().size(); ++i) {
            const QJsonObject data = client.messages()[i].value(QStringLiteral("data")).toObject();
            if (!data.isEmpty()) {
                seqs.append(data.value(QStringLiteral("seq")).toInteger());
                payloads.append(QByteArray::number(data.value(QStringLiteral("payload")).toInteger()));
            }
        }
        QCOMPARE(seqs, (QList<qint64>{11, 12, 13, 14, 15}));
        QCOMPARE(payloads, (QList<QByteArray>{"11", "12", "13", "14", "15"}));
    }

    void anAnswerForAClientThatLeftIsDropped()
    {
        auto [broker, server] = startOverFake();
        broker->stream().append({{QStringLiteral("c"), QByteArrayLiteral("1")}});
        {
            TestWsClient client(server->port(), QStringLiteral("c"));
            QVERIFY(client.waitForMessages(1));
            client.sendJson(travelRequest(QStringLiteral("c"), 0, 10));
            QTRY_COMPARE(broker->travels, 1);
        } // gone before the answer is read
        QTRY_COMPARE(server->sessions().sessionCount(), 0);
        QCOMPARE(httpGet(server->port(), "/health").status, 200); // still serving
    }

    void aPublishIsTheBrokersAndSoIsItsRefusal()
    {
        auto [broker, server] = startOverFake();
        const QByteArray body = R"({"organization_id":"orders","data":{"id":1}})";
        const HttpReply stored =
            rawHttp(server->port(), "POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                    "Idempotency-Key: k-1\r\nContent-Length: " +
                                        QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QCOMPARE(stored.status, 200);
        QCOMPARE(stored.json().value(QStringLiteral("seq")).toInteger(), 1);
        QCOMPARE(broker->publishes.size(), 1);
        QCOMPARE(broker->publishes[0].idempotencyKey, QByteArray("\nk-1")); // scoped by the (empty) token name
        QCOMPARE(broker->publishes[0].isBatch, false);
        QVERIFY(!broker->publishes[0].source);

        broker->refuseWith = PublishRefusal{503, QStringLiteral("store_down"), QStringLiteral("the store is away"),
                                            QStringLiteral("try later"), 7};
        const HttpReply refused = publish(server->port(), QStringLiteral("orders"), QJsonObject{{QStringLiteral("id"), 2}});
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.json().value(QStringLiteral("code")).toString(), QStringLiteral("store_down"));
        QCOMPARE(refused.json().value(QStringLiteral("message")).toString(), QStringLiteral("the store is away"));
        QCOMPARE(refused.json().value(QStringLiteral("hint")).toString(), QStringLiteral("try later"));
        QCOMPARE(refused.headers.value("retry-after"), QByteArray("7"));
    }

    void healthAndClusterSayTheBrokersState()
    {
        auto [broker, server] = startOverFake();
        broker->currentProblem = QStringLiteral("the fake store is unreachable");
        const QJsonObject health = httpGet(server->port(), "/health").json();
        QVERIFY(health.contains(QStringLiteral("fake_store")));
        QVERIFY(health.value(QStringLiteral("warnings")).toArray().contains(broker->currentProblem));
        const HttpReply cluster = httpGet(server->port(), "/cluster");
        QCOMPARE(cluster.status, 200);
        QCOMPARE(cluster.json().value(QStringLiteral("redis")).toString(), QStringLiteral("fake://"));
    }
};

QTEST_GUILESS_MAIN(TestBroker)
#include "tst_broker.moc"

// Travel (replay) over a real WebSocket: the spec's fields and DESIGN.md's window and ack rules.
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"

#include <QJsonArray>
#include <QTest>

using namespace cdc;

namespace {

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> values;
    for (qint64 v = first; v <= last; ++v)
        values.append(v);
    return values;
}

void publishMany(CdcServer &server, const QString &channel, int count)
{
    PublishBatch batch;
    for (int i = 0; i < count; ++i)
        batch.append({channel, QByteArray::number(i)});
    server.publish(batch);
}

// Sends a travel and returns (events received for it, the ack).
QPair<QList<QJsonObject>, QJsonObject> travel(TestWsClient &client, const QJsonObject &request)
{
    const qsizetype before = client.messages().size();
    client.sendJson(request);
    const QJsonObject ack = client.waitForStatus(QStringLiteral("travel_complete"), before, 20000);
    QList<QJsonObject> events;
    for (qsizetype i = before; i < client.messages().size(); ++i) {
        if (client.messages()[i].value(QStringLiteral("status")).toString() == u"travel_complete")
            break;
        events.append(client.messages()[i]);
    }
    return {events, ack};
}

QList<qint64> seqs(const QList<QJsonObject> &events)
{
    QList<qint64> result;
    for (const QJsonObject &event : events)
        result.append(event.value(QStringLiteral("data")).toObject().value(QStringLiteral("seq")).toInteger());
    return result;
}

QJsonObject travelRequest(std::initializer_list<QPair<QString, QJsonValue>> fields)
{
    QJsonObject request{{QStringLiteral("type"), QStringLiteral("travel")}};
    for (const auto &[key, value] : fields)
        request.insert(key, value);
    return request;
}

} // namespace

class TestTravel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sinceSeqIsStrictAndAckEchoesTheRequest()
    {
        auto server = startTestServer();
        publishMany(*server, QStringLiteral("athena_logging"), 10);
        TestWsClient client(server->port(), QStringLiteral("athena_logging"));
        QVERIFY(client.waitForMessages(1));
        const auto [events, ack] =
            travel(client, travelRequest({{QStringLiteral("organization_id"), QStringLiteral("athena_logging")},
                                          {QStringLiteral("since_seq"), 4},
                                          {QStringLiteral("limit"), 500}}));
        QCOMPARE(seqs(events), range(5, 10));
        QCOMPARE(ack.value(QStringLiteral("organization_id")).toString(), QStringLiteral("athena_logging"));
        QCOMPARE(ack.value(QStringLiteral("since_seq")).toInteger(), 4);
        QVERIFY(ack.value(QStringLiteral("since_ts_ms")).isNull());
        QCOMPARE(ack.value(QStringLiteral("limit")).toInteger(), 500);
        QCOMPARE(ack.value(QStringLiteral("count")).toInteger(), 6);
        QCOMPARE(ack.value(QStringLiteral("truncated")).toBool(), false);
        QCOMPARE(ack.value(QStringLiteral("gap")).toBool(), false);
        const QJsonObject range =
            ack.value(QStringLiteral("channels")).toObject().value(QStringLiteral("athena_logging")).toObject();
        QCOMPARE(range.value(QStringLiteral("oldest_seq")).toInteger(), 1);
        QCOMPARE(range.value(QStringLiteral("newest_seq")).toInteger(), 10);
        // Replayed frames are the same bytes as live ones: channel, seq, ts_ms, payload.
        QCOMPARE(events[0].value(QStringLiteral("data")).toObject().value(QStringLiteral("payload")).toInt(), 4);
    }

    void theSpecsFirstExampleReplaysTheLast100()
    {
        auto server = startTestServer();
        publishMany(*server, QStringLiteral("me"), 250);
        TestWsClient client(server->port(), QStringLiteral("me"));
        QVERIFY(client.waitForMessages(1));
        const auto [events, ack] = travel(client, travelRequest({{QStringLiteral("limit"), 100}}));
        QCOMPARE(seqs(events), range(151, 250));
        QVERIFY(ack.value(QStringLiteral("organization_id")).isNull());
        QVERIFY(ack.value(QStringLiteral("since_seq")).isNull());
        QCOMPARE(ack.value(QStringLiteral("truncated")).toBool(), true);
    }

    void sinceTsIsInclusiveAndBothSinceMustHold()
    {
        auto server = startTestServer();
        qint64 now = 1'700'000'000'000;
        server->store().setClock([&now] { return now; });
        for (int i = 0; i < 10; ++i) {
            publishMany(*server, QStringLiteral("t"), 1); // seq i+1 at ts now
            now += 10;
        }
        TestWsClient client(server->port(), QStringLiteral("t"));
        QVERIFY(client.waitForMessages(1));
        auto [byTime, ack] =
            travel(client, travelRequest({{QStringLiteral("since_ts_ms"), qint64(1'700'000'000'030)}}));
        QCOMPARE(seqs(byTime), range(4, 10));
        QCOMPARE(ack.value(QStringLiteral("since_ts_ms")).toInteger(), 1'700'000'000'030);
        auto [both, ack2] = travel(client, travelRequest({{QStringLiteral("since_ts_ms"), qint64(1'700'000'000'030)},
                                                          {QStringLiteral("since_seq"), 6}}));
        QCOMPARE(seqs(both), range(7, 10));
        auto [both2, ack3] = travel(client, travelRequest({{QStringLiteral("since_ts_ms"), qint64(1'700'000'000'070)},
                                                           {QStringLiteral("since_seq"), 2}}));
        QCOMPARE(seqs(both2), range(8, 10));
    }

    void defaultAndCappedLimits()
    {
        auto server = startTestServer();
        publishMany(*server, QStringLiteral("bulk"), 60'000);
        TestWsClient client(server->port(), QStringLiteral("bulk"));
        QVERIFY(client.waitForMessages(1));
        auto [byDefault, ack] = travel(client, travelRequest({}));
        QCOMPARE(byDefault.size(), 10'000);
        QCOMPARE(seqs(byDefault).constFirst(), 50'001);
        QCOMPARE(ack.value(QStringLiteral("limit")).toInteger(), 10'000);
        QCOMPARE(ack.value(QStringLiteral("truncated")).toBool(), true);
        auto [capped, ack2] =
            travel(client, travelRequest({{QStringLiteral("since_seq"), 0}, {QStringLiteral("limit"), 999'999}}));
        QCOMPARE(capped.size(), 50'000);
        QCOMPARE(seqs(capped), range(1, 50'000));
        QCOMPARE(ack2.value(QStringLiteral("limit")).toInteger(), 50'000);
        QCOMPARE(ack2.value(QStringLiteral("count")).toInteger(), 50'000);
    }

    void omittedChannelReplaysEverySubscription()
    {
        auto server = startTestServer();
        qint64 now = 1'000;
        server->store().setClock([&now] { return now; });
        TestWsClient client(server->port(), QStringLiteral("a"));
        QVERIFY(client.waitForMessages(1));
        client.sendJson({{QStringLiteral("type"), QStringLiteral("subscribe")},
                         {QStringLiteral("organization_id"), QStringLiteral("b")}});
        QVERIFY(client.waitForMessages(2));
        server->publish({{QStringLiteral("b"), "1"}, {QStringLiteral("a"), "1"}, {QStringLiteral("other"), "1"}});
        now = 2'000;
        server->publish({{QStringLiteral("a"), "2"}, {QStringLiteral("b"), "2"}});
        QVERIFY(client.waitForMessages(6)); // the live copies
        auto [events, ack] = travel(client, travelRequest({{QStringLiteral("since_seq"), 0}}));
        QStringList order;
        for (const QJsonObject &event : events)
            order.append(event.value(QStringLiteral("organization_id")).toString() +
                         QString::number(
                             event.value(QStringLiteral("data")).toObject().value(QStringLiteral("seq")).toInteger()));
        QCOMPARE(order,
                 (QStringList{QStringLiteral("a1"), QStringLiteral("b1"), QStringLiteral("a2"), QStringLiteral("b2")}));
        QCOMPARE(ack.value(QStringLiteral("channels")).toObject().keys(),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    }

    void anyChannelCanBeTravelledByName()
    {
        auto server = startTestServer();
        publishMany(*server, QStringLiteral("elsewhere"), 3);
        TestWsClient client(server->port(), QStringLiteral("me"));
        QVERIFY(client.waitForMessages(1));
        auto [events, ack] =
            travel(client, travelRequest({{QStringLiteral("organization_id"), QStringLiteral("elsewhere")}}));
        QCOMPARE(seqs(events), range(1, 3));
        auto [none, ack2] =
            travel(client, travelRequest({{QStringLiteral("organization_id"), QStringLiteral("never-used")}}));
        QVERIFY(none.isEmpty());
        QCOMPARE(ack2.value(QStringLiteral("count")).toInteger(), 0);
        QVERIFY(ack2.value(QStringLiteral("channels"))
                    .toObject()
                    .value(QStringLiteral("never-used"))
                    .toObject()
                    .value(QStringLiteral("oldest_seq"))
                    .isNull());
    }

    void gapWhenHistoryWasLost()
    {
        ServerConfig config;
        config.retention.maxEventsPerChannel = 5;
        auto server = startTestServer(config);
        publishMany(*server, QStringLiteral("g"), 12);
        TestWsClient client(server->port(), QStringLiteral("g"));
        QVERIFY(client.waitForMessages(1));
        auto [events, ack] = travel(client, travelRequest({{QStringLiteral("since_seq"), 3}}));
        QCOMPARE(seqs(events), range(8, 12));
        QCOMPARE(ack.value(QStringLiteral("gap")).toBool(), true);
        QVERIFY(ack.value(QStringLiteral("channels"))
                    .toObject()
                    .value(QStringLiteral("g"))
                    .toObject()
                    .value(QStringLiteral("gap"))
                    .toBool());
        QCOMPARE(ack.value(QStringLiteral("channels"))
                     .toObject()
                     .value(QStringLiteral("g"))
                     .toObject()
                     .value(QStringLiteral("oldest_seq"))
                     .toInteger(),
                 8);
        auto [fine, ack2] = travel(client, travelRequest({{QStringLiteral("since_seq"), 7}}));
        QCOMPARE(ack2.value(QStringLiteral("gap")).toBool(), false);
    }

    void liveEventsFollowTheTravelBlock()
    {
        auto server = startTestServer();
        // Enough replay (about 2 MB) that most of it still waits in the session queue when the
        // live events arrive.
        publishMany(*server, QStringLiteral("mix"), 20'000);
        TestWsClient client(server->port(), QStringLiteral("mix"));
        QVERIFY(client.waitForMessages(1));
        client.sendJson(travelRequest({{QStringLiteral("since_seq"), 0}, {QStringLiteral("limit"), 20'000}}));
        QVERIFY(QTest::qWaitFor([&] { return server->metrics().travels == 1; }, 5000));
        publishMany(*server, QStringLiteral("mix"), 3);
        QVERIFY(client.waitForMessages(1 + 20'000 + 1 + 3, 20000));
        const auto &messages = client.messages();
        QCOMPARE(messages[20'001].value(QStringLiteral("status")).toString(), QStringLiteral("travel_complete"));
        QList<qint64> after;
        for (qsizetype i = 20'002; i < messages.size(); ++i)
            after.append(messages[i].value(QStringLiteral("data")).toObject().value(QStringLiteral("seq")).toInteger());
        QCOMPARE(after, range(20'001, 20'003));
    }
};

QTEST_GUILESS_MAIN(TestTravel)
#include "tst_travel.moc"

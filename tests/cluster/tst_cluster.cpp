// Cluster mode against real redis-server processes and real headless instances: every client
// sees every seq once, in order, whichever instance published it (docs/cluster.md).
#include "HeadlessProcess.h"
#include "RedisServer.h"
#include "TestCertificate.h"
#include "TestHttp.h"
#include "TestWsClient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <numeric>

namespace {

QProcessEnvironment clusterEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // Set, and empty: no AUTH, and no keychain lookup that could wait on a prompt.
    environment.insert(QStringLiteral("CDCSCOPE_REDIS_PASSWORD"), QString());
    return environment;
}

std::unique_ptr<HeadlessProcess> startInstance(const RedisServer &redis, QStringList args = {})
{
    return startHeadless(QStringList{QStringLiteral("--redis"), redis.url()} + args, clusterEnvironment());
}

QList<qint64> oneTo(qint64 n)
{
    QList<qint64> seqs(n);
    std::iota(seqs.begin(), seqs.end(), 1);
    return seqs;
}

// Publishes concurrently, as independent producers do: every request is in flight at once (Qt
// keeps six connections per instance busy). Returns the answers in request order.
struct Publish
{
    quint16 port;
    QByteArray body;
    QByteArray idempotencyKey;
};

QList<HttpReply> publishConcurrently(const QList<Publish> &requests, int timeoutMs = 30000)
{
    QNetworkAccessManager network;
    QList<HttpReply> answers(requests.size());
    int pending = int(requests.size());
    for (qsizetype i = 0; i < requests.size(); ++i) {
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(requests[i].port)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (!requests[i].idempotencyKey.isEmpty())
            request.setRawHeader("Idempotency-Key", requests[i].idempotencyKey);
        QNetworkReply *reply = network.post(request, requests[i].body);
        QObject::connect(reply, &QNetworkReply::finished, reply, [&answers, &pending, reply, i] {
            answers[i].status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            answers[i].body = reply->readAll();
            if (reply->hasRawHeader("Idempotent-Replayed"))
                answers[i].headers.insert("idempotent-replayed", reply->rawHeader("Idempotent-Replayed"));
            --pending;
            reply->deleteLater();
        });
    }
    if (!QTest::qWaitFor([&] { return pending == 0; }, timeoutMs))
        qWarning() << pending << "publishes still unanswered";
    return answers;
}

QByteArray eventBody(const QString &channel, int n)
{
    return QStringLiteral(R"({"organization_id":"%1","data":{"n":%2,"amount":12345678901234567890.10}})")
        .arg(channel)
        .arg(n)
        .toUtf8();
}

qint64 seqOf(const QJsonObject &event)
{
    return event.value(QStringLiteral("data")).toObject().value(QStringLiteral("seq")).toInteger();
}

QJsonObject health(quint16 port)
{
    return httpGet(port, "/health").json();
}

// Every event seq a client received (live and replayed), in arrival order.
QList<qint64> allSeqs(const TestWsClient &client, const QString &channel)
{
    return client.eventSeqs(channel);
}

} // namespace

class TestCluster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void threeInstancesPublishingAtOnceGiveOneContiguousSequence()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        std::vector<std::unique_ptr<HeadlessProcess>> instances;
        for (int i = 0; i < 3; ++i) {
            instances.push_back(startInstance(redis));
            QVERIFY2(instances.back()->port, instances.back()->log.constData());
        }
        std::vector<std::unique_ptr<TestWsClient>> subscribers;
        for (const auto &instance : instances) {
            subscribers.push_back(std::make_unique<TestWsClient>(instance->port, QStringLiteral("shared")));
            QVERIFY(subscribers.back()->waitForMessages(1));
        }
        // Let each instance's Pub/Sub subscription take effect (a late one is caught up anyway).
        QTest::qWait(200);

        constexpr int count = 300;
        QList<Publish> requests;
        for (int n = 0; n < count; ++n)
            requests.append({instances[size_t(n % 3)]->port, eventBody(QStringLiteral("shared"), n), {}});
        const QList<HttpReply> answers = publishConcurrently(requests);
        QList<qint64> stored;
        for (const HttpReply &answer : answers) {
            QCOMPARE(answer.status, 200);
            stored.append(answer.json().value(QStringLiteral("seq")).toInteger());
        }
        std::sort(stored.begin(), stored.end());
        QCOMPARE(stored, oneTo(count));

        for (const auto &subscriber : subscribers) {
            QVERIFY(subscriber->waitForMessages(1 + count, 15000));
            QCOMPARE(allSeqs(*subscriber, QStringLiteral("shared")), oneTo(count));
        }
        // The payload is what was published, digits and all, on every instance.
        QVERIFY(subscribers[2]->rawTexts().at(1).contains(QStringLiteral("\"amount\":12345678901234567890.10")));
        QCOMPARE(redis.cli({QStringLiteral("XLEN"), QStringLiteral("cdcscope:{shared}:stream")}), QByteArray("300"));
    }

    void travelOnOneInstanceWhileOthersPublishHasNoSeam()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        auto a = startInstance(redis);
        auto b = startInstance(redis);
        auto c = startInstance(redis);
        QVERIFY(a->port && b->port && c->port);
        // History from before A knew the channel: its window cannot answer, the stream does.
        QList<Publish> before;
        for (int n = 0; n < 100; ++n)
            before.append({n % 2 ? b->port : c->port, eventBody(QStringLiteral("seam"), n), {}});
        for (const HttpReply &answer : publishConcurrently(before))
            QCOMPARE(answer.status, 200);
        const qint64 startMs = QDateTime::currentMSecsSinceEpoch();

        TestWsClient bySeq(a->port, QStringLiteral("seam"));
        TestWsClient byTime(a->port, QStringLiteral("seam"));
        QVERIFY(bySeq.waitForMessages(1) && byTime.waitForMessages(1));
        QList<Publish> during;
        for (int n = 100; n < 300; ++n)
            during.append({n % 2 ? b->port : c->port, eventBody(QStringLiteral("seam"), n), {}});
        // The travels go out while B and C are publishing.
        QTimer::singleShot(5, this, [&] {
            bySeq.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                            {QStringLiteral("organization_id"), QStringLiteral("seam")},
                            {QStringLiteral("since_seq"), 0}});
            byTime.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                             {QStringLiteral("organization_id"), QStringLiteral("seam")},
                             {QStringLiteral("since_ts_ms"), 0}});
        });
        for (const HttpReply &answer : publishConcurrently(during))
            QCOMPARE(answer.status, 200);
        for (TestWsClient *client : {&bySeq, &byTime}) {
            const QJsonObject ack = client->waitForStatus(QStringLiteral("travel_complete"), 0, 10000);
            QCOMPARE(ack.value(QStringLiteral("gap")).toBool(), false);
            QVERIFY(QTest::qWaitFor(
                [&] { return !client->events().isEmpty() && seqOf(client->events().back()) == 300; }, 15000));
            // Before the ack: live events and the replay (which may repeat live ones: the client
            // asked for everything since 0). Together, 1 to the newest, no hole.
            QList<qint64> beforeAck;
            QList<qint64> afterAck;
            bool acked = false;
            for (const QJsonObject &message : client->messages()) {
                if (message.value(QStringLiteral("status")).toString() == QStringLiteral("travel_complete"))
                    acked = true;
                else if (message.contains(QStringLiteral("data")))
                    (acked ? afterAck : beforeAck).append(seqOf(message));
            }
            QList<qint64> seen = beforeAck;
            std::sort(seen.begin(), seen.end());
            seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
            QCOMPARE(seen, oneTo(seen.size()));
            // After it: live, continuing exactly where the seam was.
            QCOMPARE(afterAck, QList<qint64>(oneTo(300).mid(seen.size())));
        }
        // A travel by time from a moment in the middle starts at the first event stored then.
        TestWsClient late(a->port, QStringLiteral("other"));
        QVERIFY(late.waitForMessages(1));
        late.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                       {QStringLiteral("organization_id"), QStringLiteral("seam")},
                       {QStringLiteral("since_ts_ms"), startMs},
                       {QStringLiteral("limit"), 1000}});
        const QJsonObject ack = late.waitForStatus(QStringLiteral("travel_complete"), 0, 10000);
        const QList<QJsonObject> replayed = late.events();
        QVERIFY(!replayed.isEmpty());
        QVERIFY(replayed.front().value(QStringLiteral("data")).toObject().value(QStringLiteral("ts_ms")).toInteger() >=
                startMs);
        QCOMPARE(replayed.back().value(QStringLiteral("data")).toObject().value(QStringLiteral("seq")).toInteger(),
                 300);
        QCOMPARE(ack.value(QStringLiteral("count")).toInteger(), replayed.size());
    }

    void anInstanceKilledMidBurstLosesNothingAcknowledged()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        auto doomed = startInstance(redis);
        auto survivor = startInstance(redis);
        QVERIFY(doomed->port && survivor->port);
        TestWsClient watcher(doomed->port, QStringLiteral("burst"));
        QVERIFY(watcher.waitForMessages(1));
        QTest::qWait(200);

        constexpr int count = 200;
        QList<Publish> burst;
        for (int n = 0; n < count; ++n)
            burst.append({doomed->port, eventBody(QStringLiteral("burst"), n), "key-" + QByteArray::number(n)});
        // kill -9 while the burst is in flight: some requests are answered, some never are.
        QTimer::singleShot(30, this, [&] { ::kill(pid_t(doomed->process->processId()), SIGKILL); });
        const QList<HttpReply> first = publishConcurrently(burst);
        QMap<int, qint64> acknowledged;
        for (int n = 0; n < count; ++n)
            if (first[n].status == 200)
                acknowledged.insert(n, first[n].json().value(QStringLiteral("seq")).toInteger());
        QVERIFY(doomed->waitForExit());

        // The publisher retries everything, same keys, against the survivor.
        QList<Publish> retry;
        for (int n = 0; n < count; ++n)
            retry.append({survivor->port, burst[n].body, burst[n].idempotencyKey});
        const QList<HttpReply> second = publishConcurrently(retry);
        for (int n = 0; n < count; ++n) {
            QCOMPARE(second[n].status, 200);
            if (acknowledged.contains(n)) {
                QCOMPARE(second[n].json().value(QStringLiteral("seq")).toInteger(), acknowledged.value(n));
                QCOMPARE(second[n].headers.value("idempotent-replayed"), QByteArray("true"));
            }
        }
        QCOMPARE(redis.cli({QStringLiteral("XLEN"), QStringLiteral("cdcscope:{burst}:stream")}),
                 QByteArray::number(count));

        // The killed instance's client reconnects to the survivor and catches up by travel.
        const QList<qint64> seen = allSeqs(watcher, QStringLiteral("burst"));
        const qint64 lastSeen = seen.isEmpty() ? 0 : seen.back();
        QCOMPARE(seen, oneTo(lastSeen));
        TestWsClient moved(survivor->port, QStringLiteral("burst"));
        QVERIFY(moved.waitForMessages(1));
        moved.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                        {QStringLiteral("organization_id"), QStringLiteral("burst")},
                        {QStringLiteral("since_seq"), lastSeen}});
        QVERIFY(!moved.waitForStatus(QStringLiteral("travel_complete"), 0, 10000).isEmpty());
        QCOMPARE(seen + allSeqs(moved, QStringLiteral("burst")), oneTo(count));
        QSet<int> payloads;
        for (const QJsonObject &event : moved.events())
            payloads.insert(event.value(QStringLiteral("data"))
                                .toObject()
                                .value(QStringLiteral("payload"))
                                .toObject()
                                .value(QStringLiteral("n"))
                                .toInt());
        QCOMPARE(payloads.size(), count - lastSeen);
    }

    void redisKilledWithAppendOnlyFileLosesNothing()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        auto instance = startInstance(redis);
        QVERIFY(instance->port);
        for (int n = 0; n < 20; ++n)
            QCOMPARE(httpPost(instance->port, "/events", eventBody(QStringLiteral("durable"), n)).status, 200);
        redis.kill();
        const HttpReply during = httpPost(instance->port, "/events", eventBody(QStringLiteral("durable"), 99));
        QCOMPARE(during.status, 503);
        QCOMPARE(during.json().value(QStringLiteral("code")).toString(), QStringLiteral("redis_unavailable"));
        QVERIFY(redis.restart());
        QVERIFY(QTest::qWaitFor(
            [&] {
                return health(instance->port)
                    .value(QStringLiteral("cluster"))
                    .toObject()
                    .value(QStringLiteral("redis_up"))
                    .toBool();
            },
            10000));
        const HttpReply next = httpPost(instance->port, "/events", eventBody(QStringLiteral("durable"), 20));
        QCOMPARE(next.status, 200);
        QCOMPARE(next.json().value(QStringLiteral("seq")).toInteger(), 21);

        auto other = startInstance(redis);
        TestWsClient reader(other->port, QStringLiteral("durable"));
        QVERIFY(reader.waitForMessages(1));
        reader.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                         {QStringLiteral("organization_id"), QStringLiteral("durable")},
                         {QStringLiteral("since_seq"), 0}});
        const QJsonObject ack = reader.waitForStatus(QStringLiteral("travel_complete"), 0, 10000);
        QCOMPARE(ack.value(QStringLiteral("gap")).toBool(), false);
        QCOMPARE(allSeqs(reader, QStringLiteral("durable")), oneTo(21));

        // Scripts flushed behind the instance's back: NOSCRIPT, and the script itself is sent.
        QCOMPARE(redis.cli({QStringLiteral("SCRIPT"), QStringLiteral("FLUSH")}), QByteArray("OK"));
        const HttpReply afterFlush = httpPost(instance->port, "/events", eventBody(QStringLiteral("durable"), 21));
        QCOMPARE(afterFlush.status, 200);
        QCOMPARE(afterFlush.json().value(QStringLiteral("seq")).toInteger(), 22);
    }

    void redisRestartedWithoutPersistenceIsANewEpochAndAGap()
    {
        RedisServer redis(false);
        QVERIFY(redis.start());
        auto instance = startInstance(redis, {QStringLiteral("--redis-accept-volatile")});
        QVERIFY2(instance->port, instance->log.constData());
        TestWsClient client(instance->port, QStringLiteral("volatile"));
        QVERIFY(client.waitForMessages(1));
        for (int n = 0; n < 5; ++n)
            QCOMPARE(httpPost(instance->port, "/events", eventBody(QStringLiteral("volatile"), n)).status, 200);
        QVERIFY(client.waitForMessages(6));
        redis.kill();
        QVERIFY(redis.restart());
        QVERIFY(QTest::qWaitFor(
            [&] { return httpPost(instance->port, "/events", eventBody(QStringLiteral("volatile"), 5)).status == 200; },
            10000));
        // The new epoch starts again at 1: the client is told its history is gone, never silently.
        QVERIFY(client.waitForMessages(7));
        client.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                         {QStringLiteral("organization_id"), QStringLiteral("volatile")},
                         {QStringLiteral("since_seq"), 0}});
        const QJsonObject ack = client.waitForStatus(QStringLiteral("travel_complete"), 0, 10000);
        QCOMPARE(ack.value(QStringLiteral("gap")).toBool(), true);
        QVERIFY(instance->waitForLog("lost its history in Redis"));
        QVERIFY(httpGet(instance->port, "/metrics").body.contains("cdcscope_redis_epoch_changes_total 1"));
    }

    void aFailOverThatLostWritesStartsANewEpoch()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        auto instance = startInstance(redis);
        QVERIFY(instance->port);
        TestWsClient client(instance->port, QStringLiteral("fo"));
        QVERIFY(client.waitForMessages(1));
        for (int n = 0; n < 10; ++n)
            QCOMPARE(httpPost(instance->port, "/events", eventBody(QStringLiteral("fo"), n)).status, 200);
        QVERIFY(client.waitForMessages(11));
        // What a replica promoted without the last three writes holds: seqs 1 to 7.
        redis.cli({QStringLiteral("EVAL"),
                   QStringLiteral("local kept = redis.call('xrange', KEYS[2], '-', '7-0'); redis.call('del', KEYS[2]); "
                                  "for _, e in ipairs(kept) do redis.call('xadd', KEYS[2], e[1], unpack(e[2])) end; "
                                  "redis.call('hset', KEYS[1], 'seq', 7)"),
                   QStringLiteral("2"), QStringLiteral("cdcscope:{fo}:meta"), QStringLiteral("cdcscope:{fo}:stream")});
        QVERIFY(instance->waitForLog("Redis lost acknowledged writes; starting a new epoch"));
        QVERIFY(instance->waitForLog("lost its history in Redis"));
        const HttpReply next = httpPost(instance->port, "/events", eventBody(QStringLiteral("fo"), 10));
        QCOMPARE(next.status, 200);
        QCOMPARE(next.json().value(QStringLiteral("seq")).toInteger(), 8);
        // Delivered, not taken for a duplicate of the old seq 8; and the history is marked gone.
        QVERIFY(client.waitForMessages(12));
        QCOMPARE(seqOf(client.events().back()), 8);
        client.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                         {QStringLiteral("organization_id"), QStringLiteral("fo")},
                         {QStringLiteral("since_seq"), 0}});
        QCOMPARE(
            client.waitForStatus(QStringLiteral("travel_complete"), 0, 10000).value(QStringLiteral("gap")).toBool(),
            true);
    }

    void aFrozenRedisFailsPublishersFastAndIsUsedAgainWhenItWakes()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        auto instance = startInstance(redis);
        QVERIFY(instance->port);
        QCOMPARE(httpPost(instance->port, "/events", eventBody(QStringLiteral("frozen"), 0)).status, 200);
        // Stopped, not dead: its sockets stay open and nothing answers.
        ::kill(pid_t(redis.pid()), SIGSTOP);
        QElapsedTimer waited;
        waited.start();
        const HttpReply refused = httpPost(instance->port, "/events", eventBody(QStringLiteral("frozen"), 1));
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.json().value(QStringLiteral("code")).toString(), QStringLiteral("redis_unavailable"));
        QVERIFY2(refused.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("did not answer")),
                 refused.body.constData());
        QVERIFY2(waited.elapsed() < 8000, qPrintable(QString::number(waited.elapsed())));
        QVERIFY(!health(instance->port)
                     .value(QStringLiteral("cluster"))
                     .toObject()
                     .value(QStringLiteral("redis_up"))
                     .toBool());
        ::kill(pid_t(redis.pid()), SIGCONT);
        QVERIFY(QTest::qWaitFor(
            [&] { return httpPost(instance->port, "/events", eventBody(QStringLiteral("frozen"), 1)).status == 200; },
            20000));
    }

    // Entries deleted from the middle of a stream by hand: a travel across the hole says gap.
    void aHoleInTheStreamIsAGapNotASilentSkip()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        auto writer = startInstance(redis);
        QVERIFY(writer->port);
        for (int n = 0; n < 10; ++n)
            QCOMPARE(httpPost(writer->port, "/events", eventBody(QStringLiteral("holed"), n)).status, 200);
        QCOMPARE(redis.cli({QStringLiteral("XDEL"), QStringLiteral("cdcscope:{holed}:stream"), QStringLiteral("5-0")}),
                 QByteArray("1"));
        auto reader = startInstance(redis);
        TestWsClient client(reader->port, QStringLiteral("elsewhere"));
        QVERIFY(client.waitForMessages(1));
        client.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                         {QStringLiteral("organization_id"), QStringLiteral("holed")},
                         {QStringLiteral("since_seq"), 0}});
        const QJsonObject ack = client.waitForStatus(QStringLiteral("travel_complete"), 0, 10000);
        QCOMPARE(ack.value(QStringLiteral("gap")).toBool(), true);
        const QList<qint64> seqs = allSeqs(client, QStringLiteral("holed"));
        QVERIFY(!seqs.contains(5));
        QCOMPARE(seqs.last(), 10);
    }

    void aCutPubSubConnectionIsCaughtUpByThePeriodicCheck()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        auto reader = startInstance(redis);
        auto writer = startInstance(redis);
        QVERIFY(reader->port && writer->port);
        TestWsClient client(reader->port, QStringLiteral("cut"));
        QVERIFY(client.waitForMessages(1));
        QTest::qWait(200);
        for (int n = 0; n < 10; ++n)
            QCOMPARE(httpPost(writer->port, "/events", eventBody(QStringLiteral("cut"), n)).status, 200);
        QVERIFY(client.waitForMessages(11));
        // Every Pub/Sub connection dropped by Redis; publishing goes on meanwhile.
        QVERIFY(!redis
                     .cli({QStringLiteral("CLIENT"), QStringLiteral("KILL"), QStringLiteral("TYPE"),
                           QStringLiteral("pubsub")})
                     .isEmpty());
        for (int n = 10; n < 40; ++n)
            QCOMPARE(httpPost(writer->port, "/events", eventBody(QStringLiteral("cut"), n)).status, 200);
        QVERIFY(client.waitForMessages(41, 10000));
        QCOMPARE(allSeqs(client, QStringLiteral("cut")), oneTo(40));
        QVERIFY(reader->waitForLog("the Pub/Sub connection was lost"));
        const QJsonObject cluster = health(reader->port).value(QStringLiteral("cluster")).toObject();
        QVERIFY(cluster.value(QStringLiteral("gap_fills")).toInteger() >= 1);
    }

    void instancesAnnounceThemselvesAndLeave()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        auto a = startInstance(redis, {QStringLiteral("--redis-advertise-url"), QStringLiteral("ws://a.example/ws")});
        auto b = startInstance(redis);
        auto c = startInstance(redis);
        QVERIFY(a->port && b->port && c->port);
        TestWsClient client(b->port, QStringLiteral("somewhere"));
        QVERIFY(client.waitForMessages(1));
        const auto members = [&] {
            return httpGet(a->port, "/cluster").json().value(QStringLiteral("members")).toArray();
        };
        // Each instance announces every 5 s: within one round, A lists all three.
        QVERIFY(QTest::qWaitFor([&] { return members().size() == 3; }, 8000));
        const QJsonObject cluster = httpGet(a->port, "/cluster").json();
        QCOMPARE(cluster.value(QStringLiteral("redis")).toString(), redis.url());
        int self = 0;
        qint64 clients = 0;
        for (const QJsonValue &member : members()) {
            const QJsonObject entry = member.toObject();
            if (entry.value(QStringLiteral("this_instance")).toBool()) {
                ++self;
                QCOMPARE(entry.value(QStringLiteral("url")).toString(), QStringLiteral("ws://a.example/ws"));
            }
            clients += entry.value(QStringLiteral("clients")).toInteger();
        }
        QCOMPARE(self, 1);
        QVERIFY(QTest::qWaitFor(
            [&] {
                qint64 total = 0;
                for (const QJsonValue &member : members())
                    total += member.toObject().value(QStringLiteral("clients")).toInteger();
                return total == 1;
            },
            8000));
        // A cleanly stopped instance takes itself off the list.
        QVERIFY(c->stop());
        QVERIFY(QTest::qWaitFor([&] { return members().size() == 2; }, 8000));
        // Outside cluster mode there is no such resource.
        auto alone = startHeadless();
        QCOMPARE(httpGet(alone->port, "/cluster").status, 404);
    }

    // stdin NDJSON in cluster mode: every line stored once, read no faster than Redis confirms.
    void stdinIngestGoesThroughRedis()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        auto reader = startInstance(redis);
        auto ingest = startInstance(redis, {QStringLiteral("--ingest-stdin")});
        QVERIFY(reader->port && ingest->port);
        TestWsClient client(reader->port, QStringLiteral("piped"));
        QVERIFY(client.waitForMessages(1));
        QTest::qWait(200);
        QByteArray lines;
        for (int n = 0; n < 2000; ++n)
            lines += eventBody(QStringLiteral("piped"), n) + '\n';
        ingest->process->write(lines);
        ingest->process->closeWriteChannel();
        QVERIFY(client.waitForMessages(1 + 2000, 20000));
        QCOMPARE(allSeqs(client, QStringLiteral("piped")), oneTo(2000));
        QCOMPARE(redis.cli({QStringLiteral("XLEN"), QStringLiteral("cdcscope:{piped}:stream")}), QByteArray("2000"));
    }

    void aRedisThatWouldLoseEventsIsRefusedAtStartUp_data()
    {
        QTest::addColumn<bool>("persistent");
        QTest::addColumn<QStringList>("redisArgs");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("nothing on disk") << false << QStringList{} << QByteArray("keeps nothing on disk");
        QTest::newRow("evicting policy") << true
                                         << QStringList{QStringLiteral("--maxmemory-policy"),
                                                        QStringLiteral("allkeys-lru")}
                                         << QByteArray("maxmemory-policy allkeys-lru");
    }

    void aRedisThatWouldLoseEventsIsRefusedAtStartUp()
    {
        QFETCH(bool, persistent);
        QFETCH(QStringList, redisArgs);
        QFETCH(QByteArray, reason);
        RedisServer redis(persistent, redisArgs);
        QVERIFY(redis.start());
        auto refused = startInstance(redis);
        QCOMPARE(refused->port, quint16(0));
        QVERIFY(refused->waitForExit());
        QVERIFY(refused->process->exitCode() != 0);
        const QByteArray log = refused->readLog();
        QVERIFY2(log.contains(reason) && log.contains("--redis-accept-volatile"), log.constData());
    }

    void everyTransportAndAuthenticationWorks_data()
    {
        QTest::addColumn<QString>("transport");
        QTest::newRow("rediss:// with a private CA") << QStringLiteral("tls");
        QTest::newRow("unix:// socket") << QStringLiteral("unix");
        QTest::newRow("password from CDCSCOPE_REDIS_PASSWORD") << QStringLiteral("password");
    }

    void everyTransportAndAuthenticationWorks()
    {
        QFETCH(QString, transport);
        QTemporaryDir dir;
        const QString cert = dir.filePath(QStringLiteral("redis.crt"));
        const QString key = dir.filePath(QStringLiteral("redis.key"));
        const QString socket = dir.filePath(QStringLiteral("redis.sock"));
        QStringList redisArgs;
        QStringList instanceArgs;
        QProcessEnvironment environment = clusterEnvironment();
        if (transport == QLatin1String("tls")) {
            const QString error = makeLoopbackCertificate(cert, key);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            const QString tlsPort = QString::number(probe.serverPort());
            probe.close();
            redisArgs = {QStringLiteral("--tls-port"),         tlsPort,
                         QStringLiteral("--tls-cert-file"),    cert,
                         QStringLiteral("--tls-key-file"),     key,
                         QStringLiteral("--tls-ca-cert-file"), cert,
                         QStringLiteral("--tls-auth-clients"), QStringLiteral("no")};
            instanceArgs = {QStringLiteral("--redis"), QStringLiteral("rediss://127.0.0.1:%1/0").arg(tlsPort),
                            QStringLiteral("--redis-ca"), cert};
        } else if (transport == QLatin1String("unix")) {
            redisArgs = {QStringLiteral("--unixsocket"), socket, QStringLiteral("--unixsocketperm"),
                         QStringLiteral("700")};
            instanceArgs = {QStringLiteral("--redis"), QStringLiteral("unix://") + socket};
        } else {
            redisArgs = {QStringLiteral("--requirepass"), QStringLiteral("s3cret")};
            environment.insert(QStringLiteral("CDCSCOPE_REDIS_PASSWORD"), QStringLiteral("s3cret"));
        }
        RedisServer redis(true, redisArgs);
        QVERIFY(redis.start());
        if (instanceArgs.isEmpty())
            instanceArgs = {QStringLiteral("--redis"), redis.url()};
        auto instance = startHeadless(instanceArgs, environment);
        QVERIFY2(instance->port, instance->log.constData());
        TestWsClient client(instance->port, QStringLiteral("wire"));
        QVERIFY(client.waitForMessages(1));
        const HttpReply stored = httpPost(instance->port, "/events", eventBody(QStringLiteral("wire"), 1));
        QCOMPARE(stored.status, 200);
        QCOMPARE(stored.json().value(QStringLiteral("seq")).toInteger(), 1);
        QVERIFY(client.waitForMessages(2));
        QCOMPARE(redis.cli({QStringLiteral("XLEN"), QStringLiteral("cdcscope:{wire}:stream")}), QByteArray("1"));
        // The password never shows: not in the log, not in /health.
        QVERIFY(!instance->readLog().contains("s3cret"));
        QVERIFY(!httpGet(instance->port, "/health").body.contains("s3cret"));
    }

    void aWrongRedisPasswordIsNamed()
    {
        RedisServer redis(true, {QStringLiteral("--requirepass"), QStringLiteral("s3cret")});
        QVERIFY(redis.start());
        QProcessEnvironment environment = clusterEnvironment();
        environment.insert(QStringLiteral("CDCSCOPE_REDIS_PASSWORD"), QStringLiteral("wrong"));
        auto refused = startHeadless({QStringLiteral("--redis"), redis.url()}, environment);
        QVERIFY(refused->waitForExit());
        QVERIFY(refused->process->exitCode() != 0);
        QVERIFY2(refused->readLog().contains("Redis refused AUTH"), refused->log.constData());
    }

    void anUnreachableRedisOrABadUrlIsNamed()
    {
        auto unreachable =
            startHeadless({QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:1/0")}, clusterEnvironment());
        QVERIFY(unreachable->waitForExit(15000));
        QVERIFY(unreachable->process->exitCode() != 0);
        QVERIFY2(unreachable->readLog().contains("cannot use Redis at redis://127.0.0.1:1/0"),
                 unreachable->log.constData());
        auto bad =
            startHeadless({QStringLiteral("--redis"), QStringLiteral("http://127.0.0.1:6379")}, clusterEnvironment());
        QVERIFY(bad->waitForExit());
        QVERIFY2(bad->readLog().contains("--redis: \"http://127.0.0.1:6379\" is not a Redis URL"),
                 bad->log.constData());
    }
};

QTEST_MAIN(TestCluster)
#include "tst_cluster.moc"

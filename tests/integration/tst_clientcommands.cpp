// The client subcommands (tail, publish, travel, export, import) as a CI pipeline runs them: the
// real binary against a real headless server on an OS-chosen port, asserting what they print and
// the exit codes a pipeline branches on.
#include "HeadlessProcess.h"
#include "SharedRefusal.h"
#include "TestHttp.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct ClientRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QList<QByteArray> lines() const
    {
        QList<QByteArray> list = out.split('\n');
        list.removeAll(QByteArray());
        return list;
    }
    QList<QJsonObject> objects() const
    {
        QList<QJsonObject> list;
        for (const QByteArray &line : lines())
            list.append(QJsonDocument::fromJson(line).object());
        return list;
    }
};

std::unique_ptr<QProcess> startClient(const QStringList &args, const QProcessEnvironment &environment = {})
{
    auto process = std::make_unique<QProcess>();
    process->setProcessEnvironment(environment.isEmpty() ? QProcessEnvironment::systemEnvironment() : environment);
    process->start(cdcscopeBinary(), args);
    return process;
}

ClientRun finish(QProcess &process, int timeoutMs = 30000)
{
    ClientRun run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

ClientRun runClient(const QStringList &args, const QByteArray &input = {}, const QProcessEnvironment &environment = {})
{
    auto process = startClient(args, environment);
    process->write(input);
    process->closeWriteChannel();
    return finish(*process);
}

QString url(quint16 port, const char *scheme = "ws")
{
    return QStringLiteral("%1://127.0.0.1:%2").arg(QLatin1StringView(scheme)).arg(port);
}

QList<qint64> seqsOf(const QList<QJsonObject> &frames)
{
    QList<qint64> seqs;
    for (const QJsonObject &frame : frames)
        if (frame.contains(QStringLiteral("data")))
            seqs.append(frame.value(QStringLiteral("data")).toObject().value(QStringLiteral("seq")).toInteger());
    return seqs;
}

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> list;
    for (qint64 i = from; i <= to; ++i)
        list.append(i);
    return list;
}

// Waits until the server counts exactly `count` open WebSocket connections (a tail listening, or
// the previous test's clients gone).
bool waitForConnections(quint16 port, int count)
{
    return QTest::qWaitFor(
        [&] { return httpGet(port, "/health").json().value(QStringLiteral("connections")).toInt() == count; }, 10000);
}

// Waits until `channel` (one that holds events) has a subscriber: a tail's subscribe took effect.
bool waitForSubscriber(quint16 port, const QByteArray &channel)
{
    return QTest::qWaitFor(
        [&] {
            const QByteArray metric = "cdcscope_channel_subscribers{channel=\"" + channel + "\"} 1";
            return httpGet(port, "/metrics").body.contains(metric);
        },
        10000);
}

qint64 travelCount(quint16 port)
{
    const QByteArray metrics = httpGet(port, "/metrics").body;
    for (const QByteArray &line : metrics.split('\n'))
        if (line.startsWith("cdcscope_travels_total "))
            return line.mid(23).toLongLong();
    return -1;
}

void publishNumbers(quint16 port, const QString &channel, int from, int to)
{
    QJsonArray batch;
    for (int i = from; i <= to; ++i)
        batch.append(QJsonObject{{QStringLiteral("organization_id"), channel},
                                 {QStringLiteral("data"), QJsonObject{{QStringLiteral("n"), i}}}});
    QCOMPARE(httpPost(port, "/events", QJsonDocument(batch).toJson(QJsonDocument::Compact)).status, 200);
}

} // namespace

class TestClientCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Pages of 100 make tail's paging visible with a few hundred events.
        m_server = startHeadless({QStringLiteral("--travel-limit-max"), QStringLiteral("100")});
        QVERIFY2(m_server->port != 0, m_server->log.constData());
    }

    void cleanupTestCase() { QVERIFY(m_server->stop()); }

    void publishPrintsTheAssignedSeqsAndNamesBadLines()
    {
        const ClientRun run = runClient({QStringLiteral("publish"), url(m_server->port, "http"),
                                         QStringLiteral("--channel"), QStringLiteral("pub")},
                                        "{\"a\":1}\n\n{\"b\":2}\nnot json\n[1,2]\n\"text\"\n");
        QCOMPARE(run.exitCode, 4);
        QVERIFY2(run.err.contains("line 4 skipped: not valid JSON"), run.err.constData());
        QVERIFY2(run.err.contains("4 events published to pub, 1 lines skipped"), run.err.constData());
        const QList<QJsonObject> results = run.objects();
        QCOMPARE(results.size(), 4);
        QCOMPARE(results.at(0).value(QStringLiteral("line")).toInt(), 1);
        QCOMPARE(results.at(0).value(QStringLiteral("seq")).toInt(), 1);
        QCOMPARE(results.at(1).value(QStringLiteral("line")).toInt(), 3);
        QCOMPARE(results.at(3).value(QStringLiteral("line")).toInt(), 6);
        QCOMPARE(results.at(3).value(QStringLiteral("seq")).toInt(), 4);
        QVERIFY(results.at(3).value(QStringLiteral("ts_ms")).toInteger() > 0);

        // What the server stored is what the good lines carried, in order.
        const ClientRun travel = runClient(
            {QStringLiteral("travel"), url(m_server->port), QStringLiteral("--client"), QStringLiteral("pub")});
        QCOMPARE(travel.exitCode, 0);
        const QList<QJsonObject> frames = travel.objects();
        QCOMPARE(frames.size(), 5);
        const auto payload = [&](int i) {
            return frames.at(i).value(QStringLiteral("data")).toObject().value(QStringLiteral("payload"));
        };
        QCOMPARE(payload(0), QJsonValue(QJsonObject{{QStringLiteral("a"), 1}}));
        QCOMPARE(payload(2), QJsonValue(QJsonArray{1, 2}));
        QCOMPARE(payload(3), QJsonValue(QStringLiteral("text")));
        QCOMPARE(frames.at(4).value(QStringLiteral("status")).toString(), QStringLiteral("travel_complete"));
    }

    void publishTakesOneJsonDocumentFromAFileAndPrintsPretty()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("order.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\n  \"order\": 7,\n  \"items\": [1, 2]\n}\n");
        file.close();
        const ClientRun run =
            runClient({QStringLiteral("publish"), url(m_server->port), QStringLiteral("--channel"),
                       QStringLiteral("doc"), QStringLiteral("--format"), QStringLiteral("pretty"), path});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.startsWith("line 1 -> doc #1  20"), run.out.constData());
    }

    void publishInjectionStaysInItsChannel()
    {
        // A line that tries to close its event and open another one is rejected, not split.
        const ClientRun run = runClient(
            {QStringLiteral("publish"), url(m_server->port), QStringLiteral("--channel"), QStringLiteral("inj")},
            "1},{\"organization_id\":\"victim\",\"data\":2\n");
        QCOMPARE(run.exitCode, 4);
        QCOMPARE(httpGet(m_server->port, "/channels/victim/export").status, 404);
    }

    void publishErrors()
    {
        QTemporaryDir dir;
        const ClientRun missingFile =
            runClient({QStringLiteral("publish"), url(m_server->port), QStringLiteral("--channel"), QStringLiteral("x"),
                       dir.filePath(QStringLiteral("absent.ndjson"))});
        QCOMPARE(missingFile.exitCode, 2);
        QVERIFY2(missingFile.err.contains("cannot read"), missingFile.err.constData());

        const ClientRun noChannel = runClient({QStringLiteral("publish"), url(m_server->port)}, "{}\n");
        QCOMPARE(noChannel.exitCode, 2);
        QVERIFY2(noChannel.err.contains("--channel C is required"), noChannel.err.constData());

        const ClientRun noServer = runClient({QStringLiteral("publish"), QStringLiteral("127.0.0.1:1"),
                                              QStringLiteral("--channel"), QStringLiteral("x")},
                                             "{}\n");
        QCOMPARE(noServer.exitCode, 2);
        QVERIFY2(noServer.err.contains("nothing listens on 127.0.0.1:1"), noServer.err.constData());
        QVERIFY2(noServer.err.contains("lines 1 to 1 not published"), noServer.err.constData());
    }

    // The same refusal reads the same in the command line and in the window (tst_remotewindow).
    void aRefusalReadsAsTheWindowSaysIt()
    {
        auto small = startHeadless({QStringLiteral("--max-channels"), QStringLiteral("1")});
        QVERIFY2(small->port != 0, small->log.constData());
        QCOMPARE(runClient({QStringLiteral("publish"), url(small->port), QStringLiteral("--channel"),
                            QStringLiteral("first")},
                           "{}\n")
                     .exitCode,
                 0);
        const ClientRun refused = runClient(
            {QStringLiteral("publish"), url(small->port), QStringLiteral("--channel"), QStringLiteral("second")},
            "{}\n");
        QVERIFY(refused.exitCode != 0);
        QVERIFY2(refused.err.contains(QByteArray("lines 1 to 1 not published: " + tooManyChannelsRefusal().toUtf8() + '\n')),
                 refused.err.constData());
    }

    void init() { QVERIFY(waitForConnections(m_server->port, 0)); }

    void tailExitsOnceCountEventsArrived()
    {
        auto tail = startClient({QStringLiteral("tail"), url(m_server->port), QStringLiteral("--client"),
                                 QStringLiteral("live"), QStringLiteral("--count"), QStringLiteral("3"),
                                 QStringLiteral("--timeout"), QStringLiteral("20s")});
        QVERIFY(waitForConnections(m_server->port, 1));
        publishNumbers(m_server->port, QStringLiteral("other"), 1, 2); // not followed
        publishNumbers(m_server->port, QStringLiteral("live"), 1, 5);
        const ClientRun run = finish(*tail);
        QCOMPARE(run.exitCode, 0);
        // ndjson: each frame exactly as the server sent it.
        QCOMPARE(run.lines().size(), 3);
        QVERIFY2(run.lines().at(0).startsWith(R"({"organization_id":"live","data":{"seq":1,"ts_ms":)"),
                 run.out.constData());
        QVERIFY(run.lines().at(0).endsWith(R"(,"payload":{"n":1}}})"));
        QCOMPARE(seqsOf(run.objects()), range(1, 3));
    }

    void tailPrettyFollowsSeveralChannels()
    {
        for (const char *channel : {"watcher", "red", "blue"})
            publishNumbers(m_server->port, QString::fromLatin1(channel), 1, 1);
        auto tail = startClient({QStringLiteral("tail"), url(m_server->port), QStringLiteral("--client"),
                                 QStringLiteral("watcher"), QStringLiteral("--channel"), QStringLiteral("red"),
                                 QStringLiteral("--channel"), QStringLiteral("blue"), QStringLiteral("--count"),
                                 QStringLiteral("2"), QStringLiteral("--format"), QStringLiteral("pretty"),
                                 QStringLiteral("--timeout"), QStringLiteral("20s")});
        QVERIFY(waitForSubscriber(m_server->port, "red"));
        QVERIFY(waitForSubscriber(m_server->port, "blue"));
        publishNumbers(m_server->port, QStringLiteral("watcher"), 2, 2); // the client's own: not followed
        publishNumbers(m_server->port, QStringLiteral("red"), 2, 2);
        publishNumbers(m_server->port, QStringLiteral("blue"), 2, 2);
        const ClientRun run = finish(*tail);
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> lines = run.lines();
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(0).contains("Z  red #2  {\"n\":2}"), lines.at(0).constData());
        QVERIFY2(lines.at(1).contains("Z  blue #2  {\"n\":2}"), lines.at(1).constData());
    }

    void tailTimeouts()
    {
        const ClientRun counted = runClient({QStringLiteral("tail"), url(m_server->port), QStringLiteral("--client"),
                                             QStringLiteral("quiet"), QStringLiteral("--count"), QStringLiteral("1"),
                                             QStringLiteral("--timeout"), QStringLiteral("500ms")});
        QCOMPARE(counted.exitCode, 1);
        QVERIFY2(counted.err.contains("timed out after 500 ms with 0 of 1 events"), counted.err.constData());

        // Without --count, --timeout is how long to watch.
        const ClientRun watched =
            runClient({QStringLiteral("tail"), url(m_server->port), QStringLiteral("--client"), QStringLiteral("quiet"),
                       QStringLiteral("--timeout"), QStringLiteral("300ms")});
        QCOMPARE(watched.exitCode, 0);
    }

    void tailReplaysHistoryInPagesThenFollowsWithoutDuplicates()
    {
        publishNumbers(m_server->port, QStringLiteral("hist"), 1, 250); // 3 pages of 100
        const qint64 travelsBefore = travelCount(m_server->port);
        auto tail = startClient({QStringLiteral("tail"), url(m_server->port), QStringLiteral("--client"),
                                 QStringLiteral("hist"), QStringLiteral("--since-seq"), QStringLiteral("20"),
                                 QStringLiteral("--count"), QStringLiteral("240"), QStringLiteral("--timeout"),
                                 QStringLiteral("20s")});
        QVERIFY(waitForConnections(m_server->port, 1));
        publishNumbers(m_server->port, QStringLiteral("hist"), 251, 260); // live, maybe during the replay
        const ClientRun run = finish(*tail);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(seqsOf(run.objects()), range(21, 260));
        QVERIFY(travelCount(m_server->port) - travelsBefore >= 3);
    }

    // --filter: only matching events are printed (and counted), from the history and live; a bad
    // expression is refused before connecting, with its column.
    void tailAndTravelFilterByFields()
    {
        publishNumbers(m_server->port, QStringLiteral("filtered"), 1, 30);
        auto tail = startClient({QStringLiteral("tail"), url(m_server->port), QStringLiteral("--client"),
                                 QStringLiteral("filtered"), QStringLiteral("--since-seq"), QStringLiteral("0"),
                                 QStringLiteral("--filter"), QStringLiteral("n > 25 or n in (3, 7) or $seq == 31"),
                                 QStringLiteral("--count"), QStringLiteral("8"), QStringLiteral("--timeout"),
                                 QStringLiteral("20s")});
        QVERIFY(waitForConnections(m_server->port, 1));
        publishNumbers(m_server->port, QStringLiteral("filtered"), 31, 34); // 31 by $seq, 32-34 by n
        const ClientRun run = finish(*tail);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(seqsOf(run.objects()), (QList<qint64>{3, 7, 26, 27, 28, 29, 30, 31}));

        const ClientRun travel =
            runClient({QStringLiteral("travel"), url(m_server->port), QStringLiteral("--client"),
                       QStringLiteral("reader"), QStringLiteral("--channel"), QStringLiteral("filtered"),
                       QStringLiteral("--filter"), QStringLiteral("n <= 2 or n == 34")});
        QCOMPARE(travel.exitCode, 0);
        QCOMPARE(seqsOf(travel.objects()), (QList<qint64>{1, 2, 34}));

        const ClientRun wrong = runClient({QStringLiteral("tail"), url(m_server->port), QStringLiteral("--client"),
                                           QStringLiteral("x"), QStringLiteral("--filter"), QStringLiteral("n = 3")});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains("--filter: column 3: '=' is not an operator here; did you mean '=='?"),
                 wrong.err.constData());
    }

    // The server caps each travel at 100 (--travel-limit-max here): history reads every page, as
    // tail does, and finds the row's change 250 events later.
    void historyReadsPastOneCappedPage()
    {
        QJsonArray batch;
        const auto change = [](int id, int amount) {
            return QJsonObject{{QStringLiteral("organization_id"), QStringLiteral("paged")},
                               {QStringLiteral("data"),
                                QJsonObject{{QStringLiteral("op"), QStringLiteral("insert")},
                                            {QStringLiteral("schema"), QStringLiteral("public")},
                                            {QStringLiteral("table"), QStringLiteral("orders")},
                                            {QStringLiteral("new"), QJsonObject{{QStringLiteral("id"), id},
                                                                                {QStringLiteral("amount"), amount}}}}}};
        };
        batch.append(change(42, 1));
        for (int i = 0; i < 248; ++i)
            batch.append(change(1000 + i, i));
        batch.append(change(42, 2));
        QCOMPARE(httpPost(m_server->port, "/events", QJsonDocument(batch).toJson(QJsonDocument::Compact)).status, 200);
        const ClientRun run = runClient({QStringLiteral("history"), url(m_server->port), QStringLiteral("--channel"),
                                         QStringLiteral("paged"), QStringLiteral("--table"), QStringLiteral("orders"),
                                         QStringLiteral("--key"), QStringLiteral("id=42"), QStringLiteral("--format"),
                                         QStringLiteral("ndjson")});
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> records = run.out.trimmed().split('\n');
        QCOMPARE(records.size(), 2);
        QVERIFY2(records[1].startsWith("{\"organization_id\":\"paged\",\"seq\":250,"), records[1].constData());
    }

    // One row's timeline from the server's history: insert, update, delete and insert again of
    // public.orders id=42 among other rows, for people and as NDJSON; exit 1 for a row never seen.
    void historyPrintsOneRowsTimeline()
    {
        const QList<QByteArray> changes{
            "{\"op\":\"insert\",\"schema\":\"public\",\"table\":\"orders\",\"new\":{\"id\":42,\"amount\":1.50}}",
            "{\"op\":\"insert\",\"schema\":\"public\",\"table\":\"orders\",\"new\":{\"id\":7,\"amount\":3}}",
            "{\"op\":\"update\",\"schema\":\"public\",\"table\":\"orders\",\"new\":{\"id\":42,\"amount\":2.50},"
            "\"old\":{\"id\":42,\"amount\":1.50}}",
            "{\"op\":\"delete\",\"schema\":\"public\",\"table\":\"orders\",\"old\":{\"id\":42}}",
            "{\"op\":\"insert\",\"schema\":\"public\",\"table\":\"orders\",\"new\":{\"id\":42,\"amount\":9}}"};
        for (const QByteArray &change : changes)
            QCOMPARE(
                httpPost(m_server->port, "/events", "{\"organization_id\":\"rows\",\"data\":" + change + '}').status,
                200);
        const QStringList row{QStringLiteral("--channel"),     QStringLiteral("rows"),  QStringLiteral("--table"),
                              QStringLiteral("public.orders"), QStringLiteral("--key"), QStringLiteral("id=42")};
        const ClientRun pretty = runClient(QStringList{QStringLiteral("history"), url(m_server->port)} + row);
        QCOMPARE(pretty.exitCode, 0);
        const QList<QByteArray> lines = pretty.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 8); // four changes, two lines each
        QVERIFY2(lines[0].startsWith("#1  ") && lines[0].endsWith("insert public.orders id=42"), lines[0].constData());
        QCOMPARE(lines[1].trimmed(), QByteArray("→ {\"id\":42,\"amount\":1.50}"));
        QVERIFY2(lines[2].startsWith("#3  ") && lines[2].endsWith("update public.orders id=42: amount 1.50 → 2.50"),
                 lines[2].constData());
        QCOMPARE(lines[5].trimmed(), QByteArray("(row deleted)"));
        QCOMPARE(lines[7].trimmed(), QByteArray("→ {\"id\":42,\"amount\":9}"));

        const ClientRun ndjson = runClient(QStringList{QStringLiteral("history"), url(m_server->port),
                                                       QStringLiteral("--format"), QStringLiteral("ndjson")} +
                                           row);
        QCOMPARE(ndjson.exitCode, 0);
        const QList<QByteArray> records = ndjson.out.trimmed().split('\n');
        QCOMPARE(records.size(), 4);
        QVERIFY2(
            records[1].startsWith("{\"organization_id\":\"rows\",\"seq\":3,") &&
                records[1].endsWith(",\"op\":\"update\",\"changed\":[\"amount\"],\"row\":{\"id\":42,\"amount\":2.50}}"),
            records[1].constData());
        QVERIFY(records[2].endsWith("\"row\":null}"));

        const ClientRun none = runClient({QStringLiteral("history"), url(m_server->port), QStringLiteral("--channel"),
                                          QStringLiteral("rows"), QStringLiteral("--table"), QStringLiteral("orders"),
                                          QStringLiteral("--key"), QStringLiteral("id=99")});
        QCOMPARE(none.exitCode, 1);
        QVERIFY2(none.err.contains("no change of orders id=99 among the 5 events rows retains"), none.err.constData());
        const ClientRun usage = runClient(
            {QStringLiteral("history"), url(m_server->port), QStringLiteral("--channel"), QStringLiteral("rows")});
        QCOMPARE(usage.exitCode, 2);
        QVERIFY(usage.err.contains("--channel, --table and --key are required"));
    }

    void tailConnectionErrors()
    {
        const ClientRun refused = runClient({QStringLiteral("tail"), QStringLiteral("ws://127.0.0.1:1/ws"),
                                             QStringLiteral("--client"), QStringLiteral("a")});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("nothing listens on 127.0.0.1:1"), refused.err.constData());

        const ClientRun tlsOnPlain = runClient(
            {QStringLiteral("tail"), url(m_server->port, "wss"), QStringLiteral("--client"), QStringLiteral("a")});
        QCOMPARE(tlsOnPlain.exitCode, 2);
        QVERIFY2(tlsOnPlain.err.contains("does not speak TLS"), tlsOnPlain.err.constData());
        QVERIFY2(tlsOnPlain.err.contains("use ws://"), tlsOnPlain.err.constData());
    }

    void tailEndsWithTwoWhenTheServerGoesAway()
    {
        auto server = startHeadless();
        QVERIFY(server->port != 0);
        auto tail = startClient({QStringLiteral("tail"), url(server->port), QStringLiteral("--client"),
                                 QStringLiteral("a"), QStringLiteral("--count"), QStringLiteral("5")});
        QVERIFY(waitForConnections(server->port, 1));
        QVERIFY(server->stop());
        const ClientRun run = finish(*tail);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("the server closed the connection (code 1001"), run.err.constData());
    }

    void travelPrintsEventsThenTheAck()
    {
        publishNumbers(m_server->port, QStringLiteral("trip"), 1, 5);
        const ClientRun run = runClient({QStringLiteral("travel"), url(m_server->port), QStringLiteral("--client"),
                                         QStringLiteral("someone"), QStringLiteral("--channel"), QStringLiteral("trip"),
                                         QStringLiteral("--since-seq"), QStringLiteral("2"), QStringLiteral("--limit"),
                                         QStringLiteral("2")});
        QCOMPARE(run.exitCode, 0);
        const QList<QJsonObject> frames = run.objects();
        QCOMPARE(frames.size(), 3);
        QCOMPARE(seqsOf(frames), (QList<qint64>{3, 4}));
        const QJsonObject ack = frames.at(2);
        QCOMPARE(ack.value(QStringLiteral("status")).toString(), QStringLiteral("travel_complete"));
        QCOMPARE(ack.value(QStringLiteral("truncated")).toBool(), true);
        QCOMPARE(ack.value(QStringLiteral("gap")).toBool(), false);

        const ClientRun pretty =
            runClient({QStringLiteral("travel"), url(m_server->port), QStringLiteral("--client"),
                       QStringLiteral("trip"), QStringLiteral("--format"), QStringLiteral("pretty")});
        QCOMPARE(pretty.exitCode, 0);
        QVERIFY2(pretty.lines().constLast() == "-- travel complete: 5 events; trip retains seq 1..5",
                 pretty.out.constData());
    }

    void travelExitsThreeOnAGap()
    {
        auto small = startHeadless({QStringLiteral("--retain-events"), QStringLiteral("5")});
        QVERIFY(small->port != 0);
        publishNumbers(small->port, QStringLiteral("g"), 1, 10);
        const ClientRun gap = runClient({QStringLiteral("travel"), url(small->port), QStringLiteral("--client"),
                                         QStringLiteral("g"), QStringLiteral("--since-seq"), QStringLiteral("1")});
        QCOMPARE(gap.exitCode, 3);
        QCOMPARE(seqsOf(gap.objects()), range(6, 10));
        QCOMPARE(gap.objects().constLast().value(QStringLiteral("gap")).toBool(), true);

        const ClientRun noGap = runClient({QStringLiteral("travel"), url(small->port), QStringLiteral("--client"),
                                           QStringLiteral("g"), QStringLiteral("--since-seq"), QStringLiteral("7")});
        QCOMPARE(noGap.exitCode, 0);

        // tail says so too, and replays what is left.
        const ClientRun tail =
            runClient({QStringLiteral("tail"), url(small->port), QStringLiteral("--client"), QStringLiteral("g"),
                       QStringLiteral("--since-seq"), QStringLiteral("1"), QStringLiteral("--count"),
                       QStringLiteral("5"), QStringLiteral("--timeout"), QStringLiteral("20s")});
        QCOMPARE(tail.exitCode, 0);
        QVERIFY2(tail.err.contains("cdcscope tail: warning: channel g no longer holds all the history"),
                 tail.err.constData());
        QCOMPARE(seqsOf(tail.objects()), range(6, 10));
        QVERIFY(small->stop());
    }

    void exportAndImportCaptures()
    {
        publishNumbers(m_server->port, QStringLiteral("cap"), 1, 4);
        QTemporaryDir dir;
        const QString capture = dir.filePath(QStringLiteral("cap.jsonl"));
        const ClientRun exported = runClient(
            {QStringLiteral("export"), url(m_server->port), QStringLiteral("--channel"), QStringLiteral("cap"),
             QStringLiteral("--since-seq"), QStringLiteral("1"), QStringLiteral("-o"), capture});
        QCOMPARE(exported.exitCode, 0);
        QFile file(capture);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray recorded = file.readAll();
        QCOMPARE(recorded, httpGet(m_server->port, "/channels/cap/export?since_seq=1").body);
        QCOMPARE(recorded.count('\n'), 3);

        // Import into another channel, with one bad line in the middle.
        QList<QByteArray> lines = recorded.trimmed().split('\n');
        lines.insert(1, "{\"organization_id\":");
        const ClientRun imported =
            runClient({QStringLiteral("import"), url(m_server->port), QStringLiteral("--channel"),
                       QStringLiteral("replayed"), QStringLiteral("-")},
                      lines.join('\n') + '\n');
        QCOMPARE(imported.exitCode, 4);
        QVERIFY2(imported.err.contains("line 2 skipped"), imported.err.constData());
        QVERIFY2(imported.err.contains("3 events imported, 1 lines skipped"), imported.err.constData());
        const ClientRun replayed = runClient(
            {QStringLiteral("export"), url(m_server->port), QStringLiteral("--channel"), QStringLiteral("replayed")});
        QCOMPARE(replayed.exitCode, 0);
        QCOMPARE(seqsOf(replayed.objects()), range(1, 3));
        QCOMPARE(replayed.objects().at(0).value(QStringLiteral("data")).toObject().value(QStringLiteral("payload")),
                 QJsonValue(QJsonObject{{QStringLiteral("n"), 2}}));

        const ClientRun unknown = runClient({QStringLiteral("export"), url(m_server->port), QStringLiteral("--channel"),
                                             QStringLiteral("no-such-channel"), QStringLiteral("-o"),
                                             dir.filePath(QStringLiteral("none.jsonl"))});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains("HTTP 404"), unknown.err.constData());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("none.jsonl")))); // no half-written file
    }

    void importKeepsTheRecordedPacing()
    {
        // Recorded 400 ms apart; at --speed 1 the second is sent 400 ms after the import started,
        // so the server's ts_ms are about that far apart (less the first request's own latency;
        // as fast as possible they would be the same millisecond).
        const QByteArray capture = R"({"organization_id":"p","data":{"seq":1,"ts_ms":1700000000000,"payload":{"n":1}}})"
                                   "\n"
                                   R"({"organization_id":"p","data":{"seq":2,"ts_ms":1700000000400,"payload":{"n":2}}})"
                                   "\n";
        const ClientRun imported =
            runClient({QStringLiteral("import"), url(m_server->port), QStringLiteral("-"), QStringLiteral("--channel"),
                       QStringLiteral("paced"), QStringLiteral("--speed"), QStringLiteral("1")},
                      capture);
        QCOMPARE(imported.exitCode, 0);
        const ClientRun replayed = runClient(
            {QStringLiteral("travel"), url(m_server->port), QStringLiteral("--client"), QStringLiteral("paced")});
        const QList<QJsonObject> frames = replayed.objects();
        QCOMPARE(seqsOf(frames), range(1, 2));
        const auto tsOf = [&](int i) {
            return frames.at(i).value(QStringLiteral("data")).toObject().value(QStringLiteral("ts_ms")).toInteger();
        };
        QVERIFY2(tsOf(1) - tsOf(0) >= 300, qPrintable(QString::number(tsOf(1) - tsOf(0))));
    }

    void tokensComeFromTheEnvironmentOrAFile()
    {
        QTemporaryDir dir;
        const QString tokens = dir.filePath(QStringLiteral("tokens.json"));
        QFile file(tokens);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"tokens":[{"name":"ci","token":"ci-secret-0123456789","channels":["*"],"publish":true}]})");
        file.close();
        auto secured = startHeadless({QStringLiteral("--auth-tokens"), tokens});
        QVERIFY(secured->port != 0);

        const ClientRun anonymous = runClient(
            {QStringLiteral("publish"), url(secured->port), QStringLiteral("--channel"), QStringLiteral("s")}, "{}\n");
        QCOMPARE(anonymous.exitCode, 2);
        QVERIFY2(anonymous.err.contains("HTTP 401"), anonymous.err.constData());

        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("CDCSCOPE_TOKEN"), QStringLiteral("ci-secret-0123456789"));
        const ClientRun published =
            runClient({QStringLiteral("publish"), url(secured->port), QStringLiteral("--channel"), QStringLiteral("s")},
                      "{}\n", environment);
        QCOMPARE(published.exitCode, 0);

        const ClientRun refused =
            runClient({QStringLiteral("travel"), url(secured->port), QStringLiteral("--client"), QStringLiteral("s")});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("wants a token"), refused.err.constData());

        const QString tokenFile = dir.filePath(QStringLiteral("token"));
        QFile secret(tokenFile);
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write("ci-secret-0123456789\n");
        secret.close();
        const ClientRun travelled = runClient({QStringLiteral("travel"), url(secured->port), QStringLiteral("--client"),
                                               QStringLiteral("s"), QStringLiteral("--token-file"), tokenFile});
        QCOMPARE(travelled.exitCode, 0);
        QCOMPARE(seqsOf(travelled.objects()), range(1, 1));
        QVERIFY(secured->stop());
    }

    void badFlagsAreNamed()
    {
        const ClientRun badCount = runClient({QStringLiteral("tail"), url(m_server->port), QStringLiteral("--client"),
                                              QStringLiteral("a"), QStringLiteral("--count"), QStringLiteral("zero")});
        QCOMPARE(badCount.exitCode, 2);
        QVERIFY2(badCount.err.startsWith("cdcscope tail: --count: 'zero' is not a positive whole number"),
                 badCount.err.constData());

        const ClientRun badFormat =
            runClient({QStringLiteral("travel"), url(m_server->port), QStringLiteral("--client"), QStringLiteral("a"),
                       QStringLiteral("--format"), QStringLiteral("xml")});
        QCOMPARE(badFormat.exitCode, 2);
        QVERIFY2(badFormat.err.contains("--format: 'xml' is not an output format"), badFormat.err.constData());

        const ClientRun unknownFlag =
            runClient({QStringLiteral("export"), url(m_server->port), QStringLiteral("--count"), QStringLiteral("1")});
        QCOMPARE(unknownFlag.exitCode, 2);
        QVERIFY2(unknownFlag.err.contains("Unknown option 'count'"), unknownFlag.err.constData());

        const ClientRun help = runClient({QStringLiteral("tail"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.startsWith("Usage: cdcscope tail URL --client NAME"));
    }

private:
    std::unique_ptr<HeadlessProcess> m_server;
};

QTEST_GUILESS_MAIN(TestClientCommands)
#include "tst_clientcommands.moc"

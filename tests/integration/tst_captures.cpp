// Captures end to end: the HTTP export, the headless --export/--import round trip with identical
// payloads, the recorded pacing scaled by --import-speed, and bad lines named by number.
#include "HeadlessProcess.h"
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace cdc;

class TestCaptures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void httpExportIsJsonlWithRanges()
    {
        auto server = startTestServer();
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(publish(server->port(), QStringLiteral("orders"), QJsonObject{{QStringLiteral("i"), i}}).status,
                     200);
        publish(server->port(), QStringLiteral("other"), 1);

        const HttpReply all = httpGet(server->port(), "/channels/orders/export");
        QCOMPARE(all.status, 200);
        QCOMPARE(all.headers.value("content-type"), QByteArray("application/x-ndjson; charset=utf-8"));
        QCOMPARE(all.body.count('\n'), 5);
        QVERIFY(all.body.startsWith(R"({"organization_id":"orders","data":{"seq":1,)"));

        const HttpReply window = httpGet(server->port(), "/channels/orders/export?since_seq=2&until_seq=4");
        QCOMPARE(window.body.count('\n'), 2);
        QVERIFY(window.body.contains("\"seq\":3,") && window.body.contains("\"seq\":4,"));
        QCOMPARE(httpGet(server->port(), "/export").body.count('\n'), 6);
        QCOMPARE(httpGet(server->port(), "/channels/nobody/export").status, 404);
        QCOMPARE(httpGet(server->port(), "/channels/orders/export?since_seq=-1").status, 400);
    }

    void exportThenImportGivesIdenticalPayloads()
    {
        QTemporaryDir work;
        const QString data = work.filePath(QStringLiteral("data"));
        const QString capture = work.filePath(QStringLiteral("incident.jsonl"));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("CDCSCOPE_IN_MEMORY"));

        auto source = startHeadless({QStringLiteral("--data-dir"), data}, environment);
        QVERIFY(source->port);
        const QByteArray batch =
            R"([{"organization_id":"pay","data":{"amount":12.5,"big":9007199254740993,"note":"caf\u00e9"}},)"
            R"({"organization_id":"pay","data":[1,{"b":null}]},{"organization_id":"pay","data":"plain"}])";
        QCOMPARE(httpPost(source->port, "/events", batch).status, 200);
        const QByteArray exported = httpGet(source->port, "/channels/pay/export").body;
        source->process->terminate();
        QVERIFY(source->process->waitForFinished(10000));

        QProcess exporter;
        exporter.setProcessEnvironment(environment);
        exporter.start(cdcscopeBinary(),
                       {QStringLiteral("--headless"), QStringLiteral("--data-dir"), data, QStringLiteral("--export"),
                        capture, QStringLiteral("--export-channel"), QStringLiteral("pay")});
        QVERIFY(exporter.waitForFinished(10000));
        QCOMPARE(exporter.exitCode(), 0);
        QFile file(capture);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), exported); // the headless flag and the HTTP export agree

        auto target = startHeadless(
            {QStringLiteral("--import"), capture, QStringLiteral("--import-channel"), QStringLiteral("replayed")});
        QVERIFY(target->port);
        QVERIFY(QTest::qWaitFor([&] { return target->readLog().contains("imported: 3 events"); }, 10000));
        const QByteArray reimported = httpGet(target->port, "/channels/replayed/export").body;
        const auto payloadBytes = [](const QByteArray &jsonl) {
            QList<QByteArray> payloads;
            for (const QByteArray &line : jsonl.split('\n'))
                if (!line.isEmpty())
                    payloads.append(line.mid(line.indexOf(",\"payload\":") + 11).chopped(2));
            return payloads;
        };
        QCOMPARE(payloadBytes(reimported), payloadBytes(exported));
        QCOMPARE(payloadBytes(exported).size(), 3);
        target->process->terminate();
        QVERIFY(target->process->waitForFinished(10000));
    }

    void pacedImportKeepsTheRecordedGaps()
    {
        QTemporaryDir work;
        const QString capture = work.filePath(QStringLiteral("paced.jsonl"));
        QFile file(capture);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (const qint64 ts : {10'000, 12'000, 12'400, 13'200})
            file.write(R"({"organization_id":"paced","data":{"seq":1,"ts_ms":)" + QByteArray::number(ts) +
                       R"(,"payload":{"t":)" + QByteArray::number(ts) + "}}}\n");
        file.write("this line is not JSON\n");
        file.close();

        // The import starts as the server listens: the first event is due at once (the client's
        // travel picks it up), the second a full second later, so the client is connected by then.
        auto server =
            startHeadless({QStringLiteral("--import"), capture, QStringLiteral("--import-speed"), QStringLiteral("2")});
        QVERIFY(server->port);
        TestWsClient client(server->port, QStringLiteral("paced"));
        QVERIFY(client.waitForMessages(1));
        client.sendJson({{QStringLiteral("type"), QStringLiteral("travel")}, {QStringLiteral("since_seq"), 0}});
        QElapsedTimer clock;
        clock.start();
        QList<qint64> arrivals;
        qsizetype seen = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (; seen < client.messages().size(); ++seen)
                    if (client.messages()[seen].contains(QStringLiteral("data")))
                        arrivals.append(clock.elapsed());
                return arrivals.size() >= 4;
            },
            10000));
        QVERIFY(server->readLog().contains("line 5 skipped: not valid JSON"));
        // At speed 2 the recorded gaps of 400 and 800 ms between the live events become 200 and
        // 400 ms.
        const qint64 gap2 = arrivals[2] - arrivals[1];
        const qint64 gap3 = arrivals[3] - arrivals[2];
        QVERIFY2(gap2 >= 150 && gap2 <= 300, qPrintable(QString::number(gap2)));
        QVERIFY2(gap3 >= 330 && gap3 <= 520, qPrintable(QString::number(gap3)));
        server->process->terminate();
        QVERIFY(server->process->waitForFinished(10000));
    }
};

QTEST_GUILESS_MAIN(TestCaptures)
#include "tst_captures.moc"

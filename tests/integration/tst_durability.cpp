// The real `cdcscope --headless` with a journal: restart, kill -9, a damaged journal, a journal in
// use, and --in-memory.
#include "HeadlessProcess.h"
#include "TestHttp.h"
#include "TestWsClient.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

QProcessEnvironment journaledEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("CDCSCOPE_IN_MEMORY")); // CTest sets it for the other suites
    return environment;
}

std::unique_ptr<HeadlessProcess> startServer(const QString &dataDir, const QStringList &extra = {})
{
    return startHeadless(QStringList{QStringLiteral("--data-dir"), dataDir} + extra, journaledEnvironment());
}

bool stop(HeadlessProcess &server)
{
    return server.stop();
}

// Every frame of a channel via a WebSocket travel, in order.
QStringList travelAll(quint16 port, const QString &channel)
{
    TestWsClient client(port, QStringLiteral("reader"));
    if (!client.waitForMessages(1))
        return {};
    client.sendJson({{QStringLiteral("type"), QStringLiteral("travel")},
                     {QStringLiteral("organization_id"), channel},
                     {QStringLiteral("since_seq"), 0},
                     {QStringLiteral("limit"), 50'000}});
    if (client.waitForStatus(QStringLiteral("travel_complete"), 1, 20000).isEmpty())
        return {};
    QStringList frames = client.rawTexts().mid(1);
    frames.removeLast(); // the ack
    return frames;
}

// Publishes `count` events to `channel` in batches of up to 500; false if one was refused.
bool publishMany(quint16 port, const QString &channel, int count)
{
    for (int first = 0; first < count; first += 500) {
        QJsonArray batch;
        for (int i = first; i < std::min(count, first + 500); ++i)
            batch.append(QJsonObject{{QStringLiteral("organization_id"), channel},
                                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("i"), i}}}});
        if (httpPost(port, "/events", QJsonDocument(batch).toJson(QJsonDocument::Compact)).status != 200)
            return false;
    }
    return true;
}

// A server that must refuse to start: its exit code and what it said.
QByteArray refusal(HeadlessProcess &server)
{
    (void)server.waitForExit(10000);
    return server.process->exitCode() == 1 ? server.readLog() : QByteArray("it did not refuse");
}

} // namespace

class TestDurability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void restartReturnsTheSameEventsAndContinuesTheSequence()
    {
        QTemporaryDir data;
        auto first = startServer(data.path());
        QVERIFY2(first->port, first->log.constData());
        QJsonArray batch;
        for (int i = 0; i < 50; ++i)
            batch.append(QJsonObject{{QStringLiteral("organization_id"), QStringLiteral("orders")},
                                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("i"), i}}}});
        QCOMPARE(httpPost(first->port, "/events", QJsonDocument(batch).toJson()).status, 200);
        const QStringList before = travelAll(first->port, QStringLiteral("orders"));
        QCOMPARE(before.size(), 50);
        QVERIFY(stop(*first));

        auto second = startServer(data.path());
        QVERIFY2(second->port, second->log.constData());
        QVERIFY(second->readLog().contains("50 events in 1 channels restored"));
        QCOMPARE(travelAll(second->port, QStringLiteral("orders")), before);
        const HttpReply next = publish(second->port, QStringLiteral("orders"), 1);
        QCOMPARE(next.json().value(QStringLiteral("seq")).toInt(), 51);
        QVERIFY(stop(*second));
    }

    void killDashNineLosesNoAcknowledgedEvent()
    {
        QTemporaryDir data;
        auto server = startServer(data.path());
        QVERIFY2(server->port, server->log.constData());
        QList<qint64> acknowledged;
        QTcpSocket publisher;
        publisher.connectToHost(QHostAddress::LocalHost, server->port);
        QVERIFY(publisher.waitForConnected(5000));
        QElapsedTimer clock;
        clock.start();
        QByteArray buffer;
        // Keep-alive publishing as fast as answers come; the kill lands mid-stream.
        const auto send = [&] {
            const QByteArray body =
                R"([{"organization_id":"crash","data":{"x":1}},{"organization_id":"crash","data":{"x":2}}])";
            publisher.write("POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + QByteArray::number(body.size()) +
                            "\r\n\r\n" + body);
        };
        send();
        bool killed = false;
        (void)QTest::qWaitFor(
            [&] {
                buffer.append(publisher.readAll());
                for (qsizetype end; (end = buffer.indexOf("}]}")) >= 0;) {
                    const QByteArray response = buffer.left(end + 3);
                    buffer.remove(0, end + 3);
                    const QJsonObject body =
                        QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
                    for (const QJsonValue &receipt : body.value(QStringLiteral("events")).toArray())
                        acknowledged.append(receipt.toObject().value(QStringLiteral("seq")).toInteger());
                    if (clock.elapsed() < 1500)
                        send();
                }
                if (!killed && clock.elapsed() >= 1500) {
                    ::kill(pid_t(server->process->processId()), SIGKILL);
                    killed = true;
                }
                return killed && server->process->state() == QProcess::NotRunning;
            },
            10000);
        QVERIFY(killed);
        QVERIFY2(acknowledged.size() > 100, qPrintable(QString::number(acknowledged.size())));

        auto restarted = startServer(data.path());
        QVERIFY2(restarted->port, restarted->log.constData());
        const QJsonArray channels =
            httpGet(restarted->port, "/channels").json().value(QStringLiteral("channels")).toArray();
        QCOMPARE(channels.size(), 1);
        const qint64 lastSeq = channels.at(0).toObject().value(QStringLiteral("last_seq")).toInteger();
        QVERIFY(lastSeq >= acknowledged.last());
        const QStringList frames = travelAll(restarted->port, QStringLiteral("crash"));
        QCOMPARE(qint64(frames.size()), lastSeq); // contiguous from 1, nothing missing
        for (qint64 i = 0; i < lastSeq; ++i)
            QVERIFY(frames[i].contains(QStringLiteral("\"seq\":%1,").arg(i + 1)));
        QVERIFY(stop(*restarted));
    }

    void aDamagedJournalStopsTheStartWithTheWayOut()
    {
        QTemporaryDir data;
        QFile garbage(data.filePath(QStringLiteral("journal.sqlite")));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(4096, '#'));
        garbage.close();

        auto refused = startServer(data.path());
        QVERIFY(refused->process->waitForFinished(10000) || refused->process->state() == QProcess::NotRunning);
        QCOMPARE(refused->process->exitCode(), 1);
        const QByteArray log = refused->readLog();
        QVERIFY2(log.contains(data.filePath(QStringLiteral("journal.sqlite")).toUtf8()), log.constData());
        QVERIFY2(log.contains("--reset-journal"), log.constData());

        auto reset = startServer(data.path(), {QStringLiteral("--reset-journal")});
        QVERIFY2(reset->port, reset->log.constData());
        QVERIFY(reset->readLog().contains("moved it to"));
        QCOMPARE(QDir(data.path()).entryList({QStringLiteral("journal.sqlite.broken-*")}).size(), 1);
        QVERIFY(stop(*reset));
    }

    // `truncate -s 0 journal.sqlite`: SQLite would take the empty file for a new database.
    void anEmptiedJournalIsRefusedNotTakenForANewOne()
    {
        QTemporaryDir data;
        auto first = startServer(data.path());
        QVERIFY(first->port);
        QVERIFY(publishMany(first->port, QStringLiteral("orders"), 50));
        QVERIFY(stop(*first));
        QFile journal(data.filePath(QStringLiteral("journal.sqlite")));
        QVERIFY(journal.resize(0));

        auto refused = startServer(data.path());
        const QByteArray log = refusal(*refused);
        QVERIFY2(log.contains("the journal file is empty"), log.constData());
        QVERIFY(log.contains("--accept-journal-loss") && log.contains("--reset-journal"));
        QCOMPARE(journal.size(), 0); // untouched
    }

    // A crash, then the WAL file deleted: the newest commits are gone, and the marks know it.
    void aLostWalIsRefusedThenAcceptedWithoutReusingASeq()
    {
        QTemporaryDir data;
        auto first = startServer(data.path());
        QVERIFY(first->port);
        QVERIFY(publishMany(first->port, QStringLiteral("orders"), 2'500));
        QFile marks(data.filePath(QStringLiteral("journal.sqlite.marks")));
        QVERIFY(QTest::qWaitFor(
            [&marks] {
                marks.open(QIODevice::ReadOnly);
                const bool written = marks.readAll().contains("\"orders\":2500");
                marks.close();
                return written;
            },
            5000));
        ::kill(pid_t(first->process->processId()), SIGKILL);
        QVERIFY(first->waitForExit());
        QVERIFY(QFile::remove(data.filePath(QStringLiteral("journal.sqlite-wal"))));
        QFile::remove(data.filePath(QStringLiteral("journal.sqlite-shm")));

        auto refused = startServer(data.path());
        const QByteArray log = refusal(*refused);
        QVERIFY2(log.contains("orders: the journal ends at seq 0, but seqs up to 2500 were acknowledged"),
                 log.constData());
        QVERIFY(log.contains("--accept-journal-loss"));

        auto accepted = startServer(data.path(), {QStringLiteral("--accept-journal-loss")});
        QVERIFY2(accepted->port, accepted->log.constData());
        QVERIFY(accepted->readLog().contains("serving what is intact"));
        QCOMPARE(publish(accepted->port, QStringLiteral("orders"), 1).json().value(QStringLiteral("seq")).toInt(),
                 2501);
        QCOMPARE(travelAll(accepted->port, QStringLiteral("orders")).size(), 1);
        QVERIFY(stop(*accepted));
        // Accepted once: the next start is clean, and the sequence goes on.
        auto again = startServer(data.path());
        QVERIFY2(again->port, again->log.constData());
        QCOMPARE(publish(again->port, QStringLiteral("orders"), 2).json().value(QStringLiteral("seq")).toInt(), 2502);
        QVERIFY(stop(*again));
    }

    // A payload edited on disk is never served as if it were what the publisher sent.
    void anEditedPayloadIsRefusedThenLeftOut()
    {
        QTemporaryDir data;
        auto first = startServer(data.path());
        QVERIFY(first->port);
        QVERIFY(publishMany(first->port, QStringLiteral("orders"), 20));
        const QStringList before = travelAll(first->port, QStringLiteral("orders"));
        QVERIFY(stop(*first));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("editor"));
            db.setDatabaseName(data.filePath(QStringLiteral("journal.sqlite")));
            QVERIFY(db.open());
            QSqlQuery edit(db);
            QVERIFY(edit.exec(QStringLiteral("UPDATE events SET payload = CAST('{\"i\":9999}' AS BLOB) WHERE seq = 10")));
            QCOMPARE(edit.numRowsAffected(), 1);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("editor"));

        auto refused = startServer(data.path());
        const QByteArray log = refusal(*refused);
        QVERIFY2(log.contains("orders seq 10: the payload does not match its checksum"), log.constData());

        auto accepted = startServer(data.path(), {QStringLiteral("--accept-journal-loss")});
        QVERIFY2(accepted->port, accepted->log.constData());
        // What is served is what was published (seqs 11 to 20), never the edit.
        QCOMPARE(travelAll(accepted->port, QStringLiteral("orders")), before.mid(10));
        QVERIFY(stop(*accepted));
    }

    void aSecondServerOnTheSameJournalIsRefused()
    {
        QTemporaryDir data;
        auto first = startServer(data.path());
        QVERIFY(first->port);
        auto second = startServer(data.path());
        QVERIFY(second->process->waitForFinished(10000) || second->process->state() == QProcess::NotRunning);
        QCOMPARE(second->process->exitCode(), 1);
        QVERIFY2(second->readLog().contains("in use by another process"), second->log.constData());
        QVERIFY(stop(*first));
    }

    void inMemoryForgetsOnRestart()
    {
        QTemporaryDir data;
        auto first = startServer(data.path(), {QStringLiteral("--in-memory")});
        QVERIFY(first->port);
        QCOMPARE(publish(first->port, QStringLiteral("gone"), 1).status, 200);
        QVERIFY(stop(*first));
        QVERIFY(!QFile::exists(data.filePath(QStringLiteral("journal.sqlite"))));
        auto second = startServer(data.path(), {QStringLiteral("--in-memory")});
        QCOMPARE(publish(second->port, QStringLiteral("gone"), 1).json().value(QStringLiteral("seq")).toInt(), 1);
        QVERIFY(stop(*second));
    }
};

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_durability.moc"

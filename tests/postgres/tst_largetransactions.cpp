// Transactions of any size in bounded memory: one INSERT … SELECT generate_series of a million rows
// into the private PostgreSQL cluster, streamed by the real cdcscope binary to a real `cdcscope
// tail`; and a kill -9 in the middle of such a transaction. What a user checks: every row once, in
// order, with consecutive seqs, the server's peak RSS, and what /health says meanwhile.
//
// CDCSCOPE_TEST_LARGE_TRANSACTION_ROWS (default 1 000 000) and CDCSCOPE_TEST_PEAK_RSS_MIB (default
// 300; 0 skips the check) let the sanitizer run, which is slower and whose shadow memory makes RSS
// meaningless, use a smaller transaction.

#include "HeadlessProcess.h"
#include "PgCluster.h"
#include "TestHttp.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

namespace {

qint64 environmentNumber(const char *name, qint64 fallback)
{
    bool ok = false;
    const qint64 value = qEnvironmentVariable(name).toLongLong(&ok);
    return ok ? value : fallback;
}

const qint64 rows = environmentNumber("CDCSCOPE_TEST_LARGE_TRANSACTION_ROWS", 1'000'000);
const qint64 peakRssBoundMib = environmentNumber("CDCSCOPE_TEST_PEAK_RSS_MIB", 300);

QProcessEnvironment serverEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("CDCSCOPE_PG_PASSWORD"), QLatin1String(PgCluster::password));
    environment.remove(QStringLiteral("CDCSCOPE_IN_MEMORY")); // the journal is part of the promise
    environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    environment.remove(QStringLiteral("DISPLAY"));
    return environment;
}

// The largest resident set the process ever had (the kernel's high-water mark), in MiB.
qint64 peakRssMib(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() / 1024;
    return -1;
}

QJsonObject inProgress(quint16 port)
{
    return sourceHealth(port).value(QStringLiteral("transaction_in_progress")).toObject();
}

qint64 lastSeqOf(quint16 port, const QString &channel)
{
    const QJsonArray channels = httpGet(port, "/channels").json().value(QStringLiteral("channels")).toArray();
    for (const QJsonValue &entry : channels)
        if (entry.toObject().value(QStringLiteral("organization_id")).toString() == channel)
            return entry.toObject().value(QStringLiteral("last_seq")).toInteger();
    return 0;
}

// Each NDJSON event frame's (seq, row id), in the order given.
QList<std::pair<qint64, qint64>> seqsAndIds(const QByteArray &ndjson, qint64 *commitTimes = nullptr)
{
    QList<std::pair<qint64, qint64>> result;
    QSet<qint64> commits;
    for (const QByteArray &line : ndjson.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject data = QJsonDocument::fromJson(line).object().value(QStringLiteral("data")).toObject();
        const QJsonObject payload = data.value(QStringLiteral("payload")).toObject();
        result.append({data.value(QStringLiteral("seq")).toInteger(),
                       payload.value(QStringLiteral("new")).toObject().value(QStringLiteral("id")).toInteger()});
        commits.insert(payload.value(QStringLiteral("commit_ts_ms")).toInteger());
    }
    if (commitTimes)
        *commitTimes = commits.size();
    return result;
}

// Where the list first differs from (1, 1), (2, 2), …, (count, count); -1 when it does not.
qsizetype firstMismatch(const QList<std::pair<qint64, qint64>> &seqsAndIds, qint64 count)
{
    if (seqsAndIds.size() != count)
        return std::min<qsizetype>(seqsAndIds.size(), count);
    for (qsizetype i = 0; i < seqsAndIds.size(); ++i)
        if (seqsAndIds[i].first != i + 1 || seqsAndIds[i].second != i + 1)
            return i;
    return -1;
}

} // namespace

class TestLargeTransactions : public QObject
{
    Q_OBJECT

private:
    PgCluster m_cluster;

    std::unique_ptr<HeadlessProcess> startSource(const QString &slot, const QString &dataDir,
                                                 const QStringList &extra = {})
    {
        return startHeadless(QStringList{QStringLiteral("--pg-dsn"), m_cluster.dsn(), QStringLiteral("--pg-slot"), slot,
                                         QStringLiteral("--data-dir"), dataDir} +
                                 extra,
                             serverEnvironment());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_cluster.start(), qPrintable(m_cluster.error()));
        QVERIFY2(m_cluster.sql(QStringLiteral("CREATE TABLE big (id bigint PRIMARY KEY, pad text NOT NULL);"
                                              "CREATE TABLE crashed (id bigint PRIMARY KEY, pad text NOT NULL);"
                                              "CREATE PUBLICATION cdcscope FOR TABLE big, crashed;")),
                 qPrintable(m_cluster.error()));
    }

    void aMillionRowTransactionArrivesWholeInBoundedMemory()
    {
        QTemporaryDir dataDir;
        auto server = startSource(QStringLiteral("huge"), dataDir.path());
        QVERIFY2(QTest::qWaitFor([&] { return sourceHealth(server->port).value(u"state").toString() == u"streaming"; },
                                 20000),
                 server->readLog().constData());

        // A real subscriber that must see every row: cdcscope tail, its output in a file.
        QTemporaryDir outputDir;
        const QString received = outputDir.filePath(QStringLiteral("big.ndjson"));
        QProcess tail;
        tail.setStandardOutputFile(received);
        tail.start(cdcscopeBinary(), {QStringLiteral("tail"), QStringLiteral("ws://127.0.0.1:%1/ws").arg(server->port),
                                      QStringLiteral("--client"), QStringLiteral("reader"), QStringLiteral("--channel"),
                                      QStringLiteral("public.big"), QStringLiteral("--count"), QString::number(rows),
                                      QStringLiteral("--timeout"), QStringLiteral("200s")});
        QVERIFY(tail.waitForStarted());
        QVERIFY(QTest::qWaitFor([&] { return httpGet(server->port, "/clients").body.contains("\"reader\""); }, 10000));

        QVERIFY2(
            m_cluster.sql(
                QStringLiteral("INSERT INTO big SELECT i, repeat('x', 100) FROM generate_series(1, %1) i").arg(rows)),
            qPrintable(m_cluster.error()));

        // While it streams in, /health says so, and the channel takes nothing else: its seqs are
        // the transaction's.
        QJsonObject seen;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         seen = inProgress(server->port);
                         return seen.value(u"rows").toInteger() > 0 || tail.state() == QProcess::NotRunning;
                     },
                     120000),
                 server->readLog().constData());
        QVERIFY2(seen.value(u"rows").toInteger() > 0, "the transaction was never reported in progress");
        QVERIFY(seen.value(u"xid").toInteger() > 0);
        const HttpReply refused = publish(server->port, QStringLiteral("public.big"),
                                          QJsonObject{{QStringLiteral("by"), QStringLiteral("hand")}});
        if (refused.status != 503) {
            // Only if the transaction was stored whole in between (a slow machine's scheduling).
            QCOMPARE(refused.status, 200);
            QVERIFY(inProgress(server->port).isEmpty());
        } else {
            QCOMPARE(refused.json().value(u"code").toString(), QStringLiteral("channel_busy"));
            QVERIFY2(refused.json().value(u"message").toString().contains(u"large PostgreSQL transaction"),
                     refused.body.constData());
            QCOMPARE(refused.headers.value("retry-after"), QByteArray("1"));
        }

        QVERIFY(QTest::qWaitFor([&] { return tail.state() == QProcess::NotRunning; }, 200000));
        QCOMPARE(tail.exitCode(), 0);
        QFile file(received);
        QVERIFY(file.open(QIODevice::ReadOnly));
        qint64 commitTimes = 0;
        const auto events = seqsAndIds(file.readAll(), &commitTimes);
        QCOMPARE(firstMismatch(events, rows), qsizetype(-1)); // every row once, in order, seqs 1..rows
        QCOMPARE(commitTimes, 1);                             // one commit_ts_ms

        const qint64 peak = peakRssMib(server->process->processId());
        qInfo("peak RSS of the server for %lld rows: %lld MiB", static_cast<long long>(rows),
              static_cast<long long>(peak));
        if (peakRssBoundMib > 0)
            QVERIFY2(peak > 0 && peak <= peakRssBoundMib,
                     qPrintable(QStringLiteral("peak RSS %1 MiB, bound %2 MiB").arg(peak).arg(peakRssBoundMib)));

        // Whole: no longer in progress, and the channel takes publishes again, right after it.
        QVERIFY(QTest::qWaitFor([&] { return inProgress(server->port).isEmpty(); }, 10000));
        QCOMPARE(sourceHealth(server->port).value(u"transactions").toInteger(), 1);
        if (refused.status == 503) {
            const HttpReply accepted = publish(server->port, QStringLiteral("public.big"),
                                               QJsonObject{{QStringLiteral("by"), QStringLiteral("hand")}});
            QCOMPARE(accepted.status, 200);
            QCOMPARE(accepted.json().value(u"seq").toInteger(), rows + 1);
        }
        QVERIFY(server->stop());
    }

    // kill -9 with part of a large transaction journaled: PostgreSQL sends all of it again, the
    // journaled part is skipped by its change count, and every row is there once.
    void killedInTheMiddleOfALargeTransactionEveryRowOnce()
    {
        const qint64 crashRows = std::max<qint64>(rows / 4, 100'000);
        QTemporaryDir dataDir;
        const QStringList retainAll{QStringLiteral("--retain-events"), QString::number(crashRows)};
        auto server = startSource(QStringLiteral("crash"), dataDir.path(), retainAll);
        QVERIFY2(QTest::qWaitFor([&] { return sourceHealth(server->port).value(u"state").toString() == u"streaming"; },
                                 20000),
                 server->readLog().constData());
        QVERIFY2(
            m_cluster.sql(QStringLiteral("INSERT INTO crashed SELECT i, repeat('y', 100) FROM generate_series(1, %1) i")
                              .arg(crashRows)),
            qPrintable(m_cluster.error()));
        QVERIFY2(QTest::qWaitFor([&] { return inProgress(server->port).value(u"rows").toInteger() >= 20'000; }, 60000),
                 server->readLog().constData());
        ::kill(pid_t(server->process->processId()), SIGKILL);
        QVERIFY(server->waitForExit());

        auto restarted = startSource(QStringLiteral("crash"), dataDir.path(), retainAll);
        QVERIFY2(restarted->port, restarted->log.constData());
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return sourceHealth(restarted->port).value(u"transactions").toInteger() >= 1 &&
                                inProgress(restarted->port).isEmpty();
                     },
                     120000),
                 restarted->readLog().constData());
        QCOMPARE(lastSeqOf(restarted->port, QStringLiteral("public.crashed")), crashRows);
        const HttpReply exported = httpGet(restarted->port, "/channels/public.crashed/export");
        QCOMPARE(exported.status, 200);
        QCOMPARE(firstMismatch(seqsAndIds(exported.body), crashRows), qsizetype(-1));
        QVERIFY(restarted->stop());
    }
};

QTEST_GUILESS_MAIN(TestLargeTransactions)
#include "tst_largetransactions.moc"

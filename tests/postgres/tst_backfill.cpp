// Backfill while streaming (docs/postgres.md, "Backfill"): a private PostgreSQL 15 cluster, the real
// cdcscope binary, a writer changing the table while it is read, and what a user rebuilds from the
// channel: the table, row for row.

#include "HeadlessProcess.h"
#include "PgCluster.h"
#include "TestHttp.h"

#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <map>

using namespace Qt::StringLiterals;

namespace {

QProcessEnvironment sourceEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("CDCSCOPE_PG_PASSWORD"), QLatin1String(PgCluster::password));
    environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("CDCSCOPE_IN_MEMORY")); // the journal holds the backfill's place
    return environment;
}

// The backfill of `table` as /health says it; empty before there is one.
QJsonObject backfillHealth(quint16 port, const QString &table)
{
    for (const QJsonValue &backfill : sourceHealth(port).value(QStringLiteral("backfills")).toArray())
        if (backfill.toObject().value(QStringLiteral("table")).toString() == table)
            return backfill.toObject();
    return {};
}

// The channel's retained payloads, oldest first (GET /channels/{id}/export).
QList<QJsonObject> channelPayloads(quint16 port, const QString &channel)
{
    QList<QJsonObject> payloads;
    const HttpReply reply = httpGet(port, "/channels/" + QUrl::toPercentEncoding(channel) + "/export");
    for (const QByteArray &line : reply.body.split('\n'))
        if (!line.isEmpty())
            payloads.append(QJsonDocument::fromJson(line)
                                .object()
                                .value(QStringLiteral("data"))
                                .toObject()
                                .value(QStringLiteral("payload"))
                                .toObject());
    return payloads;
}

// The table as a reader of the channel rebuilds it: read events and changes applied in seq order.
struct Rebuilt
{
    std::map<qint64, QString> rows; // id -> "v|note"
    QHash<qint64, int> reads;       // how often each id was read
    qint64 readEvents = 0;
};

QString rowText(const QJsonObject &row)
{
    return QString::number(row.value(QStringLiteral("v")).toInteger()) + u'|' +
           row.value(QStringLiteral("note")).toString();
}

Rebuilt rebuild(const QList<QJsonObject> &payloads)
{
    Rebuilt rebuilt;
    for (const QJsonObject &payload : payloads) {
        const QString op = payload.value(QStringLiteral("op")).toString();
        const QJsonObject row = payload.value(QStringLiteral("new")).toObject();
        const QJsonObject old = payload.value(QStringLiteral("old")).toObject();
        if (op == u"read") {
            ++rebuilt.readEvents;
            ++rebuilt.reads[row.value(QStringLiteral("id")).toInteger()];
        }
        if (!old.isEmpty())
            rebuilt.rows.erase(old.value(QStringLiteral("id")).toInteger());
        if (op == u"read" || op == u"insert" || op == u"update")
            rebuilt.rows[row.value(QStringLiteral("id")).toInteger()] = rowText(row);
    }
    return rebuilt;
}

// Where the rebuilt table and `SELECT *` part, with every event of each differing row, so a failure
// shows the evidence; empty when they are the same, row for row.
QString describeDifferences(const Rebuilt &rebuilt, const QStringList &table, const QList<QJsonObject> &payloads)
{
    std::map<qint64, QString> selected;
    for (const QString &line : table)
        selected[line.section(u'|', 0, 0).toLongLong()] = line.section(u'|', 1);
    QList<qint64> differing;
    for (const auto &[id, text] : rebuilt.rows)
        if (const auto found = selected.find(id); found == selected.end() || found->second != text)
            differing.append(id);
    for (const auto &[id, text] : selected)
        if (!rebuilt.rows.count(id))
            differing.append(id);
    if (differing.isEmpty())
        return {};
    QString said = QStringLiteral("%1 rows differ (rebuilt %2, table %3)").arg(differing.size()).arg(rebuilt.rows.size()).arg(table.size());
    for (const qint64 id : differing.mid(0, 5)) {
        const auto rebuiltRow = rebuilt.rows.find(id);
        const auto selectedRow = selected.find(id);
        said += QStringLiteral("\nrow %1: rebuilt %2, table %3")
                    .arg(id)
                    .arg(rebuiltRow == rebuilt.rows.end() ? QStringLiteral("(none)") : rebuiltRow->second,
                         selectedRow == selected.end() ? QStringLiteral("(none)") : selectedRow->second);
        for (const QJsonObject &payload : payloads)
            if (payload.value(u"new"_s).toObject().value(u"id"_s).toInteger() == id ||
                payload.value(u"old"_s).toObject().value(u"id"_s).toInteger() == id)
                said += u"\n    "_s + QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    }
    return said;
}

} // namespace

class TestBackfill : public QObject
{
    Q_OBJECT

private:
    PgCluster m_cluster;

    std::unique_ptr<HeadlessProcess> startSource(const QString &slot, const QString &dataDir, const QStringList &extra = {})
    {
        return startHeadless(QStringList{QStringLiteral("--pg-dsn"), m_cluster.dsn(), QStringLiteral("--pg-slot"), slot,
                                         QStringLiteral("--pg-publication"), slot, QStringLiteral("--pg-tables"),
                                         QStringLiteral("public.items,public.small,public.keyless"),
                                         QStringLiteral("--data-dir"), dataDir, QStringLiteral("--retain-events"),
                                         QStringLiteral("1000000")} +
                                 extra,
                             sourceEnvironment());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_cluster.start(), qPrintable(m_cluster.error()));
        QVERIFY2(m_cluster.sql(QStringLiteral(
                     "CREATE TABLE items (id bigint PRIMARY KEY, v integer NOT NULL, note text);"
                     "INSERT INTO items SELECT i, i % 1000, 'row ' || i FROM generate_series(1, 200000) i;"
                     "CREATE TABLE small (region text, id integer, v integer, PRIMARY KEY (region, id));"
                     "INSERT INTO small SELECT 'r' || (i % 7), i, i FROM generate_series(1, 3000) i;"
                     "CREATE TABLE keyless (v integer);"
                     "CREATE TABLE unpublished (id integer PRIMARY KEY);"
                     "ANALYZE items;")),
                 qPrintable(m_cluster.error()));
    }

    // The test: 200 000 rows read while a writer updates, deletes and inserts; the engine is
    // killed in the middle and started again. What the channel says rebuilds the table exactly,
    // and no row was read twice.
    void aBackfillUnderWritesAndAKillRebuildsTheTableExactly()
    {
        QTemporaryDir dataDir;
        auto server = startSource(QStringLiteral("fill"), dataDir.path(), {QStringLiteral("--pg-backfill-chunk"),
                                                                         QStringLiteral("1000")});
        QVERIFY2(server->port, server->log.constData());
        QVERIFY(QTest::qWaitFor(
            [&] { return sourceHealth(server->port).value(QStringLiteral("state")).toString() == u"streaming"; }, 20000));

        // Updates, deletes, inserts and key moves, one per transaction, across the whole key range,
        // until told to stop (a row in `stop`); then a last row that says the writer is done. New
        // rows (10 000 000 + n) and moved ones (id + 1 000 000) never meet, however long it runs. A
        // pause after each keeps it near a thousand a second: a writer that saturates the engine
        // leaves the backfill waiting (it reads only while the engine keeps up), as under ASan.
        QVERIFY(m_cluster.sql(QStringLiteral("CREATE TABLE stop (id integer PRIMARY KEY);"
                                             "ALTER PUBLICATION fill ADD TABLE stop;")));
        auto writer = m_cluster.startPsql(QStringLiteral(
            "DO $$ DECLARE n integer := 0; r bigint; BEGIN "
            "WHILE NOT EXISTS (SELECT 1 FROM stop) LOOP n := n + 1; r := 1 + floor(random() * 200000)::bigint; "
            "IF n % 4 = 0 THEN DELETE FROM items WHERE id = r; "
            "ELSIF n % 4 = 1 THEN INSERT INTO items VALUES (10000000 + n, n, 'new ' || n); "
            "ELSIF n % 8 = 2 THEN UPDATE items SET id = id + 1000000, note = 'moved' WHERE id = r; "
            "ELSE UPDATE items SET v = v + 1, note = 'changed ' || n WHERE id = r; END IF; "
            "COMMIT; PERFORM pg_sleep(0.0005); END LOOP; "
            "INSERT INTO items VALUES (-1, 0, 'writer done'); COMMIT; END $$;"));
        QVERIFY(writer->waitForStarted());

        const HttpReply started =
            httpPost(server->port, "/sources/postgres/backfills", "{\"table\":\"public.items\"}");
        QCOMPARE(started.status, 202);
        QCOMPARE(QJsonDocument::fromJson(started.body).object().value(u"backfill"_s).toObject().value(u"state"_s).toString(),
                 u"running"_s);

        // Killed in the middle of the table, while the writer goes on: right after /health said so.
        QJsonObject before;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         before = backfillHealth(server->port, u"public.items"_s);
                         return before.value(u"rows_read"_s).toInteger() >= 60'000;
                     },
                     60000),
                 QByteArray(server->readLog() + QJsonDocument(before).toJson()).constData());
        ::kill(pid_t(server->process->processId()), SIGKILL);
        QVERIFY(server->waitForExit());
        QVERIFY2(before.value(u"rows_read"_s).toInteger() < 200'000, QJsonDocument(before).toJson().constData());
        QVERIFY2(before.value(u"rows_estimate"_s).toInteger() >= 190'000, QJsonDocument(before).toJson().constData());
        QVERIFY(before.value(u"chunks"_s).toInteger() >= 60);

        // Started again without --pg-backfill: the journal says where it was.
        auto restarted = startSource(QStringLiteral("fill"), dataDir.path());
        QVERIFY2(restarted->port, restarted->log.constData());
        // It goes on from the journal, in the middle: at least where /health last said, short of the end.
        QVERIFY2(restarted->waitForLog("goes on after"), restarted->readLog().constData());
        const QByteArray resumed = restarted->readLog();
        const qsizetype at = resumed.indexOf("goes on after ") + 14;
        const qint64 resumedAt = resumed.mid(at, resumed.indexOf(' ', at) - at).toLongLong();
        QVERIFY2(resumedAt >= before.value(u"rows_read"_s).toInteger() && resumedAt < 200'000, resumed.constData());
        QVERIFY2(QTest::qWaitFor([&] { return backfillHealth(restarted->port, u"public.items"_s).value(u"state"_s).toString() == u"done"; },
                                 120000),
                 QByteArray(restarted->readLog() + QJsonDocument(sourceHealth(restarted->port)).toJson()).constData());
        QVERIFY(m_cluster.sql(QStringLiteral("INSERT INTO stop VALUES (1);")));
        QVERIFY(QTest::qWaitFor([&] { return writer->state() == QProcess::NotRunning; }, 60000));
        QVERIFY2(writer->exitCode() == 0, writer->readAll().constData());

        // Everything the writer did has reached the channel once its last row has.
        QList<QJsonObject> payloads;
        QVERIFY(QTest::qWaitFor(
            [&] {
                payloads = channelPayloads(restarted->port, u"public.items"_s);
                return !payloads.isEmpty() &&
                       payloads.back().value(u"new"_s).toObject().value(u"id"_s).toInteger() == -1;
            },
            60000));
        const Rebuilt rebuilt = rebuild(payloads);
        for (auto it = rebuilt.reads.cbegin(); it != rebuilt.reads.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(QStringLiteral("row %1 was read %2 times").arg(it.key()).arg(it.value())));
        const QJsonObject after = backfillHealth(restarted->port, u"public.items"_s);
        QCOMPARE(rebuilt.readEvents, after.value(u"rows_read"_s).toInteger() - after.value(u"rows_skipped"_s).toInteger());
        qInfo() << "rows read" << after.value(u"rows_read"_s).toInteger() << "left to changes in their window"
                << after.value(u"rows_skipped"_s).toInteger();

        const QStringList table = m_cluster.query(QStringLiteral("SELECT id, v, coalesce(note, '') FROM items ORDER BY id"));
        QVERIFY2(!table.isEmpty(), qPrintable(m_cluster.error()));
        const QString differences = describeDifferences(rebuilt, table, payloads);
        QVERIFY2(differences.isEmpty(), qPrintable(differences));
        // The writer's changes were there to race with: some rows changed while their chunk was read.
        QVERIFY(rebuilt.readEvents > 150'000);
        QVERIFY(restarted->stop());
    }

    // Pause, resume, a composite key, refusals, failures, /metrics.
    void aBackfillIsControlledAndExplainedOverHttp()
    {
        QTemporaryDir dataDir;
        auto server = startSource(QStringLiteral("control"), dataDir.path(),
                                  {QStringLiteral("--pg-backfill"), QStringLiteral("small"),
                                   QStringLiteral("--pg-backfill-chunk"), QStringLiteral("100")});
        QVERIFY2(server->port, server->log.constData());
        // Started by the flag; paused and resumed in the middle.
        QVERIFY(QTest::qWaitFor([&] { return backfillHealth(server->port, u"public.small"_s).value(u"rows_read"_s).toInteger() > 0; },
                                20000));
        const HttpReply paused = httpPost(server->port, "/sources/postgres/backfills/public.small/pause", QByteArray());
        const QString pausedState =
            QJsonDocument::fromJson(paused.body).object().value(u"backfill"_s).toObject().value(u"state"_s).toString();
        if (paused.status == 200) {
            QCOMPARE(pausedState, u"paused"_s);
            QCOMPARE(httpPost(server->port, "/sources/postgres/backfills/public.small/pause", QByteArray()).status, 409);
            QCOMPARE(httpPost(server->port, "/sources/postgres/backfills/public.small/resume", QByteArray()).status, 200);
        } else {
            QCOMPARE(paused.status, 409); // it had finished already: 3 000 rows go fast
        }
        QVERIFY(QTest::qWaitFor([&] { return backfillHealth(server->port, u"public.small"_s).value(u"state"_s).toString() == u"done"; },
                                30000));
        const QList<QJsonObject> small = channelPayloads(server->port, u"public.small"_s);
        QCOMPARE(small.size(), 3000);
        QSet<QString> keys;
        for (const QJsonObject &payload : small) {
            QCOMPARE(payload.value(u"op"_s).toString(), u"read"_s);
            const QJsonObject row = payload.value(u"new"_s).toObject();
            keys.insert(row.value(u"region"_s).toString() + u'/' + QString::number(row.value(u"id"_s).toInt()));
        }
        QCOMPARE(keys.size(), 3000);
        QCOMPARE(httpPost(server->port, "/sources/postgres/backfills/public.small/cancel", QByteArray()).status, 409);

        // What cannot be backfilled says why.
        const auto failureOf = [&](const QByteArray &table, const QString &name) {
            const HttpReply reply = httpPost(server->port, "/sources/postgres/backfills",
                                                "{\"table\":\"" + table + "\"}");
            if (reply.status != 202)
                return QStringLiteral("HTTP %1").arg(reply.status);
            QString error;
            const bool failed = QTest::qWaitFor([&] {
                const QJsonObject backfill = backfillHealth(server->port, name);
                error = backfill.value(u"error"_s).toString();
                return backfill.value(u"state"_s).toString() == u"failed";
            }, 20000);
            return failed ? error : QStringLiteral("not failed: %1").arg(error);
        };
        QVERIFY2(failureOf("keyless", u"public.keyless"_s).contains(u"no primary key"), "keyless");
        QVERIFY2(failureOf("public.unpublished", u"public.unpublished"_s).contains(u"not in the publication"), "unpublished");
        QVERIFY2(failureOf("public.nothing_here", u"public.nothing_here"_s).contains(u"there is no table"), "missing");
        QCOMPARE(httpPost(server->port, "/sources/postgres/backfills", "{\"chunk_size\":5}").status, 400);
        QCOMPARE(httpPost(server->port, "/sources/postgres/backfills", "{\"table\":\"small\",\"chunk_size\":0.5}").status, 400);
        QCOMPARE(httpPost(server->port, "/sources/postgres/backfills/public.none/pause", QByteArray()).status, 404);
        const HttpReply list = httpGet(server->port, "/sources/postgres/backfills");
        QCOMPARE(list.status, 200);
        QCOMPARE(QJsonDocument::fromJson(list.body).object().value(u"backfills"_s).toArray().size(), 4);
        const HttpReply metrics = httpGet(server->port, "/metrics");
        QVERIFY(metrics.body.contains(
            "cdcscope_backfill_rows_read_total{source=\"postgres\",table=\"public.small\"} 3000"));
        QVERIFY(metrics.body.contains("cdcscope_backfill_running{source=\"postgres\",table=\"public.small\"} 0"));

        // Names a client sends are not held without end: 64 backfills are listed at most.
        for (int i = 0; i < 70; ++i) {
            const int status = httpPost(server->port, "/sources/postgres/backfills",
                                        "{\"table\":\"public.no_table_" + QByteArray::number(i) + "\"}")
                                   .status;
            QVERIFY2(status == 202 || status == 429, QByteArray::number(status).constData());
        }
        const auto listed = [&] {
            return QJsonDocument::fromJson(httpGet(server->port, "/sources/postgres/backfills").body)
                .object()
                .value(u"backfills"_s)
                .toArray();
        };
        QVERIFY(listed().size() <= 64);
        QVERIFY(QTest::qWaitFor([&] {
            const QJsonArray backfills = listed();
            return std::none_of(backfills.begin(), backfills.end(), [](const QJsonValue &backfill) {
                return backfill.toObject().value(u"state"_s).toString() == u"running";
            });
        }, 20000));
        QCOMPARE(httpPost(server->port, "/sources/postgres/backfills", "{\"table\":\"public.no_table_again\"}").status, 202);
        QVERIFY(listed().size() <= 64);
        // A finished backfill is not done again at the next start; a new one can be asked for.
        QVERIFY(server->stop());
        auto again = startSource(QStringLiteral("control"), dataDir.path(),
                                 {QStringLiteral("--pg-backfill"), QStringLiteral("small")});
        QVERIFY2(again->port, again->log.constData());
        QVERIFY(QTest::qWaitFor([&] { return backfillHealth(again->port, u"public.small"_s).value(u"state"_s).toString() == u"done"; },
                                20000));
        QCOMPARE(channelPayloads(again->port, u"public.small"_s).size(), 3000);
        QCOMPARE(httpPost(again->port, "/sources/postgres/backfills", "{\"table\":\"small\"}").status, 202);
        QVERIFY(QTest::qWaitFor([&] { return channelPayloads(again->port, u"public.small"_s).size() == 6000; }, 20000));
        QVERIFY(again->stop());
    }
};

QTEST_GUILESS_MAIN(TestBackfill)
#include "tst_backfill.moc"

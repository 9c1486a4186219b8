// The PostgreSQL source end to end: a private PostgreSQL 15 cluster (tests/support/PgCluster), the
// real cdcscope binary streaming from it by logical replication, and what a user sees: WebSocket
// frames, exports and /health.

#include "HeadlessProcess.h"
#include "PgCluster.h"
#include "RedisServer.h"
#include "TestHttp.h"
#include "TestWsClient.h"
#include "inspect/ChangeReading.h"
#include "store/Capture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <numeric>

using namespace Qt::StringLiterals;

namespace {

QProcessEnvironment sourceEnvironment(const QString &password = QLatin1String(PgCluster::password))
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // The env-var path of docs/postgres.md; no keychain, no display to prompt on.
    environment.insert(QStringLiteral("CDCSCOPE_PG_PASSWORD"), password);
    environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    environment.remove(QStringLiteral("DISPLAY"));
    return environment;
}

bool waitForSourceState(quint16 port, const QString &state, int timeoutMs = 20000)
{
    return QTest::qWaitFor([&] { return sourceHealth(port).value(QStringLiteral("state")).toString() == state; },
                           timeoutMs);
}

// The payloads of a channel's retained events, oldest first, from GET /channels/{id}/export.
QList<QJsonObject> channelPayloads(quint16 port, const QString &channel)
{
    QList<QJsonObject> payloads;
    const HttpReply reply = httpGet(port, "/channels/" + QUrl::toPercentEncoding(channel) + "/export");
    for (const QByteArray &line : reply.body.split('\n')) {
        if (!line.isEmpty())
            payloads.append(QJsonDocument::fromJson(line)
                                .object()
                                .value(QStringLiteral("data"))
                                .toObject()
                                .value(QStringLiteral("payload"))
                                .toObject());
    }
    return payloads;
}

quint64 parseLsn(const QString &text)
{
    const QStringList parts = text.trimmed().split(u'/');
    return parts.size() == 2 ? (parts[0].toULongLong(nullptr, 16) << 32) | parts[1].toULongLong(nullptr, 16) : 0;
}

QList<QJsonObject> payloadsOf(const QList<QJsonObject> &eventFrames)
{
    QList<QJsonObject> payloads;
    for (const QJsonObject &frame : eventFrames)
        payloads.append(frame.value(QStringLiteral("data")).toObject().value(QStringLiteral("payload")).toObject());
    return payloads;
}

} // namespace

class TestPostgres : public QObject
{
    Q_OBJECT

private:
    PgCluster m_cluster;

    std::unique_ptr<HeadlessProcess>
    startSource(const QString &slot, const QStringList &extra = {},
                const QProcessEnvironment &environment = sourceEnvironment(),
                const QString &tables = QStringLiteral("public.orders,public.audit,public.ticks"))
    {
        auto server =
            startHeadless(QStringList{QStringLiteral("--pg-dsn"), m_cluster.dsn(), QStringLiteral("--pg-slot"), slot,
                                      QStringLiteral("--pg-tables"), tables} +
                              extra,
                          environment);
        return server;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_cluster.start(), qPrintable(m_cluster.error()));
        QVERIFY2(m_cluster.sql(QStringLiteral(
                     "CREATE TABLE orders (id bigserial PRIMARY KEY, organization_id text, amount numeric(10,2), "
                     "qty integer, price double precision, note text, meta jsonb, paid boolean, created_at "
                     "timestamptz, doc text);"
                     // Out of line without compression: a long doc is a TOASTed value.
                     "ALTER TABLE orders ALTER COLUMN doc SET STORAGE EXTERNAL;"
                     "CREATE TABLE audit (id integer PRIMARY KEY, message text);"
                     "ALTER TABLE audit REPLICA IDENTITY FULL;"
                     "CREATE TABLE ticks (id bigserial PRIMARY KEY, n integer NOT NULL);"
                     // Replica identity and the channel column: the key lacks it, or FULL sends it.
                     "CREATE TABLE tenant_default (id bigserial PRIMARY KEY, organization_id text, v integer);"
                     "CREATE TABLE tenant_full (id bigserial PRIMARY KEY, organization_id text, v integer);"
                     "ALTER TABLE tenant_full REPLICA IDENTITY FULL;")),
                 qPrintable(m_cluster.error()));
    }

    void changesArriveTypedRoutedAndInCommitOrder()
    {
        auto server = startSource(QStringLiteral("typed"));
        QVERIFY2(server->port, server->log.constData());
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        TestWsClient acme(server->port, QStringLiteral("acme"));
        TestWsClient audit(server->port, QStringLiteral("public.audit"));
        QVERIFY(acme.waitForMessages(1));
        QVERIFY(audit.waitForMessages(1));

        QVERIFY2(m_cluster.sql(QStringLiteral(
                     "BEGIN; INSERT INTO orders (organization_id, amount, qty, price, note, meta, paid, created_at, "
                     "doc) VALUES ('acme', 12.50, 3, 1.5, 'first', '{\"k\": [1, 2]}', true, "
                     "'2026-01-02 03:04:05+00', 'short'); COMMIT;"
                     "BEGIN; INSERT INTO audit VALUES (1, 'hello'); COMMIT;"
                     "BEGIN; UPDATE orders SET qty = 4 WHERE organization_id = 'acme'; COMMIT;"
                     "BEGIN; UPDATE audit SET message = 'bye' WHERE id = 1; COMMIT;"
                     "BEGIN; DELETE FROM audit WHERE id = 1; COMMIT;"
                     "BEGIN; INSERT INTO orders (organization_id, note) VALUES (NULL, 'no org'); COMMIT;"
                     "BEGIN; TRUNCATE audit; COMMIT;")),
                 qPrintable(m_cluster.error()));

        QVERIFY(QTest::qWaitFor([&] { return acme.events().size() == 2 && audit.events().size() == 4; }, 10000));
        const QList<QJsonObject> acmeEvents = payloadsOf(acme.events());
        QCOMPARE(acme.eventSeqs(), (QList<qint64>{1, 2}));
        const QJsonObject inserted = acmeEvents[0];
        QCOMPARE(inserted.value(QStringLiteral("op")).toString(), QStringLiteral("insert"));
        QCOMPARE(inserted.value(QStringLiteral("schema")).toString(), QStringLiteral("public"));
        QCOMPARE(inserted.value(QStringLiteral("table")).toString(), QStringLiteral("orders"));
        QVERIFY(inserted.value(QStringLiteral("lsn")).toString().contains(u'/'));
        QVERIFY(inserted.value(QStringLiteral("commit_ts_ms")).toDouble() > 1.7e12);
        QVERIFY(inserted.value(QStringLiteral("xid")).toDouble() > 0);
        QVERIFY(!inserted.contains(QStringLiteral("old")));
        const QJsonObject row = inserted.value(QStringLiteral("new")).toObject();
        QCOMPARE(row.value(QStringLiteral("id")), QJsonValue(1));
        QCOMPARE(row.value(QStringLiteral("organization_id")), QJsonValue(QStringLiteral("acme")));
        QCOMPARE(row.value(QStringLiteral("amount")), QJsonValue(12.5));
        QCOMPARE(row.value(QStringLiteral("qty")), QJsonValue(3));
        QCOMPARE(row.value(QStringLiteral("price")), QJsonValue(1.5));
        QCOMPARE(row.value(QStringLiteral("note")), QJsonValue(QStringLiteral("first")));
        QCOMPARE(row.value(QStringLiteral("meta")).toObject(), (QJsonObject{{QStringLiteral("k"), QJsonArray{1, 2}}}));
        QCOMPARE(row.value(QStringLiteral("paid")), QJsonValue(true));
        QCOMPARE(row.value(QStringLiteral("created_at")), QJsonValue(QStringLiteral("2026-01-02 03:04:05+00")));
        // The raw frame keeps numeric's exact text.
        QVERIFY2(acme.rawTexts().join(u'\n').contains(QStringLiteral("\"amount\":12.50")),
                 qPrintable(acme.rawTexts().join(u'\n')));

        const QJsonObject updated = acmeEvents[1];
        QCOMPARE(updated.value(QStringLiteral("op")).toString(), QStringLiteral("update"));
        QCOMPARE(updated.value(QStringLiteral("new")).toObject().value(QStringLiteral("qty")), QJsonValue(4));
        QVERIFY2(!updated.contains(QStringLiteral("old")), "default replica identity, key unchanged: no old row");
        QVERIFY(updated.value(QStringLiteral("lsn")).toString() != inserted.value(QStringLiteral("lsn")).toString());

        // REPLICA IDENTITY FULL: the whole old row on update and delete; truncate last.
        const QList<QJsonObject> auditEvents = payloadsOf(audit.events());
        QCOMPARE(audit.eventSeqs(QStringLiteral("public.audit")), (QList<qint64>{1, 2, 3, 4}));
        QStringList ops;
        for (const QJsonObject &event : auditEvents)
            ops.append(event.value(QStringLiteral("op")).toString());
        QCOMPARE(ops, (QStringList{QStringLiteral("insert"), QStringLiteral("update"), QStringLiteral("delete"),
                                   QStringLiteral("truncate")}));
        QCOMPARE(auditEvents[1].value(QStringLiteral("old")).toObject(),
                 (QJsonObject{{QStringLiteral("id"), 1}, {QStringLiteral("message"), QStringLiteral("hello")}}));
        QCOMPARE(auditEvents[1].value(QStringLiteral("new")).toObject(),
                 (QJsonObject{{QStringLiteral("id"), 1}, {QStringLiteral("message"), QStringLiteral("bye")}}));
        QCOMPARE(auditEvents[2].value(QStringLiteral("old")).toObject(),
                 (QJsonObject{{QStringLiteral("id"), 1}, {QStringLiteral("message"), QStringLiteral("bye")}}));
        QVERIFY(!auditEvents[2].contains(QStringLiteral("new")));
        QCOMPARE(auditEvents[3].value(QStringLiteral("table")).toString(), QStringLiteral("audit"));

        // No organization_id: the table's own channel, with the NULL as null.
        const QList<QJsonObject> unrouted = channelPayloads(server->port, QStringLiteral("public.orders"));
        QCOMPARE(unrouted.size(), 1);
        QCOMPARE(unrouted[0].value(QStringLiteral("new")).toObject().value(QStringLiteral("organization_id")),
                 QJsonValue(QJsonValue::Null));
        QCOMPARE(unrouted[0].value(QStringLiteral("new")).toObject().value(QStringLiteral("amount")),
                 QJsonValue(QJsonValue::Null));

        const QJsonObject health = sourceHealth(server->port);
        QCOMPARE(health.value(QStringLiteral("transactions")).toInt(), 7);
        QCOMPARE(health.value(QStringLiteral("events")).toInt(), 7);
        QVERIFY(health.value(QStringLiteral("last_error")).isNull());
        QVERIFY(server->stop());
    }

    // pgoutput carries no DDL: each ALTER shows as a new description of the table before its next
    // change. GET /channels/{id}/schema lists them with the seq they precede; --pg-schema-events
    // puts them in the channel too, each right before that change.
    void schemaChangesAreSaidBeforeTheChangesTheyShape()
    {
        QVERIFY2(m_cluster.sql(QStringLiteral(
                     "CREATE TABLE shapes (id bigserial PRIMARY KEY, organization_id text, amount numeric(10,2));")),
                 qPrintable(m_cluster.error()));
        auto server = startSource(QStringLiteral("shapes"),
                                  {QStringLiteral("--pg-publication"), QStringLiteral("shapes_pub"),
                                   QStringLiteral("--pg-schema-events")},
                                  sourceEnvironment(), QStringLiteral("public.shapes"));
        QVERIFY2(server->port, server->log.constData());
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        QVERIFY2(m_cluster.sql(QStringLiteral(
                     "INSERT INTO shapes (organization_id, amount) VALUES ('s', 1.50);"
                     "ALTER TABLE shapes ADD COLUMN note text;"
                     "INSERT INTO shapes (organization_id, amount, note) VALUES ('s', 2.50, 'two');"
                     "ALTER TABLE shapes ALTER COLUMN amount TYPE numeric(12,2);"
                     "UPDATE shapes SET amount = 3.50 WHERE id = 2;"
                     "ALTER TABLE shapes DROP COLUMN note;"
                     "INSERT INTO shapes (organization_id, amount) VALUES ('s', 4.50);")),
                 qPrintable(m_cluster.error()));

        QList<QJsonObject> events;
        QVERIFY2(QTest::qWaitFor(
                     [&] { return (events = channelPayloads(server->port, QStringLiteral("s"))).size() == 7; }, 10000),
                 qPrintable(QStringLiteral("%1 events; %2").arg(events.size()).arg(QString::fromUtf8(server->readLog()))));
        QStringList ops;
        for (const QJsonObject &event : events)
            ops.append(event.value(QStringLiteral("op")).toString());
        QCOMPARE(ops, (QStringList{u"insert"_s, u"schema"_s, u"insert"_s, u"schema"_s, u"update"_s, u"schema"_s,
                                   u"insert"_s}));
        QCOMPARE(events[1].value(QStringLiteral("changes")).toArray(), (QJsonArray{u"column note text added"_s}));
        QCOMPARE(events[3].value(QStringLiteral("changes")).toArray(),
                 (QJsonArray{u"amount numeric(10,2) → numeric(12,2)"_s}));
        QCOMPARE(events[5].value(QStringLiteral("changes")).toArray(), (QJsonArray{u"column note dropped"_s}));
        QCOMPARE(events[5].value(QStringLiteral("table")).toString(), u"shapes"_s);

        // The list: each change with the seq of the change it precedes (3, 5, 7: after the events).
        const HttpReply schema = httpGet(server->port, "/channels/s/schema");
        QCOMPARE(schema.status, 200);
        const QJsonArray changes = QJsonDocument::fromJson(schema.body).object().value(u"changes"_s).toArray();
        QCOMPARE(changes.size(), 3);
        QList<qint64> before;
        for (const QJsonValue &change : changes)
            before.append(change.toObject().value(u"before_seq"_s).toInteger());
        QCOMPARE(before, (QList<qint64>{3, 5, 7}));
        QCOMPARE(changes[1].toObject().value(u"description"_s).toString(),
                 u"schema change: public.shapes — amount numeric(10,2) → numeric(12,2)"_s);
        QVERIFY(server->stop());
    }

    // Slot health: WAL the slot holds is read from PostgreSQL every few seconds. WAL written while
    // CDC Scope was down (60 000 rows of 1 KB in a table it does not watch) is retained, past
    // --pg-max-retained-wal: /health warns, with the fix; once it has caught up and PostgreSQL
    // passed a checkpoint, the heartbeat's ping lets the slot advance and the warning goes.
    void slotHealthWarnsOfRetainedWalAndTheHeartbeatLetsItGo()
    {
        QVERIFY2(m_cluster.sql(QStringLiteral("CREATE TABLE quiet (id integer PRIMARY KEY, v text);"
                                              "CREATE TABLE junk (id integer, pad text);")),
                 qPrintable(m_cluster.error()));
        const QStringList flags{QStringLiteral("--pg-publication"), QStringLiteral("quiet_pub"),
                                QStringLiteral("--pg-heartbeat"),   QStringLiteral("200ms"),
                                QStringLiteral("--pg-max-retained-wal"), QStringLiteral("16MiB")};
        const auto slot = [](quint16 port) { return sourceHealth(port).value(u"slot"_s).toObject(); };
        auto server = startSource(QStringLiteral("quiet"), flags, sourceEnvironment(), QStringLiteral("public.quiet"));
        QVERIFY2(server->port, server->log.constData());
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        QVERIFY(QTest::qWaitFor([&] { return slot(server->port).value(u"wal_status"_s).toString() == u"reserved"; }, 15000));
        QVERIFY(server->stop());

        // One transaction, so no restart point falls inside it.
        QVERIFY2(m_cluster.sql(QStringLiteral(
                     "INSERT INTO junk SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, 60000) g;")),
                 qPrintable(m_cluster.error()));
        server = startSource(QStringLiteral("quiet"), flags, sourceEnvironment(), QStringLiteral("public.quiet"));
        QVERIFY2(server->port, server->log.constData());
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        QJsonObject health;
        QVERIFY(QTest::qWaitFor(
            [&] {
                health = sourceHealth(server->port);
                return !health.value(u"warnings"_s).toArray().isEmpty();
            },
            15000));
        const QString warning = health.value(u"warnings"_s).toArray().first().toString();
        QVERIFY2(warning.startsWith(u"the slot quiet retains "_s) && warning.contains(u"over --pg-max-retained-wal 16 MiB"_s),
                 qPrintable(warning));
        QVERIFY(health.value(u"slot"_s).toObject().value(u"retained_wal_bytes"_s).toInteger() > 16 * 1024 * 1024);
        QVERIFY(httpGet(server->port, "/metrics").body.contains("cdcscope_source_wal_at_risk{source=\"postgres\"} 1"));

        // Caught up, and past a checkpoint (a restart point): the slot lets the WAL go.
        QVERIFY2(m_cluster.superuserSql(QStringLiteral("CHECKPOINT")), qPrintable(m_cluster.error()));
        QVERIFY(QTest::qWaitFor(
            [&] {
                health = sourceHealth(server->port);
                return health.value(u"warnings"_s).toArray().isEmpty() &&
                       health.value(u"slot"_s).toObject().value(u"retained_wal_bytes"_s).toInteger() < 16 * 1024 * 1024;
            },
            30000));
        QVERIFY(health.value(u"slot"_s).toObject().value(u"heartbeats"_s).toInteger() > 0);
        QVERIFY(httpGet(server->port, "/metrics").body.contains("cdcscope_source_wal_at_risk{source=\"postgres\"} 0"));
        QVERIFY(server->stop());
    }

    // A delete on a table whose replica identity lacks the channel column cannot reach the
    // tenant's channel; the source says so once per table, with the fix, where users look.
    void replicaIdentityWithoutTheChannelColumnIsSaidOutLoud()
    {
        auto server = startSource(QStringLiteral("identity"),
                                  {QStringLiteral("--pg-publication"), QStringLiteral("identity_pub")},
                                  sourceEnvironment(), QStringLiteral("public.tenant_default,public.tenant_full"));
        QVERIFY2(server->port, server->log.constData());
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        TestWsClient tenant(server->port, QStringLiteral("t1"));
        QVERIFY(tenant.waitForMessages(1));
        QVERIFY2(m_cluster.sql(QStringLiteral("INSERT INTO tenant_default (organization_id, v) VALUES ('t1', 1);"
                                              "INSERT INTO tenant_full (organization_id, v) VALUES ('t1', 2);"
                                              "DELETE FROM tenant_default; DELETE FROM tenant_full;"
                                              "INSERT INTO tenant_default (organization_id, v) VALUES ('t1', 3);")),
                 qPrintable(m_cluster.error()));
        // The tenant sees both inserts, the FULL table's delete, and the second insert — but not
        // the default table's delete, which went to the table's channel.
        QVERIFY(QTest::qWaitFor([&] { return tenant.events().size() == 4; }, 10000));
        QStringList seen;
        for (const QJsonObject &event : payloadsOf(tenant.events()))
            seen.append(event.value(QStringLiteral("table")).toString() + u' ' +
                        event.value(QStringLiteral("op")).toString());
        QCOMPARE(seen, (QStringList{QStringLiteral("tenant_default insert"), QStringLiteral("tenant_full insert"),
                                    QStringLiteral("tenant_full delete"), QStringLiteral("tenant_default insert")}));
        const QList<QJsonObject> stray = channelPayloads(server->port, QStringLiteral("public.tenant_default"));
        QCOMPARE(stray.size(), 1);
        QCOMPARE(stray[0].value(QStringLiteral("op")).toString(), QStringLiteral("delete"));

        const HttpReply health = httpGet(server->port, "/health");
        const QJsonArray warnings = health.json().value(QStringLiteral("warnings")).toArray();
        QCOMPARE(warnings.size(), 1);
        const QString warning = warnings.at(0).toString();
        QVERIFY2(warning.contains(QStringLiteral("table public.tenant_default")), qPrintable(warning));
        QVERIFY2(warning.contains(QStringLiteral("lacks organization_id")), qPrintable(warning));
        QVERIFY2(warning.contains(QStringLiteral("channel \"public.tenant_default\"")), qPrintable(warning));
        QVERIFY2(warning.contains(QStringLiteral("ALTER TABLE public.tenant_default REPLICA IDENTITY FULL")),
                 qPrintable(warning));
        QCOMPARE(sourceHealth(server->port).value(QStringLiteral("warnings")).toArray(), warnings);
        const QByteArray log = server->readLog();
        QCOMPARE(log.count("lacks organization_id"), 1);
        QVERIFY(!log.contains("public.tenant_full:"));
        QVERIFY(server->stop());
    }

    void multiRowTransactionIsConsecutiveWithOneCommitTimestamp()
    {
        auto server = startSource(QStringLiteral("multirow"));
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        TestWsClient client(server->port, QStringLiteral("batch"));
        QVERIFY(client.waitForMessages(1));
        QVERIFY2(m_cluster.sql(QStringLiteral(
                     "BEGIN; INSERT INTO orders (organization_id, qty) VALUES ('batch', 1), ('batch', 2);"
                     "INSERT INTO orders (organization_id, qty) VALUES ('other', 9);"
                     "UPDATE orders SET qty = 3 WHERE organization_id = 'batch' AND qty = 2; COMMIT;")),
                 qPrintable(m_cluster.error()));
        QVERIFY(client.waitForMessages(4));
        const QList<QJsonObject> events = payloadsOf(client.events());
        QCOMPARE(events.size(), 3);
        QCOMPARE(client.eventSeqs(), (QList<qint64>{1, 2, 3}));
        for (const QJsonObject &event : events) {
            QCOMPARE(event.value(QStringLiteral("commit_ts_ms")), events[0].value(QStringLiteral("commit_ts_ms")));
            QCOMPARE(event.value(QStringLiteral("xid")), events[0].value(QStringLiteral("xid")));
        }
        QCOMPARE(events[2].value(QStringLiteral("op")).toString(), QStringLiteral("update"));
        QCOMPARE(channelPayloads(server->port, QStringLiteral("other")).size(), 1);

        // POST /events goes on beside the source, into the same channels and seq order.
        QCOMPARE(publish(server->port, QStringLiteral("batch"), QJsonObject{{QStringLiteral("manual"), true}}).status,
                 200);
        QVERIFY(client.waitForMessages(5));
        QCOMPARE(client.eventSeqs(), (QList<qint64>{1, 2, 3, 4}));
        QVERIFY(server->stop());
    }

    // Where the time went, for every event of a run: committed in PostgreSQL, stored (ts_ms), then
    // written to each subscriber — in that order, each time — and the p50/p99 the window and
    // /metrics show.
    void everyEventsTimesAreOrderedCommitStoredSent()
    {
        // REPLICA IDENTITY FULL: a delete carries the channel column too. A publication of its own:
        // the default one holds the first test's tables.
        auto server =
            startSource(QStringLiteral("timed"), {QStringLiteral("--pg-publication"), QStringLiteral("timed_pub")},
                        sourceEnvironment(), QStringLiteral("public.tenant_full"));
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        TestWsClient first(server->port, QStringLiteral("timed"));
        TestWsClient second(server->port, QStringLiteral("timed"));
        QVERIFY(first.waitForMessages(1));
        QVERIFY(second.waitForMessages(1));
        QVERIFY2(m_cluster.sql(QStringLiteral(
                     "INSERT INTO tenant_full (organization_id, v) SELECT 'timed', g FROM generate_series(1, 40) g;"
                     "BEGIN; UPDATE tenant_full SET v = v + 1 WHERE organization_id = 'timed' AND v <= 5; COMMIT;"
                     "DELETE FROM tenant_full WHERE organization_id = 'timed' AND v > 37;")),
                 qPrintable(m_cluster.error()));
        const int expected = 40 + 5 + 3;
        QVERIFY(first.waitForMessages(1 + expected, 20000));
        QVERIFY(second.waitForMessages(1 + expected, 20000));

        // The delivery threads report once a second.
        QJsonArray events;
        QJsonObject latency;
        const auto everyEventSentTwice = [&] {
            latency = QJsonDocument::fromJson(httpGet(server->port, "/channels/timed/latency").body).object();
            events = latency.value(QStringLiteral("events")).toArray();
            return events.size() == expected && std::all_of(events.begin(), events.end(), [](const QJsonValue &event) {
                       return event.toObject().value(QStringLiteral("sent")).toArray().size() == 2;
                   });
        };
        QVERIFY2(QTest::qWaitFor(everyEventSentTwice, 5000), QJsonDocument(latency).toJson().constData());
        qint64 seq = 0;
        for (const QJsonValue &value : std::as_const(events)) {
            const QJsonObject event = value.toObject();
            QCOMPARE(event.value(QStringLiteral("seq")).toInteger(), ++seq);
            const qint64 committed = event.value(QStringLiteral("commit_ts_ms")).toInteger(-1);
            const qint64 stored = event.value(QStringLiteral("ts_ms")).toInteger();
            QVERIFY2(committed > 0, qPrintable(QStringLiteral("seq %1 has no commit time").arg(seq)));
            QVERIFY2(
                committed <= stored,
                qPrintable(QStringLiteral("seq %1: committed %2 after stored %3").arg(seq).arg(committed).arg(stored)));
            for (const QJsonValue &sent : event.value(QStringLiteral("sent")).toArray()) {
                const double sentMs = sent.toObject().value(QStringLiteral("sent_ts_ms")).toDouble();
                QVERIFY2(
                    double(stored) <= sentMs,
                    qPrintable(
                        QStringLiteral("seq %1: stored %2 after sent %3").arg(seq).arg(stored).arg(sentMs, 0, 'f', 3)));
                QCOMPARE(sent.toObject().value(QStringLiteral("client_id")).toString(), QStringLiteral("timed"));
            }
        }
        // The figures: every event counted once for commit→stored, twice (two clients) for stored→sent.
        const QJsonObject committedToStored = latency.value(QStringLiteral("commit_to_stored_ms")).toObject();
        const QJsonObject storedToSent = latency.value(QStringLiteral("stored_to_sent_ms")).toObject();
        QCOMPARE(committedToStored.value(QStringLiteral("count")).toInteger(), expected);
        QCOMPARE(storedToSent.value(QStringLiteral("count")).toInteger(), 2 * expected);
        for (const QJsonObject &figures : {committedToStored, storedToSent})
            QVERIFY(figures.value(QStringLiteral("p50")).toDouble() <= figures.value(QStringLiteral("p99")).toDouble());
        const QJsonArray clients = QJsonDocument::fromJson(httpGet(server->port, "/clients").body)
                                       .object()
                                       .value(QStringLiteral("clients"))
                                       .toArray();
        QCOMPARE(clients.size(), 2);
        for (const QJsonValue &client : clients) {
            QCOMPARE(client.toObject()
                         .value(QStringLiteral("stored_to_sent_ms"))
                         .toObject()
                         .value(QStringLiteral("count"))
                         .toInteger(),
                     expected);
            QCOMPARE(client.toObject().value(QStringLiteral("falling_behind")).toBool(), false);
        }
        const QByteArray metrics = httpGet(server->port, "/metrics").body;
        QVERIFY(metrics.contains("cdcscope_channel_commit_to_stored_seconds{channel=\"timed\",quantile=\"0.99\"}"));
        QVERIFY(metrics.contains("cdcscope_channel_stored_to_sent_seconds{channel=\"timed\",quantile=\"0.5\"}"));
        QVERIFY(metrics.contains("cdcscope_client_stored_to_sent_seconds{id="));
        QVERIFY(server->stop());
    }

    void unchangedToastColumnIsMarked()
    {
        auto server = startSource(QStringLiteral("toast"));
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        TestWsClient client(server->port, QStringLiteral("toast"));
        QVERIFY(client.waitForMessages(1));
        QVERIFY(m_cluster.sql(QStringLiteral("INSERT INTO orders (organization_id, qty, doc) VALUES ('toast', 1, "
                                             "repeat('y', 8000)); UPDATE orders SET qty = 2 WHERE organization_id = "
                                             "'toast';")));
        QVERIFY(client.waitForMessages(3));
        const QList<QJsonObject> events = payloadsOf(client.events());
        QCOMPARE(events[0].value(QStringLiteral("new")).toObject().value(QStringLiteral("doc")).toString().size(),
                 8000);
        QCOMPARE(events[1].value(QStringLiteral("new")).toObject().value(QStringLiteral("doc")).toObject(),
                 (QJsonObject{{QStringLiteral("unchanged_toast"), true}}));
        QVERIFY(server->stop());
    }

    void rowChangesReadWithTheirExplanations()
    {
        // What the window's Change tab and summaries read from the source's real events.
        using namespace cdc;
        auto server = startSource(QStringLiteral("explain"));
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        TestWsClient orders(server->port, QStringLiteral("explain"));
        TestWsClient audit(server->port, QStringLiteral("public.audit"));
        QVERIFY(orders.waitForMessages(1));
        QVERIFY(audit.waitForMessages(1));
        QVERIFY(m_cluster.sql(
            QStringLiteral("INSERT INTO orders (organization_id, qty, doc) VALUES ('explain', 1, repeat('z', 8000));"
                           "UPDATE orders SET qty = 2 WHERE organization_id = 'explain';"
                           "INSERT INTO audit (id, message) VALUES (77, 'first');"
                           "UPDATE audit SET message = 'second' WHERE id = 77;")));
        QVERIFY(orders.waitForMessages(3));
        QVERIFY(audit.waitForMessages(3));
        const auto payloadOf = [](const TestWsClient &client, int index) {
            QList<QByteArray> payloads;
            for (const QString &text : client.rawTexts())
                if (auto event = parseCaptureLine(text.toUtf8()); std::holds_alternative<CapturedEvent>(event))
                    payloads.append(std::get<CapturedEvent>(event).payload);
            return payloads.value(index);
        };

        // Default replica identity: the old row is not sent, and the TOASTed doc not again.
        const auto defaultIdentity = readChange(payloadOf(orders, 1));
        QVERIFY(defaultIdentity);
        QVERIFY2(defaultIdentity->oldRowNote.contains(QStringLiteral("replica identity is DEFAULT")),
                 qPrintable(defaultIdentity->oldRowNote));
        bool toastNamed = false;
        for (const ColumnChange &column : defaultIdentity->columns)
            toastNamed = toastNamed || (column.name == u"doc" && column.kind == ColumnChange::Kind::ToastUnchanged);
        QVERIFY(toastNamed);
        QVERIFY2(defaultIdentity->summary().startsWith(QStringLiteral("update public.orders id=")),
                 qPrintable(defaultIdentity->summary()));

        // FULL: a real diff, the changed column first, nothing said missing.
        const auto full = readChange(payloadOf(audit, 1));
        QVERIFY(full);
        QVERIFY(full->oldRowNote.isEmpty());
        QCOMPARE(full->columns.first().name, QStringLiteral("message"));
        QCOMPARE(full->columns.first().kind, ColumnChange::Kind::Changed);
        QCOMPARE(full->summary(), QStringLiteral("update public.audit id=77: message \"first\" → \"second\""));
        QVERIFY(server->stop());
    }

    void killedEngineResumesWithEveryChangeExactlyOnce()
    {
        QTemporaryDir dataDir;
        QProcessEnvironment environment = sourceEnvironment();
        environment.remove(QStringLiteral("CDCSCOPE_IN_MEMORY"));
        const QStringList journal{QStringLiteral("--data-dir"), dataDir.path()};
        auto server = startSource(QStringLiteral("durable"), journal, environment);
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());

        // 300 one-row transactions, committed while the engine is killed and restarted.
        constexpr int total = 300;
        auto psql = m_cluster.startPsql(QStringLiteral("DO $$ BEGIN FOR i IN 1..%1 LOOP INSERT INTO ticks (n) VALUES "
                                                       "(i); COMMIT; PERFORM pg_sleep(0.005); END LOOP; END $$;")
                                            .arg(total));
        QProcess &load = *psql;
        QVERIFY(load.waitForStarted());

        const auto ticksIn = [](quint16 port) { return channelPayloads(port, QStringLiteral("public.ticks")).size(); };
        QVERIFY(QTest::qWaitFor([&] { return ticksIn(server->port) >= 30; }, 20000));
        ::kill(pid_t(server->process->processId()), SIGKILL);
        QVERIFY(server->waitForExit());
        QVERIFY(QTest::qWaitFor([&] { return load.state() == QProcess::NotRunning; }, 60000));
        QCOMPARE(load.exitCode(), 0);

        auto restarted = startSource(QStringLiteral("durable"), journal, environment);
        QVERIFY2(restarted->port, restarted->log.constData());
        QVERIFY(QTest::qWaitFor([&] { return ticksIn(restarted->port) >= total; }, 30000));
        // Whatever PostgreSQL re-sent past the last confirmation was dropped by LSN.
        QTest::qWait(500);
        const QList<QJsonObject> ticks = channelPayloads(restarted->port, QStringLiteral("public.ticks"));
        QList<int> seen;
        for (const QJsonObject &tick : ticks)
            seen.append(tick.value(QStringLiteral("new")).toObject().value(QStringLiteral("n")).toInt());
        QList<int> expected;
        for (int n = 1; n <= total; ++n)
            expected.append(n);
        QCOMPARE(seen, expected);
        QVERIFY(restarted->stop());

        // A clean restart: nothing new, nothing repeated.
        auto again = startSource(QStringLiteral("durable"), journal, environment);
        QVERIFY(waitForSourceState(again->port, QStringLiteral("streaming")));
        QTest::qWait(500);
        QCOMPARE(ticksIn(again->port), total);
        // PostgreSQL was told: the slot's confirmed position reached what the journal holds.
        const quint64 journaled = parseLsn(sourceHealth(again->port).value(QStringLiteral("journaled_lsn")).toString());
        QVERIFY(journaled > 0);
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QStringList confirmed = m_cluster.query(
                    QStringLiteral("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'durable'"));
                return !confirmed.isEmpty() && parseLsn(confirmed.first()) >= journaled;
            },
            15000));
        QVERIFY(again->stop());
    }

    void reconnectsAfterPostgresRestarts()
    {
        auto server = startSource(QStringLiteral("restart"));
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        TestWsClient client(server->port, QStringLiteral("again"));
        QVERIFY(client.waitForMessages(1));
        QVERIFY(m_cluster.sql(QStringLiteral("INSERT INTO orders (organization_id, qty) VALUES ('again', 1)")));
        QVERIFY(client.waitForMessages(2));

        QVERIFY2(m_cluster.restart(), qPrintable(m_cluster.error()));
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QJsonObject health = sourceHealth(server->port);
                return health.value(QStringLiteral("state")).toString() == u"streaming" &&
                       health.value(QStringLiteral("reconnects")).toInt() >= 1;
            },
            30000));
        QVERIFY(!sourceHealth(server->port).value(QStringLiteral("last_error")).toString().isEmpty());
        QVERIFY(m_cluster.sql(QStringLiteral("INSERT INTO orders (organization_id, qty) VALUES ('again', 2)")));
        QVERIFY(client.waitForMessages(3, 10000));
        QCOMPARE(client.eventSeqs(), (QList<qint64>{1, 2}));
        QVERIFY(
            httpGet(server->port, "/metrics").body.contains("cdcscope_source_reconnects_total{source=\"postgres\"} 1"));
        QVERIFY(server->stop());
    }

    void aFrozenServerIsNoticedAndStreamingResumesWithoutLossOrDuplicate()
    {
        // The walsender stopped (SIGSTOP), its connection left open: only silence tells.
        auto server =
            startSource(QStringLiteral("frozen"), {QStringLiteral("--pg-silence-limit"), QStringLiteral("3s")});
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        TestWsClient client(server->port, QStringLiteral("frozen"));
        QVERIFY(client.waitForMessages(1));
        QVERIFY(m_cluster.sql(QStringLiteral("INSERT INTO orders (organization_id, qty) VALUES ('frozen', 1)")));
        QVERIFY(client.waitForMessages(2));
        // An idle but live server is never taken for a frozen one: it answers the pings.
        QTest::qWait(5000);
        QCOMPARE(sourceHealth(server->port).value(QStringLiteral("reconnects")).toInt(), 0);

        const QStringList pids =
            m_cluster.query(QStringLiteral("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'frozen'"));
        QCOMPARE(pids.size(), 1);
        const pid_t walsender = pid_t(pids.constFirst().toInt());
        QVERIFY(walsender > 0);
        struct Resume
        {
            pid_t pid;
            ~Resume() { ::kill(pid, SIGCONT); } // whatever happens below, PostgreSQL goes on
        } resume{walsender};
        QElapsedTimer frozenFor;
        frozenFor.start();
        QCOMPARE(::kill(walsender, SIGSTOP), 0);
        for (int qty = 2; qty <= 4; ++qty)
            QVERIFY(m_cluster.sql(
                QStringLiteral("INSERT INTO orders (organization_id, qty) VALUES ('frozen', %1)").arg(qty)));

        QVERIFY2(server->waitForLog("nothing from PostgreSQL for", 15000), server->readLog().constData());
        QVERIFY2(frozenFor.elapsed() < 3000 + 5000, "the silence was noticed long after the limit");
        QVERIFY(waitForSourceState(server->port, QStringLiteral("reconnecting"), 5000));
        QCOMPARE(client.eventSeqs(), (QList<qint64>{1}));

        ::kill(walsender, SIGCONT);
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming"), 30000), server->readLog().constData());
        QVERIFY(client.waitForMessages(5, 15000));
        QTest::qWait(500); // a duplicate would arrive now
        QCOMPARE(client.eventSeqs(), (QList<qint64>{1, 2, 3, 4}));
        QList<int> quantities;
        for (const QJsonObject &payload : payloadsOf(client.events()))
            quantities.append(payload.value(QStringLiteral("new")).toObject().value(QStringLiteral("qty")).toInt());
        QCOMPARE(quantities, (QList<int>{1, 2, 3, 4}));
        QVERIFY(server->stop());
    }

    void libpqsOwnPasswordSourcesWork_data()
    {
        QTest::addColumn<bool>("pgpassFile");
        QTest::newRow("~/.pgpass") << true;
        QTest::newRow("PGPASSWORD") << false;
    }

    void libpqsOwnPasswordSourcesWork()
    {
        QFETCH(bool, pgpassFile);
        QTemporaryDir home;
        QProcessEnvironment environment = sourceEnvironment();
        environment.remove(QStringLiteral("CDCSCOPE_PG_PASSWORD"));
        environment.insert(QStringLiteral("HOME"), home.path());
        if (pgpassFile) {
            QFile pgpass(home.filePath(QStringLiteral(".pgpass")));
            QVERIFY(pgpass.open(QIODevice::WriteOnly));
            pgpass.write(QStringLiteral("127.0.0.1:%1:*:%2:%3\n")
                             .arg(m_cluster.port())
                             .arg(QLatin1String(PgCluster::role), QLatin1String(PgCluster::password))
                             .toUtf8());
            pgpass.close();
            pgpass.setPermissions(QFile::ReadOwner | QFile::WriteOwner); // libpq ignores a readable one
        } else {
            environment.insert(QStringLiteral("PGPASSWORD"), QLatin1String(PgCluster::password));
        }
        auto server =
            startSource(pgpassFile ? QStringLiteral("pgpass") : QStringLiteral("pgpassword"), {}, environment);
        QVERIFY2(waitForSourceState(server->port, QStringLiteral("streaming")), server->readLog().constData());
        QVERIFY(server->readLog().contains("libpq's own PGPASSWORD or ~/.pgpass applies"));
        QVERIFY(server->stop());
    }

    void badPasswordIsExplainedAndPublishingGoesOn_data()
    {
        QTest::addColumn<bool>("givePassword");
        QTest::addColumn<QString>("expected");
        QTest::newRow("wrong password") << true << QStringLiteral("password authentication failed");
        QTest::newRow("no password anywhere") << false << QStringLiteral("no password supplied");
    }

    void badPasswordIsExplainedAndPublishingGoesOn()
    {
        QFETCH(bool, givePassword);
        QFETCH(QString, expected);
        QTemporaryDir home; // no ~/.pgpass
        QProcessEnvironment environment = sourceEnvironment(QStringLiteral("not-the-password"));
        if (!givePassword)
            environment.remove(QStringLiteral("CDCSCOPE_PG_PASSWORD"));
        environment.remove(QStringLiteral("PGPASSWORD"));
        environment.insert(QStringLiteral("HOME"), home.path());
        auto server = startSource(QStringLiteral("denied"), {}, environment);
        QVERIFY2(server->port, server->log.constData());
        QVERIFY(QTest::qWaitFor(
            [&] {
                return sourceHealth(server->port).value(QStringLiteral("last_error")).toString().contains(expected);
            },
            10000));
        const QJsonObject health = sourceHealth(server->port);
        QCOMPARE(health.value(QStringLiteral("state")).toString(), QStringLiteral("reconnecting"));
        QVERIFY2(health.value(QStringLiteral("last_error")).toString().contains(QStringLiteral("--pg-set-password")),
                 qPrintable(health.value(QStringLiteral("last_error")).toString()));
        QVERIFY(server->readLog().contains(expected.toUtf8()));
        // The server itself keeps serving.
        QCOMPARE(publish(server->port, QStringLiteral("manual"), QJsonObject{{QStringLiteral("x"), 1}}).status, 200);
        QCOMPARE(server->process->state(), QProcess::Running);
        QVERIFY(server->stop());
    }

    // Cluster mode: the slot streams to one instance; another stands by, takes over when it is
    // killed, and Redis stores each transaction once (its end LSN is the idempotency key).
    void inAClusterOneInstanceStreamsAndAStandbyTakesOver()
    {
        RedisServer redis;
        QVERIFY(redis.start());
        QProcessEnvironment environment = sourceEnvironment();
        environment.insert(QStringLiteral("CDCSCOPE_REDIS_PASSWORD"), QString());
        const QStringList cluster{QStringLiteral("--redis"), redis.url()};
        const QString ticks = QStringLiteral("public.ticks");
        auto active = startSource(QStringLiteral("clustered"), cluster, environment, ticks);
        QVERIFY2(active->port, active->log.constData());
        QVERIFY2(waitForSourceState(active->port, QStringLiteral("streaming")), active->readLog().constData());
        auto standby = startSource(QStringLiteral("clustered"), cluster, environment, ticks);
        QVERIFY2(standby->port, standby->log.constData());
        QVERIFY2(waitForSourceState(standby->port, QStringLiteral("standby")), standby->readLog().constData());
        TestWsClient watcher(standby->port, ticks);
        QVERIFY(watcher.waitForMessages(1));

        // Fifty transactions of ten rows; the streaming instance dies while they arrive.
        QString statements;
        for (int t = 0; t < 50; ++t)
            statements += QStringLiteral("INSERT INTO ticks (n) SELECT %1 * 10 + g FROM generate_series(1, 10) g;")
                              .arg(100000 + t);
        QVERIFY2(m_cluster.sql(statements), qPrintable(m_cluster.error()));
        QVERIFY(QTest::qWaitFor([&] { return watcher.events().size() >= 10; }, 15000));
        ::kill(pid_t(active->process->processId()), SIGKILL);
        QVERIFY(active->waitForExit());
        QString more;
        for (int t = 50; t < 70; ++t)
            more += QStringLiteral("INSERT INTO ticks (n) SELECT %1 * 10 + g FROM generate_series(1, 10) g;")
                        .arg(100000 + t);
        QVERIFY2(m_cluster.sql(more), qPrintable(m_cluster.error()));
        QVERIFY2(waitForSourceState(standby->port, QStringLiteral("streaming")), standby->readLog().constData());

        // Every change once, in one contiguous sequence, whichever instance stored it.
        QVERIFY2(QTest::qWaitFor([&] { return watcher.events().size() >= 700; }, 20000),
                 qPrintable(QString::number(watcher.events().size())));
        QTest::qWait(300); // a duplicate would arrive now
        QList<qint64> expectedSeqs(700);
        std::iota(expectedSeqs.begin(), expectedSeqs.end(), 1);
        QCOMPARE(watcher.eventSeqs(ticks), expectedSeqs);
        QSet<int> rows;
        for (const QJsonObject &payload : payloadsOf(watcher.events()))
            rows.insert(payload.value(QStringLiteral("new")).toObject().value(QStringLiteral("n")).toInt());
        QCOMPARE(rows.size(), 700);
        QCOMPARE(redis.cli({QStringLiteral("XLEN"), QStringLiteral("cdcscope:{public.ticks}:stream")}),
                 QByteArray("700"));
    }
};

QTEST_GUILESS_MAIN(TestPostgres)
#include "tst_postgres.moc"

// The PostgreSQL password in the system keychain: a real gnome-keyring in a private D-Bus session
// (tests/keychain/with-keyring.sh), the real binary, and a private PostgreSQL cluster that asks for
// the password. Also the host without any Secret Service, where CDCSCOPE_PG_PASSWORD is the way.

#include "HeadlessProcess.h"
#include "Keychain.h"
#include "KeychainTokens.h"
#include "MainWindow.h"
#include "PgCluster.h"
#include "PostgresPassword.h"
#include "RedisServer.h"
#include "TestHttp.h"
#include "WindowManager.h"
#include "host/EngineHost.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QPointer>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

namespace {

// What the binary prints for a password action, and its exit code.
struct ActionResult
{
    int exitCode = -1;
    QString output;
};

ActionResult runPasswordAction(const QStringList &arguments, const QByteArray &stdinText,
                               const QProcessEnvironment &environment)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(cdcscopeBinary(), arguments);
    process.write(stdinText);
    process.closeWriteChannel();
    if (!process.waitForFinished(20000))
        return {};
    return {process.exitCode(), QString::fromUtf8(process.readAll())};
}

} // namespace

class TestKeychain : public QObject
{
    Q_OBJECT

private:
    PgCluster m_cluster;

    QStringList sourceArguments() const
    {
        return {QStringLiteral("--pg-dsn"),    m_cluster.dsn(),
                QStringLiteral("--pg-slot"),   QStringLiteral("keyring"),
                QStringLiteral("--pg-tables"), QStringLiteral("public.things")};
    }

    static QProcessEnvironment withoutPasswordVariables()
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("CDCSCOPE_PG_PASSWORD"));
        environment.remove(QStringLiteral("PGPASSWORD"));
        return environment;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(qEnvironmentVariableIsSet("CDCSCOPE_TEST_KEYRING"),
                 "run me through tests/keychain/with-keyring.sh inside dbus-run-session (CTest does)");
        QVERIFY2(m_cluster.start(), qPrintable(m_cluster.error()));
        QVERIFY2(m_cluster.sql(QStringLiteral("CREATE TABLE things (id integer PRIMARY KEY, organization_id text)")),
                 qPrintable(m_cluster.error()));
    }

    void storeReadAndDeleteInTheKeyring()
    {
        const QString key = QStringLiteral("postgres://tester@example:5432/db");
        QCOMPARE(cdc::keychain::read(key).status, cdc::keychain::Result::Status::NotFound);
        const auto written = cdc::keychain::write(key, QStringLiteral("p@ss wörd"));
        QVERIFY2(written.status == cdc::keychain::Result::Status::Ok, qPrintable(written.message));
        const auto read = cdc::keychain::read(key);
        QCOMPARE(read.status, cdc::keychain::Result::Status::Ok);
        QCOMPARE(read.password, QStringLiteral("p@ss wörd"));
        QCOMPARE(cdc::keychain::remove(key).status, cdc::keychain::Result::Status::Ok);
        QCOMPARE(cdc::keychain::read(key).status, cdc::keychain::Result::Status::NotFound);
    }

    // Cluster mode's Redis password: stored once with --redis-set-password, found by the server,
    // never in its log; forgotten again with --redis-forget-password.
    void theClusterConnectsToRedisWithTheStoredPassword()
    {
        RedisServer redis(true, {QStringLiteral("--requirepass"), QStringLiteral("r3dis-secret")});
        QVERIFY(redis.start());
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("CDCSCOPE_REDIS_PASSWORD"));
        const QStringList target{QStringLiteral("--redis"), redis.url()};
        const ActionResult stored = runPasswordAction(target + QStringList{QStringLiteral("--redis-set-password")},
                                                      "r3dis-secret\n", environment);
        QCOMPARE(stored.exitCode, 0);
        QVERIFY2(stored.output.contains(QStringLiteral("stored the password for redis:%1").arg(redis.url())),
                 qPrintable(stored.output));

        auto server = startHeadless(target, environment);
        QVERIFY2(server->port, server->log.constData());
        QVERIFY(server->log.contains("redis: password from the system keychain"));
        QVERIFY(!server->log.contains("r3dis-secret"));
        QCOMPARE(httpPost(server->port, "/events", R"({"organization_id":"k","data":{}})").status, 200);
        QVERIFY(server->stop());

        const ActionResult forgotten =
            runPasswordAction(target + QStringList{QStringLiteral("--redis-forget-password")}, {}, environment);
        QCOMPARE(forgotten.exitCode, 0);
        auto refused = startHeadless(target, environment);
        QVERIFY(refused->waitForExit());
        QVERIFY2(refused->readLog().contains("NOAUTH") || refused->log.contains("Authentication required"),
                 refused->log.constData());
    }

    void theSettingsDialogsPasswordGoesToTheKeyring()
    {
        const QProcessEnvironment environment = withoutPasswordVariables();
        cdc::pg::PostgresConfig config;
        config.dsn = QStringLiteral("host=db.example user=dialog dbname=app");
        QVERIFY(cdc::applyTypedPassword(config, QStringLiteral("typed-secret"), environment).isEmpty());
        QCOMPARE(config.password, QStringLiteral("typed-secret"));
        QCOMPARE(cdc::keychain::read(QStringLiteral("postgres://dialog@db.example:5432/app")).password,
                 QStringLiteral("typed-secret"));

        // An empty field keeps the stored one.
        cdc::pg::PostgresConfig later;
        later.dsn = config.dsn;
        QVERIFY(cdc::applyTypedPassword(later, QString(), environment).isEmpty());
        QCOMPARE(later.password, QStringLiteral("typed-secret"));
        QCOMPARE(cdc::keychain::remove(QStringLiteral("postgres://dialog@db.example:5432/app")).status,
                 cdc::keychain::Result::Status::Ok);
    }

    void theSourceConnectsWithTheStoredPassword()
    {
        const QProcessEnvironment environment = withoutPasswordVariables();
        const ActionResult stored =
            runPasswordAction(sourceArguments() + QStringList{QStringLiteral("--pg-set-password")},
                              QByteArray(PgCluster::password) + '\n', environment);
        QCOMPARE(stored.exitCode, 0);
        QVERIFY2(stored.output.contains(QStringLiteral("stored the password")), qPrintable(stored.output));
        QVERIFY(!stored.output.contains(QLatin1String(PgCluster::password)));

        auto server = startHeadless(sourceArguments(), environment);
        QVERIFY2(server->port, server->log.constData());
        QVERIFY2(
            QTest::qWaitFor(
                [&] { return sourceHealth(server->port).value(QStringLiteral("state")).toString() == u"streaming"; },
                20000),
            server->readLog().constData());
        QVERIFY(server->readLog().contains("password from the system keychain"));
        QVERIFY(!server->log.contains(PgCluster::password));
        QVERIFY(m_cluster.sql(QStringLiteral("INSERT INTO things VALUES (1, 'kc')")));
        QVERIFY(QTest::qWaitFor([&] { return httpGet(server->port, "/channels/kc/export").body.contains("\"id\":1"); },
                                10000));
        QVERIFY(server->stop());

        // Forgotten: the next start has no password, and says how to give one.
        const ActionResult forgotten =
            runPasswordAction(sourceArguments() + QStringList{QStringLiteral("--pg-forget-password")}, {}, environment);
        QCOMPARE(forgotten.exitCode, 0);
        QProcessEnvironment noPgpass = environment;
        QTemporaryDir home;
        noPgpass.insert(QStringLiteral("HOME"), home.path());
        auto again = startHeadless(sourceArguments(), noPgpass);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return sourceHealth(again->port)
                    .value(QStringLiteral("last_error"))
                    .toString()
                    .contains(QStringLiteral("no password supplied"));
            },
            10000));
        QVERIFY(again->readLog().contains("no password stored in the system keychain"));
        QVERIFY(again->stop());
    }

    void aTokenSetStoredInTheKeyringProtectsTheServer()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("tokens.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"tokens":[{"name":"ci","token":"ci-secret-0123456789abcdef","channels":["*"]}]})");
        file.close();
        const ActionResult stored = runPasswordAction({QStringLiteral("--auth-store-tokens"), file.fileName()}, {},
                                                      QProcessEnvironment::systemEnvironment());
        QCOMPARE(stored.exitCode, 0);
        QVERIFY2(stored.output.contains(QStringLiteral("stored 1 token(s)")), qPrintable(stored.output));
        file.remove(); // from now on only the keyring has it

        auto server = startHeadless({QStringLiteral("--auth-tokens"), QStringLiteral("keychain")});
        QVERIFY2(server->port, server->log.constData());
        QVERIFY(server->waitForLog("authentication on: 1 token(s)"));
        QCOMPARE(httpGet(server->port, "/channels").status, 401);
        QCOMPARE(rawHttp(server->port, "GET /channels HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ci-secret-0123456789abcdef\r\n"
                                       "Connection: close\r\n\r\n")
                     .status,
                 200);
        QVERIFY(server->stop());
        QCOMPARE(cdc::keychain::remove(QStringLiteral("auth-tokens")).status, cdc::keychain::Result::Status::Ok);
        auto missing = startHeadless({QStringLiteral("--auth-tokens"), QStringLiteral("keychain")});
        QVERIFY(missing->waitForExit());
        QCOMPARE(missing->process->exitCode(), 1);
        QVERIFY(missing->readLog().contains("--auth-store-tokens"));
    }

    void aConnectionsTokenLivesInTheKeyringOnly()
    {
        using namespace cdc;
        // A remote server that wants a token, and a window connection that supplies one.
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("tokens.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"tokens":[{"name":"window","token":"window-secret-0123456789","channels":["*"]}]})");
        file.close();
        auto server = startHeadless({QStringLiteral("--auth-tokens"), file.fileName()});
        QVERIFY2(server->port, server->log.constData());

        EngineHost engine(100);
        WindowManager windows(engine, ServerConfig{}, 100, connectionTokenStore());
        RemoteProfile profile;
        profile.name = QStringLiteral("staging");
        profile.url = QStringLiteral("ws://127.0.0.1:%1").arg(server->port);
        profile.clientName = QStringLiteral("orders");
        profile.token = "window-secret-0123456789";
        QString error;
        QPointer<MainWindow> first = windows.openConnection(profile, false, &error);
        QVERIFY2(first, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(first->source().status().isUp(), 10000);
        QCOMPARE(cdc::keychain::read(profile.keychainKey()).password, QStringLiteral("window-secret-0123456789"));
        QSettings settings;
        settings.sync();
        QFile written(settings.fileName());
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray settingsText = written.readAll();
        QVERIFY(settingsText.contains("127.0.0.1"));                 // the profile is saved...
        QVERIFY(!settingsText.contains("window-secret-0123456789")); // ...without its token
        delete first;

        // The saved profile, as File > Recent or --connect staging opens it: the token comes back
        // from the keyring.
        auto saved = findProfile(settings, QStringLiteral("staging"));
        QVERIFY(saved);
        QVERIFY(saved->token.isEmpty());
        QPointer<MainWindow> second = windows.openConnection(*saved, false, &error);
        QVERIFY2(second, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(second->source().status().isUp(), 10000);
        delete second;

        // Forgotten: the server refuses, with its reason in the window.
        QPointer<MainWindow> third = windows.openConnection(*saved, true, &error);
        QVERIFY2(third, qPrintable(error));
        QCOMPARE(cdc::keychain::read(profile.keychainKey()).status, cdc::keychain::Result::Status::NotFound);
        QTRY_VERIFY_WITH_TIMEOUT(third->source().status().state == ConnectionStatus::State::Refused, 10000);
        QVERIFY(third->source().status().text.contains(QStringLiteral("wants a token")));
        delete third;
    }

    void withoutASecretServiceTheEnvironmentVariableWorks()
    {
        QProcessEnvironment environment = withoutPasswordVariables();
        // A session bus that does not exist: no Secret Service at all, as on a bare CI host.
        environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                           QStringLiteral("unix:path=/nonexistent/cdcscope-no-bus"));
        QElapsedTimer elapsed;
        elapsed.start();
        const ActionResult refused = runPasswordAction(
            sourceArguments() + QStringList{QStringLiteral("--pg-set-password")}, "secret\n", environment);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.output.contains(QStringLiteral("no system keychain")), qPrintable(refused.output));
        QVERIFY2(refused.output.contains(QStringLiteral("CDCSCOPE_PG_PASSWORD")), qPrintable(refused.output));
        QVERIFY2(elapsed.elapsed() < 10000, "it must not wait for a keychain that is not there");

        environment.insert(QStringLiteral("CDCSCOPE_PG_PASSWORD"), QLatin1String(PgCluster::password));
        auto server = startHeadless(
            sourceArguments() + QStringList{QStringLiteral("--pg-slot"), QStringLiteral("no_keyring")}, environment);
        QVERIFY2(server->port, server->log.constData());
        QVERIFY(QTest::qWaitFor(
            [&] { return sourceHealth(server->port).value(QStringLiteral("state")).toString() == u"streaming"; },
            20000));
        QVERIFY(server->readLog().contains("password from CDCSCOPE_PG_PASSWORD"));
        QVERIFY(server->stop());
    }
};

QTEST_MAIN(TestKeychain)
#include "tst_keychain.moc"

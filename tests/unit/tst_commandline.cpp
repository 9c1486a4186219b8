// Flags, CDCSCOPE_* variables and their precedence; each bad value named in one clear line.
#include "ClientOptions.h"
#include "CommandLine.h"
#include "ConfigFile.h"
#include "LogFormat.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace cdc;

namespace {

CommandLineOutcome parse(QStringList args, const QList<QPair<QString, QString>> &env = {})
{
    args.prepend(QStringLiteral("cdcscope"));
    QProcessEnvironment environment;
    for (const auto &[name, value] : env)
        environment.insert(name, value);
    return parseCommandLine(args, environment);
}

} // namespace

class TestCommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A client-chosen text in a log message cannot forge a line or turn the text around.
    void textLogLinesStayOneLine()
    {
        QCOMPARE(escapedForTextLog(QStringLiteral("client a\n2026-12-07T00:00:00Z info  forged")),
                 QStringLiteral("client a\\n2026-12-07T00:00:00Z info  forged"));
        QCOMPARE(escapedForTextLog(QStringLiteral("invoice\u202Etxt.exe\r\t") + QChar(0)),
                 QStringLiteral("invoice\\u202Etxt.exe\\r\\t\\u0000"));
        QCOMPARE(escapedForTextLog(QStringLiteral("Grüße ✓ 注文")), QStringLiteral("Grüße ✓ 注文"));
    }

    // What the window's Settings dialog writes is what the next start reads: every key it saves
    // goes through a flag's parser (configKeys), and comes back the same.
    void theConfigFileReadsBackWhatTheWindowSaved()
    {
        QTemporaryDir dir;
        QSettings file(dir.filePath(QStringLiteral("cdcscope.conf")), QSettings::IniFormat);
        ServerConfig saved;
        saved.port = 4999;
        saved.retention.maxEventsPerChannel = 777;
        saved.retention.maxAgeMs = 0;
        saved.retention.maxIdempotencyBytes = 1 << 20;
        saved.travel.defaultLimit = 12;
        saved.maxBodyBytes = 1 << 22;
        saved.metricsChannels = 0;
        saved.deliveryThreads = 3;
        saved.headTimeout = std::chrono::milliseconds(2500);
        saved.idleTimeout = std::chrono::milliseconds(61'000);
        pg::PostgresConfig &postgres = saved.postgres.emplace();
        postgres.dsn = QStringLiteral("host=db dbname=app user=cdc");
        postgres.tables = {QStringLiteral("public.a"), QStringLiteral("public.b")};
        saveServerConfig(file, saved);
        file.setValue(QStringLiteral("view/live_rows"), 5000);
        file.sync();

        const auto outcome = parseCommandLine({QStringLiteral("cdcscope")}, {}, &file);
        QVERIFY2(outcome.action == CommandLineOutcome::Action::Run, qPrintable(outcome.message));
        const ServerConfig &read = outcome.options.server;
        QCOMPARE(read.port, 4999);
        QCOMPARE(read.retention.maxEventsPerChannel, 777);
        QCOMPARE(read.retention.maxAgeMs, 0);
        QCOMPARE(read.retention.maxIdempotencyBytes, 1 << 20);
        QCOMPARE(read.travel.defaultLimit, 12);
        QCOMPARE(read.maxBodyBytes, 1 << 22);
        QCOMPARE(read.metricsChannels, 0);
        QCOMPARE(read.deliveryThreads, 3);
        QCOMPARE(read.headTimeout.count(), 2500);
        QCOMPARE(read.idleTimeout.count(), 61'000);
        QVERIFY(read.postgres);
        QCOMPARE(read.postgres->dsn, saved.postgres->dsn);
        QCOMPARE(read.postgres->tables, saved.postgres->tables);
        QCOMPARE(outcome.options.liveViewRows, 5000);
        QVERIFY(!read.cluster);
    }

    // Flags over variables over the file; a bad value from any of them says where it came from.
    void configFileEnvironmentAndFlagsShareOneParser()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.ini"));
        QSettings file(path, QSettings::IniFormat);
        file.setValue(QStringLiteral("server/port"), 5001);
        file.setValue(QStringLiteral("limits/max_connections"), 42);
        file.sync();
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("CDCSCOPE_PORT"), QStringLiteral("5002"));
        auto outcome = parseCommandLine({QStringLiteral("cdcscope")}, environment, &file);
        QCOMPARE(outcome.options.server.port, 5002);
        QCOMPARE(outcome.options.server.maxConnections, 42);
        outcome = parseCommandLine({QStringLiteral("cdcscope"), QStringLiteral("--port=5003")}, environment, &file);
        QCOMPARE(outcome.options.server.port, 5003);

        const struct
        {
            const char *key;
            QVariant value;
            QString says;
        } refused[] = {
            {"server/port", 70000, QStringLiteral("server/port=70000 is not a port number (0-65535)")},
            {"limits/max_connections", 0,
             QStringLiteral("limits/max_connections=0 is not a whole number from 1 to 1000000")},
            {"retention/total_bytes", QStringLiteral("lots"),
             QStringLiteral("retention/total_bytes=lots is not a size of at least 1 bytes")},
            {"timeouts/idle_ms", -5, QStringLiteral("timeouts/idle_ms=-5 is not a duration")},
            {"cluster/redis", QStringLiteral("http://nope"), QStringLiteral("cluster/redis=http://nope")},
        };
        for (const auto &bad : refused) {
            QSettings badFile(dir.filePath(QStringLiteral("bad.ini")), QSettings::IniFormat);
            badFile.clear();
            badFile.setValue(QLatin1StringView(bad.key), bad.value);
            badFile.sync();
            const auto failed = parseCommandLine({QStringLiteral("cdcscope")}, {}, &badFile);
            QCOMPARE(failed.action, CommandLineOutcome::Action::ExitNow);
            QCOMPARE(failed.exitCode, ExitCode::usage);
            QVERIFY2(failed.message.startsWith(QStringLiteral("cdcscope: ") + badFile.fileName() + u':'),
                     qPrintable(failed.message));
            QVERIFY2(failed.message.contains(bad.says), qPrintable(failed.message));
        }
    }

    void defaults()
    {
        const auto outcome = parse({QStringLiteral("--headless")});
        QCOMPARE(outcome.action, CommandLineOutcome::Action::Run);
        const ServerConfig &config = outcome.options.server;
        QVERIFY(outcome.options.headless);
        QCOMPARE(config.bindAddress, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(config.port, 4053);
        QCOMPARE(config.retention.maxEventsPerChannel, 100'000);
        QCOMPARE(config.maxBodyBytes, 16 * 1024 * 1024);
        QCOMPARE(config.maxQueuedBytesPerClient, 16 * 1024 * 1024);
        QCOMPARE(config.travel.defaultLimit, 10'000);
        QCOMPARE(config.travel.maxLimit, 50'000);
        QCOMPARE(config.pingInterval.count(), 30'000);
        QCOMPARE(config.idleTimeout.count(), 90'000);
        QCOMPARE(config.headTimeout.count(), 10'000);
        QCOMPARE(outcome.options.logFormat, LogFormat::Text);
        QVERIFY(!outcome.options.ingestStdin);
    }

    void flagBeatsEnvironmentBeatsDefault()
    {
        const auto envOnly = parse({}, {{QStringLiteral("CDCSCOPE_PORT"), QStringLiteral("5000")}});
        QCOMPARE(envOnly.options.server.port, 5000);
        const auto both = parse({QStringLiteral("--port"), QStringLiteral("6000")},
                                {{QStringLiteral("CDCSCOPE_PORT"), QStringLiteral("5000")}});
        QCOMPARE(both.options.server.port, 6000);
    }

    void valuesWithUnits()
    {
        const auto outcome =
            parse({QStringLiteral("--retain-bytes=512MiB"), QStringLiteral("--max-body"), QStringLiteral("64k"),
                   QStringLiteral("--ping-interval=500ms"), QStringLiteral("--idle-timeout=2m"),
                   QStringLiteral("--head-timeout=3"), QStringLiteral("--bind=0.0.0.0"),
                   QStringLiteral("--log-format=JSON"), QStringLiteral("--ingest-stdin")});
        QCOMPARE(outcome.action, CommandLineOutcome::Action::Run);
        QCOMPARE(outcome.options.server.retention.maxTotalBytes, qint64(512) << 20);
        QCOMPARE(outcome.options.server.maxBodyBytes, 64 * 1024);
        QCOMPARE(outcome.options.server.pingInterval.count(), 500);
        QCOMPARE(outcome.options.server.idleTimeout.count(), 120'000);
        QCOMPARE(outcome.options.server.headTimeout.count(), 3'000);
        QCOMPARE(outcome.options.server.bindAddress, QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(outcome.options.logFormat, LogFormat::Json);
        QVERIFY(outcome.options.ingestStdin);
    }

    void deliveryThreadsDefaultToOnePerCore()
    {
        QCOMPARE(parse({}, {}).options.server.deliveryThreads, 0); // 0: one per core, decided at start
        QCOMPARE(parse({QStringLiteral("--delivery-threads=3")}, {}).options.server.deliveryThreads, 3);
        QCOMPARE(parse({}, {{QStringLiteral("CDCSCOPE_DELIVERY_THREADS"), QStringLiteral("1")}})
                     .options.server.deliveryThreads,
                 1);
    }

    void environmentSwitch()
    {
        QVERIFY(parse({}, {{QStringLiteral("CDCSCOPE_INGEST_STDIN"), QStringLiteral("true")}}).options.ingestStdin);
        QVERIFY(!parse({}, {{QStringLiteral("CDCSCOPE_INGEST_STDIN"), QStringLiteral("0")}}).options.ingestStdin);
    }

    void badValues_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("envName");
        QTest::addColumn<QString>("envValue");
        QTest::addColumn<QString>("expected");
        QTest::newRow("port too big") << QStringList{QStringLiteral("--port=70000")} << QString() << QString()
                                      << QStringLiteral("cdcscope: --port: '70000' is not a port number (0-65535)");
        QTest::newRow("bind not an address")
            << QStringList{QStringLiteral("--bind=example.com")} << QString() << QString()
            << QStringLiteral("cdcscope: --bind: 'example.com' is not an IP address");
        QTest::newRow("size without number") << QStringList{QStringLiteral("--max-body=lots")} << QString() << QString()
                                             << QStringLiteral("cdcscope: --max-body: 'lots' is not a size");
        QTest::newRow("duration") << QStringList{QStringLiteral("--idle-timeout=soon")} << QString() << QString()
                                  << QStringLiteral("cdcscope: --idle-timeout: 'soon' is not a duration");
        QTest::newRow("log format") << QStringList{QStringLiteral("--log-format=xml")} << QString() << QString()
                                    << QStringLiteral("cdcscope: --log-format: 'xml' is not a log format");
        QTest::newRow("unknown flag") << QStringList{QStringLiteral("--frobnicate")} << QString() << QString()
                                      << QStringLiteral("cdcscope: Unknown option 'frobnicate'.");
        QTest::newRow("missing value") << QStringList{QStringLiteral("--port")} << QString() << QString()
                                       << QStringLiteral("cdcscope: Missing value after '--port'.");
        QTest::newRow("stray argument") << QStringList{QStringLiteral("serve")} << QString() << QString()
                                        << QStringLiteral("cdcscope: unexpected argument 'serve'");
        QTest::newRow("limit out of range")
            << QStringList{QStringLiteral("--max-connections=5000000")} << QString() << QString()
            << QStringLiteral("cdcscope: --max-connections: '5000000' is not a whole number from 1 to 1000000");
        QTest::newRow("delivery threads out of range")
            << QStringList{QStringLiteral("--delivery-threads=300")} << QString() << QString()
            << QStringLiteral("cdcscope: --delivery-threads: '300' is not a whole number from 0 to 256");
        QTest::newRow("dsn with a password")
            << QStringList{QStringLiteral("--pg-dsn=host=db user=cdc password=hunter2")} << QString() << QString()
            << QStringLiteral("cdcscope: --pg-dsn: the PostgreSQL DSN contains a password; remove it");
        QTest::newRow("dsn URI with a password")
            << QStringList{QStringLiteral("--pg-dsn=postgresql://cdc:hunter2@db/app")} << QString() << QString()
            << QStringLiteral("cdcscope: --pg-dsn: the PostgreSQL DSN contains a password");
        QTest::newRow("dsn unparsable") << QStringList{QStringLiteral("--pg-dsn=host=db bogus")} << QString()
                                        << QString()
                                        << QStringLiteral("cdcscope: --pg-dsn: the PostgreSQL DSN cannot be parsed");
        QTest::newRow("slot name") << QStringList{QStringLiteral("--pg-dsn=host=db"),
                                                  QStringLiteral("--pg-slot=My-Slot")}
                                   << QString() << QString()
                                   << QStringLiteral("cdcscope: --pg-slot: 'My-Slot' is not a valid name");
        QTest::newRow("pg option without a dsn")
            << QStringList{QStringLiteral("--pg-slot=s")} << QString() << QString()
            << QStringLiteral("cdcscope: the PostgreSQL options (--pg-*) need --pg-dsn");
        QTest::newRow("password action without a dsn")
            << QStringList{QStringLiteral("--pg-set-password")} << QString() << QString()
            << QStringLiteral("cdcscope: --pg-set-password and --pg-forget-password need --pg-dsn");
        QTest::newRow("env names itself")
            << QStringList{} << QStringLiteral("CDCSCOPE_RETAIN_EVENTS") << QStringLiteral("-3")
            << QStringLiteral("cdcscope: CDCSCOPE_RETAIN_EVENTS: '-3' is not a positive whole number");
    }

    void badValues()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, envName);
        QFETCH(QString, envValue);
        QFETCH(QString, expected);
        QList<QPair<QString, QString>> env;
        if (!envName.isEmpty())
            env.append({envName, envValue});
        const auto outcome = parse(args, env);
        QCOMPARE(outcome.action, CommandLineOutcome::Action::ExitNow);
        QCOMPARE(outcome.exitCode, ExitCode::usage);
        QVERIFY2(outcome.message.startsWith(expected), qPrintable(outcome.message));
    }

    void postgresSource()
    {
        const auto none = parse({});
        QVERIFY(!none.options.server.postgres);

        const auto outcome = parse({QStringLiteral("--pg-dsn"), QStringLiteral("host=db.example dbname=app user=cdc"),
                                    QStringLiteral("--pg-tables"), QStringLiteral("public.orders, audit.log"),
                                    QStringLiteral("--pg-default-channel"), QStringLiteral("misc")},
                                   {{QStringLiteral("CDCSCOPE_PG_SLOT"), QStringLiteral("ci_slot")}});
        QCOMPARE(outcome.action, CommandLineOutcome::Action::Run);
        QVERIFY(outcome.options.server.postgres);
        const pg::PostgresConfig &postgres = *outcome.options.server.postgres;
        QCOMPARE(postgres.dsn, QStringLiteral("host=db.example dbname=app user=cdc"));
        QCOMPARE(postgres.slot, QStringLiteral("ci_slot"));
        QCOMPARE(postgres.publication, QStringLiteral("cdcscope"));
        QCOMPARE(postgres.tables, (QStringList{QStringLiteral("public.orders"), QStringLiteral("audit.log")}));
        QCOMPARE(postgres.routing.column, QStringLiteral("organization_id"));
        QCOMPARE(postgres.routing.defaultChannel, QStringLiteral("misc"));
        QVERIFY(postgres.password.isEmpty());
        QCOMPARE(pg::parseTarget(postgres.dsn).keychainKey(), QStringLiteral("postgres://cdc@db.example:5432/app"));
        QCOMPARE(pg::parseTarget(QStringLiteral("postgresql://cdc@db:6432/app")).keychainKey(),
                 QStringLiteral("postgres://cdc@db:6432/app"));

        // An empty DSN turns a configured source off.
        QVERIFY(!parse({QStringLiteral("--pg-dsn=")}).options.server.postgres);
        QCOMPARE(
            parse({QStringLiteral("--pg-dsn=host=db"), QStringLiteral("--pg-forget-password")}).options.passwordAction,
            AppOptions::PasswordAction::Forget);
    }

    void helpListsEveryEnvironmentVariable()
    {
        const auto outcome = parse({QStringLiteral("--help")});
        QCOMPARE(outcome.exitCode, ExitCode::ok);
        for (const char *name : {"CDCSCOPE_PORT", "CDCSCOPE_BIND", "CDCSCOPE_RETAIN_EVENTS", "CDCSCOPE_MAX_QUEUED",
                                 "CDCSCOPE_LOG_FORMAT", "CDCSCOPE_INGEST_STDIN", "--headless"})
            QVERIFY2(outcome.message.contains(QLatin1StringView(name)), name);
    }

    void version()
    {
        const auto outcome = parse({QStringLiteral("--version")});
        QCOMPARE(outcome.exitCode, ExitCode::ok);
        QCOMPARE(outcome.message, QStringLiteral("cdcscope " CDCSCOPE_VERSION));
    }

    // The client subcommands' addresses: one text gives the WebSocket and the HTTP API.
    void clientServerAddresses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("webSocket");
        QTest::addColumn<QString>("http");
        QTest::newRow("ws with path") << "ws://127.0.0.1:4053/ws"
                                      << "ws://127.0.0.1:4053/ws"
                                      << "http://127.0.0.1:4053";
        QTest::newRow("http") << "http://localhost:9000"
                              << "ws://localhost:9000/ws"
                              << "http://localhost:9000";
        QTest::newRow("wss") << "wss://cdc.example:443/"
                             << "wss://cdc.example:443/ws"
                             << "https://cdc.example:443";
        QTest::newRow("https default port") << "https://cdc.example"
                                            << "wss://cdc.example:4053/ws"
                                            << "https://cdc.example:4053";
        QTest::newRow("host:port") << "127.0.0.1:4100"
                                   << "ws://127.0.0.1:4100/ws"
                                   << "http://127.0.0.1:4100";
        QTest::newRow("ipv6") << "[::1]:4053"
                              << "ws://[::1]:4053/ws"
                              << "http://[::1]:4053";
    }

    void clientServerAddresses()
    {
        QFETCH(QString, text);
        QFETCH(QString, webSocket);
        QFETCH(QString, http);
        const auto parsed = client::ServerAddress::parse(text);
        QVERIFY(std::holds_alternative<client::ServerAddress>(parsed));
        QCOMPARE(std::get<client::ServerAddress>(parsed).webSocket.toString(), webSocket);
        QCOMPARE(std::get<client::ServerAddress>(parsed).http.toString(), http);
    }

    void clientServerAddressErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << ""
                               << "the server address is empty";
        QTest::newRow("scheme") << "ftp://host"
                                << "the scheme must be ws, wss, http or https";
        QTest::newRow("path") << "http://host/events"
                              << "the path must be /ws or nothing";
        QTest::newRow("token in url") << "ws://host/ws?token=abc"
                                      << "a token goes in CDCSCOPE_TOKEN";
    }

    void clientServerAddressErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        const auto parsed = client::ServerAddress::parse(text);
        QVERIFY(std::holds_alternative<QString>(parsed));
        QVERIFY2(std::get<QString>(parsed).contains(message), qPrintable(std::get<QString>(parsed)));
    }

    void clientOptions()
    {
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("CDCSCOPE_TOKEN"), QStringLiteral(" secret-from-env \n"));
        const auto outcome = client::parseClientCommandLine(
            {QStringLiteral("cdcscope"), QStringLiteral("tail"), QStringLiteral("127.0.0.1:4100"),
             QStringLiteral("--client"), QStringLiteral("ci"), QStringLiteral("--channel"), QStringLiteral("a"),
             QStringLiteral("--channel"), QStringLiteral("b"), QStringLiteral("--since-ts"),
             QStringLiteral("2026-11-22T07:42:05.123Z"), QStringLiteral("--count"), QStringLiteral("10"),
             QStringLiteral("--timeout"), QStringLiteral("2m"), QStringLiteral("--format"), QStringLiteral("pretty")},
            environment);
        QVERIFY2(outcome.options, qPrintable(outcome.message));
        const client::ClientOptions &options = *outcome.options;
        QCOMPARE(options.command, client::Command::Tail);
        QCOMPARE(options.clientName, QStringLiteral("ci"));
        QCOMPARE(options.channels, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(options.sinceTsMs, std::optional<qint64>(1795333325123));
        QCOMPARE(options.count, std::optional<qint64>(10));
        QCOMPARE(options.timeout->count(), 120'000);
        QCOMPARE(options.format, client::OutputFormat::Pretty);
        QCOMPARE(options.token, QByteArray("secret-from-env"));
    }

    void clientOptionErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("no url") << QStringList{QStringLiteral("tail")} << "give the server's address";
        QTest::newRow("travel two channels")
            << QStringList{QStringLiteral("travel"),    QStringLiteral("h:1"),       QStringLiteral("--client"),
                           QStringLiteral("c"),         QStringLiteral("--channel"), QStringLiteral("a"),
                           QStringLiteral("--channel"), QStringLiteral("b")}
            << "--channel: give one channel only";
        QTest::newRow("bad since-ts") << QStringList{QStringLiteral("export"), QStringLiteral("h:1"),
                                                     QStringLiteral("--since-ts"), QStringLiteral("yesterday")}
                                      << "--since-ts: 'yesterday' is neither milliseconds";
        QTest::newRow("import without file")
            << QStringList{QStringLiteral("import"), QStringLiteral("h:1")} << "give the capture file";
        QTest::newRow("extra argument") << QStringList{QStringLiteral("export"), QStringLiteral("h:1"),
                                                       QStringLiteral("more")}
                                        << "unexpected argument 'more'";
        QTest::newRow("bad speed") << QStringList{QStringLiteral("import"), QStringLiteral("h:1"), QStringLiteral("-"),
                                                  QStringLiteral("--speed"), QStringLiteral("-1")}
                                   << "--speed: '-1' is not a speed factor";
    }

    void clientOptionErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        arguments.prepend(QStringLiteral("cdcscope"));
        const auto outcome = client::parseClientCommandLine(arguments, {});
        QVERIFY(!outcome.options);
        QCOMPARE(outcome.exitCode, client::ClientExit::failure);
        QVERIFY2(outcome.message.contains(message), qPrintable(outcome.message));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"

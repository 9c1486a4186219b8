// The real `cdcscope --headless` binary as a CI pipeline runs it: flags, exit codes, log lines,
// signals, and NDJSON on stdin.
#include "HeadlessProcess.h"
#include "TestHttp.h"
#include "TestWsClient.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QFile>
#include <QSettings>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

QString binary()
{
    return cdcscopeBinary();
}

// The environment of a machine with no display at all (a CI runner, a server).
QProcessEnvironment withoutDisplay()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        environment.remove(QString::fromLatin1(name));
    return environment;
}

// Headless, as on a machine without a display; null unless it listens.
std::unique_ptr<HeadlessProcess> startWithoutDisplay(const QStringList &extraArgs = {})
{
    auto headless = startHeadless(extraArgs, withoutDisplay());
    return headless->port ? std::move(headless) : nullptr;
}

} // namespace

class TestHeadless : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QFileInfo::exists(binary()), "CDCSCOPE_BINARY must name the built cdcscope"); }

    void versionAndHelp()
    {
        QProcess version;
        version.start(binary(), {QStringLiteral("--version")});
        QVERIFY(version.waitForFinished(5000));
        QCOMPARE(version.exitCode(), 0);
        QCOMPARE(version.readAllStandardOutput().trimmed(), QByteArray("cdcscope " CDCSCOPE_VERSION));

        QProcess help;
        help.start(binary(), {QStringLiteral("--help")});
        QVERIFY(help.waitForFinished(5000));
        QCOMPARE(help.exitCode(), 0);
        const QByteArray text = help.readAllStandardOutput();
        QVERIFY(text.contains("--headless"));
        QVERIFY(text.contains("CDCSCOPE_PORT"));
    }

    void withoutADisplayTheWindowSaysToUseHeadless()
    {
        QProcess process;
        process.setProcessEnvironment(withoutDisplay());
        process.start(binary(), {QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitCode(), 1);
        QVERIFY(process.readAllStandardError().contains("run 'cdcscope --headless' for the server alone"));
    }

    void configFileSitsBelowEnvironmentAndFlags()
    {
        QTemporaryDir home;
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 configuredPort = probe.serverPort();
        probe.close();
        {
            QSettings file(home.filePath(QStringLiteral("CDC Scope/cdcscope.conf")), QSettings::IniFormat);
            file.setValue(QStringLiteral("server/port"), configuredPort);
        }
        const auto listenLine = [&](const QProcessEnvironment &environment, const QStringList &extra) {
            QProcess process;
            process.setProcessEnvironment(environment);
            process.start(binary(), QStringList{QStringLiteral("--headless")} + extra);
            QByteArray log;
            (void)QTest::qWaitFor(
                [&] {
                    log.append(process.readAllStandardError());
                    return log.contains("listening on");
                },
                10000);
            process.terminate();
            (void)process.waitForFinished(10000);
            return log;
        };
        QProcessEnvironment environment = withoutDisplay();
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), home.path());
        const QByteArray expected = "ws://127.0.0.1:" + QByteArray::number(configuredPort) + "/ws";
        QVERIFY(listenLine(environment, {}).contains(expected));
        environment.insert(QStringLiteral("CDCSCOPE_PORT"), QStringLiteral("0"));
        QVERIFY(!listenLine(environment, {}).contains(expected));
        environment.remove(QStringLiteral("CDCSCOPE_PORT"));
        QVERIFY(!listenLine(environment, {QStringLiteral("--port"), QStringLiteral("0")}).contains(expected));
    }

    void badFlagIsOneClearLineAndExit2()
    {
        QProcess process;
        process.start(binary(), {QStringLiteral("--headless"), QStringLiteral("--retain-events=many")});
        QVERIFY(process.waitForFinished(5000));
        QCOMPARE(process.exitCode(), 2);
        const QList<QByteArray> lines = process.readAllStandardError().trimmed().split('\n');
        QCOMPARE(lines.constFirst(), QByteArray("cdcscope: --retain-events: 'many' is not a positive whole number"));
    }

    // The config file goes through the flags' parsers: a value out of range is refused at start,
    // naming the file and the key, never silently turned into another port.
    void badConfigFileValueIsOneClearLineAndExit2()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.ini"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[server]\nport=70000\n");
        file.close();
        QProcess process;
        process.setProcessEnvironment(withoutDisplay());
        process.start(binary(), {QStringLiteral("--headless"), QStringLiteral("--config"), path});
        QVERIFY(process.waitForFinished(5000));
        QCOMPARE(process.exitCode(), 2);
        const QList<QByteArray> lines = process.readAllStandardError().trimmed().split('\n');
        QCOMPARE(lines.constFirst(),
                 QByteArray("cdcscope: " + path.toUtf8() + ": server/port=70000 is not a port number (0-65535)"));
    }

    void portInUseIsOneClearLineAndExit1()
    {
        QTcpServer occupier;
        QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
        QProcess process;
        process.start(binary(),
                      {QStringLiteral("--headless"), QStringLiteral("--port"), QString::number(occupier.serverPort())});
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitCode(), 1);
        const QByteArray log = process.readAllStandardError();
        QVERIFY2(log.contains(QByteArray("cannot listen on 127.0.0.1:" + QByteArray::number(occupier.serverPort()) +
                                         ": The bound address is already in use")),
                 log.constData());
    }

    void sigtermClosesClientsWith1001AndExits0()
    {
        auto headless = startWithoutDisplay();
        QVERIFY(headless);
        TestWsClient client(headless->port, QStringLiteral("ci_pipeline"));
        QVERIFY(client.waitForMessages(1));
        QVERIFY(headless->waitForLog("client connected: ci_pipeline from 127.0.0.1:"));

        ::kill(pid_t(headless->process->processId()), SIGTERM);
        QVERIFY(client.waitForDisconnect(10000));
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        QVERIFY(headless->waitForExit());
        QCOMPARE(headless->process->exitStatus(), QProcess::NormalExit);
        QCOMPARE(headless->process->exitCode(), 0);
        const QByteArray log = headless->readLog();
        QVERIFY(log.contains("received SIGTERM - stopping"));
        QVERIFY(log.contains("client disconnected: ci_pipeline"));
        QVERIFY(log.contains("stopped"));
    }

    void sigintAlsoStopsCleanly()
    {
        auto headless = startWithoutDisplay();
        QVERIFY(headless);
        ::kill(pid_t(headless->process->processId()), SIGINT);
        QVERIFY(headless->waitForExit());
        QCOMPARE(headless->process->exitCode(), 0);
    }

    void jsonLogLines()
    {
        auto headless = startWithoutDisplay({QStringLiteral("--log-format"), QStringLiteral("json")});
        QVERIFY(headless);
        headless->process->terminate();
        QVERIFY(headless->waitForExit());
        const QList<QByteArray> lines = headless->readLog().trimmed().split('\n');
        QVERIFY(lines.size() >= 3);
        for (const QByteArray &line : lines) {
            const QJsonObject entry = QJsonDocument::fromJson(line).object();
            QVERIFY2(!entry.isEmpty(), line.constData());
            QVERIFY(entry.contains(QStringLiteral("ts")));
            QVERIFY(entry.contains(QStringLiteral("level")));
            QVERIFY(entry.value(QStringLiteral("category")).toString().startsWith(QStringLiteral("cdcscope.")));
            QVERIFY(entry.contains(QStringLiteral("message")));
        }
    }

    void stdinNdjsonIsPublishedAndBadLinesAreNamed()
    {
        auto headless = startWithoutDisplay({QStringLiteral("--ingest-stdin")});
        QVERIFY(headless);
        TestWsClient client(headless->port, QStringLiteral("feed"));
        QVERIFY(client.waitForMessages(1));

        headless->process->write(R"({"organization_id":"feed","data":{"n":1}})"
                                 "\n"
                                 "{not json}\n"
                                 R"({"data":{"n":"no channel"}})"
                                 "\n"
                                 "\n"
                                 R"({"organization_id":"feed","data":{"n":2}})"
                                 "\n"
                                 R"({"organization_id":"feed","data":{"n":3}})"); // no final newline
        headless->process->closeWriteChannel();

        QVERIFY(client.waitForMessages(4));
        QCOMPARE(client.eventSeqs(), (QList<qint64>{1, 2, 3}));
        QCOMPARE(client.events()[2]
                     .value(QStringLiteral("data"))
                     .toObject()
                     .value(QStringLiteral("payload"))
                     .toObject()
                     .value(QStringLiteral("n"))
                     .toInt(),
                 3);
        QVERIFY(headless->waitForLog("stdin closed: 3 events accepted, 2 lines rejected"));
        const QByteArray log = headless->readLog();
        QVERIFY2(log.contains("stdin line 2 skipped: body is not valid JSON"), log.constData());
        QVERIFY2(log.contains("stdin line 3 skipped: organization_id is missing"), log.constData());
        // The end of stdin is not the end of the server.
        QCOMPARE(httpGet(headless->port, "/health").status, 200);
        headless->process->terminate();
        QVERIFY(headless->waitForExit());
        QCOMPARE(headless->process->exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"

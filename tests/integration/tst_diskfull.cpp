// A full disk under the journal: publishers get 507 with the path and what to do, nothing already
// acknowledged is lost, reads go on, and the server takes events again by itself once space is
// freed. The disk is a real 2 MiB tmpfs the test mounts when it may (root); otherwise the server
// gets a 2 MiB file-size limit (prlimit), which fails its writes the same way, and is lifted later.
#include "HeadlessProcess.h"
#include "TestHttp.h"

#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

QProcessEnvironment journaledEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("CDCSCOPE_IN_MEMORY")); // CTest sets it for the other suites
    return environment;
}

// `mount ARGS…`; what it said when it failed.
QString runMount(const QStringList &args)
{
    QProcess mount;
    mount.setProcessChannelMode(QProcess::MergedChannels);
    mount.start(QStringLiteral("mount"), args);
    if (!mount.waitForFinished(10000) || mount.exitStatus() != QProcess::NormalExit || mount.exitCode() != 0)
        return QString::fromLocal8Bit(mount.readAll()).trimmed() + mount.errorString();
    return {};
}

// The events of `channel` as the server exports them: seq -> payload.
QMap<qint64, QByteArray> exported(quint16 port, const QByteArray &channel)
{
    QMap<qint64, QByteArray> events;
    const HttpReply reply = httpGet(port, "/channels/" + channel + "/export");
    for (const QByteArray &line : reply.body.split('\n')) {
        const QJsonObject data = QJsonDocument::fromJson(line).object().value(QStringLiteral("data")).toObject();
        if (!data.isEmpty())
            events.insert(
                data.value(QStringLiteral("seq")).toInteger(),
                QJsonDocument(data.value(QStringLiteral("payload")).toObject()).toJson(QJsonDocument::Compact));
    }
    return events;
}

QJsonObject filler(int n)
{
    return {{QStringLiteral("n"), n}, {QStringLiteral("blob"), QString(16 * 1024, u'x')}};
}

} // namespace

class TestDiskFull : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_mount;
    bool m_mounted = false;

    // The "disk" fills at 2 MiB: the tmpfs' size, or the server's file-size limit.
    void limitSpace(const HeadlessProcess &server)
    {
        if (m_mounted)
            return;
        const int limited = QProcess::execute(QStringLiteral("prlimit"),
                                              {QStringLiteral("--pid"), QString::number(server.process->processId()),
                                               QStringLiteral("--fsize=2097152:unlimited")});
        QCOMPARE(limited, 0);
    }

    void freeSpace(const HeadlessProcess &server)
    {
        if (m_mounted) {
            const QString remounted = runMount({QStringLiteral("-o"), QStringLiteral("remount,size=32m"), m_mount});
            QVERIFY2(remounted.isEmpty(), qPrintable(remounted));
            return;
        }
        const int lifted = QProcess::execute(QStringLiteral("prlimit"),
                                             {QStringLiteral("--pid"), QString::number(server.process->processId()),
                                              QStringLiteral("--fsize=unlimited:unlimited")});
        QCOMPARE(lifted, 0);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_mount = m_dir.filePath(QStringLiteral("disk"));
        QVERIFY(QDir().mkpath(m_mount));
        if (qEnvironmentVariableIsSet("CDCSCOPE_TEST_FILE_SIZE_LIMIT"))
            return; // the fallback, chosen by hand to try it
        const QString error = runMount({QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                        QStringLiteral("size=2m"), QStringLiteral("tmpfs"), m_mount});
        m_mounted = error.isEmpty();
        if (!m_mounted)
            qInfo().noquote() << "cannot mount a tmpfs here (" << error << "): using a file-size limit instead";
    }

    void cleanupTestCase()
    {
        if (m_mounted)
            QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), m_mount});
    }

    void publishersGet507AndTheServerRecoversByItself()
    {
        const QStringList args{QStringLiteral("--data-dir"), m_mount};
        auto server = startHeadless(args, journaledEnvironment());
        QVERIFY2(server && server->port, server ? server->log.constData() : "");
        const quint16 port = server->port;
        limitSpace(*server);

        // Fill the disk: each event carries 16 KiB; the 2 MiB disk refuses one within ~130.
        QMap<qint64, QByteArray> acknowledged;
        HttpReply refused;
        for (int n = 0; n < 400 && refused.status == 0; ++n) {
            const HttpReply reply = publish(port, QStringLiteral("fill"), filler(n));
            if (reply.status == 200)
                acknowledged.insert(reply.json().value(QStringLiteral("seq")).toInteger(),
                                    QJsonDocument(filler(n)).toJson(QJsonDocument::Compact));
            else
                refused = reply;
        }
        QCOMPARE(refused.status, 507);
        QVERIFY(!acknowledged.isEmpty());
        const QJsonObject error = refused.json();
        QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("insufficient_storage"));
        QVERIFY2(
            error.value(QStringLiteral("message")).toString().contains(m_mount + QStringLiteral("/journal.sqlite")),
            refused.body.constData());
        QVERIFY(error.value(QStringLiteral("hint")).toString().contains(QStringLiteral("retry")));
        QCOMPARE(refused.headers.value("retry-after"), QByteArray("5"));

        // Reads go on; /health says why publishing stopped; later publishes are refused at once.
        const QJsonObject health = httpGet(port, "/health").json();
        QCOMPARE(health.value(QStringLiteral("journal")).toObject().value(QStringLiteral("writable")).toBool(), false);
        QVERIFY(!health.value(QStringLiteral("warnings")).toArray().isEmpty());
        QCOMPARE(httpGet(port, "/channels").status, 200);
        QCOMPARE(publish(port, QStringLiteral("other"), QJsonObject{{QStringLiteral("small"), true}}).status, 507);
        QVERIFY(httpGet(port, "/metrics").body.contains("cdcscope_journal_writable 0"));
        // Everything acknowledged is there, with contiguous seqs; nothing refused shows.
        QCOMPARE(exported(port, "fill"), acknowledged);

        // Space comes back: within seconds the server takes events again, continuing the seqs.
        freeSpace(*server);
        QTRY_VERIFY_WITH_TIMEOUT(httpGet(port, "/health")
                                     .json()
                                     .value(QStringLiteral("journal"))
                                     .toObject()
                                     .value(QStringLiteral("writable"))
                                     .toBool(),
                                 10000);
        const HttpReply again = publish(port, QStringLiteral("fill"), filler(1000));
        QVERIFY2(again.status == 200, again.body.constData());
        QCOMPARE(again.json().value(QStringLiteral("seq")).toInteger(), acknowledged.lastKey() + 1);
        acknowledged.insert(acknowledged.lastKey() + 1, QJsonDocument(filler(1000)).toJson(QJsonDocument::Compact));

        // And after a restart, the journal holds exactly what was acknowledged.
        QVERIFY(server->stop());
        server = startHeadless(args, journaledEnvironment());
        QVERIFY2(server && server->port, server ? server->log.constData() : "");
        QCOMPARE(exported(server->port, "fill"), acknowledged);
    }
};

QTEST_GUILESS_MAIN(TestDiskFull)
#include "tst_diskfull.moc"

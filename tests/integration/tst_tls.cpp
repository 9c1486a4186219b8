// TLS served natively: a certificate made by the test with openssl, a wss:// client and an
// https:// publish (Qt and curl), a plain ws:// client against the TLS port failing cleanly, and the
// WRONG_VERSION_NUMBER a wss:// client meets at a plain server, as the docs explain it.
#include "HeadlessProcess.h"
#include "TestCertificate.h"
#include "TestWsClient.h"

#include <QFile>
#include <QProcess>
#include <QSslSocket>
#include <QTest>

namespace {

struct CurlResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CurlResult curl(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral("curl"),
                  QStringList{QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("10")} + arguments);
    // curl runs beside the server process; waiting here blocks nothing of it.
    process.waitForFinished(20000);
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

    LoopbackCertificate m_tls;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QSslSocket::supportsSsl());
        QVERIFY2(m_tls.error.isEmpty(), qPrintable(m_tls.error));
    }

    void wssAndHttpsWorkAndPlainClientsFailCleanly()
    {
        auto server = startHeadless({QStringLiteral("--tls-cert"), m_tls.cert, QStringLiteral("--tls-key"), m_tls.key});
        QVERIFY2(server->port, server->log.constData());
        QVERIFY(server->log.contains("listening on wss://127.0.0.1:"));

        QNetworkRequest secure(QUrl(QStringLiteral("wss://127.0.0.1:%1/ws").arg(server->port)));
        secure.setRawHeader("X-Athena-Client", "secure");
        secure.setSslConfiguration(m_tls.trusting());
        TestWsClient client(secure);
        QVERIFY2(client.waitForMessages(1, 10000), qPrintable(client.socket().errorString()));

        // A plain ws:// client on the TLS port: its handshake fails, it is dropped.
        TestWsClient plain(server->port, QStringLiteral("plain"));
        QVERIFY(plain.waitForDisconnect(15000));
        QVERIFY(plain.messages().isEmpty());

        const CurlResult published = curl({QStringLiteral("--cacert"), m_tls.cert, QStringLiteral("-d"),
                                           QStringLiteral(R"({"organization_id":"secure","data":{"over":"tls"}})"),
                                           QStringLiteral("https://127.0.0.1:%1/events").arg(server->port)});
        QVERIFY2(published.exitCode == 0, published.err.constData());
        QVERIFY2(published.out.contains("\"seq\":1"), published.out.constData());
        QVERIFY2(client.waitForMessages(2),
                 qPrintable(QString::fromUtf8(server->readLog()) + u"\nclient: " + client.socket().errorString() +
                            u", state " + QString::number(int(client.socket().state()))));
        QCOMPARE(client.eventSeqs(QStringLiteral("secure")), QList<qint64>{1});

        // curl without the certificate refuses it: the server does not fall back to plain.
        QVERIFY(curl({QStringLiteral("https://127.0.0.1:%1/health").arg(server->port)}).exitCode != 0);
        QVERIFY2(server->stop(), server->log.constData());
    }

    void wssAgainstAPlainServerIsTheWrongVersionNumberTheDocsDescribe()
    {
        auto server = startHeadless();
        QVERIFY2(server->port, server->log.constData());
        const CurlResult mismatched = curl({QStringLiteral("https://127.0.0.1:%1/health").arg(server->port)});
        QVERIFY(mismatched.exitCode != 0);
        QVERIFY2(mismatched.err.toLower().contains("wrong version number"), mismatched.err.constData());
        QCOMPARE(curl({QStringLiteral("http://127.0.0.1:%1/health").arg(server->port)}).exitCode, 0);
        QVERIFY2(server->stop(), server->log.constData());
    }

    void badTlsFlagsAreNamed_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("cert alone") << QStringList{QStringLiteral("--tls-cert"), QStringLiteral("/nonexistent.pem")}
                                    << QByteArray("--tls-cert and --tls-key go together");
        QTest::newRow("unreadable cert") << QStringList{QStringLiteral("--tls-cert"),
                                                        QStringLiteral("/nonexistent.pem"), QStringLiteral("--tls-key"),
                                                        QStringLiteral("/nonexistent.pem")}
                                         << QByteArray("--tls-cert: cannot read /nonexistent.pem");
    }

    void badTlsFlagsAreNamed()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, expected);
        auto server = startHeadless(arguments);
        QVERIFY(server->waitForExit());
        QCOMPARE(server->process->exitCode(), 2);
        QVERIFY2(server->readLog().contains(expected), server->log.constData());
    }
};

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"

// A connection storm against the real binary: rounds of hundreds of wss:// (then ws://) clients
// connecting at once, subscribing, receiving one event and disconnecting at once (half with a close
// handshake, half by dropping the connection) while the next round connects. Every client must be
// greeted and get the event byte for byte, the server must stay up, and its log must hold no
// cross-thread warning (HeadlessProcess::readLog fails the suite on one). This is how a TLS socket
// read on one thread and written on another crashed the server (issue 27); docs/reliability.md.
#include "HeadlessProcess.h"
#include "TestCertificate.h"
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"

#include <QJsonArray>
#include <QProcess>
#include <QSslSocket>
#include <QTest>

#include <memory>
#include <vector>

namespace {

constexpr int clientsPerRound = 200;
constexpr int rounds = 10;
// Bounds for conditions, not delays: hundreds of TLS handshakes on two cores, several times slower
// under the sanitizers.
constexpr int roundTimeoutMs = 60000;

// A WebSocket spoken by hand over a QSslSocket (or a plain QTcpSocket): a client that is not
// QWebSocket, reading frames as they come.
class RawClient
{
public:
    RawClient(quint16 port, const QSslConfiguration *tls, const QByteArray &name)
        : m_socket(tls ? new QSslSocket : new QTcpSocket)
    {
        m_request = upgradeRequest("X-Athena-Client: " + name + "\r\n");
        if (tls) {
            auto *secure = static_cast<QSslSocket *>(m_socket.get());
            secure->setSslConfiguration(*tls);
            QObject::connect(secure, &QSslSocket::encrypted, secure, [this] { m_socket->write(m_request); });
            secure->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        } else {
            QObject::connect(m_socket.get(), &QTcpSocket::connected, m_socket.get(),
                             [this] { m_socket->write(m_request); });
            m_socket->connectToHost(QHostAddress::LocalHost, port);
        }
        QObject::connect(m_socket.get(), &QTcpSocket::readyRead, m_socket.get(), [this] { read(); });
    }

    void send(const QByteArray &json) { m_socket->write(maskedClientFrame(0x81, json)); }
    const QList<QByteArray> &texts() const { return m_texts; }
    QString state() const
    {
        return QStringLiteral("raw client: upgraded %1, %2 texts, socket state %3, %4")
            .arg(m_upgraded)
            .arg(m_texts.size())
            .arg(int(m_socket->state()))
            .arg(m_socket->errorString());
    }

private:
    void read()
    {
        m_buffer.append(m_socket->readAll());
        if (!m_upgraded) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            m_upgraded = m_buffer.startsWith("HTTP/1.1 101");
            m_buffer.remove(0, end + 4);
        }
        for (const auto &[opcode, payload] : takeWebSocketFrames(m_buffer))
            if (opcode == 1)
                m_texts.append(payload);
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_request;
    QByteArray m_buffer;
    bool m_upgraded = false;
    QList<QByteArray> m_texts;
};

} // namespace

class TestStorm : public QObject
{
    Q_OBJECT

    LoopbackCertificate m_tls;

    // curl against the server over http(s): what it printed. `body` makes it a POST.
    QByteArray curl(quint16 port, bool tls, const QString &path, const QString &body = {})
    {
        QProcess curl;
        QStringList arguments{QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("30")};
        if (tls)
            arguments << QStringLiteral("--cacert") << m_tls.cert;
        if (!body.isEmpty())
            arguments << QStringLiteral("-d") << body;
        arguments << QStringLiteral("%1://127.0.0.1:%2%3").arg(tls ? u"https" : u"http").arg(port).arg(path);
        curl.start(QStringLiteral("curl"), arguments);
        // The server is another process: waiting here blocks nothing of it.
        curl.waitForFinished(40000);
        return curl.readAllStandardOutput() + curl.readAllStandardError();
    }

    void storm(bool tls)
    {
        QStringList arguments{QStringLiteral("--in-memory"), QStringLiteral("--delivery-threads"), QStringLiteral("4")};
        if (tls)
            arguments << QStringLiteral("--tls-cert") << m_tls.cert << QStringLiteral("--tls-key") << m_tls.key;
        auto server = startHeadless(arguments);
        QVERIFY2(server->port, server->log.constData());
        const QSslConfiguration configuration = m_tls.trusting();
        const QString scheme = tls ? QStringLiteral("wss") : QStringLiteral("ws");

        std::vector<std::unique_ptr<TestWsClient>> leaving; // last round's, disconnecting meanwhile
        for (int round = 1; round <= rounds; ++round) {
            std::vector<std::unique_ptr<TestWsClient>> clients;
            for (int i = 0; i < clientsPerRound; ++i) {
                QNetworkRequest request(QUrl(QStringLiteral("%1://127.0.0.1:%2/ws").arg(scheme).arg(server->port)));
                request.setRawHeader("X-Athena-Client", QByteArray("storm-") + QByteArray::number(i));
                if (tls)
                    request.setSslConfiguration(configuration);
                clients.push_back(std::make_unique<TestWsClient>(request));
            }
            RawClient raw(server->port, tls ? &configuration : nullptr, "storm-raw");
            // The previous round leaves while this one connects.
            for (size_t i = 0; i < leaving.size(); ++i) {
                if (i % 2)
                    leaving[i]->socket().abort();
                else
                    leaving[i]->socket().close();
            }

            // Every client is greeted; then it subscribes to the shared channel.
            QTRY_VERIFY_WITH_TIMEOUT(
                std::all_of(clients.begin(), clients.end(), [](const auto &c) { return !c->messages().isEmpty(); }),
                roundTimeoutMs);
            QTRY_VERIFY2_WITH_TIMEOUT(!raw.texts().isEmpty(), qPrintable(raw.state()), roundTimeoutMs);
            for (size_t i = 0; i < clients.size(); ++i) {
                QCOMPARE(clients[i]->messages().first().value(u"status").toString(), QStringLiteral("subscribed"));
                QCOMPARE(clients[i]->messages().first().value(u"client_id").toString(),
                         QStringLiteral("storm-%1").arg(i));
                clients[i]->sendJson({{QStringLiteral("type"), QStringLiteral("subscribe")},
                                      {QStringLiteral("organization_id"), QStringLiteral("storm")}});
            }
            raw.send(R"({"type":"subscribe","organization_id":"storm"})");
            QTRY_VERIFY_WITH_TIMEOUT(
                std::all_of(clients.begin(), clients.end(), [](const auto &c) { return c->messages().size() >= 2; }),
                roundTimeoutMs);
            QTRY_VERIFY2_WITH_TIMEOUT(raw.texts().size() >= 2, qPrintable(raw.state()), roundTimeoutMs);

            const QByteArray answer =
                curl(server->port, tls, QStringLiteral("/events"),
                     QStringLiteral(R"({"organization_id":"storm","data":{"round":%1,"text":"ünïcode"}})").arg(round));
            QVERIFY2(answer.contains(QByteArray("\"seq\":" + QByteArray::number(round))), answer.constData());
            const QByteArray payload = QStringLiteral(R"("payload":{"round":%1,"text":"ünïcode"})").arg(round).toUtf8();
            QTRY_VERIFY_WITH_TIMEOUT(
                std::all_of(clients.begin(), clients.end(), [](const auto &c) { return c->messages().size() >= 3; }),
                roundTimeoutMs);
            QTRY_VERIFY2_WITH_TIMEOUT(raw.texts().size() >= 3, qPrintable(raw.state()), roundTimeoutMs);
            for (const auto &client : clients) {
                QCOMPARE(client->eventSeqs(QStringLiteral("storm")), QList<qint64>{round});
                QVERIFY2(client->rawTexts().last().toUtf8().contains(payload), qPrintable(client->rawTexts().last()));
            }
            QVERIFY2(raw.texts().last().contains(payload), raw.texts().last().constData());
            QCOMPARE(server->process->state(), QProcess::Running);
            leaving = std::move(clients);
        }
        for (size_t i = 0; i < leaving.size(); ++i)
            leaving[i]->socket().close();
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(leaving.begin(), leaving.end(),
                        [](const auto &c) { return c->socket().state() == QAbstractSocket::UnconnectedState; }),
            roundTimeoutMs);
        // Everyone has gone: the server says so, and stops cleanly (its log read once more).
        QTRY_VERIFY_WITH_TIMEOUT(curl(server->port, tls, QStringLiteral("/health")).contains("\"connections\":0"),
                                 roundTimeoutMs);
        QCOMPARE(server->process->state(), QProcess::Running);
        QVERIFY2(server->stop(), server->log.constData());
        QVERIFY2(server->process->exitStatus() == QProcess::NormalExit && server->process->exitCode() == 0,
                 server->readLog().right(1'500).constData());
        QVERIFY(server->readLog().count("client connected:") == qsizetype(rounds) * (clientsPerRound + 1));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QSslSocket::supportsSsl());
        QVERIFY2(m_tls.error.isEmpty(), qPrintable(m_tls.error));
    }

    void wssClientsInRoundsAreAllServed() { storm(true); }
    void wsClientsInRoundsAreAllServed() { storm(false); }
};

QTEST_GUILESS_MAIN(TestStorm)
#include "tst_storm.moc"

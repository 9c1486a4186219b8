#include "TestWsClient.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QTest>

namespace {

QNetworkRequest requestFor(quint16 port, const QString &clientName)
{
    QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port)));
    if (!clientName.isEmpty())
        request.setRawHeader("X-Athena-Client", clientName.toUtf8());
    return request;
}

} // namespace

TestWsClient::TestWsClient(quint16 port, const QString &clientName, QObject *parent)
    : TestWsClient(requestFor(port, clientName), parent)
{}

TestWsClient::TestWsClient(const QNetworkRequest &request, QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_texts.append(text);
        m_messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_disconnected = true; });
    if (request.url().scheme() == u"wss")
        m_socket.setSslConfiguration(request.sslConfiguration());
    m_socket.open(request);
}

bool TestWsClient::waitConnected(int timeoutMs)
{
    return QTest::qWaitFor([this] { return isConnected() || m_disconnected; }, timeoutMs) && isConnected();
}

bool TestWsClient::waitForMessages(qsizetype count, int timeoutMs)
{
    return QTest::qWaitFor([this, count] { return m_messages.size() >= count; }, timeoutMs);
}

bool TestWsClient::waitForDisconnect(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_disconnected; }, timeoutMs);
}

QJsonObject TestWsClient::waitForStatus(const QString &status, qsizetype afterIndex, int timeoutMs)
{
    QJsonObject found;
    (void)QTest::qWaitFor(
        [&] {
            for (qsizetype i = afterIndex; i < m_messages.size(); ++i) {
                if (m_messages[i].value(QStringLiteral("status")).toString() == status) {
                    found = m_messages[i];
                    return true;
                }
            }
            return false;
        },
        timeoutMs);
    return found;
}

void TestWsClient::sendJson(const QJsonObject &object)
{
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void TestWsClient::sendText(const QString &text)
{
    m_socket.sendTextMessage(text);
}

QList<QJsonObject> TestWsClient::events() const
{
    QList<QJsonObject> result;
    for (const QJsonObject &message : m_messages)
        if (message.contains(QStringLiteral("data")))
            result.append(message);
    return result;
}

QList<qint64> TestWsClient::eventSeqs(const QString &channel) const
{
    QList<qint64> seqs;
    for (const QJsonObject &event : events()) {
        if (!channel.isEmpty() && event.value(QStringLiteral("organization_id")).toString() != channel)
            continue;
        seqs.append(event.value(QStringLiteral("data")).toObject().value(QStringLiteral("seq")).toInteger());
    }
    return seqs;
}

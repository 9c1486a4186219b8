#pragma once

#include <QJsonObject>
#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QWebSocket>

// A real QWebSocket client that records every frame it receives, for integration tests.
class TestWsClient : public QObject
{
    Q_OBJECT

public:
    // Connects to ws://127.0.0.1:port/ws with X-Athena-Client set to `clientName` (none if empty).
    TestWsClient(quint16 port, const QString &clientName, QObject *parent = nullptr);
    // Opens exactly this request (URL with a query, Authorization, Origin...).
    explicit TestWsClient(const QNetworkRequest &request, QObject *parent = nullptr);

    bool waitConnected(int timeoutMs = 5000);
    bool waitForMessages(qsizetype count, int timeoutMs = 5000);
    bool waitForDisconnect(int timeoutMs = 5000);
    // Waits for the next status frame with this "status" value received after `afterIndex`.
    QJsonObject waitForStatus(const QString &status, qsizetype afterIndex = 0, int timeoutMs = 5000);

    void sendJson(const QJsonObject &object);
    void sendText(const QString &text);

    // Every frame, parsed; event frames are the ones with "data".
    const QList<QJsonObject> &messages() const { return m_messages; }
    QList<QJsonObject> events() const;
    QList<qint64> eventSeqs(const QString &channel = {}) const;
    const QStringList &rawTexts() const { return m_texts; }

    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QWebSocketProtocol::CloseCode closeCode() const { return m_socket.closeCode(); }
    QString closeReason() const { return m_socket.closeReason(); }
    QWebSocket &socket() { return m_socket; }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_messages;
    QStringList m_texts;
    bool m_disconnected = false;
};

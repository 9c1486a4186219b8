#include "ClientSocket.h"

#include "ClientTransport.h"

#include <QJsonDocument>

namespace cdc::client {

ClientSocket::ClientSocket(const ClientOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_socket.setSslConfiguration(sslConfiguration(options));
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        m_wasOpen = true;
        Q_EMIT opened();
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &ClientSocket::onTextMessage);
    connect(&m_socket, &QWebSocket::disconnected, this, &ClientSocket::onDisconnected);
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, // errorOccurred from Qt 6.5
            [this](QAbstractSocket::SocketError) {
                // The reason comes with the disconnect that follows; keep the first one.
                if (m_error.isEmpty())
                    m_error = m_socket.errorString();
            });
    connect(&m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        if (m_error.isEmpty() && !errors.isEmpty())
            m_error = QStringLiteral("certificate: ") + errors.constFirst().errorString();
    });
}

void ClientSocket::open()
{
    QNetworkRequest request = makeRequest(m_options, m_options.server.webSocket);
    request.setRawHeader("X-Athena-Client", m_options.clientName.toUtf8());
    m_socket.open(request);
}

void ClientSocket::send(const QJsonObject &message)
{
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void ClientSocket::closeNormally()
{
    m_closing = true;
    m_socket.close(QWebSocketProtocol::CloseCodeNormal);
}

void ClientSocket::onTextMessage(const QString &message)
{
    const QByteArray frame = message.toUtf8();
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(frame, &parseError);
    if (!document.isObject()) {
        m_error = QStringLiteral("the server sent a frame that is not a JSON object: ") + message.left(200);
        m_socket.abort();
        return;
    }
    Q_EMIT frameReceived(frame, document.object());
}

void ClientSocket::onDisconnected()
{
    if (m_closing) {
        Q_EMIT closed();
        return;
    }
    if (m_reported)
        return;
    m_reported = true;
    if (!m_wasOpen) {
        Q_EMIT failed(
            describeConnectionError(m_options.server.webSocket, m_error.isEmpty() ? m_socket.errorString() : m_error));
        return;
    }
    const QString reason = m_socket.closeReason();
    Q_EMIT failed(QStringLiteral("the server closed the connection (code %1%2)")
                      .arg(int(m_socket.closeCode()))
                      .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
}

} // namespace cdc::client

#pragma once

#include "ClientOptions.h"

#include <QJsonObject>
#include <QObject>
#include <QWebSocket>

namespace cdc::client {

// The WebSocket of tail and travel: connects as --client with the token, hands each text frame
// over parsed, and turns every way the connection can end into one failure message.
class ClientSocket : public QObject
{
    Q_OBJECT

public:
    explicit ClientSocket(const ClientOptions &options, QObject *parent = nullptr);

    void open();
    void send(const QJsonObject &message);
    // Ends the connection normally (1000); no failure is reported for it.
    void closeNormally();

Q_SIGNALS:
    void opened();
    void frameReceived(const QByteArray &frame, const QJsonObject &object);
    void failed(const QString &message);
    void closed(); // after closeNormally()

private:
    void onTextMessage(const QString &message);
    void onDisconnected();

    const ClientOptions &m_options;
    QWebSocket m_socket;
    QString m_error;
    bool m_wasOpen = false;
    bool m_closing = false;
    bool m_reported = false;
};

} // namespace cdc::client

#pragma once

#include "ConnectionSettings.h"

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>

#include <memory>

namespace cdc {

class ConnectionThreads;

// The one listening port. It only accepts: each accepted descriptor goes at once to a connection
// thread (ConnectionThreads), where its socket is created and lives until it closes — TLS
// handshake, HTTP, upgrade and WebSocket alike. It serves under the settings it was made with;
// when it goes (a reconfigure), the HTTP connections it accepted are closed.
class FrontDoor : public QObject
{
    Q_OBJECT

public:
    FrontDoor(const ServerConfig &config, ConnectionThreads &threads, QObject *parent = nullptr);
    ~FrontDoor() override;

    bool listen(QString *errorMessage);
    void stopListening();
    bool isListening() const { return m_tcpServer->isListening(); }
    QHostAddress address() const { return m_tcpServer->serverAddress(); }
    quint16 port() const { return m_tcpServer->serverPort(); }

private:
    ConnectionThreads &m_threads;
    std::shared_ptr<const ConnectionSettings> m_settings;
    std::unique_ptr<QTcpServer> m_tcpServer;
};

} // namespace cdc

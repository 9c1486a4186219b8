#pragma once

#include "ConnectionLimiter.h"
#include "ServerConfig.h"

#include <QObject>
#include <QTcpServer>

#include <memory>

namespace cdc {

class HttpApi;
class SessionHub;
struct ServerMetrics;

// The one listening port: every accepted connection starts as an HttpConnection; valid /ws
// upgrades continue into the SessionHub, which hands them to a delivery thread.
class FrontDoor : public QObject
{
    Q_OBJECT

public:
    FrontDoor(const ServerConfig &config, HttpApi &api, SessionHub &hub, ServerMetrics &metrics,
              QObject *parent = nullptr);

    bool listen(QString *errorMessage);
    void stopListening();
    bool isListening() const { return m_tcpServer->isListening(); }
    QHostAddress address() const { return m_tcpServer->serverAddress(); }
    quint16 port() const { return m_tcpServer->serverPort(); }

private:
    void acceptPending();

    const ServerConfig &m_config;
    HttpApi &m_api;
    SessionHub &m_hub;
    ServerMetrics &m_metrics;
    // A QSslServer with --tls-cert: it completes the TLS handshake before a connection is
    // pending, so everything after sees a decrypted stream.
    std::unique_ptr<QTcpServer> m_tcpServer;
    ConnectionLimiter m_limiter;
};

} // namespace cdc

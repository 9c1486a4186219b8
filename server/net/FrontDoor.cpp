#include "FrontDoor.h"

#include "HttpConnection.h"
#include "Logging.h"
#include "ServerMetrics.h"
#include "SessionHub.h"

#include <QSslServer>
#include <QSslSocket>
#include <QTcpSocket>

namespace cdc {

FrontDoor::FrontDoor(const ServerConfig &config, HttpApi &api, SessionHub &hub, ServerMetrics &metrics, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_api(api)
    , m_hub(hub)
    , m_metrics(metrics)
    , m_limiter(m_config.maxConnections, m_config.maxConnectionsPerIp)
{
    if (m_config.tls) {
        auto tlsServer = std::make_unique<QSslServer>();
        tlsServer->setSslConfiguration(*m_config.tls);
        tlsServer->setHandshakeTimeout(int(m_config.headTimeout.count()));
        // A plain ws:// or http:// client on the TLS port fails its handshake: it is dropped, and
        // counted, without disturbing anyone else.
        connect(tlsServer.get(), &QSslServer::errorOccurred, this,
                [this](QSslSocket *socket, QAbstractSocket::SocketError) {
                    m_metrics.countError(QStringLiteral("tls_handshake_failed"));
                    qCDebug(lcNet).noquote() << "TLS handshake failed with" << socket->peerAddress().toString() << ':'
                                             << socket->errorString();
                });
        m_tcpServer = std::move(tlsServer);
    } else {
        m_tcpServer = std::make_unique<QTcpServer>();
    }
    // Qt's default backlog of 50 drops SYNs when hundreds of clients reconnect at once (after a
    // restart or a network blip), and each dropped one waits out a 1 s, then 3 s retransmission.
    m_tcpServer->setListenBacklogSize(1024);
    // Emitted once a connection is ready to take: for the TLS server, after its handshake.
    connect(m_tcpServer.get(), &QTcpServer::pendingConnectionAvailable, this, &FrontDoor::acceptPending);
}

bool FrontDoor::listen(QString *errorMessage)
{
    if (m_tcpServer->listen(m_config.bindAddress, m_config.port))
        return true;
    if (errorMessage)
        *errorMessage = m_tcpServer->errorString();
    return false;
}

void FrontDoor::stopListening()
{
    m_tcpServer->close();
}

void FrontDoor::acceptPending()
{
    while (QTcpSocket *socket = m_tcpServer->nextPendingConnection()) {
        auto *connection = new HttpConnection(socket, m_config, m_api, m_metrics, this);
        auto admitted = m_limiter.admit(socket->peerAddress());
        if (const auto *refusal = std::get_if<ConnectionLimiter::Refusal>(&admitted)) {
            m_metrics.countLimit(refusal->limit);
            qCWarning(lcNet).noquote() << "refused a connection from" << socket->peerAddress().toString() << ':'
                                       << refusal->message;
            connection->refuseOnArrival(HttpResponse::error(refusal->status, refusal->code, refusal->message));
            continue;
        }
        connection->holdSlot(std::get<ConnectionSlot>(std::move(admitted)));
        connection->onUpgrade([this](UpgradedConnection upgraded) { m_hub.adopt(std::move(upgraded)); });
    }
}

} // namespace cdc

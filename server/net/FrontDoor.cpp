#include "FrontDoor.h"

#include "HttpConnection.h"
#include "Logging.h"
#include "ServerMetrics.h"
#include "SessionHub.h"
#include "UpgradeIdentity.h"
#include "protocol/ClientMessage.h"

#include <QSslServer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QWebSocket>

namespace cdc {

FrontDoor::FrontDoor(const ServerConfig &config, HttpApi &api, SessionHub &hub, ServerMetrics &metrics, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_api(api)
    , m_hub(hub)
    , m_metrics(metrics)
    , m_webSocketServer(QStringLiteral("cdcscope/" CDCSCOPE_VERSION), QWebSocketServer::NonSecureMode)
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
    m_webSocketServer.setHandshakeTimeout(m_config.headTimeout);
    // Emitted once a connection is ready to take: for the TLS server, after its handshake.
    connect(m_tcpServer.get(), &QTcpServer::pendingConnectionAvailable, this, &FrontDoor::acceptPending);
    connect(&m_webSocketServer, &QWebSocketServer::newConnection, this, &FrontDoor::adoptUpgraded);
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
        if (const auto refusal = m_limiter.admit(socket)) {
            m_metrics.countLimit(refusal->limit);
            qCWarning(lcNet).noquote() << "refused a connection from" << socket->peerAddress().toString() << ':'
                                       << refusal->message;
            connection->refuseOnArrival(HttpResponse::error(refusal->status, refusal->code, refusal->message));
            continue;
        }
        connect(connection, &HttpConnection::upgradeReady, this, [this](QTcpSocket *upgrading) {
            // Parented here so that a socket whose handshake fails inside Qt is still freed with
            // the server; a successful upgrade moves it into its QWebSocket.
            upgrading->setParent(&m_webSocketServer);
            m_webSocketServer.handleConnection(upgrading);
        });
    }
}

void FrontDoor::adoptUpgraded()
{
    while (QWebSocket *socket = m_webSocketServer.nextPendingConnection()) {
        // HttpConnection checked the head before the handover; the handshake request still has it,
        // and is read the same way again.
        const QNetworkRequest &request = socket->request();
        const UpgradeIdentity identity =
            upgradeIdentity(request.rawHeader(QByteArrayLiteral("X-Athena-Client")),
                            request.rawHeader(QByteArrayLiteral("Authorization")), request.url().query().toUtf8());
        Access access;
        if (m_config.accessControl) {
            const auto granted = m_config.accessControl->authenticate(identity.token);
            if (const auto *known = std::get_if<Access>(&granted))
                access = *known;
            else
                access = Access{{}, false, {}, {}, false};
        }
        if (identity.clientId.isEmpty() || !access.mayUseClient(identity.clientId)) {
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("client not allowed"));
            socket->deleteLater();
            continue;
        }
        m_hub.adopt(socket, identity.clientId, access);
    }
}

} // namespace cdc

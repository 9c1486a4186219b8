#pragma once

#include "ChunkedBodyDecoder.h"
#include "ConnectionLimiter.h"
#include "HttpRequestHead.h"
#include "HttpResponse.h"
#include "ServerConfig.h"
#include "auth/AccessControl.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace cdc {

class HttpApi;
struct ServerMetrics;

// A connection whose WebSocket upgrade was accepted: its request head is consumed, and the 101
// response that completes the handshake is still to be sent (first, by the delivery thread).
struct UpgradedConnection
{
    QTcpSocket *socket = nullptr; // unparented; a QSslSocket with TLS
    QByteArray handshakeResponse;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    QString clientId;
    Access access;
    ConnectionSlot slot;
};

// One accepted TCP connection until it either upgrades to a WebSocket or closes: reads request
// heads by peeking (so nothing is consumed until the request is known to be whole), enforces the
// head size and time limits, reads bodies (Content-Length or chunked, answering Expect:
// 100-continue), and answers plain HTTP with keep-alive, HEAD and CORS. A valid /ws
// upgrade is checked here in full (RFC 6455 handshake, client name, origin, token) and handed on.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    HttpConnection(QTcpSocket *socket, const ServerConfig &config, HttpApi &api, ServerMetrics &metrics,
                   QObject *parent = nullptr);

    // Refuses the connection (a connection limit) with `response` without serving its request: the
    // answer goes out once the request head has arrived — a client that has not finished sending
    // would otherwise lose it to the reset a close with unread data causes — or after one second.
    // Whatever the client sends is read and dropped.
    void refuseOnArrival(HttpResponse response);
    // The place this connection holds in the connection limits; it goes on with an upgrade.
    void holdSlot(ConnectionSlot slot) { m_slot = std::move(slot); }
    // Called with a connection that upgraded; this object has let go of it and deletes itself.
    void onUpgrade(std::function<void(UpgradedConnection)> handler) { m_upgradeHandler = std::move(handler); }

private:
    enum class State { AwaitingRequest, ReadingHead, ReadingBody, AwaitingResponse, Closing };

    void onReadyRead();
    // Handles at most one request from the buffered bytes; false when more bytes are needed.
    bool processBuffered();
    bool routeHead(const HttpRequestHead &head, qsizetype headLength);
    // How the body is delimited (Content-Length or chunked); false when the request was refused.
    bool readFraming(const HttpRequestHead &head);
    bool readSizedBody();
    bool readChunkedBody();
    // Hands a complete request to the API; true when its answer is already sent.
    bool dispatch(const QByteArray &body);
    // An upgrade request on /ws: refused with an HTTP error, or handed over.
    void handleUpgradePath(const HttpRequestHead &head, qsizetype headLength);
    void finishRequest();
    void respond(HttpResponse response, bool keepAlive);
    void refuseAndClose(int status, const QString &code, const QString &message, const QString &hint = {},
                        const QString &title = {});
    void onTimeout();
    void armTimer(std::chrono::milliseconds timeout);

    QTcpSocket *m_socket;
    const ServerConfig &m_config;
    HttpApi &m_api;
    ServerMetrics &m_metrics;
    QTimer m_timer;
    State m_state = State::AwaitingRequest;
    bool m_servedAny = false;
    HttpRequestHead m_head;
    std::optional<HttpResponse> m_refusal;
    qint64 m_bodyLength = 0;
    std::optional<ChunkedBodyDecoder> m_chunked; // while a chunked body is read
    ConnectionSlot m_slot;
    std::function<void(UpgradedConnection)> m_upgradeHandler;
};

} // namespace cdc

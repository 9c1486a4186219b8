#pragma once

#include "HttpRequestHead.h"
#include "HttpResponse.h"
#include "ServerConfig.h"

#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace cdc {

class HttpApi;
struct ServerMetrics;

// One accepted TCP connection until it either upgrades to a WebSocket or closes: reads request
// heads by peeking (so an upgrade can be handed to QWebSocketServer untouched), enforces the
// head size and time limits, reads bodies, and answers plain HTTP with keep-alive.
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

Q_SIGNALS:
    // The socket's unread bytes are a valid upgrade on /ws. The receiver takes the socket over;
    // this object has let go of it and deletes itself.
    void upgradeReady(QTcpSocket *socket);

private:
    enum class State { AwaitingRequest, ReadingHead, ReadingBody, AwaitingResponse, Closing };

    void onReadyRead();
    // Handles at most one request from the buffered bytes; false when more bytes are needed.
    bool processBuffered();
    bool routeHead(const HttpRequestHead &head, qsizetype headLength);
    // An upgrade request on /ws: refused with an HTTP error, or handed over.
    void handleUpgradePath(const HttpRequestHead &head, qsizetype headLength);
    void finishRequest();
    void respond(const HttpResponse &response, bool keepAlive);
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
};

} // namespace cdc

#pragma once

#include "ChunkedBodyDecoder.h"
#include "ConnectionSettings.h"
#include "HttpRequestHead.h"
#include "HttpResponse.h"
#include "auth/AccessControl.h"
#include "protocol/PermessageDeflate.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

class QTcpSocket;

namespace cdc {

class HttpConnection;
struct ServerMetrics;

// A /ws upgrade that passed every check: the 101 response that completes the handshake (to be
// sent first), who the client is and what its token allows.
struct UpgradeAccepted
{
    QByteArray handshakeResponse;
    std::optional<ws::DeflateAgreement> deflate; // permessage-deflate, when agreed
    QString clientId;
    Access access;
};

// What an HttpConnection needs from the thread that owns it (its DeliveryLane). Every call returns
// at once: what the engine thread does with it is posted there.
class HttpConnectionHost
{
public:
    virtual ~HttpConnectionHost() = default;
    // A whole request for the engine's HttpApi; the answer comes back as connection.answer().
    // `access`: what the request's token allows, checked on its head.
    virtual void request(HttpConnection &connection, const HttpRequestHead &head, const QByteArray &body,
                         const Access &access) = 0;
    // The connection upgraded: the host takes `socket` (its head consumed) and continues it as a
    // WebSocket; `connection` has let go of it and deletes itself.
    virtual void upgrade(HttpConnection &connection, QTcpSocket *socket, UpgradeAccepted accepted) = 0;
    // The next page of the paged answer being sent (`pages`, made on the engine thread); it comes
    // back as connection.answerPage().
    virtual void nextPage(HttpConnection &connection, std::shared_ptr<ResponsePages> pages) = 0;
    // A change to the engine's counters, applied on the engine thread.
    virtual void count(std::function<void(ServerMetrics &)> update) = 0;
};

// One accepted TCP connection until it either upgrades to a WebSocket or closes: reads request
// heads by peeking (so nothing is consumed until the request is known to be whole), enforces the
// head size and time limits, reads bodies (Content-Length or chunked, answering Expect:
// 100-continue), and answers plain HTTP with keep-alive, HEAD and CORS. A valid /ws
// upgrade is checked here in full (RFC 6455 handshake, client name, origin, token) and handed on.
// Lives on the connection thread that created its socket, from accept (and TLS handshake) on; the
// engine is reached only through the host.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    // `socket` was created on this thread; a QSslSocket may still be in its server handshake.
    HttpConnection(quint64 id, QTcpSocket *socket, std::shared_ptr<const ConnectionSettings> settings,
                   HttpConnectionHost &host, QObject *parent = nullptr);

    quint64 id() const { return m_id; }
    const ConnectionSettings *settings() const { return m_settings.get(); }
    // The engine's answer to the request handed to the host.
    void answer(const HttpResponse &response);
    // The next page of a paged answer (empty: the end).
    void answerPage(const QByteArray &page);
    // Ends the connection at once (its settings were retired); it deletes itself.
    void drop();

    // Refuses the connection (a connection limit) with `response` without serving its request: the
    // answer goes out once the request head has arrived — a client that has not finished sending
    // would otherwise lose it to the reset a close with unread data causes — or after one second.
    // Whatever the client sends is read and dropped.
    void refuseOnArrival(HttpResponse response);

private:
    enum class State { AwaitingRequest, ReadingHead, ReadingBody, AwaitingResponse, SendingPages, Closing };

    void onReadyRead();
    void onBytesWritten();
    // Reads and drops what remains of a refused request's body; closes once it has all come.
    void dropLingering();
    // The body bytes a refused head will still be followed by: its Content-Length; 0 when none will
    // come (100-continue) or there is no length to wait for (chunked).
    static qint64 declaredBodyLength(const HttpRequestHead &head);
    // Handles at most one request from the buffered bytes; false when more bytes are needed.
    bool processBuffered();
    bool routeHead(const HttpRequestHead &head, qsizetype headLength);
    // How the body is delimited (Content-Length or chunked); false when the request was refused.
    bool readFraming(const HttpRequestHead &head);
    bool readSizedBody();
    bool readChunkedBody();
    // Hands a complete request to the engine; its answer comes back later (answer()).
    void dispatch(const QByteArray &body);
    struct Refusal
    {
        int status;
        QString code;
        QString message;
        QString hint;
    };
    // Why the request's Host or Origin may not use this server (403), or a missing Host (400).
    std::optional<Refusal> siteRefusal(const HttpRequestHead &head) const;
    void armBodyDeadline(qint64 received);
    // 503: the server's body budget has no room for this request's body.
    void refuseBusy();
    void onTlsError();
    // An upgrade request on /ws: refused with an HTTP error, or handed over.
    void handleUpgradePath(const HttpRequestHead &head, qsizetype headLength);
    void respond(HttpResponse response, bool keepAlive);
    // After an answer has been written whole: the next request, or the close.
    void finishResponse(bool keep);
    // Asks for the next page of a paged answer once what was written has nearly left.
    void wantPage();
    void refuseAndClose(int status, const QString &code, const QString &message, const QString &hint = {},
                        const QString &title = {});
    void onTimeout();
    void armTimer(std::chrono::milliseconds timeout);

    quint64 m_id;
    QTcpSocket *m_socket;
    std::shared_ptr<const ConnectionSettings> m_settings;
    const ServerConfig &m_config; // m_settings->config
    HttpConnectionHost &m_host;
    QTimer m_timer;
    State m_state = State::AwaitingRequest;
    bool m_servedAny = false;
    HttpRequestHead m_head;
    std::optional<HttpResponse> m_refusal;
    Access m_access; // what the current request's token allows
    qint64 m_bodyLength = 0;
    QByteArray m_body;     // a Content-Length body as it arrives
    ByteShare m_bodyShare; // the current body's share of the server's body budget
    QElapsedTimer m_bodyClock;
    std::optional<ChunkedBodyDecoder> m_chunked; // while a chunked body is read
    // A paged answer being sent: its pages, whether they go chunked, whether the connection
    // stays open after it, and whether a page has been asked for.
    std::shared_ptr<ResponsePages> m_pages;
    bool m_pagesChunked = true;
    bool m_keepAfterPages = false;
    bool m_pageAsked = false;
    qint64 m_lingerBytes = 0; // of a refused request's body, to drop before the close
};

} // namespace cdc

#include "HttpConnection.h"

#include "Logging.h"
#include "ServerMetrics.h"
#include "UpgradeIdentity.h"
#include "protocol/ClientMessage.h"
#include "protocol/WsWire.h"

#include <QSslSocket>
#include <QTcpSocket>

namespace cdc {

namespace {

QString wsHint(bool tls)
{
    return tls ? QStringLiteral("Send the header 'X-Athena-Client: <client_name>' with the WebSocket upgrade "
                                "request (browsers: ?client=<client_name>). This server speaks TLS: use wss://.")
               : QStringLiteral("Send the header 'X-Athena-Client: <client_name>' with the WebSocket upgrade request "
                                "(browsers: ?client=<client_name>). Use ws:// for this server (plain HTTP): wss:// "
                                "against it fails with WRONG_VERSION_NUMBER, the TLS library's way of saying the "
                                "server answered in plain text.");
}

void countLimit(HttpConnectionHost &host, const QString &limit)
{
    host.count([limit](ServerMetrics &metrics) { metrics.countLimit(limit); });
}

void countError(HttpConnectionHost &host, const QString &code)
{
    host.count([code](ServerMetrics &metrics) { metrics.countError(code); });
}

// What the socket may read ahead of us: a whole request head, and body bytes in pieces of this
// size. While a request waits for its answer nothing more is read, so a client that pipelines
// requests (or sends a body nobody asked for) fills its own kernel buffers, not our memory.
qint64 readAheadBytes(const ServerConfig &config)
{
    return std::max<qint64>(config.maxHeadBytes + 4, qint64(256) << 10);
}

HttpResponse busyResponse(const QString &code, const QString &message)
{
    HttpResponse response = HttpResponse::error(503, code, message, QStringLiteral("retry in a moment"));
    response.extraHeaders.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
    return response;
}

} // namespace

HttpConnection::HttpConnection(quint64 id, QTcpSocket *socket, std::shared_ptr<const ConnectionSettings> settings,
                               HttpConnectionHost &host, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_socket(socket)
    , m_settings(std::move(settings))
    , m_config(m_settings->config)
    , m_host(host)
    , m_bodyShare(m_settings->bodyBudget)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(readAheadBytes(m_config));
    // Frames are small and latency matters more than packet count: no Nagle delay (which, with
    // delayed ACKs, holds a small frame back for up to 40 ms).
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    // A TLS handshake that fails (a plain http:// or ws:// client on the TLS port) drops the
    // connection, counted, without disturbing anyone else. Once encrypted, errors are the socket's.
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket))
        connect(tls, &QSslSocket::errorOccurred, this, &HttpConnection::onTlsError);
    // A new connection owes us a request head (after its TLS handshake) within the head timeout,
    // like any started head.
    armTimer(m_config.headTimeout);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

void HttpConnection::onTlsError()
{
    auto *tls = static_cast<QSslSocket *>(m_socket);
    if (tls->isEncrypted() || m_state == State::Closing)
        return;
    m_state = State::Closing;
    countError(m_host, QStringLiteral("tls_handshake_failed"));
    qCDebug(lcNet).noquote() << "TLS handshake failed with" << tls->peerAddress().toString() << ':'
                             << tls->errorString();
    m_timer.stop();
    tls->abort();
    deleteLater();
}

void HttpConnection::drop()
{
    m_state = State::Closing;
    m_timer.stop();
    m_socket->abort();
    deleteLater();
}

void HttpConnection::armTimer(std::chrono::milliseconds timeout)
{
    m_timer.start(timeout);
}

void HttpConnection::onReadyRead()
{
    if (m_state == State::Closing && m_lingerBytes != 0)
        return dropLingering();
    while (m_state != State::Closing && processBuffered()) {
    }
}

void HttpConnection::dropLingering()
{
    m_lingerBytes -= std::max<qint64>(0, m_socket->skip(std::min(m_lingerBytes, m_socket->bytesAvailable())));
    if (m_lingerBytes == 0)
        m_socket->disconnectFromHost(); // the refused body has all come: the close is clean now
}

qint64 HttpConnection::declaredBodyLength(const HttpRequestHead &head)
{
    // A client that waits for 100 Continue sends no body after a refusal; a chunked body (or
    // unclear framing) has no length to wait for: those connections close at once.
    if (head.hasHeader("transfer-encoding") ||
        head.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0)
        return 0;
    bool ok = false;
    const qint64 length = head.header("content-length").toLongLong(&ok);
    return ok && length > 0 ? length : 0;
}

void HttpConnection::onBytesWritten()
{
    if (m_state == State::SendingPages)
        return wantPage();
    // The last answer has left: the next pipelined request may be read.
    if (m_state == State::AwaitingRequest && m_socket->bytesToWrite() == 0 && m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void HttpConnection::wantPage()
{
    // The next page is made when the last has nearly left: at most about two pages are held for a
    // client, however slowly it reads (the timer cuts one that stops).
    constexpr qint64 lowWaterBytes = 64 * 1024;
    if (m_pageAsked || m_socket->bytesToWrite() > lowWaterBytes)
        return;
    m_pageAsked = true;
    m_host.nextPage(*this, m_pages);
}

void HttpConnection::answerPage(const QByteArray &page)
{
    if (m_state != State::SendingPages)
        return;
    m_pageAsked = false;
    armTimer(m_config.keepAliveTimeout); // a client that stops reading is cut
    if (!page.isEmpty()) {
        m_socket->write(m_pagesChunked ? HttpResponse::chunk(page) : page);
        return wantPage();
    }
    if (m_pagesChunked)
        m_socket->write(HttpResponse::chunk({}));
    m_pages.reset();
    finishResponse(m_keepAfterPages);
}

bool HttpConnection::processBuffered()
{
    if (m_state == State::ReadingBody)
        return m_chunked ? readChunkedBody() : readSizedBody();
    if (m_state == State::AwaitingResponse || m_state == State::SendingPages || m_state == State::Closing)
        return false;

    // One answer in flight: the next request is read once the last answer has left for the kernel
    // (and an upgrade is taken only then, so no answer before it is lost).
    if (m_socket->bytesAvailable() == 0 || m_socket->bytesToWrite() > 0)
        return false;
    if (m_state == State::AwaitingRequest) {
        m_state = State::ReadingHead;
        m_head = {}; // answers before this head is read (431, 408) answer no earlier request
        if (m_servedAny)
            armTimer(m_config.headTimeout);
    }

    const QByteArray peeked = m_socket->peek(m_config.maxHeadBytes + 4);
    // A TLS ClientHello (record type 22, version 3.x) on the plain port: a wss:// or https://
    // client. Answer at once in plain text, which its TLS library reports as WRONG_VERSION_NUMBER,
    // instead of waiting for a request head that never comes.
    if (!m_config.tls && peeked.size() >= 2 && peeked[0] == 0x16 && peeked[1] == 0x03) {
        countError(m_host, QStringLiteral("tls_on_plain_port"));
        refuseAndClose(400, QStringLiteral("tls_not_enabled"),
                       QStringLiteral("this server speaks plain HTTP and WebSocket: use http:// and ws://, or start it "
                                      "with --tls-cert and --tls-key for https:// and wss://"));
        return false;
    }
    const qsizetype headLength = HttpRequestHead::findEnd(peeked);
    if (headLength < 0 && HttpRequestHead::hasBareLineBreak(peeked)) {
        // Refused as soon as it is seen: the head would never end in CRLF CRLF.
        refuseAndClose(400, QStringLiteral("bad_request"),
                       QStringLiteral("malformed HTTP request: lines must end with CRLF; a bare CR or LF, or a NUL "
                                      "byte, is not allowed in the head"));
        return false;
    }
    if (headLength < 0 || headLength > m_config.maxHeadBytes) {
        if (peeked.size() >= m_config.maxHeadBytes || headLength > m_config.maxHeadBytes) {
            countLimit(m_host, QStringLiteral("head_size"));
            refuseAndClose(431, QStringLiteral("head_too_large"),
                           QStringLiteral("the request head is larger than %1 bytes").arg(m_config.maxHeadBytes));
        }
        return false;
    }

    auto parsed = HttpRequestHead::parse(QByteArrayView(peeked).first(headLength));
    if (const auto *error = std::get_if<QByteArray>(&parsed)) {
        refuseAndClose(400, QStringLiteral("bad_request"),
                       QStringLiteral("malformed HTTP request: %1").arg(QString::fromUtf8(*error)));
        return false;
    }
    return routeHead(std::get<HttpRequestHead>(parsed), headLength);
}

void HttpConnection::armBodyDeadline(qint64 received)
{
    // headTimeout for the whole body, and as long again for each minBodyBytesPerSecond that came:
    // steady uploads of any size pass, a trickle is cut however long it keeps going.
    const qint64 allowedMs = m_config.headTimeout.count() + received * 1000 / m_config.minBodyBytesPerSecond;
    armTimer(std::chrono::milliseconds(std::max<qint64>(0, allowedMs - m_bodyClock.elapsed())));
}

bool HttpConnection::readSizedBody()
{
    // The body grows as it arrives (its share of the budget was taken from its declared length).
    const qint64 missing = m_bodyLength - m_body.size();
    if (missing > 0 && m_socket->bytesAvailable() > 0)
        m_body.append(m_socket->read(std::min(missing, m_socket->bytesAvailable())));
    if (m_body.size() < m_bodyLength) {
        armBodyDeadline(m_body.size());
        return false;
    }
    dispatch(std::exchange(m_body, {}));
    return false;
}

bool HttpConnection::readChunkedBody()
{
    // Peek, decode, then consume only what the decoder used: bytes after the body belong to the
    // next (pipelined) request.
    const QByteArray available = m_socket->peek(std::min<qint64>(m_socket->bytesAvailable(), 1 << 20));
    const qsizetype used = m_chunked->feed(available);
    m_socket->skip(used);
    if (!m_bodyShare.growTo(m_chunked->decodedSize())) {
        countLimit(m_host, QStringLiteral("body_budget"));
        return refuseBusy(), false;
    }
    switch (m_chunked->state()) {
    case ChunkedBodyDecoder::State::Reading:
        armBodyDeadline(m_chunked->decodedSize());
        return used > 0 && m_socket->bytesAvailable() > 0;
    case ChunkedBodyDecoder::State::Malformed:
        refuseAndClose(400, QStringLiteral("bad_chunked_body"),
                       QStringLiteral("malformed chunked request body: %1").arg(m_chunked->problem()));
        return false;
    case ChunkedBodyDecoder::State::TooLarge:
        countLimit(m_host, QStringLiteral("body_size"));
        refuseAndClose(
            413, QStringLiteral("body_too_large"),
            QStringLiteral("the chunked request body exceeds the limit of %1 bytes").arg(m_config.maxBodyBytes));
        return false;
    case ChunkedBodyDecoder::State::Done:
        break;
    }
    const QByteArray body = m_chunked->takeBody();
    m_chunked.reset();
    dispatch(body);
    return false;
}

void HttpConnection::dispatch(const QByteArray &body)
{
    m_state = State::AwaitingResponse;
    m_timer.stop();
    // The engine answers on its own thread (a publish once its events are durable); pipelined
    // requests wait in the kernel's buffers until then (the socket reads no further ahead).
    m_host.request(*this, m_head, body, m_access);
}

void HttpConnection::answer(const HttpResponse &response)
{
    if (m_state != State::AwaitingResponse)
        return;
    m_bodyShare.release(); // the engine is done with the body
    respond(response, m_head.wantsKeepAlive());
    if (m_state == State::AwaitingRequest && m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

std::optional<HttpConnection::Refusal> HttpConnection::siteRefusal(const HttpRequestHead &head) const
{
    // RFC 9112 §3.2: every HTTP/1.1 request names the host it is for.
    if (head.versionMinor == 1 && !head.hasHeader("host"))
        return Refusal{400, QStringLiteral("missing_host"),
                       QStringLiteral("an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)"), {}};
    // A page on another site that rebinds its own name to this machine's address reaches us with
    // that name: only this machine's names are served on loopback (HostPolicy).
    const QByteArray host = head.header("host");
    if (head.hasHeader("host") && !m_settings->hosts.allows(host))
        return Refusal{
            403, QStringLiteral("forbidden_host"),
            QStringLiteral("this server does not answer to the name \"%1\"")
                .arg(HostPolicy::hostName(host).left(200)),
            QStringLiteral("Address it as localhost or by its IP address, or start it with --allowed-hosts %1 "
                           "(docs/security.md#web-pages)")
                .arg(HostPolicy::hostName(host).left(200))};
    // A web page can send requests (a form post needs no preflight) and open WebSockets to any
    // host its visitor reaches, this one included; only origins named by --allowed-origins may.
    // Clients outside browsers send no Origin.
    const QByteArray origin = head.header("origin");
    if (head.hasHeader("origin") && !m_settings->cors.allows(origin))
        return Refusal{
            403, QStringLiteral("forbidden_origin"),
            QStringLiteral("requests from the web origin %1 are not allowed").arg(QString::fromUtf8(origin.left(200))),
            QStringLiteral("Start the server with --allowed-origins %1 to allow this page (docs/security.md#web-pages).")
                .arg(QString::fromUtf8(origin.left(200)))};
    return std::nullopt;
}

bool HttpConnection::routeHead(const HttpRequestHead &head, qsizetype headLength)
{
    if (head.path == "/ws") {
        handleUpgradePath(head, headLength);
        return false;
    }

    m_socket->skip(headLength);
    m_head = head;
    m_bodyLength = 0;
    m_body.clear();
    // Refused on its head, the request's body may still be on its way: it is read and dropped
    // before the close (lingerBytes), or the close would reset the connection and could take the
    // answer with it (most clients send the whole body before they read).
    m_lingerBytes = declaredBodyLength(head);
    // Who may send this request is decided on its head, before a byte of its body is read.
    if (const auto refusal = siteRefusal(head)) {
        refuseAndClose(refusal->status, refusal->code, refusal->message, refusal->hint);
        return false;
    }
    m_access = Access{};
    // /health stays open for liveness probes (it names no channel and carries no event); a
    // browser's preflight carries no credentials. A token comes in the Authorization header:
    // ?token= is for browsers' WebSockets only (a URL ends up in logs and histories).
    if (m_config.accessControl && head.path != "/health" && head.method != "OPTIONS") {
        const auto granted = m_config.accessControl->authenticate(presentedToken(head.header("authorization"), {}));
        if (const auto *refusal = std::get_if<AccessRefusal>(&granted)) {
            refuseAndClose(refusal->status, refusal->code, refusal->message, QStringLiteral("docs/security.md"));
            return false;
        }
        m_access = std::get<Access>(granted);
    }
    if (!readFraming(head))
        return false;
    // The body's share of the server's body budget is taken from its declared length before any
    // of it is read (nothing is allocated from that length: the body grows as it arrives).
    m_bodyShare.release();
    if (!m_chunked && !m_bodyShare.growTo(m_bodyLength)) {
        countLimit(m_host, QStringLiteral("body_budget"));
        refuseBusy();
        return false;
    }
    m_bodyClock.start();
    m_lingerBytes = 0; // the body is read from here on
    // A client that waits for leave to send its body (curl does past 1 MiB) gets it now, unless
    // the body is already arriving (RFC 9110 §10.1.1).
    if (head.versionMinor == 1 && head.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0 &&
        (m_chunked || m_bodyLength > 0) && m_socket->bytesAvailable() == 0)
        m_socket->write(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    m_state = State::ReadingBody;
    return true;
}

bool HttpConnection::readFraming(const HttpRequestHead &head)
{
    // RFC 9112 §6: Transfer-Encoding (chunked, and only that) or one Content-Length; both at once,
    // or conflicting lengths, would let two readers of this request see different bodies.
    if (head.hasHeader("transfer-encoding")) {
        // Several Transfer-Encoding lines are one list (RFC 9110 §5.3): all of it must be "chunked".
        QByteArrayList codings;
        for (const auto &[name, value] : head.headers)
            if (name == "transfer-encoding")
                codings.append(value);
        const QByteArray coding = codings.join(", ");
        if (head.hasHeader("content-length") || head.versionMinor == 0) {
            refuseAndClose(400, QStringLiteral("bad_request"),
                           head.versionMinor == 0
                               ? QStringLiteral("HTTP/1.0 has no Transfer-Encoding; send Content-Length")
                               : QStringLiteral("send either Transfer-Encoding or Content-Length, not both"));
            return false;
        }
        if (coding.compare("chunked", Qt::CaseInsensitive) != 0) {
            refuseAndClose(501, QStringLiteral("unsupported_transfer_coding"),
                           QStringLiteral("the transfer coding \"%1\" is not supported; send the body plain "
                                          "(Content-Length) or chunked")
                               .arg(QString::fromLatin1(coding.left(60))));
            return false;
        }
        m_chunked.emplace(m_config.maxBodyBytes, m_config.maxHeadBytes);
        return true;
    }
    m_chunked.reset();
    QByteArray lengthText;
    for (const auto &[name, value] : head.headers) {
        if (name != "content-length")
            continue;
        if (!lengthText.isNull() && value != lengthText) {
            refuseAndClose(400, QStringLiteral("bad_request"), QStringLiteral("conflicting Content-Length headers"));
            return false;
        }
        lengthText = value;
    }
    bool lengthOk = true;
    m_bodyLength = lengthText.isEmpty() ? 0 : lengthText.toLongLong(&lengthOk);
    if (!lengthOk || m_bodyLength < 0 || lengthText.startsWith('+')) {
        refuseAndClose(400, QStringLiteral("bad_request"), QStringLiteral("Content-Length is not a number"));
        return false;
    }
    if (m_bodyLength > m_config.maxBodyBytes) {
        // Refused before the body is read (a client waiting on 100-continue never sends it), so
        // the connection cannot be reused.
        countLimit(m_host, QStringLiteral("body_size"));
        refuseAndClose(413, QStringLiteral("body_too_large"),
                       QStringLiteral("the request body is %1 bytes; the limit is %2")
                           .arg(m_bodyLength)
                           .arg(m_config.maxBodyBytes));
        return false;
    }
    return true;
}

void HttpConnection::handleUpgradePath(const HttpRequestHead &head, qsizetype headLength)
{
    const UpgradeIdentity identity =
        upgradeIdentity(head.header("x-athena-client"), head.header("authorization"), head.query);
    const QString &clientId = identity.clientId;
    const auto refuse = [&](int status, const QString &code, const QString &message, const QString &title = {},
                            const QString &hint = QString()) {
        m_host.count([](ServerMetrics &metrics) { ++metrics.rejectedUpgrades; });
        m_socket->skip(headLength);
        refuseAndClose(status, code, message, hint.isNull() ? wsHint(m_config.tls.has_value()) : hint, title);
    };
    // Who may talk to this server at all comes first.
    if (const auto refusal = siteRefusal(head))
        return refuse(refusal->status, refusal->code, refusal->message, {}, refusal->hint);
    if (clientId.isEmpty())
        return refuse(400, QStringLiteral("missing_client_header"),
                      QStringLiteral("The WebSocket upgrade request needs a non-empty X-Athena-Client header "
                                     "naming the client (for example 'X-Athena-Client: athena_logging'); browsers, "
                                     "which cannot set it, add ?client=<client_name> to the URL."),
                      QStringLiteral("Missing X-Athena-Client header"));
    if (clientId.size() > maxChannelNameLength)
        return refuse(400, QStringLiteral("invalid_client_header"),
                      QStringLiteral("X-Athena-Client must be at most %1 characters").arg(maxChannelNameLength));
    if (const auto character = forbiddenNameCharacter(clientId))
        return refuse(400, QStringLiteral("invalid_client_header"),
                      QStringLiteral("the client name contains %1").arg(*character));
    if (head.method != "GET" || !head.isWebSocketUpgrade() || !head.headerHasToken("connection", "upgrade"))
        return refuse(426, QStringLiteral("upgrade_required"),
                      QStringLiteral("/ws only speaks WebSocket: send GET with 'Connection: Upgrade' and "
                                     "'Upgrade: websocket'"));
    if (head.header("sec-websocket-key").isEmpty() || head.header("sec-websocket-version") != "13")
        return refuse(400, QStringLiteral("invalid_handshake"),
                      QStringLiteral("the WebSocket handshake needs Sec-WebSocket-Key and Sec-WebSocket-Version: 13"));
    // A web page can open a WebSocket to any host its visitor reaches, this one included; only
    // origins named by --allowed-origins may. Clients outside browsers send no Origin.
    Access access;
    if (m_config.accessControl) {
        const auto granted = m_config.accessControl->authenticate(identity.token);
        if (const auto *refusal = std::get_if<AccessRefusal>(&granted))
            return refuse(refusal->status, refusal->code, refusal->message, {},
                          QStringLiteral("Send 'Authorization: Bearer <token>' with the upgrade (browsers: "
                                         "?token=<token>); docs/security.md"));
        access = std::get<Access>(granted);
        if (!access.mayUseClient(clientId) || !access.mayRead(clientId))
            return refuse(
                403, QStringLiteral("forbidden_client"),
                QStringLiteral("the token \"%1\" may not connect as client \"%2\"").arg(access.tokenName, clientId), {},
                QStringLiteral("Use a client name (and so a first channel) the token lists."));
    }

    // Accepted. No subprotocol (the spec has none); permessage-deflate when offered and allowed.
    UpgradeAccepted accepted;
    QByteArray extensions;
    if (m_config.compression) {
        QList<QByteArray> offers;
        for (const auto &[name, value] : head.headers) {
            if (name == "sec-websocket-extensions")
                offers.append(value);
        }
        accepted.deflate = ws::acceptDeflateOffer(offers);
        if (accepted.deflate)
            extensions = "Sec-WebSocket-Extensions: " + ws::deflateResponse(*accepted.deflate) + "\r\n";
    }
    m_socket->skip(headLength);
    m_timer.stop();
    m_socket->disconnect(this);
    m_state = State::Closing;
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    socket->setParent(nullptr);
    accepted.handshakeResponse =
        QByteArrayLiteral("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nServer: cdcscope/" CDCSCOPE_VERSION "\r\nSec-WebSocket-Accept: ") +
        ws::acceptKey(head.header("sec-websocket-key")) + QByteArrayLiteral("\r\n") + extensions +
        QByteArrayLiteral("\r\n");
    accepted.clientId = clientId;
    accepted.access = std::move(access);
    deleteLater();
    m_host.upgrade(*this, socket, std::move(accepted));
}

void HttpConnection::respond(HttpResponse response, bool keepAlive)
{
    m_host.count([status = response.status, code = response.errorCode](ServerMetrics &metrics) {
        ++metrics.httpResponses[status];
        if (!code.isEmpty())
            metrics.countError(code);
    });
    const bool headOnly = m_head.method == "HEAD";
    // A paged answer goes chunked to HTTP/1.1 and to HTTP/1.0 until the close.
    const bool paged = response.pages && !headOnly;
    const bool chunked = m_head.versionMinor == 1;
    const bool keep = keepAlive && !response.closeConnection && (!paged || chunked);
    m_settings->cors.decorate(m_head, response);
    m_socket->write(response.serialize(keep, headOnly, chunked));
    m_servedAny = true;
    if (paged) {
        m_state = State::SendingPages;
        m_pages = response.pages;
        m_pagesChunked = chunked;
        m_keepAfterPages = keep;
        m_pageAsked = false;
        armTimer(m_config.keepAliveTimeout);
        return wantPage();
    }
    finishResponse(keep);
}

void HttpConnection::finishResponse(bool keep)
{
    if (!keep) {
        m_state = State::Closing;
        if (m_lingerBytes != 0) {
            // The refused body is dropped as it comes, until the client closes, all of it came,
            // or the head timeout (once, not per byte) ends it.
            armTimer(m_config.headTimeout);
            return dropLingering();
        }
        // A client that reads neither its answer nor closes is cut after the keep-alive time.
        armTimer(m_config.keepAliveTimeout);
        m_socket->disconnectFromHost();
        return;
    }
    m_state = State::AwaitingRequest;
    armTimer(m_config.keepAliveTimeout);
}

void HttpConnection::refuseOnArrival(HttpResponse response)
{
    response.closeConnection = true;
    response.extraHeaders.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")});
    m_refusal = std::move(response);
    m_state = State::Closing; // nothing here is served
    armTimer(std::chrono::seconds(1));
    const auto drain = [this] {
        const bool headArrived = m_socket->readAll().contains("\r\n\r\n");
        if (headArrived && m_refusal)
            respond(*std::exchange(m_refusal, std::nullopt), false);
    };
    connect(m_socket, &QTcpSocket::readyRead, this, drain);
    drain();
}

void HttpConnection::refuseBusy()
{
    HttpResponse response = busyResponse(
        QStringLiteral("server_busy"),
        QStringLiteral("the server holds as many request bodies as it may (%1 bytes in all); this one does not fit "
                       "now")
            .arg(m_settings->bodyBudget->limit()));
    response.closeConnection = true;
    respond(response, false);
}

void HttpConnection::refuseAndClose(int status, const QString &code, const QString &message, const QString &hint,
                                    const QString &title)
{
    qCDebug(lcNet).noquote() << "refusing request from" << m_socket->peerAddress().toString() << status << message;
    HttpResponse response = HttpResponse::error(status, code, message, hint, title);
    response.closeConnection = true;
    respond(response, false);
}

void HttpConnection::onTimeout()
{
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket); tls && !tls->isEncrypted()) {
        // No TLS handshake within the head timeout: there is no channel to answer on.
        countError(m_host, QStringLiteral("tls_handshake_failed"));
        drop();
        return;
    }
    if (m_state == State::SendingPages) {
        drop(); // the client stopped reading its answer
        return;
    }
    if (m_state == State::AwaitingRequest && m_servedAny) {
        m_state = State::Closing;
        if (m_socket->bytesToWrite() > 0)
            m_socket->abort(); // its last answer still unread after the keep-alive time
        else
            m_socket->disconnectFromHost(); // an idle keep-alive connection just ends
        return;
    }
    if (m_refusal) {
        respond(*std::exchange(m_refusal, std::nullopt), false); // the head never came: answer anyway
        return;
    }
    if (m_state == State::Closing) {
        m_socket->abort(); // a refused client that neither read the answer nor closed
        return;
    }
    if (m_state == State::ReadingBody) {
        countLimit(m_host, QStringLiteral("body_time"));
        refuseAndClose(408, QStringLiteral("request_timeout"),
                       QStringLiteral("the request body did not arrive in time: %1 ms, and 1 s more for each %2 "
                                      "bytes received")
                           .arg(m_config.headTimeout.count())
                           .arg(m_config.minBodyBytesPerSecond));
        return;
    }
    countLimit(m_host, QStringLiteral("handshake_time"));
    refuseAndClose(408, QStringLiteral("request_timeout"),
                   QStringLiteral("the request was not complete within %1 ms").arg(m_config.headTimeout.count()));
}

} // namespace cdc

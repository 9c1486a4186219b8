#include "TestHttp.h"

#include <QJsonArray>
#include <QTcpSocket>
#include <QTest>

#include <optional>

namespace {

// The decoded body of a chunked response that starts at `from` in `buffer`, and where the
// response ends; nothing while it is not whole.
std::optional<std::pair<QByteArray, qsizetype>> takeChunked(const QByteArray &buffer, qsizetype from)
{
    QByteArray body;
    for (qsizetype at = from;;) {
        const qsizetype lineEnd = buffer.indexOf("\r\n", at);
        if (lineEnd < 0)
            return std::nullopt;
        bool ok = false;
        const qsizetype size = buffer.mid(at, lineEnd - at).split(';').value(0).trimmed().toLongLong(&ok, 16);
        if (!ok)
            return std::nullopt;
        if (size == 0) {
            const qsizetype end = buffer.indexOf("\r\n\r\n", lineEnd);
            if (end < 0)
                return std::nullopt;
            return std::pair{body, end + 4};
        }
        if (buffer.size() < lineEnd + 2 + size + 2)
            return std::nullopt;
        body.append(buffer.mid(lineEnd + 2, size));
        at = lineEnd + 2 + size + 2;
    }
}

// Parses as many complete responses as `buffer` holds; consumes them.
QList<HttpReply> takeResponses(QByteArray &buffer)
{
    QList<HttpReply> replies;
    for (;;) {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return replies;
        HttpReply reply;
        const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
        const QList<QByteArray> statusParts = lines.value(0).trimmed().split(' ');
        reply.status = statusParts.value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                reply.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        if (reply.headers.value("transfer-encoding").toLower() == "chunked") {
            const auto chunked = takeChunked(buffer, headEnd + 4);
            if (!chunked)
                return replies;
            reply.body = chunked->first;
            buffer.remove(0, chunked->second);
            replies.append(reply);
            continue;
        }
        const qsizetype length = reply.headers.value("content-length", "0").toLongLong();
        if (buffer.size() < headEnd + 4 + length)
            return replies;
        reply.body = buffer.mid(headEnd + 4, length);
        buffer.remove(0, headEnd + 4 + length);
        replies.append(reply);
    }
}

} // namespace

Wire::Wire(quint16 port)
{
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.waitForConnected(5000);
}

void Wire::send(const QByteArray &bytes)
{
    socket.write(bytes);
    socket.flush();
}

bool Wire::waitFor(QByteArrayView text, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            received.append(socket.readAll());
            return received.contains(text);
        },
        timeoutMs);
}

bool Wire::waitClosed(int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            received.append(socket.readAll());
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
}

QList<HttpReply> rawHttpExchange(quint16 port, const QByteArray &request, int expectedResponses, int timeoutMs,
                                 const QHostAddress &from)
{
    QTcpSocket socket;
    if (!from.isNull())
        socket.bind(from);
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, timeoutMs))
        return {};
    socket.write(request);
    QByteArray buffer;
    QList<HttpReply> replies;
    bool closed = false;
    QObject::connect(&socket, &QTcpSocket::disconnected, &socket, [&closed] { closed = true; });
    (void)QTest::qWaitFor(
        [&] {
            buffer.append(socket.readAll());
            replies.append(takeResponses(buffer));
            return replies.size() >= expectedResponses || closed;
        },
        timeoutMs);
    // Give a closing server a moment to finish, so connectionClosed is reliable.
    if (!replies.isEmpty() && replies.last().headers.value("connection") == "close")
        (void)QTest::qWaitFor([&] { return closed; }, 2000);
    buffer.append(socket.readAll());
    replies.append(takeResponses(buffer));
    if (!replies.isEmpty())
        replies.last().connectionClosed = closed;
    return replies;
}

HttpReply rawHttp(quint16 port, const QByteArray &request, int timeoutMs, const QHostAddress &from)
{
    return rawHttpExchange(port, request, 1, timeoutMs, from).value(0);
}

HttpReply httpGet(quint16 port, const QByteArray &path)
{
    return rawHttp(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
}

HttpReply httpPost(quint16 port, const QByteArray &path, const QByteArray &body)
{
    return rawHttp(port, "POST " + path +
                             " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                             "Connection: close\r\nContent-Length: " +
                             QByteArray::number(body.size()) + "\r\n\r\n" + body);
}

HttpReply publish(quint16 port, const QString &channel, const QJsonValue &payload)
{
    const QJsonObject event{{QStringLiteral("organization_id"), channel}, {QStringLiteral("data"), payload}};
    return httpPost(port, "/events", QJsonDocument(event).toJson(QJsonDocument::Compact));
}

QByteArray upgradeRequest(const QByteArray &extraHeaders, const QByteArray &target)
{
    return "GET " + target +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
           extraHeaders + "\r\n";
}

QJsonObject sourceHealth(quint16 port)
{
    const QJsonArray sources = httpGet(port, "/health").json().value(QStringLiteral("sources")).toArray();
    return sources.isEmpty() ? QJsonObject() : sources.first().toObject();
}

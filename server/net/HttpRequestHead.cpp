#include "HttpRequestHead.h"

namespace cdc {

namespace {

bool isTokenChar(char c)
{
    // RFC 9110 tchar
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text)
        if (!isTokenChar(c))
            return false;
    return true;
}

} // namespace

QByteArray HttpRequestHead::header(QByteArrayView lowerName) const
{
    for (const auto &[name, value] : headers)
        if (name == lowerName)
            return value;
    return {};
}

bool HttpRequestHead::hasHeader(QByteArrayView lowerName) const
{
    for (const auto &entry : headers)
        if (entry.first == lowerName)
            return true;
    return false;
}

bool HttpRequestHead::headerHasToken(QByteArrayView lowerName, QByteArrayView token) const
{
    for (const auto &[name, value] : headers) {
        if (name != lowerName)
            continue;
        for (const QByteArray &part : value.split(','))
            if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
    }
    return false;
}

bool HttpRequestHead::wantsKeepAlive() const
{
    if (headerHasToken("connection", "close"))
        return false;
    if (versionMinor == 0)
        return headerHasToken("connection", "keep-alive");
    return true;
}

bool HttpRequestHead::isWebSocketUpgrade() const
{
    return headerHasToken("upgrade", "websocket");
}

qsizetype HttpRequestHead::findEnd(QByteArrayView buffer)
{
    const qsizetype at = buffer.indexOf("\r\n\r\n");
    return at < 0 ? -1 : at + 4;
}

std::variant<HttpRequestHead, QByteArray> HttpRequestHead::parse(QByteArrayView head)
{
    HttpRequestHead request;
    qsizetype lineStart = 0;
    const auto nextLine = [&]() -> QByteArrayView {
        const qsizetype end = head.indexOf("\r\n", lineStart);
        if (end < 0)
            return {};
        const QByteArrayView line = head.sliced(lineStart, end - lineStart);
        lineStart = end + 2;
        return line;
    };

    const QByteArrayView requestLine = nextLine();
    const QList<QByteArray> parts = requestLine.toByteArray().split(' ');
    if (parts.size() != 3)
        return QByteArrayLiteral("the request line must be \"METHOD target HTTP/1.1\"");
    if (!isToken(parts[0]))
        return QByteArrayLiteral("the request method is not a valid token");
    request.method = parts[0];
    request.target = parts[1];
    if (request.target.isEmpty() || !(request.target.startsWith('/') || request.target == "*"))
        return QByteArrayLiteral("the request target must be an absolute path");
    if (parts[2] == "HTTP/1.1")
        request.versionMinor = 1;
    else if (parts[2] == "HTTP/1.0")
        request.versionMinor = 0;
    else
        return QByteArrayLiteral("only HTTP/1.0 and HTTP/1.1 are supported");
    const qsizetype queryAt = request.target.indexOf('?');
    request.path = queryAt < 0 ? request.target : request.target.left(queryAt);
    request.query = queryAt < 0 ? QByteArray() : request.target.mid(queryAt + 1);

    for (;;) {
        const QByteArrayView line = nextLine();
        if (line.isEmpty())
            break;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return QByteArrayLiteral("malformed header line");
        request.headers.append(
            {line.first(colon).toByteArray().toLower(), line.sliced(colon + 1).trimmed().toByteArray()});
    }
    return request;
}

} // namespace cdc

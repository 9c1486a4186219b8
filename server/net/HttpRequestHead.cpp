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

// RFC 9110 §5.5: a field value is visible characters, obs-text, spaces and tabs. CR, LF and NUL
// (and the other controls) are refused, not stripped: a reader in front of us (a proxy) might
// split the line where we would not.
bool isFieldValue(QByteArrayView value)
{
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

// RFC 9112 §3.2: the request target is visible ASCII; no controls, spaces or raw non-ASCII bytes.
bool isTargetText(QByteArrayView target)
{
    for (const char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            return false;
    }
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

bool HttpRequestHead::hasBareLineBreak(QByteArrayView buffer)
{
    for (qsizetype at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n', at + 1))
        if (at == 0 || buffer[at - 1] != '\r')
            return true;
    for (qsizetype at = buffer.indexOf('\r'); at >= 0 && at + 1 < buffer.size(); at = buffer.indexOf('\r', at + 1))
        if (buffer[at + 1] != '\n')
            return true;
    return buffer.contains('\0');
}

std::variant<HttpRequestHead, QByteArray> HttpRequestHead::parse(QByteArrayView head)
{
    // RFC 9112 §2.2 lets a server accept a bare LF as a line end; we do not, because a proxy in
    // front that does not would see a different request (request smuggling).
    if (hasBareLineBreak(head))
        return QByteArrayLiteral("lines must end with CRLF; a bare CR or LF, or a NUL byte, is not allowed in the head");
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
    if (!isTargetText(request.target))
        return QByteArrayLiteral("the request target contains a control character, a space or a non-ASCII byte; "
                                 "percent-encode it");
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
        if (line.front() == ' ' || line.front() == '\t')
            return QByteArrayLiteral("header lines may not be folded (a line starts with whitespace)");
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && (line[colon - 1] == ' ' || line[colon - 1] == '\t'))
            return QByteArrayLiteral("no whitespace is allowed between a header name and its colon");
        if (colon <= 0 || !isToken(line.first(colon)))
            return QByteArrayLiteral("malformed header line");
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        if (!isFieldValue(line.sliced(colon + 1)))
            return "the value of the header \"" + line.first(colon).toByteArray().left(64) +
                   "\" contains a control character";
        request.headers.append({line.first(colon).toByteArray().toLower(), value.toByteArray()});
    }
    return request;
}

} // namespace cdc

#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

#include <variant>

namespace cdc {

// A parsed HTTP/1.x request line and header block. Header names are kept lower-cased.
struct HttpRequestHead
{
    QByteArray method;
    QByteArray target; // as sent, with the query
    QByteArray path;   // target without the query
    QByteArray query;
    int versionMinor = 1;
    QList<QPair<QByteArray, QByteArray>> headers;

    // First value of a header, trimmed; empty when absent.
    QByteArray header(QByteArrayView lowerName) const;
    bool hasHeader(QByteArrayView lowerName) const;
    // Whether a comma-separated header (Connection, Upgrade) lists `token`, case-insensitively.
    bool headerHasToken(QByteArrayView lowerName, QByteArrayView token) const;
    bool wantsKeepAlive() const;
    bool isWebSocketUpgrade() const;

    // Position just past the blank line ending the head in `buffer`, or -1 when not complete yet.
    static qsizetype findEnd(QByteArrayView buffer);
    // Whether `buffer` has a CR or LF that is not part of a CRLF, or a NUL: a malformed head,
    // refused as soon as it is seen rather than when its end arrives.
    static bool hasBareLineBreak(QByteArrayView buffer);
    // Parses the head (including its final CRLF CRLF) strictly (RFC 9112 §2.2, §5; RFC 9110 §5.5);
    // the error string says what is malformed.
    static std::variant<HttpRequestHead, QByteArray> parse(QByteArrayView head);
};

} // namespace cdc

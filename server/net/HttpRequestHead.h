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
    // Parses the head (including its final CRLF CRLF); the error string says what is malformed.
    static std::variant<HttpRequestHead, QByteArray> parse(QByteArrayView head);
};

} // namespace cdc

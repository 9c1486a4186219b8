#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>

namespace cdc {

// A body produced a page at a time, on the engine thread, as the client takes the pages before it
// (HttpConnection asks for the next one once the last has left). next() is called only on the
// engine thread; the object may be destroyed on the connection's thread, so it holds no engine
// object beyond what next() is given to read.
class ResponsePages
{
public:
    virtual ~ResponsePages() = default;
    // The next page; empty at the end.
    virtual QByteArray next() = 0;
};

// One HTTP/1.1 response. Errors always carry a JSON body:
// {"error":"<short title>","code":"<machine code>","message":"...", optional "hint"}.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> extraHeaders;
    bool closeConnection = false;
    QString errorCode; // the "code" of an error body, for the error counters
    // With pages, `body` is the first page and the rest follow as the client reads: sent chunked
    // (HTTP/1.1), or to HTTP/1.0 without a length, ended by the close.
    std::shared_ptr<ResponsePages> pages;

    static HttpResponse json(int status, QByteArray body);
    // `title` defaults to the status's reason phrase.
    static HttpResponse error(int status, const QString &code, const QString &message, const QString &hint = {},
                              const QString &title = {});

    // With `headOnly` (an answer to HEAD) the head says what GET would send, and no body follows.
    // A paged answer is chunked when `chunked` (else closed at its end), its first page the first
    // chunk.
    QByteArray serialize(bool keepAlive, bool headOnly = false, bool chunked = true) const;
    // One chunk of a chunked body; an empty page is the last chunk.
    static QByteArray chunk(QByteArrayView page);
    static QByteArray reasonPhrase(int status);
};

} // namespace cdc

#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace cdc {

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

    static HttpResponse json(int status, QByteArray body);
    // `title` defaults to the status's reason phrase.
    static HttpResponse error(int status, const QString &code, const QString &message, const QString &hint = {},
                              const QString &title = {});

    // With `headOnly` (an answer to HEAD) the head says what GET would send, and no body follows.
    QByteArray serialize(bool keepAlive, bool headOnly = false) const;
    static QByteArray reasonPhrase(int status);
};

} // namespace cdc

#pragma once

#include "ClientOptions.h"

#include <QAbstractSocket>
#include <QNetworkRequest>
#include <QSslConfiguration>

class QIODevice;
class QNetworkAccessManager;

namespace cdc::client {

// What every connection of a client subcommand carries: the bearer token and the trusted
// certificates. The X-Athena-Client header is the WebSocket's own business.
QNetworkRequest makeRequest(const ClientOptions &options, const QUrl &url);
QSslConfiguration sslConfiguration(const ClientOptions &options);

struct HttpResult
{
    QString transportError; // set when no HTTP answer arrived (refused, TLS, timeout)
    int status = 0;
    QByteArray body; // empty when the answer went to a sink

    bool succeeded() const { return transportError.isEmpty() && status >= 200 && status < 300; }
    // The transport error, or the server's refusal as every client of ours says it
    // (describeHttpError: "HTTP 403 forbidden: … (hint)").
    QString describeFailure() const;
};

// One HTTP exchange, waited for in a local event loop: the client subcommands are sequential
// programs. With a `sink`, a successful answer's body is streamed into it instead of kept.
HttpResult httpExchange(QNetworkAccessManager &network, const ClientOptions &options, const QByteArray &method,
                        const QUrl &url, const QByteArray &body = {}, QIODevice *sink = nullptr);

} // namespace cdc::client

#include "ClientTransport.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace cdc::client {

QNetworkRequest makeRequest(const ClientOptions &options, const QUrl &url)
{
    QNetworkRequest request(url);
    if (!options.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + options.token);
    request.setSslConfiguration(sslConfiguration(options));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(int(options.requestTimeout().count()));
    return request;
}

QSslConfiguration sslConfiguration(const ClientOptions &options)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    if (!options.caCertificates.isEmpty())
        configuration.addCaCertificates(options.caCertificates);
    return configuration;
}

QString describeConnectionError(const QUrl &url, const QString &errorString)
{
    const QString where = url.host() + u':' + QString::number(url.port());
    if (errorString.contains(QStringLiteral("WRONG_VERSION_NUMBER"), Qt::CaseInsensitive) ||
        errorString.contains(QStringLiteral("wrong version number"), Qt::CaseInsensitive))
        return QStringLiteral("%1 does not speak TLS (%2): use ws:// or http:// for a server without --tls-cert")
            .arg(where, errorString);
    if (errorString.contains(QStringLiteral("401")))
        return QStringLiteral("%1 wants a token (%2): set CDCSCOPE_TOKEN or give --token-file").arg(where, errorString);
    if (errorString.contains(QStringLiteral("403")))
        return QStringLiteral("%1 refused this token for this client (%2): see the token's \"clients\" and "
                              "\"channels\"")
            .arg(where, errorString);
    if (errorString.contains(QStringLiteral("refused"), Qt::CaseInsensitive))
        return QStringLiteral("nothing listens on %1 (%2): is the server running? (cdcscope --headless --port %3)")
            .arg(where, errorString)
            .arg(url.port());
    if (errorString.contains(QStringLiteral("certificate"), Qt::CaseInsensitive))
        return QStringLiteral("cannot trust the certificate of %1 (%2): give its CA with --ca-cert FILE")
            .arg(where, errorString);
    return QStringLiteral("%1: %2").arg(where, errorString);
}

QString HttpResult::describeFailure() const
{
    if (!transportError.isEmpty())
        return transportError;
    const QJsonObject answer = QJsonDocument::fromJson(body).object();
    const QString code = answer.value(QStringLiteral("error")).toString();
    const QString message = answer.value(QStringLiteral("message")).toString();
    if (code.isEmpty())
        return QStringLiteral("HTTP %1: %2").arg(status).arg(QString::fromUtf8(body.left(500)).trimmed());
    return QStringLiteral("HTTP %1 %2: %3").arg(status).arg(code, message);
}

HttpResult httpExchange(QNetworkAccessManager &network, const ClientOptions &options, const QByteArray &method,
                        const QUrl &url, const QByteArray &body, QIODevice *sink)
{
    QNetworkRequest request = makeRequest(options, url);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    HttpResult result;
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::readyRead, &loop, [reply, sink, &result] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (sink && status >= 200 && status < 300)
            sink->write(reply->readAll());
        else
            result.body += reply->readAll();
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();

    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray rest = reply->readAll();
    if (sink && result.succeeded())
        sink->write(rest);
    else
        result.body += rest;
    if (result.status == 0)
        result.transportError = reply->error() == QNetworkReply::OperationCanceledError
                                    ? QStringLiteral("no answer from %1 within %2 ms (--timeout)")
                                          .arg(url.toDisplayString())
                                          .arg(options.requestTimeout().count())
                                    : describeConnectionError(url, reply->errorString());
    reply->deleteLater();
    return result;
}

} // namespace cdc::client

#include "ClientTransport.h"

#include "client/HttpErrorText.h"

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

QString HttpResult::describeFailure() const
{
    if (!transportError.isEmpty())
        return transportError;
    return describeHttpError(status, body);
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

#include "HttpErrorText.h"

#include "broker/Broker.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace cdc::client {

QString describeHttpError(int status, const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject()) // not ours: a proxy's page, say; its first words are the best there is
        return QStringLiteral("HTTP %1: %2").arg(status).arg(QString::fromUtf8(body.left(200)).simplified());
    const QJsonObject answer = document.object();
    PublishRefusal refusal;
    refusal.httpStatus = status;
    refusal.code =
        answer.value(answer.contains(QStringLiteral("code")) ? QStringLiteral("code") : QStringLiteral("error"))
            .toString();
    refusal.message = answer.value(QStringLiteral("message")).toString();
    refusal.hint = answer.value(QStringLiteral("hint")).toString();
    return refusal.describe();
}

} // namespace cdc::client

#include "HttpErrorText.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace cdc::client {

QString describeHttpError(int status, const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject()) // not ours: a proxy's page, say; its first words are the best there is
        return QStringLiteral("HTTP %1: %2").arg(status).arg(QString::fromUtf8(body.left(200)).simplified());
    const QJsonObject answer = document.object();
    const QString code =
        answer.value(answer.contains(QStringLiteral("code")) ? QStringLiteral("code") : QStringLiteral("error"))
            .toString();
    const QString message = answer.value(QStringLiteral("message")).toString();
    const QString hint = answer.value(QStringLiteral("hint")).toString();
    QString text = QStringLiteral("HTTP %1").arg(status);
    if (!code.isEmpty())
        text += u' ' + code;
    if (!message.isEmpty())
        text += QStringLiteral(": ") + message;
    if (!hint.isEmpty())
        text += QStringLiteral(" (") + hint + u')';
    return text;
}

} // namespace cdc::client

#include "Broker.h"

#include <QCryptographicHash>

namespace cdc {

QString PublishRefusal::describe() const
{
    QString text = QStringLiteral("HTTP %1").arg(httpStatus);
    if (!code.isEmpty())
        text += u' ' + code;
    if (!message.isEmpty())
        text += QStringLiteral(": ") + message;
    if (!hint.isEmpty())
        text += QStringLiteral(" (") + hint + u')';
    return text;
}

QByteArray publishFingerprint(const PublishBatch &batch)
{
    QCryptographicHash fingerprint(QCryptographicHash::Sha256);
    for (const NewEvent &event : batch) {
        fingerprint.addData(event.channel.toUtf8());
        fingerprint.addData(event.payload);
    }
    return fingerprint.result();
}

} // namespace cdc

namespace cdc::refusals {

PublishRefusal tooManyChannels(const QString &why)
{
    return {429, QStringLiteral("too_many_channels"), why,
            QStringLiteral("publish to existing channels, or raise --max-channels"), 0};
}

PublishRefusal idempotencyKeyReused()
{
    return {422, QStringLiteral("idempotency_key_reused"),
            QStringLiteral("the Idempotency-Key was used for another request body"),
            QStringLiteral("use a new key for a new request"), 0};
}

PublishRefusal storeUnavailable(const QString &why)
{
    // RFC 4918's 507 for a store that cannot keep the events; nothing of the request was stored.
    return {507, QStringLiteral("insufficient_storage"), why,
            QStringLiteral("nothing of this request was stored; retry it (with the same Idempotency-Key) once space "
                           "is freed: /health says when the journal is writable again"),
            5};
}

} // namespace cdc::refusals

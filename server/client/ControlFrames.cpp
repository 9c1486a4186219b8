#include "ControlFrames.h"

namespace cdc::client {

QJsonObject subscriptionRequest(const QString &channel, bool subscribe)
{
    return {{QStringLiteral("type"), subscribe ? QStringLiteral("subscribe") : QStringLiteral("unsubscribe")},
            {QStringLiteral("organization_id"), channel}};
}

bool isSubscriptionAnswer(const QJsonObject &frame)
{
    const QString status = frame.value(QStringLiteral("status")).toString();
    return (status == u"subscribed" || status == u"unsubscribed") && frame.contains(QStringLiteral("organization_id"));
}

} // namespace cdc::client

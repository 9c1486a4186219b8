#pragma once

#include <QJsonObject>
#include <QString>

namespace cdc::client {

// The subscription requests and their answers, as every client of ours sends and reads them.
QJsonObject subscriptionRequest(const QString &channel, bool subscribe);
// {"status":"subscribed"|"unsubscribed","organization_id":…}: the answer to one. A server may
// not answer at all (the spec does not require it); a refusal comes as an error frame.
bool isSubscriptionAnswer(const QJsonObject &frame);

} // namespace cdc::client

#pragma once

#include "ClientMessage.h"
#include "ProtocolError.h"

#include <QByteArray>
#include <QStringList>

namespace cdc {

struct TravelResult;

// Encoders for every frame the server sends besides events (those are built by ChannelLog).
namespace ServerFrames {

// The spec's greeting, byte for byte in its key order.
QByteArray subscribed(const QString &clientId);
// Reply to subscribe/unsubscribe: {"status":"subscribed"|"unsubscribed","organization_id":C,
// "subscription_count":N}. The count, not the list: a reply's size must not grow with the number
// of subscriptions (1 000 subscribes would otherwise cost 1 000 lists; GET /clients has them).
// With the channel's history `epoch` when known (additive, docs/protocol.md "History epochs").
QByteArray subscriptionChanged(const SubscriptionCommand &command, qsizetype subscriptionCount,
                               const QByteArray &epoch = {});
QByteArray error(const ProtocolError &error);
// {"status":"travel_complete", echoed request fields, then count, truncated, gap, channels (each
// with its history epoch when known)}
QByteArray travelComplete(const TravelCommand &request, const TravelResult &result);

} // namespace ServerFrames

} // namespace cdc

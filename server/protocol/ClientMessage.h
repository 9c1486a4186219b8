#pragma once

#include "ProtocolError.h"

#include <QString>

#include <optional>
#include <variant>

namespace cdc {

// {"type":"travel", ...}: replay of retained events. Omitted (or null) fields stay empty so the
// ack can echo them as null.
struct TravelCommand
{
    std::optional<QString> channel;
    std::optional<qint64> sinceSeq;
    std::optional<qint64> sinceTsMs;
    std::optional<qint64> limit;
};

// {"type":"subscribe"|"unsubscribe","organization_id":C} or the legacy
// {"subscribe_to_organization_id":C}.
struct SubscriptionCommand
{
    QString channel;
    bool subscribe = true;
};

using ClientMessage = std::variant<TravelCommand, SubscriptionCommand, ProtocolError>;

// Parses one text frame from a client. Never throws; anything unusable becomes a ProtocolError.
ClientMessage parseClientMessage(const QString &text);

// Channel names are trimmed everywhere; a blank name is no name.
QString normalizedChannel(const QString &raw);

// Longest channel name accepted, in characters; keeps per-channel state bounded.
inline constexpr qsizetype maxChannelNameLength = 256;

} // namespace cdc

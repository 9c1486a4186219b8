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

// C0 and C1 controls, DEL, the line and paragraph separators and the bidirectional controls: the
// characters that change how text around them is laid out or read rather than showing.
constexpr bool isLayoutControl(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f || c == 0x2028 ||
           c == 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

// The first character a channel or client name may not contain, described ("the control character
// U+000A at position 3"): the layout controls, which would let a name read differently from what it
// is (U+202E) or start a new line. Names end up in logs, tables and file names.
std::optional<QString> forbiddenNameCharacter(QStringView name);

} // namespace cdc

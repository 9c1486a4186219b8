#pragma once

#include <QString>

namespace cdc {

// A request the server refuses: `code` is the stable machine-readable name that goes into the
// error frame or body, `message` says in words what was wrong.
struct ProtocolError
{
    QString code;
    QString message;
};

namespace ErrorCode {
inline const QString invalidJson = QStringLiteral("invalid_json");
inline const QString notAnObject = QStringLiteral("not_an_object");
inline const QString missingType = QStringLiteral("missing_type");
inline const QString unknownType = QStringLiteral("unknown_type");
inline const QString invalidField = QStringLiteral("invalid_field");
inline const QString binaryFrame = QStringLiteral("binary_not_supported");
inline const QString travelBusy = QStringLiteral("travel_busy");
inline const QString invalidEvent = QStringLiteral("invalid_event");
inline const QString tooManySubscriptions = QStringLiteral("too_many_subscriptions");
inline const QString rateLimited = QStringLiteral("rate_limited");
inline const QString forbidden = QStringLiteral("forbidden");
} // namespace ErrorCode

} // namespace cdc

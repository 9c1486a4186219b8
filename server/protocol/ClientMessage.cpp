#include "ClientMessage.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>

namespace cdc {

namespace {

// Largest integer a JSON number (an IEEE double in every mainstream client) holds exactly.
constexpr double maxExactInteger = 9007199254740991.0;

ProtocolError fieldError(const QString &field, const QString &expectation)
{
    return {ErrorCode::invalidField, field % QStringLiteral(" must be ") % expectation};
}

// Reads an optional non-negative integer field; null counts as omitted.
std::variant<std::optional<qint64>, ProtocolError> optionalCount(const QJsonObject &object, const QString &field,
                                                                 qint64 minimum)
{
    const QJsonValue value = object.value(field);
    if (value.isUndefined() || value.isNull())
        return std::optional<qint64>{};
    const QString expectation = minimum == 0 ? QStringLiteral("a non-negative integer")
                                             : QStringLiteral("an integer of at least %1").arg(minimum);
    if (!value.isDouble())
        return fieldError(field, expectation);
    const double number = value.toDouble();
    if (!std::isfinite(number) || std::trunc(number) != number || number < double(minimum) || number > maxExactInteger)
        return fieldError(field, expectation);
    return std::optional<qint64>{qint64(number)};
}

std::variant<std::optional<QString>, ProtocolError> optionalChannel(const QJsonObject &object, const QString &field)
{
    const QJsonValue value = object.value(field);
    if (value.isUndefined() || value.isNull())
        return std::optional<QString>{};
    if (!value.isString())
        return fieldError(field, QStringLiteral("a string"));
    const QString channel = normalizedChannel(value.toString());
    if (channel.isEmpty())
        return fieldError(field, QStringLiteral("a non-blank string"));
    if (channel.size() > maxChannelNameLength)
        return fieldError(field, QStringLiteral("at most %1 characters long").arg(maxChannelNameLength));
    if (const auto character = forbiddenNameCharacter(channel))
        return ProtocolError{ErrorCode::invalidField, QStringLiteral("%1 contains %2").arg(field, *character)};
    return std::optional<QString>{channel};
}

ClientMessage parseTravel(const QJsonObject &object)
{
    TravelCommand travel;
    auto channel = optionalChannel(object, QStringLiteral("organization_id"));
    if (auto *error = std::get_if<ProtocolError>(&channel))
        return *error;
    travel.channel = std::get<std::optional<QString>>(channel);

    struct CountField
    {
        QString name;
        std::optional<qint64> *target;
        qint64 minimum;
    };
    const CountField counts[] = {
        {QStringLiteral("since_seq"), &travel.sinceSeq, 0},
        {QStringLiteral("since_ts_ms"), &travel.sinceTsMs, 0},
        {QStringLiteral("limit"), &travel.limit, 1},
    };
    for (const CountField &count : counts) {
        auto parsed = optionalCount(object, count.name, count.minimum);
        if (auto *error = std::get_if<ProtocolError>(&parsed))
            return *error;
        *count.target = std::get<std::optional<qint64>>(parsed);
    }
    return travel;
}

ClientMessage parseSubscription(const QJsonObject &object, const QString &field, bool subscribe)
{
    auto channel = optionalChannel(object, field);
    if (auto *error = std::get_if<ProtocolError>(&channel))
        return *error;
    const auto &name = std::get<std::optional<QString>>(channel);
    if (!name)
        return ProtocolError{ErrorCode::invalidField, field % QStringLiteral(" is required")};
    return SubscriptionCommand{*name, subscribe};
}

} // namespace

QString normalizedChannel(const QString &raw)
{
    return raw.trimmed();
}

std::optional<QString> forbiddenNameCharacter(QStringView name)
{
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name[i].unicode();
        if (isLayoutControl(c))
            return QStringLiteral("the %1 U+%2 at position %3")
                .arg(c < 0x20 || (c >= 0x7f && c <= 0x9f) ? QStringLiteral("control character")
                                                          : QStringLiteral("layout control"),
                     QString::number(c, 16).toUpper().rightJustified(4, u'0'))
                .arg(i + 1);
    }
    return std::nullopt;
}

ClientMessage parseClientMessage(const QString &text)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return ProtocolError{ErrorCode::invalidJson, QStringLiteral("message is not valid JSON: %1 at offset %2")
                                                         .arg(parseError.errorString())
                                                         .arg(parseError.offset)};
    if (!document.isObject())
        return ProtocolError{ErrorCode::notAnObject, QStringLiteral("message must be a JSON object")};

    const QJsonObject object = document.object();
    const QJsonValue type = object.value(QStringLiteral("type"));
    if (type.isUndefined()) {
        const QString legacyField = QStringLiteral("subscribe_to_organization_id");
        if (object.contains(legacyField))
            return parseSubscription(object, legacyField, true);
        return ProtocolError{ErrorCode::missingType,
                             QStringLiteral("message has no \"type\"; expected \"travel\", \"subscribe\" or "
                                            "\"unsubscribe\"")};
    }
    if (!type.isString())
        return fieldError(QStringLiteral("type"), QStringLiteral("a string"));

    const QString typeName = type.toString();
    if (typeName == u"travel")
        return parseTravel(object);
    if (typeName == u"subscribe")
        return parseSubscription(object, QStringLiteral("organization_id"), true);
    if (typeName == u"unsubscribe")
        return parseSubscription(object, QStringLiteral("organization_id"), false);
    return ProtocolError{ErrorCode::unknownType,
                         QStringLiteral("unknown message type \"%1\"; expected \"travel\", \"subscribe\" or "
                                        "\"unsubscribe\"")
                             .arg(typeName.left(64))};
}

} // namespace cdc

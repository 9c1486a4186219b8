#include "PublishRequest.h"

#include "ClientMessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace cdc {

QByteArray compactJson(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    // QJsonDocument only holds containers: serialize the scalar inside one and strip the brackets.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

std::variant<NewEvent, ProtocolError> parsePublishObject(const QJsonValue &value, const QString &where)
{
    const auto invalid = [&where](const QString &message) {
        return ProtocolError{ErrorCode::invalidEvent, where.isEmpty() ? message : where % u": " % message};
    };
    if (!value.isObject())
        return invalid(QStringLiteral("an event must be a JSON object {\"organization_id\":..., \"data\":...}"));
    const QJsonObject object = value.toObject();

    const QJsonValue channelValue = object.value(QStringLiteral("organization_id"));
    if (channelValue.isUndefined() || channelValue.isNull())
        return invalid(QStringLiteral("organization_id is missing"));
    if (!channelValue.isString())
        return invalid(QStringLiteral("organization_id must be a string"));
    const QString channel = normalizedChannel(channelValue.toString());
    if (channel.isEmpty())
        return invalid(QStringLiteral("organization_id must not be blank"));
    if (channel.size() > maxChannelNameLength)
        return invalid(QStringLiteral("organization_id must be at most %1 characters long").arg(maxChannelNameLength));

    const QJsonValue data = object.value(QStringLiteral("data"));
    if (data.isUndefined())
        return invalid(QStringLiteral("data is missing"));
    return NewEvent{channel, compactJson(data)};
}

std::variant<PublishBatch, PublishError> parsePublishBody(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return PublishError{400,
                            {ErrorCode::invalidJson, QStringLiteral("body is not valid JSON: %1 at offset %2")
                                                         .arg(parseError.errorString())
                                                         .arg(parseError.offset)}};

    PublishBatch batch;
    if (document.isObject()) {
        auto parsed = parsePublishObject(document.object());
        if (auto *error = std::get_if<ProtocolError>(&parsed))
            return PublishError{422, *error};
        batch.append(std::move(std::get<NewEvent>(parsed)));
        return batch;
    }

    const QJsonArray array = document.array();
    batch.reserve(array.size());
    for (qsizetype index = 0; index < array.size(); ++index) {
        auto parsed = parsePublishObject(array.at(index), QStringLiteral("event %1").arg(index));
        if (auto *error = std::get_if<ProtocolError>(&parsed))
            return PublishError{422, *error};
        batch.append(std::move(std::get<NewEvent>(parsed)));
    }
    return batch;
}

} // namespace cdc

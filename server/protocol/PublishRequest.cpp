#include "PublishRequest.h"

#include "ClientMessage.h"
#include "CompactJsonReader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <optional>
#include <string_view>

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

namespace {

// What is wrong with a channel name once normalized, if anything.
std::optional<QString> channelProblem(const QString &channel)
{
    if (channel.isEmpty())
        return QStringLiteral("organization_id must not be blank");
    if (channel.size() > maxChannelNameLength)
        return QStringLiteral("organization_id must be at most %1 characters long").arg(maxChannelNameLength);
    return std::nullopt;
}

// One event object of the common shape, read by CompactJsonReader. Declines (nullopt) anything
// that would need an error message, and keys it cannot compare byte for byte, so that Qt's path
// answers those.
std::optional<NewEvent> readEventInOnePass(CompactJsonReader &reader, QByteArray &ignored)
{
    if (!reader.take('{'))
        return std::nullopt;
    std::optional<QString> channel;
    std::optional<QByteArray> payload;
    if (reader.take('}'))
        return std::nullopt;
    do {
        const char *keyBegin = nullptr;
        const char *keyEnd = nullptr;
        if (!reader.plainString(keyBegin, keyEnd) || !reader.take(':'))
            return std::nullopt;
        const std::string_view key(keyBegin, std::size_t(keyEnd - keyBegin));
        if (key == "organization_id") {
            const char *begin = nullptr;
            const char *end = nullptr;
            if (channel || !reader.plainString(begin, end))
                return std::nullopt;
            channel = normalizedChannel(QString::fromLatin1(begin, end - begin));
        } else if (key == "data") {
            if (payload)
                return std::nullopt;
            payload.emplace();
            if (!reader.value(*payload))
                return std::nullopt;
        } else {
            ignored.clear();
            if (!reader.value(ignored))
                return std::nullopt;
        }
    } while (reader.take(','));
    if (!reader.take('}') || !channel || !payload || channelProblem(*channel))
        return std::nullopt;
    return NewEvent{*channel, std::move(*payload)};
}

} // namespace

std::optional<PublishBatch> readPublishBodyInOnePass(const QByteArray &body)
{
    CompactJsonReader reader(body.constBegin(), body.constEnd());
    QByteArray ignored;
    PublishBatch batch;
    if (reader.take('[')) {
        if (!reader.take(']')) {
            do {
                std::optional<NewEvent> event = readEventInOnePass(reader, ignored);
                if (!event)
                    return std::nullopt;
                batch.append(std::move(*event));
            } while (reader.take(','));
            if (!reader.take(']'))
                return std::nullopt;
        }
    } else {
        std::optional<NewEvent> event = readEventInOnePass(reader, ignored);
        if (!event)
            return std::nullopt;
        batch.append(std::move(*event));
    }
    reader.skipSpace();
    if (!reader.atEnd())
        return std::nullopt;
    return batch;
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
    if (const std::optional<QString> problem = channelProblem(channel))
        return invalid(*problem);

    const QJsonValue data = object.value(QStringLiteral("data"));
    if (data.isUndefined())
        return invalid(QStringLiteral("data is missing"));
    return NewEvent{channel, compactJson(data)};
}

std::variant<PublishBatch, PublishError> parsePublishBody(const QByteArray &body)
{
    if (std::optional<PublishBatch> batch = readPublishBodyInOnePass(body))
        return std::move(*batch);
    return parsePublishBodyWithQt(body);
}

std::variant<PublishBatch, PublishError> parsePublishBodyWithQt(const QByteArray &body)
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

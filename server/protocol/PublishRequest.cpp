#include "PublishRequest.h"

#include "ClientMessage.h"
#include "JsonText.h"

#include <optional>

namespace cdc {

namespace {

// One event object of the outline; in a batch (`position` >= 0) messages start "event N: ".
std::variant<NewEvent, ProtocolError> readEvent(const JsonOutline &outline, qsizetype index, qsizetype position)
{
    const auto invalid = [position](const QString &message) {
        return ProtocolError{ErrorCode::invalidEvent,
                             position < 0 ? message : QStringLiteral("event %1: %2").arg(position).arg(message)};
    };
    if (outline.node(index).kind != JsonKind::Object)
        return invalid(QStringLiteral("an event must be a JSON object {\"organization_id\":..., \"data\":...}"));

    // A key given twice would leave it to the reader which one counts; athena (serde) refuses it.
    int count = 0;
    const qsizetype channelAt = outline.member(index, "organization_id", &count);
    if (count > 1)
        return invalid(QStringLiteral("organization_id is given %1 times").arg(count));
    if (channelAt < 0 || outline.node(channelAt).kind == JsonKind::Null)
        return invalid(QStringLiteral("organization_id is missing"));
    if (outline.node(channelAt).kind != JsonKind::String)
        return invalid(QStringLiteral("organization_id must be a string"));
    const std::string &name = outline.node(channelAt).string;
    const QString channel = normalizedChannel(QString::fromUtf8(name.data(), qsizetype(name.size())));
    if (const std::optional<QString> problem = channelNameProblem(channel, QStringLiteral("organization_id")))
        return invalid(*problem);

    const qsizetype dataAt = outline.member(index, "data", &count);
    if (count > 1)
        return invalid(QStringLiteral("data is given %1 times").arg(count));
    if (dataAt < 0)
        return invalid(QStringLiteral("data is missing"));
    return NewEvent{channel, JsonOutline::compact(outline.node(dataAt).text)};
}

} // namespace

std::optional<QString> channelNameProblem(const QString &channel, const QString &what)
{
    if (channel.isEmpty())
        return QStringLiteral("%1 must not be blank").arg(what);
    if (channel.size() > maxChannelNameLength)
        return QStringLiteral("%1 must be at most %2 characters long").arg(what).arg(maxChannelNameLength);
    if (const auto character = forbiddenNameCharacter(channel))
        return QStringLiteral("%1 contains %2").arg(what, *character);
    return std::nullopt;
}

std::variant<PublishBatch, PublishError> parsePublishBody(QByteArrayView body)
{
    // Outlined two levels down: a batch's events, and their members.
    auto read = JsonOutline::read(body, 2);
    if (const auto *error = std::get_if<JsonTextError>(&read))
        return PublishError{
            400, {ErrorCode::invalidJson, QStringLiteral("body is not valid JSON: %1").arg(error->describe())}};
    const JsonOutline &outline = std::get<JsonOutline>(read);

    PublishBatch batch;
    if (outline.root().kind != JsonKind::Array) {
        auto event = readEvent(outline, 0, -1);
        if (auto *error = std::get_if<ProtocolError>(&event))
            return PublishError{422, std::move(*error)};
        batch.append(std::get<NewEvent>(std::move(event)));
        return batch;
    }
    batch.reserve(outline.root().childCount);
    qsizetype position = 0;
    for (qsizetype index = outline.firstChild(0); index >= 0; index = outline.node(index).next, ++position) {
        auto event = readEvent(outline, index, position);
        if (auto *error = std::get_if<ProtocolError>(&event))
            return PublishError{422, std::move(*error)};
        batch.append(std::get<NewEvent>(std::move(event)));
    }
    return batch;
}

} // namespace cdc

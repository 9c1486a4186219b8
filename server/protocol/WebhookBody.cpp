#include "WebhookBody.h"

#include "ClientMessage.h"
#include "JsonText.h"

#include <vector>

namespace cdc {

namespace {

// One payload of the body: the outline it is in, and its node there.
struct Payload
{
    const JsonOutline *outline;
    qsizetype node;
};

// The node at `path` (object members, the first by each name) under `from`, or -1.
qsizetype memberAt(const JsonOutline &outline, qsizetype from, const QStringList &path)
{
    qsizetype at = from;
    for (const QString &name : path) {
        if (at < 0 || outline.node(at).kind != JsonKind::Object)
            return -1;
        const QByteArray key = name.toUtf8();
        at = outline.member(at, std::string_view(key.constData(), size_t(key.size())));
    }
    return at;
}

PublishError refusal(int status, const QString &code, const QString &message)
{
    return PublishError{status, {code, message}};
}

QString pathText(const QStringList &path)
{
    return path.join(u'.');
}

} // namespace

std::variant<WebhookDelivery, PublishError> parseWebhookBody(QByteArrayView body, const WebhookOptions &options)
{
    const QByteArrayView text = body.trimmed();
    if (text.isEmpty())
        return refusal(422, ErrorCode::invalidEvent,
                       QStringLiteral("the body is empty: send a JSON payload, an array of them, or NDJSON"));

    // The whole body as one JSON value first; NDJSON (a payload a line) when it is not one.
    std::vector<JsonOutline> outlines;
    std::vector<Payload> payloads;
    auto whole = JsonOutline::read(text, maxJsonDepth);
    if (auto *outline = std::get_if<JsonOutline>(&whole)) {
        outlines.push_back(std::move(*outline));
        const JsonOutline &read = outlines.front();
        qsizetype list = read.root().kind == JsonKind::Array ? 0 : -1;
        if (!options.itemsField.isEmpty()) {
            list = memberAt(read, 0, options.itemsField);
            if (list < 0 || read.node(list).kind != JsonKind::Array)
                return refusal(422, ErrorCode::invalidEvent,
                               QStringLiteral("the body has no array at %1 to take the events from (?items=%1)")
                                   .arg(pathText(options.itemsField)));
        }
        if (list < 0)
            payloads.push_back({&read, 0});
        else
            for (qsizetype item = read.firstChild(list); item >= 0; item = read.node(item).next)
                payloads.push_back({&read, item});
    } else {
        const JsonTextError &error = std::get<JsonTextError>(whole);
        QList<std::pair<int, QByteArrayView>> lines;
        int number = 0;
        for (qsizetype start = 0; start <= text.size();) {
            qsizetype end = text.indexOf('\n', start);
            if (end < 0)
                end = text.size();
            ++number;
            if (const QByteArrayView line = text.sliced(start, end - start).trimmed(); !line.isEmpty())
                lines.append({number, line});
            start = end + 1;
        }
        if (lines.size() < 2)
            return refusal(400, ErrorCode::invalidJson,
                           QStringLiteral("body is not valid JSON: %1").arg(error.describe()));
        if (!options.itemsField.isEmpty())
            return refusal(422, ErrorCode::invalidEvent,
                           QStringLiteral("?items=%1 reads one JSON object, and the body is not one: %2")
                               .arg(pathText(options.itemsField), error.describe()));
        outlines.reserve(size_t(lines.size())); // the payloads point into it: no reallocation
        for (const auto &[line, json] : lines) {
            auto read = JsonOutline::read(json, maxJsonDepth);
            if (const auto *bad = std::get_if<JsonTextError>(&read))
                return refusal(400, ErrorCode::invalidJson,
                               QStringLiteral("NDJSON line %1, column %2: %3").arg(line).arg(bad->column).arg(bad->reason));
            outlines.push_back(std::get<JsonOutline>(std::move(read)));
            payloads.push_back({&outlines.back(), 0});
        }
    }
    if (payloads.empty())
        return refusal(422, ErrorCode::invalidEvent, QStringLiteral("the body holds no events"));

    // A payload's own delivery key: the one named, or Sequin's where every payload has it.
    const bool keyNamed = !options.idempotencyField.isEmpty();
    const QStringList keyPath =
        keyNamed ? options.idempotencyField : QStringList{QStringLiteral("metadata"), QStringLiteral("idempotency_key")};
    QByteArray keys;
    bool everyKey = true;

    const QString pathChannel = normalizedChannel(options.channel);
    if (options.channelField.isEmpty())
        if (const auto problem = channelNameProblem(pathChannel, QStringLiteral("the channel in the path")))
            return refusal(422, ErrorCode::invalidEvent, *problem);

    WebhookDelivery delivery;
    delivery.events.reserve(qsizetype(payloads.size()));
    const bool several = payloads.size() > 1;
    for (size_t index = 0; index < payloads.size(); ++index) {
        const Payload &payload = payloads[index];
        const auto where = [&](const QString &message) {
            return several ? QStringLiteral("event %1: %2").arg(index).arg(message) : message;
        };
        QString channel = pathChannel;
        if (!options.channelField.isEmpty()) {
            const qsizetype at = memberAt(*payload.outline, payload.node, options.channelField);
            if (at < 0 || payload.outline->node(at).kind != JsonKind::String)
                return refusal(422, ErrorCode::invalidEvent,
                               where(QStringLiteral("no string at %1 to take the channel from (?channel=%1)")
                                         .arg(pathText(options.channelField))));
            const std::string &name = payload.outline->node(at).string;
            channel = normalizedChannel(QString::fromUtf8(name.data(), qsizetype(name.size())));
            if (const auto problem = channelNameProblem(channel, QStringLiteral("the channel at %1").arg(pathText(options.channelField))))
                return refusal(422, ErrorCode::invalidEvent, where(*problem));
        }
        const qsizetype key = memberAt(*payload.outline, payload.node, keyPath);
        const bool hasKey = key >= 0 && (payload.outline->node(key).kind == JsonKind::String ||
                                         payload.outline->node(key).kind == JsonKind::Number);
        if (!hasKey && keyNamed)
            return refusal(422, ErrorCode::invalidEvent,
                           where(QStringLiteral("no idempotency key at %1 (?idempotency_key=%1)").arg(pathText(keyPath))));
        everyKey = everyKey && hasKey;
        if (hasKey)
            keys.append(payload.outline->node(key).text).append('\n');
        delivery.events.append({channel, JsonOutline::compact(payload.outline->node(payload.node).text)});
    }
    if (everyKey)
        delivery.idempotencyKey = keys;
    return delivery;
}

} // namespace cdc

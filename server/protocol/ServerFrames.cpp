#include "ServerFrames.h"

#include "JsonWriter.h"
#include "store/TravelQuery.h"

namespace cdc::ServerFrames {

QByteArray subscribed(const QString &clientId)
{
    JsonWriter writer;
    writer.beginObject()
        .field("status", "subscribed")
        .field("client_id", QStringView(clientId))
        .field("message", "Subscribed via X-Athena-Client header")
        .endObject();
    return writer.take();
}

QByteArray subscriptionChanged(const SubscriptionCommand &command, qsizetype subscriptionCount,
                               const QByteArray &epoch)
{
    JsonWriter writer;
    writer.beginObject()
        .field("status", command.subscribe ? "subscribed" : "unsubscribed")
        .field("organization_id", QStringView(command.channel))
        .field("subscription_count", qint64(subscriptionCount));
    if (!epoch.isEmpty())
        writer.field("epoch", std::string_view(epoch.constData(), size_t(epoch.size())));
    writer.endObject();
    return writer.take();
}

QByteArray error(const ProtocolError &error)
{
    JsonWriter writer;
    writer.beginObject()
        .field("status", "error")
        .field("error", QStringView(error.code))
        .field("message", QStringView(error.message))
        .endObject();
    return writer.take();
}

QByteArray travelComplete(const TravelCommand &request, const TravelResult &result)
{
    JsonWriter writer;
    writer.beginObject().field("status", "travel_complete");
    writer.key("organization_id");
    if (request.channel)
        writer.value(QStringView(*request.channel));
    else
        writer.null();
    writer.optionalField("since_seq", request.sinceSeq);
    writer.optionalField("since_ts_ms", request.sinceTsMs);
    writer.field("limit", result.effectiveLimit)
        .field("count", qint64(result.events.size()))
        .field("truncated", result.truncated)
        .field("gap", result.anyGap())
        .key("channels")
        .beginObject();
    for (const TravelChannelRange &range : result.channels) {
        writer.key(QStringView(range.channel)).beginObject();
        writer.optionalField("oldest_seq", range.oldestSeq);
        writer.optionalField("newest_seq", range.newestSeq);
        writer.field("gap", range.gap);
        if (!range.epoch.isEmpty())
            writer.field("epoch", std::string_view(range.epoch.constData(), size_t(range.epoch.size())));
        writer.endObject();
    }
    writer.endObject().endObject();
    return writer.take();
}

} // namespace cdc::ServerFrames

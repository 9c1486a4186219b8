#include "Capture.h"

#include "EventStore.h"
#include "protocol/ClientMessage.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace cdc {

QByteArray exportCapture(const EventStore &store, QStringList channels, const CaptureRange &range)
{
    if (channels.isEmpty()) {
        for (const ChannelLog *log : store.channels())
            channels.append(log->id());
        channels.sort();
    }
    // The travel query without its cap: everything retained in the window.
    const qint64 everything = std::max<qint64>(1, store.totalEvents());
    const TravelResult result =
        runTravel(store, channels, {range.sinceSeq.value_or(0), range.sinceTsMs, everything}, {everything, everything});
    QByteArray out;
    for (const ChannelEvent &replayed : result.events) {
        if (range.untilSeq && replayed.event.seq > *range.untilSeq)
            continue;
        if (range.untilTsMs && replayed.event.tsMs >= *range.untilTsMs)
            continue;
        out.append(replayed.event.json()).append('\n');
    }
    return out;
}

std::variant<CapturedEvent, QString> parseCaptureLine(QByteArrayView line)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return QStringLiteral("not valid JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset);
    const QJsonObject object = document.object();
    const QString channel = normalizedChannel(object.value(QStringLiteral("organization_id")).toString());
    if (channel.isEmpty())
        return QStringLiteral("organization_id is missing or not a non-blank string");
    const QJsonObject data = object.value(QStringLiteral("data")).toObject();
    if (!data.contains(QStringLiteral("payload")))
        return QStringLiteral("data.payload is missing (expected the wire shape {\"organization_id\":..,\"data\":"
                              "{\"seq\":..,\"ts_ms\":..,\"payload\":..}})");
    const QJsonValue ts = data.value(QStringLiteral("ts_ms"));
    if (!ts.isDouble() || ts.toDouble() < 0)
        return QStringLiteral("data.ts_ms is missing or not a non-negative number");
    // A line this program wrote carries the payload verbatim after `"payload":` (seq and ts_ms are
    // numbers before it): take those bytes as they are, so a round trip changes nothing.
    QByteArray payload;
    const qsizetype dataAt = line.indexOf(",\"data\":{\"seq\":");
    const qsizetype at = dataAt < 0 ? -1 : line.indexOf(",\"payload\":", dataAt);
    if (line.startsWith("{\"organization_id\":") && at > 0 && line.trimmed().endsWith("}}"))
        payload = line.trimmed().sliced(at + 11).chopped(2).toByteArray();
    else
        payload = compactJson(data.value(QStringLiteral("payload")));
    return CapturedEvent{channel, qint64(ts.toDouble()), payload};
}

} // namespace cdc

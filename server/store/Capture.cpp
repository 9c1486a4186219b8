#include "Capture.h"

#include "EventStore.h"
#include "protocol/ClientMessage.h"
#include "protocol/JsonText.h"

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
    // Outlined two levels down: the line's members, and those of its "data".
    auto read = JsonOutline::read(line, 2);
    if (const auto *error = std::get_if<JsonTextError>(&read))
        return QStringLiteral("not valid JSON: %1").arg(error->describe());
    const JsonOutline &outline = std::get<JsonOutline>(read);
    const qsizetype channelAt = outline.root().kind == JsonKind::Object ? outline.member(0, "organization_id") : -1;
    const std::string name = channelAt >= 0 ? outline.node(channelAt).string : std::string();
    const QString channel = normalizedChannel(QString::fromUtf8(name.data(), qsizetype(name.size())));
    if (channelAt < 0 || outline.node(channelAt).kind != JsonKind::String || channel.isEmpty())
        return QStringLiteral("organization_id is missing or not a non-blank string");
    const qsizetype dataAt = outline.member(0, "data");
    const qsizetype payloadAt =
        dataAt >= 0 && outline.node(dataAt).kind == JsonKind::Object ? outline.member(dataAt, "payload") : -1;
    if (payloadAt < 0)
        return QStringLiteral("data.payload is missing (expected the wire shape {\"organization_id\":..,\"data\":"
                              "{\"seq\":..,\"ts_ms\":..,\"payload\":..}})");
    const qsizetype tsAt = outline.member(dataAt, "ts_ms");
    bool ok = tsAt >= 0 && outline.node(tsAt).kind == JsonKind::Number;
    // ts_ms as this program writes it is an integer; one another tool wrote may carry a fraction.
    const double tsMs = ok ? outline.node(tsAt).text.toByteArray().toDouble(&ok) : 0;
    if (!ok || tsMs < 0)
        return QStringLiteral("data.ts_ms is missing or not a non-negative number");
    const qsizetype seqAt = outline.member(dataAt, "seq");
    const qint64 seq = seqAt >= 0 && outline.node(seqAt).kind == JsonKind::Number
                           ? outline.node(seqAt).text.toByteArray().toLongLong()
                           : 0;
    // The payload as recorded, token for token: a capture replays the evidence it holds.
    return CapturedEvent{channel, qint64(tsMs), JsonOutline::compact(outline.node(payloadAt).text), seq};
}

} // namespace cdc

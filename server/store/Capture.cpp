#include "Capture.h"

#include "EventStore.h"
#include "protocol/ClientMessage.h"
#include "protocol/JsonText.h"

namespace cdc {

QByteArray exportCapture(const EventStore &store, QStringList channels, const CaptureRange &range)
{
    CaptureCursor cursor(store, std::move(channels), range);
    QByteArray out;
    for (QByteArray page = cursor.nextPage(store, 1 << 20); !page.isEmpty(); page = cursor.nextPage(store, 1 << 20))
        out.append(page);
    return out;
}

CaptureCursor::CaptureCursor(const EventStore &store, QStringList channels, const CaptureRange &range)
    : m_range(range)
{
    if (channels.isEmpty()) {
        for (const ChannelLog *log : store.channels())
            channels.append(log->id());
        channels.sort();
    }
    for (const QString &channel : std::as_const(channels)) {
        const ChannelLog *log = store.channel(channel);
        if (!log || m_indexOf.contains(channel))
            continue;
        m_indexOf.insert(channel, m_positions.size());
        // The until_seq bound is the channel's bound, if it comes first.
        m_positions.push_back(
            {channel, range.sinceSeq.value_or(0), std::min(log->committedSeq(), range.untilSeq.value_or(log->committedSeq()))});
    }
}

QByteArray CaptureCursor::nextPage(const EventStore &store, qint64 pageBytes)
{
    QByteArray page;
    // A page of events all past the until_ts bound is empty yet not the end: read on.
    for (bool more = true; page.isEmpty() && more;) {
        std::vector<LogSlice> slices;
        slices.reserve(m_positions.size());
        for (const Position &position : m_positions) {
            const ChannelLog *log = store.channel(position.channel);
            if (!log)
                continue; // forgotten since: nothing more of it is retained
            qsizetype begin = log->indexAfterSeq(position.afterSeq);
            if (m_range.sinceTsMs)
                begin = std::max(begin, log->indexAtOrAfterTs(*m_range.sinceTsMs));
            const qsizetype end = std::min(log->committedEnd(), log->indexAfterSeq(position.boundSeq));
            if (begin < end)
                slices.push_back({log, begin, end});
        }
        QList<ChannelEvent> events;
        takeOldest(std::move(slices), std::numeric_limits<qint64>::max(), pageBytes, events);
        more = !events.isEmpty();
        for (const ChannelEvent &taken : std::as_const(events)) {
            m_positions[m_indexOf.value(taken.channel)].afterSeq = taken.event.seq;
            if (!m_range.untilTsMs || taken.event.tsMs < *m_range.untilTsMs)
                page.append(taken.event.json()).append('\n');
        }
    }
    return page;
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

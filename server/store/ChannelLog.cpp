#include "ChannelLog.h"

#include "protocol/JsonWriter.h"
#include "protocol/WsWire.h"

#include <cstring>

#include <algorithm>
#include <charconv>

namespace cdc {

ChannelLog::ChannelLog(QString id)
    : m_id(std::move(id))
{
    m_framePrefix = QByteArrayLiteral("{\"organization_id\":");
    JsonWriter::appendQuoted(m_framePrefix, m_id);
    m_framePrefix.append(",\"data\":{\"seq\":");
}

const StoredEvent &ChannelLog::append(qint64 nowMs, const QByteArray &payload)
{
    restore(m_lastSeq + 1, std::max(nowMs, m_lastTsMs), payload);
    return m_events.back();
}

void ChannelLog::restoreCounters(qint64 lastSeq, qint64 lastTsMs)
{
    m_lastSeq = std::max(m_lastSeq, lastSeq);
    m_lastTsMs = std::max(m_lastTsMs, lastTsMs);
    // Everything before a restored sequence is gone for good: a travel from before it has a gap.
    if (m_events.empty() && m_lastSeq > 0) {
        m_lastEvictedSeq = m_lastSeq;
        m_lastEvictedTsMs = m_lastTsMs;
    }
    m_committedSeq = m_lastSeq;
    m_committedTsMs = m_lastTsMs;
}

qint64 ChannelLog::dropUncommitted(qint64 &dropped)
{
    qint64 freed = 0;
    while (!m_events.empty() && m_events.back().seq > m_committedSeq) {
        freed += m_events.back().wire.size();
        m_events.pop_back();
        ++dropped;
    }
    m_bytes -= freed;
    m_lastSeq = m_committedSeq;
    m_lastTsMs = m_committedTsMs;
    m_lastEvictedSeq = std::min(m_lastEvictedSeq, m_committedSeq);
    return freed;
}

void ChannelLog::restartAt(qint64 lastSeq, qint64 lastTsMs)
{
    Q_ASSERT(m_events.empty());
    m_lastSeq = 0;
    m_lastTsMs = 0;
    m_lastEvictedSeq = 0;
    m_lastEvictedTsMs = -1;
    restoreCounters(lastSeq, lastTsMs);
}

void ChannelLog::restore(qint64 seq, qint64 tsMs, const QByteArray &payload)
{
    if (m_events.empty() && seq > 1 && m_lastEvictedSeq < seq - 1) {
        m_lastEvictedSeq = seq - 1; // older events were dropped before the restart
        m_lastEvictedTsMs = tsMs;
    }
    StoredEvent event;
    event.seq = seq;
    event.tsMs = tsMs;
    m_lastSeq = seq;
    m_lastTsMs = std::max(m_lastTsMs, tsMs);

    // std::to_chars, not snprintf: formatting the two numbers was a visible share of an append.
    char digits[64];
    char *at = std::to_chars(digits, digits + 20, event.seq).ptr;
    at = std::copy_n(",\"ts_ms\":", 9, at);
    at = std::to_chars(at, at + 20, event.tsMs).ptr;
    at = std::copy_n(",\"payload\":", 11, at);
    const int headLength = int(at - digits);
    const qsizetype jsonSize = m_framePrefix.size() + headLength + payload.size() + 2;
    QByteArray header;
    ws::appendHeader(header, ws::Opcode::Text, jsonSize);
    event.jsonOffset = qint32(header.size());
    event.payloadOffset = qint32(header.size() + m_framePrefix.size() + headLength);
    event.wire = m_slab.make(header.size() + jsonSize, [&](char *out) {
        const auto put = [&out](QByteArrayView bytes) {
            std::memcpy(out, bytes.data(), size_t(bytes.size()));
            out += bytes.size();
        };
        put(header);
        put(m_framePrefix);
        put(QByteArrayView(digits, headLength));
        put(payload);
        put("}}");
    });

    m_bytes += event.wire.size();
    m_events.push_back(std::move(event));
}

qint64 ChannelLog::evictOldest()
{
    const StoredEvent &oldest = m_events.front();
    const qint64 freed = oldest.wire.size();
    m_lastEvictedSeq = oldest.seq;
    m_lastEvictedTsMs = oldest.tsMs;
    m_bytes -= freed;
    m_events.pop_front();
    return freed;
}

std::optional<qint64> ChannelLog::oldestSeq() const
{
    return m_events.empty() ? std::nullopt : std::optional<qint64>(m_events.front().seq);
}

std::optional<qint64> ChannelLog::newestSeq() const
{
    return m_events.empty() ? std::nullopt : std::optional<qint64>(m_events.back().seq);
}

qsizetype ChannelLog::indexAfterSeq(qint64 sinceSeq) const
{
    if (m_events.empty())
        return 0;
    const qint64 first = m_events.front().seq;
    if (sinceSeq < first)
        return 0;
    return std::min<qint64>(sinceSeq - first + 1, size());
}

qsizetype ChannelLog::indexAtOrAfterTs(qint64 sinceTsMs) const
{
    const auto position = std::lower_bound(m_events.begin(), m_events.end(), sinceTsMs,
                                           [](const StoredEvent &event, qint64 ts) { return event.tsMs < ts; });
    return qsizetype(position - m_events.begin());
}

bool ChannelLog::lostEventsMatching(std::optional<qint64> sinceSeq, std::optional<qint64> sinceTsMs) const
{
    if (m_historyLost)
        return sinceSeq || sinceTsMs;
    if (m_lastEvictedSeq == 0)
        return false;
    // Evicted events are a prefix with seq and ts_ms both ascending, so the last one evicted is
    // the likeliest to match: if it does not, none did.
    const bool seqMatches = !sinceSeq || m_lastEvictedSeq > *sinceSeq;
    const bool tsMatches = !sinceTsMs || m_lastEvictedTsMs >= *sinceTsMs;
    return seqMatches && tsMatches;
}

} // namespace cdc

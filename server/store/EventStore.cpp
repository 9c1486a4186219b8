#include "EventStore.h"

#include <QDateTime>

#include <utility>
#include <vector>

namespace cdc {

EventStore::EventStore(RetentionLimits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{}

EventStore::~EventStore() = default;

ChannelLog &EventStore::channelFor(const QString &id)
{
    auto found = m_channels.find(id);
    if (found == m_channels.end())
        found = m_channels.insert(id, std::make_shared<ChannelLog>(id));
    return *found.value();
}

QList<AppendReceipt> EventStore::append(const PublishBatch &batch)
{
    QList<AppendReceipt> receipts;
    receipts.reserve(batch.size());
    // Copies share the frame bytes with the log; they keep an event announceable even when a
    // batch larger than the retention evicts it again before the batch is done.
    std::vector<std::pair<const ChannelLog *, StoredEvent>> stored;
    stored.reserve(size_t(batch.size()));
    const qint64 now = m_clock();
    for (const NewEvent &event : batch) {
        ChannelLog &log = channelFor(event.channel);
        const StoredEvent &added = log.append(now, event.payload);
        m_totalBytes += added.frame.size();
        ++m_totalEvents;
        ++m_appendedEvents;
        m_appendOrder.push_back({&log, added.seq});
        receipts.append({log.id(), added.seq, added.tsMs});
        stored.emplace_back(&log, added);
        enforceRetention(log);
    }
    // Announce only after the whole batch is in, so a subscriber never sees half a batch.
    for (const auto &[log, event] : stored)
        Q_EMIT appended(*log, event);
    if (!stored.empty())
        Q_EMIT batchAppended();
    return receipts;
}

void EventStore::setLimits(const RetentionLimits &limits)
{
    m_limits = limits;
    for (const auto &log : std::as_const(m_channels))
        enforceRetention(*log);
}

void EventStore::enforceRetention(ChannelLog &touched)
{
    while (touched.size() > m_limits.maxEventsPerChannel) {
        m_totalBytes -= touched.evictOldest();
        --m_totalEvents;
        ++m_evictedEvents;
    }
    while (m_totalBytes > m_limits.maxTotalBytes && !m_appendOrder.empty()) {
        const AppendOrderEntry oldest = m_appendOrder.front();
        m_appendOrder.pop_front();
        const auto oldestRetained = oldest.channel->oldestSeq();
        if (!oldestRetained || *oldestRetained != oldest.seq)
            continue; // already evicted by its channel's count limit
        m_totalBytes -= oldest.channel->evictOldest();
        --m_totalEvents;
        ++m_evictedEvents;
    }
    // Count-based eviction leaves stale entries anywhere in the queue (behind a quiet channel's
    // old event, say). Compacting whenever they outnumber the live ones keeps the queue within
    // twice the retained events at amortized O(1) per append.
    if (qint64(m_appendOrder.size()) > 2 * m_totalEvents + 1024) {
        std::erase_if(m_appendOrder, [](const AppendOrderEntry &entry) {
            const auto oldestRetained = entry.channel->oldestSeq();
            return !oldestRetained || *oldestRetained > entry.seq;
        });
    }
}

const ChannelLog *EventStore::channel(const QString &id) const
{
    const auto found = m_channels.constFind(id);
    return found == m_channels.cend() ? nullptr : found.value().get();
}

QList<const ChannelLog *> EventStore::channels() const
{
    QList<const ChannelLog *> result;
    result.reserve(m_channels.size());
    for (const auto &log : m_channels)
        result.append(log.get());
    return result;
}

} // namespace cdc

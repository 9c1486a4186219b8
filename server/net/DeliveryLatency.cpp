#include "DeliveryLatency.h"

#include <algorithm>

namespace cdc {

ChannelKey DeliveryLatency::acquire(const QString &channel)
{
    quint32 slot;
    if (!m_free.empty()) {
        slot = m_free.back();
        m_free.pop_back();
    } else {
        slot = quint32(m_slots.size());
        m_slots.emplace_back();
    }
    Slot &taken = m_slots[slot];
    taken.name = channel;
    taken.inUse = true;
    taken.sent.clear();
    return {slot, taken.generation};
}

void DeliveryLatency::release(ChannelKey key)
{
    if (!live(key))
        return;
    Slot &slot = m_slots[key.slot];
    slot.inUse = false;
    slot.name.clear();
    ++slot.generation; // frames still queued with the old key are no longer counted for the channel
    m_free.push_back(key.slot);
}

const DeliveryLatency::Slot *DeliveryLatency::live(ChannelKey key) const
{
    if (key.slot >= m_slots.size())
        return nullptr;
    const Slot &slot = m_slots[key.slot];
    return slot.inUse && slot.generation == key.generation ? &slot : nullptr;
}

QString DeliveryLatency::channelName(ChannelKey key) const
{
    const Slot *slot = live(key);
    return slot ? slot->name : QString();
}

void DeliveryLatency::recordChannel(ChannelKey key, qint64 microseconds, qint64 times)
{
    if (live(key))
        m_slots[key.slot].sent.record(microseconds, times);
}

void DeliveryLatency::collectChannels(LatencyReport &report)
{
    for (Slot &slot : m_slots) {
        if (!slot.inUse || slot.sent.isEmpty())
            continue;
        report.channels.push_back({slot.name, slot.sent});
        slot.sent.clear();
    }
}

namespace {
bool sameChannel(ChannelKey a, ChannelKey b)
{
    return a.slot == b.slot && a.generation == b.generation;
}
} // namespace

void ConnectionLatency::queued(const LiveRun &run)
{
    const LiveStamp &stamp = run.first;
    if (m_queuedHead < m_queued.size()) {
        Run &last = m_queued.back();
        if (last.tsMs == stamp.tsMs && sameChannel(last.channel, stamp.channel) &&
            last.firstSeq + last.frames == stamp.seq) {
            last.frames += run.frames;
            return;
        }
    }
    m_queued.push_back({stamp.channel, stamp.seq, stamp.tsMs, run.frames, 0});
}

void ConnectionLatency::settle(qint64 sentUs, DeliveryLatency &lane)
{
    while (m_unsettled > 0 && m_queuedHead < m_queued.size()) {
        Run &run = m_queued[m_queuedHead];
        const qint64 frames = std::min(m_unsettled, run.frames - run.counted);
        const qint64 microseconds = std::max<qint64>(0, sentUs - run.tsMs * 1000);
        m_sent.record(microseconds, frames);
        lane.recordChannel(run.channel, microseconds, frames);
        remember({run.channel, run.firstSeq + run.counted, run.firstSeq + run.counted + frames - 1, sentUs});
        run.counted += frames;
        m_unsettled -= frames;
        if (run.counted == run.frames)
            ++m_queuedHead;
    }
    m_unsettled = 0;
    if (m_queuedHead == m_queued.size())
        dropAll();
}

void ConnectionLatency::remember(const Write &write)
{
    // One write of a batch is one record: consecutive seqs of a channel that went out together.
    if (!m_writes.empty()) {
        Write &last = m_writes.back();
        if (last.sentUs == write.sentUs && sameChannel(last.channel, write.channel) &&
            last.lastSeq + 1 == write.firstSeq) {
            last.lastSeq = write.lastSeq;
            return;
        }
    }
    if (m_writes.size() == 2 * LatencyReport::keptWrites)
        m_writes.erase(m_writes.begin(), m_writes.begin() + LatencyReport::keptWrites);
    m_writes.push_back(write);
}

void ConnectionLatency::dropNewest(qint64 frames)
{
    while (frames > 0 && m_queuedHead < m_queued.size()) {
        Run &last = m_queued.back();
        const qint64 dropped = std::min(frames, last.frames - last.counted);
        last.frames -= dropped;
        frames -= dropped;
        if (last.frames == last.counted)
            m_queued.pop_back();
    }
    if (m_queuedHead == m_queued.size())
        dropAll();
}

void ConnectionLatency::dropAll()
{
    // A queue that grew during a burst gives its memory back once drained.
    if (m_queued.capacity() > 16)
        std::vector<Run>().swap(m_queued);
    m_queued.clear();
    m_queuedHead = 0;
    m_unsettled = 0;
}

LatencyReport::Client ConnectionLatency::report(quint64 id, qint64 waitingMs, const DeliveryLatency &lane)
{
    LatencyReport::Client client;
    client.id = id;
    client.storedToSent = std::move(m_sent);
    m_sent.clear();
    client.waitingMs = waitingMs;
    m_reportedWaitingMs = waitingMs;
    const size_t first = m_writes.size() > LatencyReport::keptWrites ? m_writes.size() - LatencyReport::keptWrites : 0;
    client.newWrites.reserve(m_writes.size() - first);
    for (size_t i = first; i < m_writes.size(); ++i) {
        const Write &write = m_writes[i];
        const QString channel = lane.channelName(write.channel);
        if (!channel.isEmpty())
            client.newWrites.push_back({channel, write.firstSeq, write.lastSeq, write.sentUs});
    }
    // A busy connection keeps a few writes' room; one that had a burst gives it back.
    if (m_writes.capacity() > 8)
        std::vector<Write>().swap(m_writes);
    m_writes.clear();
    return client;
}

} // namespace cdc

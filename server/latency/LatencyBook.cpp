#include "LatencyBook.h"

#include "protocol/CommitTime.h"
#include "store/StoredEvent.h"

#include <algorithm>

namespace cdc {

LatencyFigures LatencyFigures::of(const LatencyHistogram &samples)
{
    if (samples.isEmpty())
        return {};
    return {samples.count(), samples.quantileMs(0.50), samples.quantileMs(0.99)};
}

void LatencyBook::stored(const QString &channel, const StoredEvent &event, bool watched)
{
    const std::optional<qint64> commitMs = readCommitTimeMs(event.payload());
    if (!commitMs && !watched) {
        const auto found = m_channels.find(channel);
        if (found != m_channels.end())
            found->second.recent.clear(); // nobody watches any more: its times would only sit here
        return;
    }
    ChannelBook *found = bookFor(channel);
    if (!found)
        return;
    ChannelBook &book = *found;
    if (commitMs) {
        if (!book.commitToStored)
            book.commitToStored = std::make_unique<RecentLatency>();
        // ts_ms is ms: so is the sample's resolution.
        book.commitToStored->record(std::max<qint64>(0, event.tsMs - *commitMs) * 1000);
    }
    if (watched) {
        book.recent.push_back({event.seq, commitMs.value_or(-1), event.tsMs});
        if (book.recent.size() > keptEvents)
            book.recent.pop_front();
    } else {
        book.recent.clear();
    }
}

void LatencyBook::merge(const LatencyReport &report)
{
    for (const LatencyReport::Client &reported : report.clients) {
        const auto found = m_clients.find(reported.id);
        if (found == m_clients.end())
            continue; // gone already
        ClientBook &client = found.value();
        client.storedToSent.add(reported.storedToSent);
        client.waitingMs = reported.waitingMs;
        client.recent.insert(client.recent.end(), reported.newWrites.begin(), reported.newWrites.end());
        if (client.recent.size() > LatencyReport::keptWrites)
            client.recent.erase(client.recent.begin(),
                                client.recent.begin() + qsizetype(client.recent.size() - LatencyReport::keptWrites));
    }
    for (const LatencyReport::Channel &reported : report.channels) {
        ChannelBook *channel = bookFor(reported.name);
        if (!channel)
            continue;
        if (!channel->storedToSent)
            channel->storedToSent = std::make_unique<RecentLatency>();
        channel->storedToSent->add(reported.storedToSent);
    }
}

LatencyBook::ChannelBook *LatencyBook::bookFor(const QString &channel)
{
    const auto found = m_channels.find(channel);
    if (found != m_channels.end())
        return &found->second;
    if (m_channels.size() >= maxChannels)
        return nullptr;
    return &m_channels[channel];
}

void LatencyBook::addClient(quint64 id)
{
    m_clients.insert(id, {});
}

void LatencyBook::forgetClient(quint64 id)
{
    m_clients.remove(id);
}

void LatencyBook::rotate()
{
    for (auto it = m_channels.begin(); it != m_channels.end();) {
        ChannelBook &book = it->second;
        for (std::unique_ptr<RecentLatency> *figures : {&book.commitToStored, &book.storedToSent}) {
            if (!*figures)
                continue;
            (*figures)->rotate();
            if ((*figures)->isEmpty())
                figures->reset();
        }
        if (!book.commitToStored && !book.storedToSent && book.recent.empty())
            it = m_channels.erase(it);
        else
            ++it;
    }
    for (ClientBook &client : m_clients)
        client.storedToSent.rotate();
}

LatencyFigures LatencyBook::commitToStored(const QString &channel) const
{
    const auto found = m_channels.find(channel);
    if (found == m_channels.end() || !found->second.commitToStored)
        return {};
    return LatencyFigures::of(found->second.commitToStored->window());
}

LatencyFigures LatencyBook::storedToSent(const QString &channel) const
{
    const auto found = m_channels.find(channel);
    if (found == m_channels.end() || !found->second.storedToSent)
        return {};
    return LatencyFigures::of(found->second.storedToSent->window());
}

LatencyFigures LatencyBook::clientStoredToSent(quint64 client) const
{
    const auto found = m_clients.constFind(client);
    return found == m_clients.cend() ? LatencyFigures{} : LatencyFigures::of(found->storedToSent.window());
}

qint64 LatencyBook::clientWaitingMs(quint64 client) const
{
    const auto found = m_clients.constFind(client);
    return found == m_clients.cend() ? 0 : found->waitingMs;
}

std::vector<EventTimes> LatencyBook::recentEvents(const QString &channel) const
{
    const auto found = m_channels.find(channel);
    if (found == m_channels.end())
        return {};
    std::vector<EventTimes> events;
    events.reserve(found->second.recent.size());
    for (const ChannelBook::Stored &stored : found->second.recent)
        events.push_back(
            {stored.seq, stored.commitMs >= 0 ? std::optional(stored.commitMs) : std::nullopt, stored.tsMs, {}});
    if (events.empty())
        return events;
    const qint64 firstSeq = events.front().seq;
    const qint64 lastSeq = events.back().seq;
    for (auto client = m_clients.cbegin(); client != m_clients.cend(); ++client) {
        for (const SentRange &write : client->recent) {
            if (write.channel != channel)
                continue;
            for (qint64 seq = std::max(write.firstSeq, firstSeq); seq <= std::min(write.lastSeq, lastSeq); ++seq) {
                // The kept events are consecutive seqs unless a part of them was not watched.
                const auto event = std::lower_bound(events.begin(), events.end(), seq,
                                                    [](const EventTimes &e, qint64 s) { return e.seq < s; });
                if (event != events.end() && event->seq == seq)
                    event->sent.push_back({client.key(), write.sentUs});
            }
        }
    }
    return events;
}

QStringList LatencyBook::channels() const
{
    QStringList names;
    for (const auto &[name, book] : m_channels)
        if (book.commitToStored || book.storedToSent)
            names.append(name);
    names.sort();
    return names;
}

} // namespace cdc

#pragma once

#include "LatencyHistogram.h"
#include "LatencyReport.h"

#include <QHash>
#include <QString>

#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace cdc {

struct StoredEvent;

// A latency as the window and /metrics show it.
struct LatencyFigures
{
    qint64 count = 0; // samples in the window; no figures when 0
    double p50Ms = 0;
    double p99Ms = 0;

    static LatencyFigures of(const LatencyHistogram &samples);
};

// One recent event's times: committed at the source (when the payload says), stored (its ts_ms),
// and written to each client that got it live.
struct EventTimes
{
    struct Sent
    {
        quint64 client = 0; // the session id
        qint64 sentUs = 0;  // µs since the epoch
    };
    qint64 seq = 0;
    std::optional<qint64> commitMs;
    qint64 tsMs = 0;
    std::vector<Sent> sent;
};

// Where the time went, on the engine thread: commit→stored per channel (read from each stored
// event), stored→sent per channel and per client (from the delivery threads' reports), how long
// each client's oldest waiting event has waited, and the times of each watched channel's last
// events. Figures cover the last 30–60 s (rotate() every 30 s). Bounded: a channel has an entry
// only while it has figures in the window or subscribers, at most keptEvents event times, and
// at most maxChannels channels are measured at once (about 2 KiB each; a publisher spraying
// channels cannot make it grow further).
class LatencyBook
{
public:
    static constexpr std::size_t keptEvents = 256;
    static constexpr std::size_t maxChannels = 10'000;
    static constexpr qint64 windowPeriodMs = 30'000;
    // A client whose oldest queued event has waited this long is falling behind.
    static constexpr qint64 fallingBehindMs = 1000;

    // Each stored event, once: `watched` when it goes out live to someone.
    void stored(const QString &channel, const StoredEvent &event, bool watched);
    void merge(const LatencyReport &report);
    void addClient(quint64 id);
    void forgetClient(quint64 id);
    void rotate();

    LatencyFigures commitToStored(const QString &channel) const;
    LatencyFigures storedToSent(const QString &channel) const;
    LatencyFigures clientStoredToSent(quint64 client) const;
    qint64 clientWaitingMs(quint64 client) const;
    // The channel's last events (up to keptEvents, oldest first), each with when it went to whom —
    // as far as the clients' last writes still say (LatencyReport::keptWrites each).
    std::vector<EventTimes> recentEvents(const QString &channel) const;
    QStringList channels() const; // those with figures, sorted

private:
    struct ChannelBook
    {
        std::unique_ptr<RecentLatency> commitToStored;
        std::unique_ptr<RecentLatency> storedToSent;
        struct Stored
        {
            qint64 seq = 0;
            qint64 commitMs = -1; // -1: the payload gave none
            qint64 tsMs = 0;
        };
        std::deque<Stored> recent; // 24 bytes an event; the sends are joined when asked
    };
    // The channel's entry, made if there is room; null when maxChannels are measured already.
    ChannelBook *bookFor(const QString &channel);

    struct ClientBook
    {
        RecentLatency storedToSent;
        qint64 waitingMs = 0;
        std::vector<SentRange> recent; // its last writes (up to LatencyReport::keptWrites), oldest first
    };

    std::unordered_map<QString, ChannelBook> m_channels;
    QHash<quint64, ClientBook> m_clients;
};

} // namespace cdc

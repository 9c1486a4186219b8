#pragma once

#include "StoredEvent.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace cdc {

class ChannelLog;
class EventStore;

// The one replay query behind WebSocket travel, HTTP replay and the GUI travel panel.
struct TravelWindow
{
    std::optional<qint64> sinceSeq;  // seq strictly greater
    std::optional<qint64> sinceTsMs; // ts_ms greater or equal
    std::optional<qint64> limit;     // requested; see effectiveLimit()
};

struct TravelLimits
{
    qint64 defaultLimit = 10'000;
    qint64 maxLimit = 50'000;
};

// What one channel looked like to the query: its retained range and whether matching history
// was already evicted.
struct TravelChannelRange
{
    QString channel;
    std::optional<qint64> oldestSeq;
    std::optional<qint64> newestSeq;
    bool gap = false;
    // The epoch of the channel's seq history, when the broker knows it (Broker::epoch).
    QByteArray epoch;
};

struct TravelResult
{
    QList<ChannelEvent> events; // ascending seq per channel; channels merged by (ts_ms, channel, seq)
    qint64 effectiveLimit = 0;
    qint64 matched = 0;
    bool truncated = false;
    QList<TravelChannelRange> channels;

    bool anyGap() const;
};

qint64 effectiveLimit(const TravelWindow &window, const TravelLimits &limits);

// With no since_* the newest `limit` matching events; otherwise the oldest `limit`, so a client can
// page forward by passing the last seq it saw.
TravelResult runTravel(const EventStore &store, const QStringList &channels, const TravelWindow &window,
                       const TravelLimits &limits);

// A channel's events from index `begin` to before `end`.
struct LogSlice
{
    const ChannelLog *log;
    qsizetype begin; // first matching index
    qsizetype end;   // one past the last matching index
};

// Appends to `out` the oldest events of the union of the ranges, merged by (ts_ms, channel, seq):
// `count` of them, or fewer once their wire frames reach `maxBytes`.
void takeOldest(std::vector<LogSlice> cursors, qint64 count, qint64 maxBytes, QList<ChannelEvent> &out);

} // namespace cdc

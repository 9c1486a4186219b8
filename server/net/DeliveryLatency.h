#pragma once

#include "latency/LatencyReport.h"

#include <QString>

#include <vector>

namespace cdc {

// A channel a delivery thread has subscribers of, as the frames queued for it remember it. The key
// of a channel whose last subscriber left is stale (its slot's generation moved on), so a frame
// still queued for it is measured for its client but no longer for the channel.
struct ChannelKey
{
    quint32 slot = 0;
    quint32 generation = 0;
};

// One live event frame's times, queued with it on each connection.
struct LiveStamp
{
    qint64 seq = 0;
    qint64 tsMs = 0; // the event's ts_ms: when the server stored it
    ChannelKey channel;
};

// `frames` event frames of one channel with consecutive seqs from first.seq and first's ts_ms.
struct LiveRun
{
    LiveStamp first;
    qint64 frames = 1;
};

// Where the time goes on one delivery thread, per channel: the stored→sent latency of every event
// frame its connections finished writing. Owned by the DeliveryLane; its thread only.
class DeliveryLatency
{
public:
    ChannelKey acquire(const QString &channel);
    void release(ChannelKey key);
    QString channelName(ChannelKey key) const; // empty once released
    void recordChannel(ChannelKey key, qint64 microseconds, qint64 times);
    // Moves the samples since the last report into `report`.
    void collectChannels(LatencyReport &report);

private:
    struct Slot
    {
        QString name;
        quint32 generation = 0;
        bool inUse = false;
        LatencyHistogram sent;
    };
    const Slot *live(ChannelKey key) const;

    std::vector<Slot> m_slots;
    std::vector<quint32> m_free;
};

// The same for one connection: its stored→sent samples, its writes since the last report (which
// seqs of which channel went out when, for the engine's per-event figures), and what it has queued.
// Queued event frames are kept as runs — consecutive seqs of one channel with one ts_ms, as a
// published batch fans out — so the cost per frame is a comparison and a count; a write counts a
// run's frames as one sample n times.
class ConnectionLatency
{
public:
    // Event frames were queued (the newest): a run of consecutive seqs.
    void queued(const LiveRun &run);
    // The oldest `frames` queued event frames were written completely.
    void written(qint64 frames) { m_unsettled += frames; }
    bool hasUnsettled() const { return m_unsettled > 0; }
    // After each write: the frames written since the last one went out at `sentUs` (µs since the epoch).
    void settle(qint64 sentUs, DeliveryLatency &lane);
    // The newest `frames` queued event frames were dropped unsent (the connection is closing).
    void dropNewest(qint64 frames);
    void dropAll();
    // ts_ms of the oldest event frame still queued, or 0.
    qint64 oldestQueuedTsMs() const { return m_queuedHead == m_queued.size() ? 0 : m_queued[m_queuedHead].tsMs; }
    // Whether a report would tell anything new: samples, writes, another wait. Idle connections are
    // left out of the lane's report (tens of thousands of them, every second).
    bool hasNews(qint64 waitingMs) const
    {
        return !m_sent.isEmpty() || !m_writes.empty() || waitingMs != m_reportedWaitingMs;
    }
    // Hints that the connection is about to queue and write (see WsConnection::prefetchQueues()).
    void prefetch() const
    {
        __builtin_prefetch(m_queued.data() + m_queued.size(), 1);
        __builtin_prefetch(m_writes.data() + m_writes.size(), 1);
    }
    // The samples and writes since the last report (both cleared).
    LatencyReport::Client report(quint64 id, qint64 waitingMs, const DeliveryLatency &lane);

private:
    struct Run
    {
        ChannelKey channel;
        qint64 firstSeq = 0;
        qint64 tsMs = 0;
        qint64 frames = 0;
        qint64 counted = 0; // frames already written and counted
    };
    struct Write
    {
        ChannelKey channel;
        qint64 firstSeq = 0;
        qint64 lastSeq = 0;
        qint64 sentUs = 0;
    };

    void remember(const Write &write);

    // Nothing here is allocated while a connection has nothing queued and nothing to report: an idle
    // connection costs a few words (tens of thousands of them are idle at a time). Hence vectors
    // rather than deques (libstdc++'s allocates half a KiB empty); the histogram's buckets go with
    // the report.
    std::vector<Run> m_queued; // from m_queuedHead on
    size_t m_queuedHead = 0;
    qint64 m_unsettled = 0; // written since the last settle()
    LatencyHistogram m_sent;
    // Since the last report, oldest first; past 2 × keptWrites the older half goes (only the last
    // keptWrites are ever reported).
    std::vector<Write> m_writes;
    qint64 m_reportedWaitingMs = 0;
};

} // namespace cdc

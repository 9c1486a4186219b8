#pragma once

#include "FrameSlab.h"
#include "StoredEvent.h"

#include <QByteArray>
#include <QString>

#include <deque>
#include <optional>

namespace cdc {

// The retained events of one channel, oldest first. Seqs are contiguous (so the event with a
// given seq is found by index) and ts_ms never decreases (so time lookups are binary searches).
class ChannelLog
{
public:
    explicit ChannelLog(QString id);

    const QString &id() const { return m_id; }

    // Assigns the next seq and a ts_ms of at least `nowMs` and at least the previous event's.
    const StoredEvent &append(qint64 nowMs, const QByteArray &payload);
    // Puts back an event read from the journal, with the seq and ts_ms it was given then.
    void restore(qint64 seq, qint64 tsMs, const QByteArray &payload);
    // Continues the sequence after events that are no longer retained anywhere.
    void restoreCounters(qint64 lastSeq, qint64 lastTsMs);
    // Like restoreCounters on an empty log, but the sequence may also move back (cluster mode: a
    // Redis that lost its data starts the channel again).
    void restartAt(qint64 lastSeq, qint64 lastTsMs);

    // Events up to committedSeq() are durable and visible to readers (travel, fan-out).
    qint64 committedSeq() const { return m_committedSeq; }
    void markCommitted()
    {
        m_committedSeq = m_lastSeq;
        m_committedTsMs = m_lastTsMs;
    }
    // Takes back what was appended since the last commit (the journal refused it): nobody saw those
    // events and their publishers were refused, so their seqs are given again. Returns the bytes freed
    // and adds the events dropped to `dropped`.
    qint64 dropUncommitted(qint64 &dropped);
    // Index one past the newest committed event.
    qsizetype committedEnd() const { return indexAfterSeq(m_committedSeq); }
    // Drops the oldest retained event; returns the bytes it held.
    qint64 evictOldest();

    bool isEmpty() const { return m_events.empty(); }
    qsizetype size() const { return qsizetype(m_events.size()); }
    qint64 bytes() const { return m_bytes; }
    qint64 lastSeq() const { return m_lastSeq; }
    qint64 lastTsMs() const { return m_lastTsMs; }
    std::optional<qint64> oldestSeq() const;
    std::optional<qint64> newestSeq() const; // newest retained, committed or not
    const StoredEvent &at(qsizetype index) const { return m_events[size_t(index)]; }
    const StoredEvent &newest() const { return m_events.back(); }

    // Index of the first retained event with seq > sinceSeq (size() when none).
    qsizetype indexAfterSeq(qint64 sinceSeq) const;
    // Index of the first retained event with ts_ms >= sinceTsMs (size() when none).
    qsizetype indexAtOrAfterTs(qint64 sinceTsMs) const;

    // Whether an event that matched (seq > sinceSeq, ts_ms >= sinceTsMs) was already evicted:
    // the replay would then have a hole the client cannot see otherwise.
    bool lostEventsMatching(std::optional<qint64> sinceSeq, std::optional<qint64> sinceTsMs) const;
    // Cluster mode: Redis lost this channel's history (a new epoch, a trimmed hole); every travel
    // from a position reports a gap from then on.
    void markHistoryLost() { m_historyLost = true; }
    bool historyLost() const { return m_historyLost; }

private:
    QString m_id;
    QByteArray m_framePrefix; // {"organization_id":"<id>","data":{"seq":
    FrameSlab m_slab;
    std::deque<StoredEvent> m_events;
    qint64 m_bytes = 0;
    qint64 m_lastSeq = 0;
    qint64 m_lastTsMs = 0;
    qint64 m_committedSeq = 0;
    qint64 m_committedTsMs = 0;
    qint64 m_lastEvictedSeq = 0;
    qint64 m_lastEvictedTsMs = -1;
    bool m_historyLost = false;
};

} // namespace cdc

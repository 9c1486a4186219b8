#pragma once

#include "ChannelLog.h"
#include "protocol/PublishRequest.h"

#include <QHash>
#include <QObject>

#include <deque>
#include <functional>
#include <memory>

namespace cdc {

// Where a stored event landed: returned to the publisher.
struct AppendReceipt
{
    QString channel;
    qint64 seq = 0;
    qint64 tsMs = 0;
};

struct RetentionLimits
{
    qsizetype maxEventsPerChannel = 100'000;
    qint64 maxTotalBytes = qint64(1) << 30;
};

// All channels' retained events, and the single place where seq and ts_ms are assigned.
// Lives on the engine thread; every source appends here and every travel reads here.
class EventStore : public QObject
{
    Q_OBJECT

public:
    using Clock = std::function<qint64()>; // ms since the epoch

    explicit EventStore(RetentionLimits limits, QObject *parent = nullptr);
    ~EventStore() override;

    // Tests inject a clock to make ts_ms deterministic.
    void setClock(Clock clock) { m_clock = std::move(clock); }

    // New limits apply at once: events beyond them are evicted now.
    void setLimits(const RetentionLimits &limits);

    // Appends the batch in order; the caller has validated every event, so it is stored whole.
    QList<AppendReceipt> append(const PublishBatch &batch);

    const ChannelLog *channel(const QString &id) const;
    QList<const ChannelLog *> channels() const;
    qsizetype channelCount() const { return m_channels.size(); }
    qint64 totalBytes() const { return m_totalBytes; }
    qint64 totalEvents() const { return m_totalEvents; }
    qint64 evictedEvents() const { return m_evictedEvents; }
    qint64 appendedEvents() const { return m_appendedEvents; }
    const RetentionLimits &limits() const { return m_limits; }

Q_SIGNALS:
    // Emitted once per stored event, after its whole batch is stored.
    void appended(const cdc::ChannelLog &channel, const cdc::StoredEvent &event);
    // After the last `appended` of one append() call: the moment to push a whole batch out.
    void batchAppended();

private:
    ChannelLog &channelFor(const QString &id);
    void enforceRetention(ChannelLog &touched);

    RetentionLimits m_limits;
    Clock m_clock;
    QHash<QString, std::shared_ptr<ChannelLog>> m_channels;
    // Append order across channels, for evicting the globally oldest event when the byte budget
    // is exceeded. Entries whose event was already evicted by the per-channel count are skipped.
    struct AppendOrderEntry
    {
        ChannelLog *channel;
        qint64 seq;
    };
    std::deque<AppendOrderEntry> m_appendOrder;
    qint64 m_totalBytes = 0;
    qint64 m_totalEvents = 0;
    qint64 m_evictedEvents = 0;
    qint64 m_appendedEvents = 0;
};

} // namespace cdc

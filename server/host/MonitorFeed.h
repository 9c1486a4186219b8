#pragma once

#include "MonitorTypes.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>

namespace cdc {

class CdcServer;
class ChannelLog;

// Turns the engine's activity into a few batched signals for a window: new events every 100 ms
// and a snapshot of channels, clients and totals every 500 ms, never one signal per event. Lives
// on the engine thread; connect to it across threads (queued).
class MonitorFeed : public QObject
{
    Q_OBJECT

public:
    // `maxPendingEvents` bounds the batch between two flushes, trimmed by the view's own rule
    // (FairShare): an observer that keeps only that many rows loses nothing it would have kept.
    MonitorFeed(CdcServer &server, qsizetype maxPendingEvents, QObject *parent = nullptr);

    void setMaxPendingEvents(qsizetype maxPendingEvents) { m_maxPending = maxPendingEvents; }
    EngineSnapshot takeSnapshot();

Q_SIGNALS:
    void eventsArrived(const QList<cdc::LiveEvent> &events);
    void snapshotTaken(const cdc::EngineSnapshot &snapshot);

private:
    void collect(const ChannelLog &channel, const StoredEvent &event);
    void tick();
    // Drops pending events beyond the bound: the busiest channels' oldest first.
    void trimPending();

    CdcServer &m_server;
    qsizetype m_maxPending;
    std::deque<LiveEvent> m_pending;
    QHash<QString, qsizetype> m_pendingPerChannel;
    QList<ServerNotice> m_notices; // for the next snapshot
    qint64 m_noticesNotShown = 0;
    QList<SchemaNote> m_schemaChanges; // for the next snapshot
    QTimer m_timer;
    int m_ticks = 0;
    QHash<QString, qint64> m_previousLastSeq;
    qint64 m_previousSnapshotMs = 0;
};

} // namespace cdc

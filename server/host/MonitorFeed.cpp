#include "MonitorFeed.h"

#include "CdcServer.h"
#include "FairShare.h"
#include "net/SessionHub.h"

#include <algorithm>

namespace cdc {

namespace {
constexpr int eventFlushMs = 100;
constexpr int ticksPerSnapshot = 5;
constexpr qsizetype maxNoticesPerSnapshot = 100;
} // namespace

MonitorFeed::MonitorFeed(CdcServer &server, qsizetype maxPendingEvents, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_maxPending(maxPendingEvents)
{
    connect(&m_server.store(), &EventStore::appended, this, &MonitorFeed::collect);
    connect(&m_server, &CdcServer::noticed, this, [this](const ServerNotice &notice) {
        if (m_notices.size() < maxNoticesPerSnapshot)
            m_notices.append(notice);
        else
            ++m_noticesNotShown;
    });
    connect(&m_server.schemas(), &SchemaLog::noted, this, [this](const SchemaNote &note) {
        if (m_schemaChanges.size() < maxNoticesPerSnapshot)
            m_schemaChanges.append(note);
    });
    connect(&m_timer, &QTimer::timeout, this, &MonitorFeed::tick);
    m_timer.start(eventFlushMs);
}

void MonitorFeed::collect(const ChannelLog &channel, const StoredEvent &event)
{
    m_pending.push_back({channel.id(), event});
    ++m_pendingPerChannel[channel.id()];
    // Trimmed to the bound by the view's own rule (FairShare) once it is twice over, so each event
    // costs O(1) however many arrive between two flushes.
    if (qsizetype(m_pending.size()) >= 2 * m_maxPending)
        trimPending();
}

void MonitorFeed::trimPending()
{
    const std::vector<int> leaving = fairDrop(
        int(m_pending.size()), qsizetype(m_pending.size()) - m_maxPending, m_pendingPerChannel,
        [this](int row) -> const QString & { return m_pending[size_t(row)].channel; }, [](int) { return false; });
    std::deque<LiveEvent> kept;
    auto next = leaving.cbegin();
    for (int row = 0; row < int(m_pending.size()); ++row) {
        if (next != leaving.cend() && *next == row)
            ++next;
        else
            kept.push_back(std::move(m_pending[size_t(row)]));
    }
    m_pending.swap(kept);
}

void MonitorFeed::tick()
{
    if (!m_pending.empty()) {
        if (qsizetype(m_pending.size()) > m_maxPending)
            trimPending();
        QList<LiveEvent> batch(m_pending.begin(), m_pending.end());
        m_pending.clear();
        m_pendingPerChannel.clear();
        Q_EMIT eventsArrived(batch);
    }
    if (++m_ticks % ticksPerSnapshot == 0)
        Q_EMIT snapshotTaken(takeSnapshot());
}

EngineSnapshot MonitorFeed::takeSnapshot()
{
    EngineSnapshot snapshot;
    snapshot.takenAtMs = QDateTime::currentMSecsSinceEpoch();
    snapshot.notices.swap(m_notices);
    snapshot.noticesNotShown = std::exchange(m_noticesNotShown, 0);
    snapshot.schemaChanges.swap(m_schemaChanges);
    const double seconds = m_previousSnapshotMs ? double(snapshot.takenAtMs - m_previousSnapshotMs) / 1000.0 : 0.0;
    const EventStore &store = m_server.store();
    const SessionHub &hub = m_server.sessions();

    auto logs = store.channels();
    std::sort(logs.begin(), logs.end(), [](const ChannelLog *a, const ChannelLog *b) { return a->id() < b->id(); });
    QHash<QString, qint64> lastSeqs;
    for (const ChannelLog *log : logs) {
        ChannelStats stats;
        stats.id = log->id();
        stats.subscribers = hub.subscriberCount(log->id());
        stats.events = log->size();
        stats.bytes = log->bytes();
        stats.oldestSeq = log->oldestSeq();
        stats.newestSeq = log->newestSeq();
        stats.lastSeq = log->lastSeq();
        const qint64 before = m_previousLastSeq.value(log->id(), 0);
        stats.eventsPerSecond = seconds > 0 ? double(stats.lastSeq - before) / seconds : 0.0;
        stats.commitToStored = hub.latency().commitToStored(stats.id);
        stats.storedToSent = hub.latency().storedToSent(stats.id);
        lastSeqs.insert(stats.id, stats.lastSeq);
        snapshot.channels.append(stats);
    }
    m_previousLastSeq = std::move(lastSeqs);
    m_previousSnapshotMs = snapshot.takenAtMs;

    snapshot.clients = hub.clientStats();
    snapshot.eventsIn = store.appendedEvents();
    snapshot.deliveriesOut = hub.deliveredLive() + hub.deliveredReplay();
    snapshot.storeEvents = store.totalEvents();
    snapshot.storeBytes = store.totalBytes();
    snapshot.sources = m_server.metrics().sources.values();
    snapshot.cluster = m_server.metrics().cluster.members;
    if (const Journal *journal = m_server.journal()) {
        snapshot.journalPath = journal->path();
        snapshot.journalBytes = journal->fileBytes();
        snapshot.journalError = store.failure();
    }
    return snapshot;
}

} // namespace cdc

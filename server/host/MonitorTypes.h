#pragma once

#include "cluster/ClusterMember.h"
#include "latency/LatencyBook.h"
#include "sources/SourceStatus.h"
#include "store/StoredEvent.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace cdc {

// What the engine hands to an observer on another thread (the desktop window). Plain values; the
// frame bytes are implicitly shared, so passing them across threads copies nothing.

using LiveEvent = ChannelEvent;

struct ChannelStats
{
    QString id;
    int subscribers = 0;
    qint64 events = 0;
    qint64 bytes = 0;
    std::optional<qint64> oldestSeq;
    std::optional<qint64> newestSeq;
    qint64 lastSeq = 0;
    double eventsPerSecond = 0;
    LatencyFigures commitToStored; // from the source's commit time to ts_ms
    LatencyFigures storedToSent;   // from ts_ms to the write to a client, over its clients
};

struct ClientStats
{
    quint64 sessionId = 0;
    QString clientId;
    QString peer;
    QDateTime connectedAt;
    QStringList subscriptions;
    qint64 eventsSent = 0;
    qint64 queuedBytes = 0;
    LatencyFigures storedToSent;
    qint64 waitingMs = 0; // how long its oldest queued event has waited
    bool fallingBehind() const { return waitingMs >= LatencyBook::fallingBehindMs; }
};

// One recent event's times: committed at the source (when its payload says), stored (ts_ms), and
// written to each client that got it live (docs/latency.md).
struct EventTiming
{
    struct Sent
    {
        quint64 sessionId = 0;
        QString clientId;
        qint64 sentUs = 0; // µs since the epoch
    };
    qint64 seq = 0;
    std::optional<qint64> commitMs;
    qint64 tsMs = 0;
    QList<Sent> sent;
};

struct EngineSnapshot
{
    qint64 takenAtMs = 0;
    QList<ChannelStats> channels; // sorted by id
    QList<ClientStats> clients;   // in connection order
    qint64 eventsIn = 0;          // accepted since start
    qint64 deliveriesOut = 0;     // event frames written to clients since start
    qint64 storeEvents = 0;
    qint64 storeBytes = 0;
    QString journalPath; // empty: in memory only
    qint64 journalBytes = 0;
    QString journalError;         // empty while the journal takes writes; why not (a full disk) otherwise
    QList<SourceStatus> sources;  // by name
    QList<ClusterMember> cluster; // cluster mode: the instances announced in Redis; empty otherwise
};

} // namespace cdc

Q_DECLARE_METATYPE(cdc::LiveEvent)
Q_DECLARE_METATYPE(cdc::EngineSnapshot)
Q_DECLARE_METATYPE(cdc::EventTiming)

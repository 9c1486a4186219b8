#pragma once

#include "cluster/ClusterMember.h"
#include "latency/LatencyBook.h"
#include "net/ServerNotice.h"
#include "net/SessionStats.h"
#include "sources/SchemaLog.h"
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
    QList<ServerNotice> notices;  // since the last snapshot: clients cut, connections refused (the first 100)
    qint64 noticesNotShown = 0;   // past those 100 (a flood of refused connections is counted, not listed)
    QList<SchemaNote> schemaChanges; // since the last snapshot: tables whose shape changed, where
};

} // namespace cdc

Q_DECLARE_METATYPE(cdc::LiveEvent)
Q_DECLARE_METATYPE(cdc::EngineSnapshot)
Q_DECLARE_METATYPE(cdc::EventTiming)

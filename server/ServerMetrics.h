#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

#include "cluster/ClusterMember.h"
#include "sources/SourceStatus.h"

#include <QList>

namespace cdc {

// Counters of what the engine did since start, bumped wherever it happens; the live gauges
// (connections, depth) are read from the store and the hub when rendered (net/PrometheusMetrics).
struct ServerMetrics
{
    qint64 connectionsAccepted = 0; // WebSocket sessions opened
    qint64 travels = 0;
    qint64 slowConsumerDisconnects = 0;
    qint64 idleDisconnects = 0;
    // Times a WebSocket connection stopped being read at --max-unprocessed.
    qint64 inboundPauses = 0;
    qint64 rejectedUpgrades = 0;
    QMap<int, qint64> httpResponses;     // by status
    QMap<QString, qint64> errors;        // by error code, WebSocket and HTTP alike
    QMap<QString, SourceStatus> sources; // upstream sources by name, as they last reported

    QMap<QString, qint64> limitRejections; // by limit: connections, subscriptions, travel_rate, ...

    // Cluster mode (RedisBroker and its pieces keep these; docs/cluster.md).
    struct Cluster
    {
        bool enabled = false;
        bool redisUp = false;
        QString redisState; // "connected", or why not
        QString instanceId;
        qint64 scriptCalls = 0;
        qint64 scriptMicrosTotal = 0; // publish script round trips, summed
        qint64 lastScriptMicros = 0;
        qint64 gapFills = 0;     // XRANGE reads that filled a hole in live delivery
        qint64 eventsFilled = 0; // events those reads delivered
        qint64 eventsLost = 0;   // seqs Redis no longer had when they were needed
        qint64 epochChanges = 0; // channels whose Redis history was lost
        qint64 publishFailures = 0;
        qint64 redisTravels = 0; // travels answered from the stream, not the window
        qint64 trackedChannels = 0;
        QList<ClusterMember> members; // by id, as last read from Redis
    } cluster;

    void countError(const QString &code) { ++errors[code]; }
    void countLimit(const QString &limit) { ++limitRejections[limit]; }
};

} // namespace cdc

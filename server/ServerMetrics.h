#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

#include "sources/SourceStatus.h"

namespace cdc {

class EventStore;
class SessionHub;

// Counters of what the engine did since start; the live gauges (connections, depth) are read from
// the store and the hub when rendered.
struct ServerMetrics
{
    qint64 connectionsAccepted = 0; // WebSocket sessions opened
    qint64 travels = 0;
    qint64 slowConsumerDisconnects = 0;
    qint64 idleDisconnects = 0;
    qint64 rejectedUpgrades = 0;
    QMap<int, qint64> httpResponses;     // by status
    QMap<QString, qint64> errors;        // by error code, WebSocket and HTTP alike
    QMap<QString, SourceStatus> sources; // upstream sources by name, as they last reported

    QMap<QString, qint64> limitRejections; // by limit: connections, subscriptions, travel_rate, ...

    void countError(const QString &code) { ++errors[code]; }
    void countLimit(const QString &limit) { ++limitRejections[limit]; }

    // Prometheus text exposition format 0.0.4.
    QByteArray renderPrometheus(const EventStore &store, const SessionHub &hub) const;
};

} // namespace cdc

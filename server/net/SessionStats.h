#pragma once

#include "latency/LatencyBook.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cdc {

// What the hub tells about its clients and their deliveries (GET /clients, GET /channels/{id}/latency,
// the window's Clients dock): plain values, safe to hand to another thread.

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

} // namespace cdc

#pragma once

#include "store/EventStore.h"
#include "store/TravelQuery.h"

#include <QHostAddress>

#include <chrono>

namespace cdc {

using std::chrono::milliseconds;

// Every tunable of the engine. The defaults here are the documented ones
// (docs/configuration.md); the command line and the GUI settings only override them.
struct ServerConfig
{
    QHostAddress bindAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 4053; // 0 lets the OS choose (tests)

    RetentionLimits retention;
    TravelLimits travel;

    qint64 maxBodyBytes = qint64(16) << 20;
    qint64 maxHeadBytes = qint64(16) << 10;
    qint64 maxQueuedBytesPerClient = qint64(16) << 20;
    qint64 maxIncomingMessageBytes = qint64(1) << 20;

    milliseconds headTimeout{10'000};
    milliseconds keepAliveTimeout{60'000};
    milliseconds pingInterval{30'000};
    milliseconds idleTimeout{90'000};
};

} // namespace cdc

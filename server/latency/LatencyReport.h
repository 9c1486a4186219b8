#pragma once

#include "LatencyHistogram.h"

#include <QString>

#include <vector>

namespace cdc {

// One write to one client: the seqs of one channel that went out in it, and when it finished, in
// µs since the epoch.
struct SentRange
{
    QString channel;
    qint64 firstSeq = 0;
    qint64 lastSeq = 0;
    qint64 sentUs = 0;
};

// What a delivery thread measured since its last report (DeliveryLatency, once a second).
struct LatencyReport
{
    struct Client
    {
        quint64 id = 0;
        LatencyHistogram storedToSent; // new samples only
        // How long the oldest live event still waiting for this client has waited; 0 when none does.
        qint64 waitingMs = 0;
        bool recentChanged = false;
        std::vector<SentRange> recent; // the client's last writes, oldest first, when changed
    };
    struct Channel
    {
        QString name;
        LatencyHistogram storedToSent; // new samples only, over this thread's clients
    };
    std::vector<Client> clients;
    std::vector<Channel> channels;
};

} // namespace cdc

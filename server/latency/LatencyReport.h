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
    // How many of each client's last writes are kept (by the engine's book), for the per-event times.
    static constexpr std::size_t keptWrites = 64;

    struct Client
    {
        quint64 id = 0;
        LatencyHistogram storedToSent; // new samples only
        // How long the oldest live event still waiting for this client has waited; 0 when none does.
        qint64 waitingMs = 0;
        // Its writes since the last report, oldest first (the last keptWrites of them at most): only
        // what is new crosses threads, not every client's last writes every second.
        std::vector<SentRange> newWrites;
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

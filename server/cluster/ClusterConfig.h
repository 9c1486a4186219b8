#pragma once

#include "RedisEndpoint.h"

namespace cdc {

// Cluster mode (--redis; docs/cluster.md).
struct ClusterConfig
{
    RedisEndpoint redis;
    // Start even when Redis would lose acknowledged events (no AOF/RDB, or an evicting
    // maxmemory-policy); the default refuses and says why.
    bool acceptVolatileRedis = false;
    // How often each tracked channel's counter is compared with what this instance delivered:
    // the bound on how late an event missed by a dropped Pub/Sub connection arrives.
    int checkIntervalMs = 1000;
    // Idempotency-Key answers are kept this long (as in single-instance mode).
    int idempotencyWindowS = 24 * 3600;
    // What this instance announces as its address (the Cluster view); empty: its own URL.
    QString advertiseUrl;
};

} // namespace cdc

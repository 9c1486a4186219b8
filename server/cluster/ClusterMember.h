#pragma once

#include <QString>

namespace cdc {

// One instance of a cluster as it announced itself in Redis (every 5 s; gone after 15 s of
// silence): what GET /cluster and the window's Cluster view list.
struct ClusterMember
{
    QString id;
    QString url; // where clients reach it (--redis-advertise-url, or its own ws:// URL)
    qint64 clients = 0;
    qint64 channels = 0; // channels it tracks
    qint64 lastSeenMs = 0;
    bool isThisInstance = false;
};

} // namespace cdc

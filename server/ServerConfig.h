#pragma once

#include "cluster/ClusterConfig.h"
#include "sources/postgres/PostgresConfig.h"
#include "auth/AccessControl.h"
#include "store/EventStore.h"
#include "store/Journal.h"
#include "store/TravelQuery.h"

#include <QHostAddress>
#include <QSslConfiguration>

#include <chrono>
#include <optional>

namespace cdc {

using std::chrono::milliseconds;

// Every tunable of the engine. The defaults here are the documented ones
// (docs/configuration.md); the command line and the GUI settings only override them.
struct ServerConfig
{
    QHostAddress bindAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 4053; // 0 lets the OS choose (tests)

    RetentionLimits retention;
    // Where accepted events are made durable; none: in memory only (a restart forgets them).
    std::optional<JournalOptions> journal;
    // Move an unreadable journal aside and start an empty one, instead of refusing to start.
    bool resetUnreadableJournal = false;
    // Serve a journal whose history is missing or altered (what is intact of it), instead of
    // refusing to start.
    bool acceptJournalLoss = false;
    TravelLimits travel;
    // A PostgreSQL logical-replication source; none: events come only from publishers.
    std::optional<pg::PostgresConfig> postgres;

    // Cluster mode (--redis): Redis is the store of record, shared with other instances; none:
    // this process alone holds its channels (docs/cluster.md).
    std::optional<ClusterConfig> cluster;

    // wss:// and https:// on the port (--tls-cert, --tls-key); none: plain ws:// and http://.
    std::optional<QSslConfiguration> tls;
    // Tokens and what each may do (--auth-tokens); null: no authentication (docs/security.md).
    std::shared_ptr<const AccessControl> accessControl;
    // Origins whose pages may use this server; a request (HTTP or upgrade) with any other Origin
    // header is refused with 403. "*" allows every origin.
    QStringList allowedOrigins;
    // Host names requests may address this server by, beyond this machine's own (HostPolicy: on a
    // loopback address only those are served, against DNS rebinding). "*" allows every name.
    QStringList allowedHosts;

    // Connections and requests (docs/configuration.md); each refusal is counted in /metrics as
    // cdcscope_limit_rejections_total{limit=...}.
    int maxConnections = 10'000;     // open TCP connections, HTTP and WebSocket
    int maxConnectionsPerIp = 1'000; // from one peer address
    int maxSubscriptionsPerConnection = 1'000;
    // Channels this server holds; a publish that would create more is refused whole (429).
    int maxChannels = 100'000;
    // Channels with series of their own in /metrics (the busiest); the rest are summed.
    int metricsChannels = 100;
    int maxTravelsPerSecond = 10; // per connection, with bursts of as many
    qint64 maxBodyBytes = qint64(16) << 20;
    // Request bodies all connections together may hold while they are read and until they are
    // answered; past it a request gets 503 (ByteBudget).
    qint64 bodyBudgetBytes = qint64(128) << 20;
    // A body must arrive at this rate at least, on top of headTimeout for the whole of it: a client
    // that trickles a byte a second is cut, however long it keeps going.
    qint64 minBodyBytesPerSecond = qint64(64) << 10;
    qint64 maxHeadBytes = qint64(16) << 10;
    qint64 maxQueuedBytesPerClient = qint64(16) << 20;
    qint64 maxIncomingMessageBytes = qint64(1) << 20;
    // Messages one WebSocket client may have waiting for the engine; at the limit its connection is
    // not read until the engine catches up (ConnectionStats::unprocessedMessages).
    int maxUnprocessedMessagesPerClient = 64;
    // permessage-deflate with clients that offer it (--compression), for messages of at least
    // compressionMinBytes: smaller ones gain too little for the CPU (docs/performance.md).
    bool compression = true;
    qint64 compressionMinBytes = 256;

    // Threads that own the connections from accept to close and write to them (DeliveryLane); 0: one
    // per core.
    int deliveryThreads = 0;

    milliseconds headTimeout{10'000};
    milliseconds keepAliveTimeout{60'000};
    milliseconds pingInterval{30'000};
    milliseconds idleTimeout{90'000};
};

} // namespace cdc

#include "ConfigFile.h"

#include <QSettings>

namespace cdc {

void saveServerConfig(QSettings &settings, const ServerConfig &config)
{
    settings.setValue(QStringLiteral("server/bind"), config.bindAddress.toString());
    settings.setValue(QStringLiteral("server/port"), config.port);
    settings.setValue(QStringLiteral("retention/events_per_channel"), qint64(config.retention.maxEventsPerChannel));
    settings.setValue(QStringLiteral("retention/total_bytes"), config.retention.maxTotalBytes);
    settings.setValue(QStringLiteral("retention/bytes_per_channel"), config.retention.maxBytesPerChannel);
    settings.setValue(QStringLiteral("retention/max_age_ms"), config.retention.maxAgeMs);
    settings.setValue(QStringLiteral("travel/default_limit"), config.travel.defaultLimit);
    settings.setValue(QStringLiteral("travel/max_limit"), config.travel.maxLimit);
    settings.setValue(QStringLiteral("limits/max_connections"), config.maxConnections);
    settings.setValue(QStringLiteral("limits/max_connections_per_ip"), config.maxConnectionsPerIp);
    settings.setValue(QStringLiteral("limits/max_subscriptions"), config.maxSubscriptionsPerConnection);
    settings.setValue(QStringLiteral("limits/metrics_channels"), config.metricsChannels);
    settings.setValue(QStringLiteral("limits/max_channels"), config.maxChannels);
    settings.setValue(QStringLiteral("server/delivery_threads"), config.deliveryThreads);
    settings.setValue(QStringLiteral("limits/max_travels_per_second"), config.maxTravelsPerSecond);
    settings.setValue(QStringLiteral("limits/max_body_bytes"), config.maxBodyBytes);
    settings.setValue(QStringLiteral("limits/max_head_bytes"), config.maxHeadBytes);
    settings.setValue(QStringLiteral("limits/max_queued_bytes"), config.maxQueuedBytesPerClient);
    settings.setValue(QStringLiteral("limits/max_message_bytes"), config.maxIncomingMessageBytes);
    settings.setValue(QStringLiteral("limits/body_budget_bytes"), config.bodyBudgetBytes);
    settings.setValue(QStringLiteral("limits/max_unprocessed_messages"), config.maxUnprocessedMessagesPerClient);
    settings.setValue(QStringLiteral("websocket/compression"), config.compression ? QStringLiteral("on") : QStringLiteral("off"));
    settings.setValue(QStringLiteral("websocket/compression_min_bytes"), config.compressionMinBytes);
    settings.setValue(QStringLiteral("retention/idempotency_bytes"), config.retention.maxIdempotencyBytes);
    settings.setValue(QStringLiteral("timeouts/head_ms"), qint64(config.headTimeout.count()));
    settings.setValue(QStringLiteral("timeouts/ping_interval_ms"), qint64(config.pingInterval.count()));
    settings.setValue(QStringLiteral("timeouts/idle_ms"), qint64(config.idleTimeout.count()));
    if (config.cluster) {
        RedisEndpoint withoutPassword = config.cluster->redis;
        withoutPassword.password.clear(); // secrets live in the keychain, never in this file
        settings.setValue(QStringLiteral("cluster/redis"), withoutPassword.display());
        settings.setValue(QStringLiteral("cluster/accept_volatile"), config.cluster->acceptVolatileRedis);
        settings.setValue(QStringLiteral("cluster/advertise_url"), config.cluster->advertiseUrl);
    } else {
        settings.remove(QStringLiteral("cluster"));
    }
    if (config.postgres) {
        settings.setValue(QStringLiteral("postgres/dsn"), config.postgres->dsn);
        settings.setValue(QStringLiteral("postgres/slot"), config.postgres->slot);
        settings.setValue(QStringLiteral("postgres/publication"), config.postgres->publication);
        settings.setValue(QStringLiteral("postgres/tables"), config.postgres->tables);
        settings.setValue(QStringLiteral("postgres/channel_column"), config.postgres->routing.column);
        settings.setValue(QStringLiteral("postgres/default_channel"), config.postgres->routing.defaultChannel);
    } else {
        settings.remove(QStringLiteral("postgres"));
    }
}

} // namespace cdc

#include "ConfigFile.h"

#include <QSettings>

namespace cdc {

namespace {

template <typename T> void read(const QSettings &settings, const char *key, T &target)
{
    const QVariant value = settings.value(QLatin1StringView(key));
    if (value.isValid() && value.canConvert<qint64>())
        target = T(value.toLongLong());
}

void readDuration(const QSettings &settings, const char *key, std::chrono::milliseconds &target)
{
    const QVariant value = settings.value(QLatin1StringView(key));
    if (value.isValid())
        target = std::chrono::milliseconds(value.toLongLong());
}

} // namespace

void loadServerConfig(const QSettings &settings, ServerConfig &config)
{
    const QString bind = settings.value(QStringLiteral("server/bind")).toString();
    if (QHostAddress address; !bind.isEmpty() && address.setAddress(bind))
        config.bindAddress = address;
    read(settings, "server/port", config.port);
    read(settings, "retention/events_per_channel", config.retention.maxEventsPerChannel);
    read(settings, "retention/total_bytes", config.retention.maxTotalBytes);
    read(settings, "retention/bytes_per_channel", config.retention.maxBytesPerChannel);
    read(settings, "retention/max_age_ms", config.retention.maxAgeMs);
    read(settings, "travel/default_limit", config.travel.defaultLimit);
    read(settings, "travel/max_limit", config.travel.maxLimit);
    read(settings, "server/delivery_threads", config.deliveryThreads);
    read(settings, "limits/max_connections", config.maxConnections);
    read(settings, "limits/max_connections_per_ip", config.maxConnectionsPerIp);
    read(settings, "limits/max_subscriptions", config.maxSubscriptionsPerConnection);
    read(settings, "limits/metrics_channels", config.metricsChannels);
    read(settings, "limits/max_channels", config.maxChannels);
    read(settings, "limits/max_travels_per_second", config.maxTravelsPerSecond);
    read(settings, "limits/max_body_bytes", config.maxBodyBytes);
    read(settings, "limits/max_head_bytes", config.maxHeadBytes);
    read(settings, "limits/max_queued_bytes", config.maxQueuedBytesPerClient);
    read(settings, "limits/max_message_bytes", config.maxIncomingMessageBytes);
    read(settings, "limits/body_budget_bytes", config.bodyBudgetBytes);
    read(settings, "limits/max_unprocessed_messages", config.maxUnprocessedMessagesPerClient);
    read(settings, "retention/idempotency_bytes", config.retention.maxIdempotencyBytes);
    readDuration(settings, "timeouts/head_ms", config.headTimeout);
    readDuration(settings, "timeouts/ping_interval_ms", config.pingInterval);
    readDuration(settings, "timeouts/idle_ms", config.idleTimeout);

    // The source's connection, never its password (that lives in the keychain).
    const QString dsn = settings.value(QStringLiteral("postgres/dsn")).toString();
    if (!dsn.trimmed().isEmpty()) {
        pg::PostgresConfig postgres;
        postgres.dsn = dsn;
        postgres.slot = settings.value(QStringLiteral("postgres/slot"), postgres.slot).toString();
        postgres.publication = settings.value(QStringLiteral("postgres/publication"), postgres.publication).toString();
        postgres.tables = settings.value(QStringLiteral("postgres/tables")).toStringList();
        postgres.routing.column =
            settings.value(QStringLiteral("postgres/channel_column"), postgres.routing.column).toString();
        postgres.routing.defaultChannel = settings.value(QStringLiteral("postgres/default_channel")).toString();
        config.postgres = postgres;
    }
    // Cluster mode: [cluster] url=redis://..., accept_volatile=true; a bad URL is left to the
    // command line's check (the window shows nothing it cannot start).
    if (const QString url = settings.value(QStringLiteral("cluster/redis")).toString(); !url.isEmpty()) {
        if (auto endpoint = parseRedisUrl(url); std::holds_alternative<RedisEndpoint>(endpoint)) {
            ClusterConfig cluster;
            cluster.redis = std::get<RedisEndpoint>(endpoint);
            cluster.acceptVolatileRedis = settings.value(QStringLiteral("cluster/accept_volatile"), false).toBool();
            cluster.advertiseUrl = settings.value(QStringLiteral("cluster/advertise_url")).toString();
            config.cluster = cluster;
        }
    }
}

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

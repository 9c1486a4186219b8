#pragma once

#include "ClusterConfig.h"
#include "broker/Broker.h"

#include <memory>

namespace cdc {

class EventStore;
class RedisFollower;
class RedisLink;
class RedisMembership;
struct ServerConfig;
struct ServerMetrics;

// Cluster mode's store of record (Centrifugo's Redis engine is the model): Redis assigns seqs and
// keeps the history, and this instance's EventStore is a window onto the channels it tracks — those
// its clients subscribe to and those it publishes to.
//
//   publish   one EVALSHA per channel of a batch (redis_scripts::publish): seqs, ts_ms, stream,
//             Pub/Sub, idempotency record, atomically; the reply's events go into the window.
//   follow    RedisFollower keeps the window current (Pub/Sub, hole fills, epochs).
//   travel    from the window when it covers the request, else from the stream (travelFromStream).
//   members   RedisMembership announces this instance.
//
// A source's position is its idempotency keys here (SourceMark's origin and position are not kept):
// the PostgreSQL source resumes from its slot, and what it sends again is answered by key.
class RedisBroker : public Broker
{
    Q_OBJECT

public:
    RedisBroker(const ClusterConfig &cluster, EventStore &window, ServerMetrics &metrics, const ServerConfig &config,
                QObject *parent = nullptr);
    ~RedisBroker() override;

    bool start(int timeoutMs, QString *errorMessage) override;
    void serve(const Serving &serving) override;
    void leave() override;
    void publish(const PublishBatch &batch, const PublishOptions &options, PublishDone done) override;
    void travel(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits,
                TravelDone done) override;
    void track(const QString &channel) override;
    QByteArray epoch(const QString &channel) const override;
    void endRun(const QString &) override {} // nothing is held across instances
    qint64 sourcePosition(const QString &) const override { return 0; }
    QHash<QString, qint64> sourcePositions() const override { return {}; }
    QByteArray sourceDetail(const QString &) const override { return {}; }
    bool isShared() const override { return true; }
    QString problem() const override;
    void writeHealth(JsonWriter &writer) const override;
    std::optional<Membership> membership() const override;

private:
    // One channel's part of a batch: one script call.
    struct Part;
    struct Progress;
    void publishPart(const Part &part, const PublishOptions &options, const std::shared_ptr<Progress> &progress);

    EventStore &m_window;
    ServerMetrics &m_metrics;
    const ServerConfig &m_config;
    std::unique_ptr<RedisLink> m_link;
    std::unique_ptr<RedisFollower> m_follower;
    std::unique_ptr<RedisMembership> m_membership;
};

} // namespace cdc

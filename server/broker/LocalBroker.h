#pragma once

#include "Broker.h"

namespace cdc {

class EventStore;
struct ServerConfig;
struct ServerMetrics;

// One instance's store of record: the EventStore, with its journal or in memory. Seqs are assigned
// here, a publish is durable once the journal commit holds it (with its idempotency answer and its
// source position, in the same transaction), and history is what the store retains.
class LocalBroker : public Broker
{
    Q_OBJECT

public:
    // `config` is read at each publish (CdcServer::reconfigure changes it in place).
    LocalBroker(EventStore &store, ServerMetrics &metrics, const ServerConfig &config, QObject *parent = nullptr);

    bool start(int timeoutMs, QString *errorMessage) override;
    void serve(const Serving &serving) override;
    void leave() override {}
    void publish(const PublishBatch &batch, const PublishOptions &options, PublishDone done) override;
    void travel(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits,
                TravelDone done) override;
    void track(const QString &) override {} // every channel is here already
    // One history for every channel: the journal's, or this run's without one.
    QByteArray epoch(const QString &) const override;
    void endRun(const QString &sourceKey) override;
    qint64 sourcePosition(const QString &key) const override;
    QHash<QString, qint64> sourcePositions() const override;
    QByteArray sourceDetail(const QString &key) const override;
    bool isShared() const override { return false; }
    QString problem() const override;
    void writeHealth(JsonWriter &writer) const override;
    std::optional<Membership> membership() const override { return std::nullopt; }

private:
    // Why `batch` may not be stored now; nothing when it may.
    std::optional<PublishRefusal> admission(const PublishBatch &batch, const PublishOptions &options) const;

    EventStore &m_store;
    ServerMetrics &m_metrics;
    const ServerConfig &m_config;
};

} // namespace cdc

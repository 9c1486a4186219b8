#pragma once

#include "PostgresConfig.h"
#include "ReplicationWorker.h"
#include "sources/SourceStatus.h"

#include <QMap>
#include <QObject>

#include <memory>

#include <deque>

namespace cdc {
class EventStore;
class RedisBroker;
} // namespace cdc

namespace cdc::pg {

// The engine-thread half of the PostgreSQL source: takes each decoded transaction (or part of a
// large one) from the ReplicationWorker, drops what the journal already has (by LSN, and for parts
// by how many changes of that transaction it holds), appends the rest on the store's one append
// path together with its position, and tells the worker to confirm a transaction's end once the
// journal commit made it durable. It keeps the status that /health, /metrics and the Sources panel show.
class PostgresSource : public QObject
{
    Q_OBJECT

public:
    // With a broker (cluster mode) transactions are stored in Redis, each under an idempotency key
    // made of its source and end LSN, so one that PostgreSQL sends again is stored once.
    PostgresSource(PostgresConfig config, EventStore &store, RedisBroker *broker = nullptr, QObject *parent = nullptr);
    ~PostgresSource() override;

    void start();
    const SourceStatus &status() const { return m_status; }

Q_SIGNALS:
    void statusChanged(const cdc::SourceStatus &status);

private:
    void apply(const QString &sourceKey, const ChangeStream::Transaction &transaction);
    void confirmWhenCommitted(Lsn endLsn);
    // A transaction coming in parts shows in the status, with its rows so far, until it is whole.
    void noteProgress(const ChangeStream::Transaction &transaction);
    // A journal write failed (a full disk): re-read from the confirmed position once it writes again.
    void waitForJournal(const QString &error);
    void applyThroughCluster(const QString &sourceKey, const ChangeStream::Transaction &transaction);
    void confirmStoredInOrder();
    void setState(SourceStatus::State state, QString error);
    void setProgress(Lsn serverWalEnd, Lsn confirmed);
    void noteIdentity(const QString &table, const QString &warning);

    PostgresConfig m_config;
    EventStore &m_store;
    RedisBroker *m_broker = nullptr;
    // Cluster mode: transactions sent to Redis, oldest first; confirmed upstream in this order once
    // stored, so a later one never confirms past an earlier one still on its way.
    struct InFlight
    {
        Lsn endLsn; // 0 for a part of a transaction: it confirms nothing by itself
        bool stored = false;
        QByteArray idempotencyKey;
    };
    std::deque<InFlight> m_inFlight;
    bool m_resending = false; // Redis or the journal refused one: the rest of this session is dropped, then re-sent
    std::unique_ptr<ReplicationWorker> m_worker;
    SourceStatus m_status;
    Lsn m_durable = 0;
    Lsn m_serverWalEnd = 0;
    bool m_failed = false;
    QMap<QString, QString> m_identityWarnings; // by table, so they are listed in order
};

} // namespace cdc::pg

#pragma once

#include "PostgresConfig.h"
#include "ReplicationWorker.h"
#include "sources/SourceStatus.h"

#include <QMap>
#include <QObject>

#include <memory>

namespace cdc {
class EventStore;
}

namespace cdc::pg {

// The engine-thread half of the PostgreSQL source: takes each decoded transaction from the
// ReplicationWorker, drops it if the journal already has it (by LSN), appends it on the store's one
// append path together with its end LSN, and tells the worker to confirm once the journal commit
// made both durable. It keeps the status that /health, /metrics and the Sources panel show.
class PostgresSource : public QObject
{
    Q_OBJECT

public:
    PostgresSource(PostgresConfig config, EventStore &store, QObject *parent = nullptr);
    ~PostgresSource() override;

    void start();
    const SourceStatus &status() const { return m_status; }

Q_SIGNALS:
    void statusChanged(const cdc::SourceStatus &status);

private:
    void apply(const QString &sourceKey, const ChangeStream::Transaction &transaction);
    void confirmWhenCommitted(Lsn endLsn);
    void setState(SourceStatus::State state, const QString &error);
    void setProgress(Lsn serverWalEnd, Lsn confirmed);
    void noteIdentity(const QString &table, const QString &warning);

    PostgresConfig m_config;
    EventStore &m_store;
    std::unique_ptr<ReplicationWorker> m_worker;
    SourceStatus m_status;
    Lsn m_durable = 0;
    Lsn m_serverWalEnd = 0;
    bool m_failed = false;
    QMap<QString, QString> m_identityWarnings; // by table, so they are listed in order
};

} // namespace cdc::pg

#include "PostgresSource.h"

#include "Logging.h"
#include "store/EventStore.h"

#include <QDateTime>
#include <QPointer>

namespace cdc::pg {

PostgresSource::PostgresSource(PostgresConfig config, EventStore &store, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_store(store)
{
    m_status.name = QStringLiteral("postgres");
    const PostgresTarget target = parseTarget(m_config.dsn);
    m_status.target =
        QStringLiteral("%1@%2:%3/%4 slot %5 publication %6")
            .arg(target.user, target.host, target.port, target.dbname, m_config.slot, m_config.publication);
}

PostgresSource::~PostgresSource()
{
    // The worker's queued signals to this object die with it; its thread ends here.
    m_worker.reset();
}

void PostgresSource::start()
{
    if (m_worker)
        return;
    QHash<QString, qint64> journaled;
    // Every key this store knows; the worker picks its own once it has identified the database.
    for (const QString &key : m_store.sourceKeys())
        journaled.insert(key, m_store.sourcePosition(key));
    m_worker = std::make_unique<ReplicationWorker>(m_config, journaled);
    connect(m_worker.get(), &ReplicationWorker::transactionReady, this, &PostgresSource::apply);
    connect(m_worker.get(), &ReplicationWorker::stateChanged, this, &PostgresSource::setState);
    connect(m_worker.get(), &ReplicationWorker::progress, this, &PostgresSource::setProgress);
    connect(m_worker.get(), &ReplicationWorker::identityNoted, this, &PostgresSource::noteIdentity);
    connect(m_worker.get(), &ReplicationWorker::identified, this, [this](const QString &sourceKey) {
        // Where this database and slot resume: what the journal holds from earlier runs.
        const Lsn resumeAt = Lsn(m_store.sourcePosition(sourceKey));
        if (resumeAt > m_durable) {
            m_durable = resumeAt;
            m_status.journaledLsn = formatLsn(resumeAt);
            Q_EMIT statusChanged(m_status);
        }
    });
    m_worker->start();
}

void PostgresSource::apply(const QString &sourceKey, const ChangeStream::Transaction &transaction)
{
    m_worker->markTaken(transaction.events.size());
    if (m_failed)
        return;
    if (transaction.endLsn <= Lsn(m_store.sourcePosition(sourceKey))) {
        // PostgreSQL re-sends what it was not yet told is durable; the journal has it already.
        ++m_status.duplicatesSkipped;
        confirmWhenCommitted(Lsn(m_store.sourcePosition(sourceKey)));
        return;
    }
    if (!transaction.events.isEmpty() && m_store.append(transaction.events).isEmpty()) {
        m_failed = true;
        m_worker->requestStop();
        setState(SourceStatus::State::Failed, m_store.failure());
        return;
    }
    m_store.setSourcePosition(sourceKey, qint64(transaction.endLsn));
    ++m_status.transactions;
    m_status.events += transaction.events.size();
    confirmWhenCommitted(transaction.endLsn); // reports the new counts once durable
}

void PostgresSource::confirmWhenCommitted(Lsn endLsn)
{
    m_store.whenCommitted([self = QPointer<PostgresSource>(this), endLsn](const QString &error) {
        if (!self || !self->m_worker)
            return;
        if (!error.isEmpty()) {
            // Not durable, so never confirmed: PostgreSQL keeps it for the next run.
            self->m_failed = true;
            self->m_worker->requestStop();
            self->setState(SourceStatus::State::Failed, error);
            return;
        }
        self->m_worker->markDurable(endLsn);
        if (endLsn > self->m_durable) {
            self->m_durable = endLsn;
            self->m_status.journaledLsn = formatLsn(endLsn);
            self->m_status.lagBytes = qint64(std::max(self->m_serverWalEnd, endLsn) - endLsn);
            Q_EMIT self->statusChanged(self->m_status);
        }
    });
}

void PostgresSource::setState(SourceStatus::State state, const QString &error)
{
    if (m_failed && state != SourceStatus::State::Failed)
        state = state == SourceStatus::State::Stopped ? state : SourceStatus::State::Failed;
    if (state == SourceStatus::State::Reconnecting && m_status.state == SourceStatus::State::Streaming)
        ++m_status.reconnects;
    m_status.state = state;
    if (!error.isEmpty()) {
        m_status.lastError = error;
        m_status.lastErrorAtMs = QDateTime::currentMSecsSinceEpoch();
    }
    Q_EMIT statusChanged(m_status);
}

void PostgresSource::noteIdentity(const QString &table, const QString &warning)
{
    // Each session describes its tables again: say a warning once, and again only if it changes.
    if (m_identityWarnings.value(table) == warning)
        return;
    if (warning.isEmpty()) {
        m_identityWarnings.remove(table);
        qCInfo(lcIngest).noquote() << "postgres: table" << table << "now sends its channel column with deletes";
    } else {
        m_identityWarnings.insert(table, warning);
        qCWarning(lcIngest).noquote() << "postgres:" << warning;
    }
    m_status.warnings = m_identityWarnings.values();
    Q_EMIT statusChanged(m_status);
}

void PostgresSource::setProgress(Lsn serverWalEnd, Lsn confirmed)
{
    m_serverWalEnd = std::max(m_serverWalEnd, serverWalEnd);
    m_status.confirmedLsn = formatLsn(confirmed);
    const Lsn durable = std::max(m_durable, confirmed);
    m_status.lagBytes = qint64(m_serverWalEnd > durable ? m_serverWalEnd - durable : 0);
    Q_EMIT statusChanged(m_status);
}

} // namespace cdc::pg

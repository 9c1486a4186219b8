#include "PostgresSource.h"

#include "Logging.h"
#include "cluster/RedisBroker.h"
#include "store/EventStore.h"

#include <QCryptographicHash>

#include <QDateTime>
#include <QPointer>

namespace cdc::pg {

PostgresSource::PostgresSource(PostgresConfig config, EventStore &store, RedisBroker *broker, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_store(store)
    , m_broker(broker)
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
    if (m_failed || m_resending)
        return; // PostgreSQL sends it again from the last confirmed position
    if (m_broker)
        return applyThroughCluster(sourceKey, transaction);
    if (transaction.endLsn <= Lsn(m_store.sourcePosition(sourceKey))) {
        // PostgreSQL re-sends what it was not yet told is durable; the journal has it already.
        ++m_status.duplicatesSkipped;
        confirmWhenCommitted(Lsn(m_store.sourcePosition(sourceKey)));
        return;
    }
    if (!transaction.events.isEmpty() && m_store.append(transaction.events).isEmpty())
        return waitForJournal(m_store.failure());
    m_store.setSourcePosition(sourceKey, qint64(transaction.endLsn));
    ++m_status.transactions;
    m_status.events += transaction.events.size();
    confirmWhenCommitted(transaction.endLsn); // reports the new counts once durable
}

void PostgresSource::applyThroughCluster(const QString &sourceKey, const ChangeStream::Transaction &transaction)
{
    if (m_resending)
        return; // PostgreSQL sends it again from the last confirmed position
    m_inFlight.push_back({transaction.endLsn, transaction.events.isEmpty()});
    if (transaction.events.isEmpty())
        return confirmStoredInOrder();
    // The same transaction, sent again after a crash or by another instance after a take-over,
    // has the same key: Redis answers it from the first time and stores nothing.
    const QByteArray key = "postgres\n" + sourceKey.toUtf8() + '\n' + formatLsn(transaction.endLsn).toUtf8();
    QCryptographicHash fingerprint(QCryptographicHash::Sha256);
    for (const NewEvent &event : transaction.events) {
        fingerprint.addData(event.channel.toUtf8());
        fingerprint.addData(event.payload);
    }
    const Lsn endLsn = transaction.endLsn;
    const qsizetype count = transaction.events.size();
    m_broker->publish(transaction.events, key, fingerprint.result(),
                      [self = QPointer<PostgresSource>(this), endLsn, count](const ClusterPublishOutcome &outcome) {
                          if (!self || !self->m_worker || self->m_resending)
                              return;
                          if (outcome.errorStatus != 0) {
                              // Nothing from here on is confirmed; the next session re-sends it all.
                              self->m_resending = true;
                              self->m_inFlight.clear();
                              self->m_worker->requestResend();
                              self->setState(SourceStatus::State::Reconnecting, outcome.errorMessage);
                              return;
                          }
                          if (outcome.replayed) {
                              ++self->m_status.duplicatesSkipped;
                          } else {
                              ++self->m_status.transactions;
                              self->m_status.events += count;
                          }
                          for (InFlight &sent : self->m_inFlight)
                              if (sent.endLsn == endLsn)
                                  sent.stored = true;
                          self->confirmStoredInOrder();
                      });
}

void PostgresSource::confirmStoredInOrder()
{
    Lsn confirmed = 0;
    while (!m_inFlight.empty() && m_inFlight.front().stored) {
        confirmed = m_inFlight.front().endLsn;
        m_inFlight.pop_front();
    }
    if (confirmed == 0)
        return;
    m_worker->markDurable(confirmed);
    if (confirmed > m_durable) {
        m_durable = confirmed;
        m_status.journaledLsn = formatLsn(confirmed);
        m_status.lagBytes = qint64(std::max(m_serverWalEnd, confirmed) - confirmed);
        Q_EMIT statusChanged(m_status);
    }
}

void PostgresSource::confirmWhenCommitted(Lsn endLsn)
{
    m_store.whenCommitted([self = QPointer<PostgresSource>(this), endLsn](const QString &error) {
        if (!self || !self->m_worker)
            return;
        if (!error.isEmpty())
            return self->waitForJournal(error); // not durable, so never confirmed
        self->m_worker->markDurable(endLsn);
        if (endLsn > self->m_durable) {
            self->m_durable = endLsn;
            self->m_status.journaledLsn = formatLsn(endLsn);
            self->m_status.lagBytes = qint64(std::max(self->m_serverWalEnd, endLsn) - endLsn);
            Q_EMIT self->statusChanged(self->m_status);
        }
    });
}

void PostgresSource::waitForJournal(const QString &error)
{
    if (m_resending)
        return;
    // The journal took back what it could not write, and PostgreSQL still holds everything after
    // the confirmed position: drop what streams in until the journal writes again, then read it
    // all again from there. Nothing is lost, nothing is stored twice.
    m_resending = true;
    setState(SourceStatus::State::Reconnecting, error);
    connect(&m_store, &EventStore::journalStateChanged, this, [this] {
        if (!m_store.failure().isEmpty() || !m_worker)
            return;
        disconnect(&m_store, &EventStore::journalStateChanged, this, nullptr);
        m_worker->requestResend();
    });
}

void PostgresSource::setState(SourceStatus::State state, QString error)
{
    if (state == SourceStatus::State::Standby && !m_broker) {
        // Alone, "another instance" is an earlier connection of ours that PostgreSQL still counts
        // as streaming the slot: a frozen walsender, say. The worker retries every second.
        state = SourceStatus::State::Reconnecting;
        error = QStringLiteral("the slot %1 is still held by an earlier connection that PostgreSQL has not ended (a "
                               "frozen server?); trying again every second")
                    .arg(m_config.slot);
    }
    if (state == SourceStatus::State::Streaming)
        m_resending = false; // a new session: what follows is sent again from the confirmed position
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

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
    m_store.releaseChannels(); // a transaction left in parts: others may publish again
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

namespace {

// Next to a source's position the journal keeps how far into a transaction stored in parts it
// got, committed with each part: after a crash, what PostgreSQL sends again of it is stored once.
QString partialCommitKey(const QString &sourceKey)
{
    return sourceKey + QStringLiteral("#partial_commit_lsn");
}

QString partialChangesKey(const QString &sourceKey)
{
    return sourceKey + QStringLiteral("#partial_changes");
}

} // namespace

void PostgresSource::apply(const QString &sourceKey, const ChangeStream::Transaction &transaction)
{
    m_worker->markTaken(transaction.events.size());
    if (m_failed || m_resending)
        return; // PostgreSQL sends it again from the last confirmed position
    noteProgress(transaction);
    if (m_broker)
        return applyThroughCluster(sourceKey, transaction);
    const Lsn position = Lsn(m_store.sourcePosition(sourceKey));
    if (transaction.complete ? transaction.endLsn <= position : transaction.commitLsn < position) {
        // PostgreSQL re-sends what it was not yet told is durable; the journal has it already.
        if (transaction.complete) {
            ++m_status.duplicatesSkipped;
            confirmWhenCommitted(position);
        }
        return;
    }
    // A crash in the middle of a transaction stored in parts: skip what the journal has of it.
    PublishBatch events = transaction.events;
    const bool resumed = m_store.sourcePosition(partialCommitKey(sourceKey)) == qint64(transaction.commitLsn);
    const qint64 storedBefore = resumed ? m_store.sourcePosition(partialChangesKey(sourceKey)) : 0;
    events.remove(0, std::clamp<qint64>(storedBefore - transaction.firstChange, 0, events.size()));
    if (!events.isEmpty()) {
        if (!transaction.complete)
            m_store.holdChannels(events, QStringLiteral("a large PostgreSQL transaction (xid %1, %2 rows so far)")
                                             .arg(transaction.xid)
                                             .arg(m_status.openTransactionRows));
        if (m_store.append(events).isEmpty())
            return waitForJournal(m_store.failure());
    }
    m_status.events += events.size();
    if (!transaction.complete) {
        m_store.setSourcePosition(partialCommitKey(sourceKey), qint64(transaction.commitLsn));
        // A skipped part (already journaled) must not lower the count the journal holds.
        m_store.setSourcePosition(partialChangesKey(sourceKey),
                                  std::max(storedBefore, transaction.firstChange + transaction.events.size()));
        m_store.whenCommitted([self = QPointer<PostgresSource>(this)](const QString &error) {
            if (self && self->m_worker && !error.isEmpty())
                self->waitForJournal(error);
        });
        // One journal transaction per part, not per event-loop turn: several queued parts would
        // otherwise be staged, written and fanned out together.
        m_store.commitNow();
        return;
    }
    m_store.setSourcePosition(sourceKey, qint64(transaction.endLsn));
    if (m_store.sourcePosition(partialCommitKey(sourceKey)) != 0) {
        m_store.setSourcePosition(partialCommitKey(sourceKey), 0);
        m_store.setSourcePosition(partialChangesKey(sourceKey), 0);
    }
    m_store.releaseChannels();
    ++m_status.transactions;
    confirmWhenCommitted(transaction.endLsn); // reports the new counts once durable
}

void PostgresSource::noteProgress(const ChangeStream::Transaction &transaction)
{
    // Only a transaction large enough to come in parts is shown while it streams in.
    if (transaction.complete && transaction.firstChange == 0)
        return;
    m_status.openTransactionXid = transaction.complete ? 0 : transaction.xid;
    m_status.openTransactionRows = transaction.complete ? 0 : transaction.firstChange + transaction.events.size();
    Q_EMIT statusChanged(m_status);
}

void PostgresSource::applyThroughCluster(const QString &sourceKey, const ChangeStream::Transaction &transaction)
{
    if (m_resending)
        return; // PostgreSQL sends it again from the last confirmed position
    // A part confirms nothing by itself: only its transaction's end may be confirmed upstream.
    const Lsn endLsn = transaction.complete ? transaction.endLsn : 0;
    // The same transaction (or part), sent again after a crash or by another instance after a
    // take-over, has the same key: Redis answers it from the first time and stores nothing.
    QByteArray key = "postgres\n" + sourceKey.toUtf8() + '\n';
    if (transaction.complete && transaction.firstChange == 0)
        key += formatLsn(transaction.endLsn).toUtf8();
    else
        key += formatLsn(transaction.commitLsn).toUtf8() + '#' + QByteArray::number(transaction.firstChange);
    m_inFlight.push_back({endLsn, transaction.events.isEmpty(), key});
    if (transaction.events.isEmpty())
        return confirmStoredInOrder();
    QCryptographicHash fingerprint(QCryptographicHash::Sha256);
    for (const NewEvent &event : transaction.events) {
        fingerprint.addData(event.channel.toUtf8());
        fingerprint.addData(event.payload);
    }
    const qsizetype count = transaction.events.size();
    const bool complete = transaction.complete;
    m_broker->publish(
        transaction.events, key, fingerprint.result(),
        [self = QPointer<PostgresSource>(this), key, count, complete](const ClusterPublishOutcome &outcome) {
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
                self->m_status.duplicatesSkipped += complete ? 1 : 0;
            } else {
                self->m_status.transactions += complete ? 1 : 0;
                self->m_status.events += count;
            }
            for (InFlight &sent : self->m_inFlight)
                if (sent.idempotencyKey == key)
                    sent.stored = true;
            self->confirmStoredInOrder();
        });
}

void PostgresSource::confirmStoredInOrder()
{
    Lsn confirmed = 0;
    while (!m_inFlight.empty() && m_inFlight.front().stored) {
        confirmed = std::max(confirmed, m_inFlight.front().endLsn);
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

#include "PostgresSource.h"

#include "protocol/CommitTime.h"
#include "protocol/JsonWriter.h"
#include "sources/SchemaLog.h"

#include "Logging.h"
#include "broker/Broker.h"

#include <QDateTime>
#include <QPointer>

namespace cdc::pg {

PostgresSource::PostgresSource(PostgresConfig config, Broker &broker, SchemaLog &schemas, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_broker(broker)
    , m_schemas(schemas)
{
    m_status.name = QStringLiteral("postgres");
    const PostgresTarget target = parseTarget(m_config.dsn);
    m_status.target =
        QStringLiteral("%1@%2:%3/%4 slot %5 publication %6")
            .arg(target.user, target.host, target.port, target.dbname, m_config.slot, m_config.publication);
}

PostgresSource::~PostgresSource()
{
    if (!m_sourceKey.isEmpty())
        m_broker.endRun(m_sourceKey); // a transaction left in parts: others may publish again
    // The worker's queued signals to this object die with it; its thread ends here.
    m_worker.reset();
}

void PostgresSource::start()
{
    if (m_worker)
        return;
    // Every position the broker knows; the worker picks its own once it has identified the database.
    m_worker = std::make_unique<ReplicationWorker>(m_config, m_broker.sourcePositions());
    connect(m_worker.get(), &ReplicationWorker::transactionReady, this, &PostgresSource::apply);
    connect(m_worker.get(), &ReplicationWorker::stateChanged, this, &PostgresSource::setState);
    connect(m_worker.get(), &ReplicationWorker::progress, this, &PostgresSource::setProgress);
    connect(m_worker.get(), &ReplicationWorker::identityNoted, this, &PostgresSource::noteIdentity);
    connect(m_worker.get(), &ReplicationWorker::slotHealthRead, this, &PostgresSource::noteSlotHealth);
    connect(m_worker.get(), &ReplicationWorker::identified, this, [this](const QString &sourceKey) {
        // Where this database and slot resume: what the broker holds from earlier runs.
        m_sourceKey = sourceKey;
        const Lsn resumeAt = Lsn(m_broker.sourcePosition(sourceKey));
        if (resumeAt > m_durable) {
            m_durable = resumeAt;
            m_status.journaledLsn = formatLsn(resumeAt);
            Q_EMIT statusChanged(m_status);
        }
    });
    m_worker->start();
}

namespace {

// The same transaction (or part of one), sent again after a crash or to another instance after a
// take-over, has the same key, so the broker answers it from the first time and stores nothing.
// Part boundaries depend only on the changes (ChangeStream), so a part's key is stable too.
QByteArray idempotencyKeyOf(const QString &sourceKey, const ChangeStream::Transaction &transaction)
{
    QByteArray key = "postgres\n" + sourceKey.toUtf8() + '\n';
    if (transaction.complete && transaction.firstChange == 0)
        return key + formatLsn(transaction.endLsn).toUtf8();
    return key + formatLsn(transaction.commitLsn).toUtf8() + '#' + QByteArray::number(transaction.firstChange);
}

} // namespace

void PostgresSource::apply(const QString &sourceKey, const ChangeStream::Transaction &transaction)
{
    m_worker->markTaken(transaction.events.size());
    if (m_failed || m_resending)
        return; // PostgreSQL sends it again from the last confirmed position
    noteProgress(transaction);
    const QByteArray key = idempotencyKeyOf(sourceKey, transaction);
    PublishOptions options;
    options.idempotencyKey = key; // the fingerprint is the broker's to take, if it needs one
    SourceMark mark{sourceKey, qint64(transaction.commitLsn), std::nullopt, QString()};
    if (transaction.complete)
        mark.position = qint64(transaction.endLsn);
    else
        mark.partOf = QStringLiteral("a large PostgreSQL transaction (xid %1, %2 rows so far)")
                          .arg(transaction.xid)
                          .arg(m_status.openTransactionRows);
    options.source = mark;
    // A part confirms nothing by itself: only its transaction's end may be confirmed upstream.
    m_inFlight.push_back({transaction.complete ? transaction.endLsn : 0, false, key});
    // Each schema change goes before the table's next change (in this part; one whose change is in
    // the next part has none here); with --pg-schema-events as an event of its own there too.
    PublishBatch events = transaction.events;
    QList<SchemaNote> notes;
    QList<qsizetype> before; // each note's change: its index in what is published
    const auto &changes = transaction.schemaChanges;
    for (const auto &change : changes) {
        if (change.beforeEvent >= transaction.events.size())
            continue;
        qsizetype shift = 0; // schema events put before the change, its own included
        if (m_config.schemaEvents)
            for (const auto &other : changes)
                shift += other.beforeEvent <= change.beforeEvent ? 1 : 0;
        notes.append({{}, 0, change.schema + u'.' + change.table, change.changes, 0});
        before.append(change.beforeEvent + shift);
    }
    if (m_config.schemaEvents && !notes.isEmpty()) {
        // Sent again after a crash, this transaction comes without its schema events (the stream
        // starts with no description to compare): it must still be the same request.
        options.fingerprint = publishFingerprint(transaction.events);
        for (qsizetype i = changes.size() - 1; i >= 0; --i) { // from the last, so positions hold
            const auto &change = changes[i];
            if (change.beforeEvent >= transaction.events.size())
                continue;
            JsonWriter writer;
            writer.beginObject()
                .field("op", "schema")
                .field("schema", QStringView(change.schema))
                .field("table", QStringView(change.table))
                .key("changes")
                .beginArray();
            for (const QString &said : change.changes)
                writer.value(QStringView(said));
            writer.endArray().endObject();
            events.insert(change.beforeEvent, {events[change.beforeEvent].channel, writer.take()});
        }
    }
    const qsizetype count = events.size();
    const bool complete = transaction.complete;
    const qint64 commitMs = transaction.events.isEmpty() ? 0 : readCommitTimeMs(transaction.events.front().payload).value_or(0);
    m_broker.publish(
        events, options,
        [self = QPointer<PostgresSource>(this), key, count, complete, notes, before, commitMs](const PublishOutcome &outcome) {
            if (!self || !self->m_worker || self->m_resending)
                return;
            if (outcome.refusal)
                return self->resendWhenAccepted(outcome.refusal->message);
            if (outcome.replayed) {
                self->m_status.duplicatesSkipped += complete ? 1 : 0;
            } else {
                self->m_status.transactions += complete ? 1 : 0;
                self->m_status.events += count;
            }
            for (qsizetype i = 0; i < notes.size() && i < before.size(); ++i) {
                if (before[i] >= outcome.receipts.size())
                    continue;
                SchemaNote note = notes[i];
                note.channel = outcome.receipts[before[i]].channel;
                note.seq = outcome.receipts[before[i]].seq;
                note.atMs = outcome.receipts[before[i]].tsMs;
                self->m_schemas.add(note);
            }
            self->m_status.lastChangeAtMs = QDateTime::currentMSecsSinceEpoch();
            for (InFlight &sent : self->m_inFlight)
                if (sent.idempotencyKey == key) {
                    sent.stored = true;
                    sent.commitMs = commitMs;
                }
            self->confirmStoredInOrder();
        });
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

void PostgresSource::confirmStoredInOrder()
{
    Lsn confirmed = 0;
    while (!m_inFlight.empty() && m_inFlight.front().stored) {
        confirmed = std::max(confirmed, m_inFlight.front().endLsn);
        if (m_inFlight.front().commitMs > 0)
            m_lastConfirmedCommitMs = m_inFlight.front().commitMs;
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

void PostgresSource::resendWhenAccepted(const QString &error)
{
    // PostgreSQL still holds everything after the confirmed position: drop what streams in until
    // the broker accepts again, then read it all again from there. Nothing is lost, and what was
    // stored meanwhile is answered by its key, not stored twice.
    m_resending = true;
    m_inFlight.clear();
    setState(SourceStatus::State::Reconnecting, error);
    const auto resend = [this] {
        if (!m_broker.problem().isEmpty() || !m_worker)
            return false;
        disconnect(&m_broker, &Broker::stateChanged, this, nullptr);
        m_worker->requestResend();
        return true;
    };
    if (!resend())
        connect(&m_broker, &Broker::stateChanged, this, resend);
}

void PostgresSource::setState(SourceStatus::State state, QString error)
{
    if (state == SourceStatus::State::Standby && !m_broker.isShared()) {
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
    updateWarnings();
    Q_EMIT statusChanged(m_status);
}

void PostgresSource::updateWarnings()
{
    m_status.warnings = m_identityWarnings.values();
    if (!m_slotWarning.isEmpty())
        m_status.warnings.prepend(m_slotWarning);
}

void PostgresSource::noteSlotHealth(qint64 retainedWal, const QString &walStatus, qint64 safeWal, qint64 confirmedLag,
                                    qint64 heartbeats, const QString &error)
{
    m_status.healthError = error;
    m_status.heartbeats = heartbeats;
    if (retainedWal >= 0 || !walStatus.isEmpty()) { // read, even if a heartbeat failed
        m_status.retainedWalBytes = retainedWal >= 0 ? std::optional<qint64>(retainedWal) : std::nullopt;
        m_status.walStatus = walStatus;
        m_status.safeWalBytes = safeWal >= 0 ? std::optional<qint64>(safeWal) : std::nullopt;
        m_status.confirmedLagBytes = confirmedLag;
        // Behind: since the newest confirmed transaction committed; caught up: nothing.
        m_status.confirmedLagSeconds =
            confirmedLag > 0 && m_lastConfirmedCommitMs > 0
                ? double(QDateTime::currentMSecsSinceEpoch() - m_lastConfirmedCommitMs) / 1000.0
                : 0.0;
    }
    const auto mib = [](qint64 bytes) -> QString {
        return QString::number(double(bytes) / double(qint64(1) << 20), 'f', 0) + QStringLiteral(" MiB");
    };
    QString warning;
    if (walStatus == u"lost")
        warning = QStringLiteral("the slot %1 lost WAL it needed (wal_status lost): changes are missing; drop and "
                                 "create the slot again, and look at max_slot_wal_keep_size")
                      .arg(m_config.slot);
    else if (m_status.retainedWalBytes && *m_status.retainedWalBytes > m_config.maxRetainedWalBytes)
        warning = QStringLiteral("the slot %1 retains %2 of WAL on the server (over --pg-max-retained-wal %3)%4: "
                                 "%5")
                      .arg(m_config.slot, mib(*m_status.retainedWalBytes), mib(m_config.maxRetainedWalBytes),
                           walStatus == u"unreserved" ? QStringLiteral(", wal_status unreserved") : QString(),
                           m_config.heartbeat.count() > 0
                               ? QStringLiteral("CDC Scope is behind, or the server keeps WAL for another reason")
                               : QStringLiteral("on a quiet database set --pg-heartbeat 30s so the slot advances"));
    else if (walStatus == u"unreserved")
        warning = QStringLiteral("the slot %1 is about to lose WAL it needs (wal_status unreserved)").arg(m_config.slot);
    if (warning != m_slotWarning) {
        m_slotWarning = warning;
        updateWarnings();
    }
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

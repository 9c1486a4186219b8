#include "PostgresSource.h"

#include "protocol/CommitTime.h"
#include "protocol/JsonWriter.h"
#include "sources/SchemaLog.h"

#include "Logging.h"
#include "broker/Broker.h"

#include <QDateTime>
#include <QPointer>
#include <QUuid>

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
    connect(m_worker.get(), &ReplicationWorker::backfillChunkReady, this, &PostgresSource::applyChunk);
    connect(m_worker.get(), &ReplicationWorker::identified, this, [this](const QString &sourceKey) {
        // Where this database and slot resume: what the broker holds from earlier runs.
        m_sourceKey = sourceKey;
        const Lsn resumeAt = Lsn(m_broker.sourcePosition(sourceKey));
        if (resumeAt > m_durable) {
            m_durable = resumeAt;
            m_status.journaledLsn = formatLsn(resumeAt);
            Q_EMIT statusChanged(m_status);
        }
        resumeBackfills();
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
    SourceMark mark{sourceKey, qint64(transaction.commitLsn), std::nullopt, QString(), {}};
    if (transaction.complete)
        mark.position = qint64(transaction.endLsn);
    else
        mark.partOf = QStringLiteral("a large PostgreSQL transaction (xid %1, %2 rows so far)")
                          .arg(transaction.xid)
                          .arg(m_status.openTransactionRows);
    options.source = mark;
    // A part confirms nothing by itself: only its transaction's end may be confirmed upstream.
    const qint64 number = m_inFlightFirst + qint64(m_inFlight.size());
    m_inFlight.push_back({transaction.complete ? transaction.endLsn : 0, false, 0});
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
        [self = QPointer<PostgresSource>(this), number, count, complete, notes, before, commitMs](const PublishOutcome &outcome) {
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
            const qint64 index = number - self->m_inFlightFirst;
            if (index >= 0 && index < qint64(self->m_inFlight.size())) {
                InFlight &sent = self->m_inFlight[size_t(index)];
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
        ++m_inFlightFirst;
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
    m_inFlightFirst += qint64(m_inFlight.size()); // answers still to come find nothing
    m_inFlight.clear();
    setState(SourceStatus::State::Reconnecting, error);
    const auto resend = [this] {
        if (!m_broker.problem().isEmpty() || !m_worker)
            return false;
        disconnect(&m_broker, &Broker::stateChanged, this, nullptr);
        // Backfills read again after what is stored: chunks refused with the rest are not lost.
        for (BackfillView &view : m_backfills) {
            if (!view.current.isActive())
                continue;
            const BackfillPosition::State state = view.current.state;
            view.current = view.stored;
            view.current.state = state;
            m_worker->orderBackfill({BackfillOrder::Kind::Rewind, view.current});
        }
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

namespace {

// "orders" → "public.orders"; empty when it cannot name a table.
QString qualifiedTable(const QString &given)
{
    const QString table = given.trimmed();
    if (table.isEmpty() || table.size() > 200 || table.startsWith(u'.') || table.endsWith(u'.'))
        return {};
    return table.contains(u'.') ? table : QStringLiteral("public.") + table;
}

BackfillControl::Answer refusal(int status, const char *code, const QString &message)
{
    return {status, QString::fromLatin1(code), message, std::nullopt};
}

} // namespace

BackfillControl::Answer PostgresSource::startBackfill(const QString &given, qint64 chunkSize)
{
    const QString table = qualifiedTable(given);
    if (table.isEmpty())
        return refusal(422, "invalid_table", QStringLiteral("name a table: \"schema.table\" or \"table\" (in public)"));
    if (chunkSize < 0 || chunkSize > 100'000)
        return refusal(422, "invalid_chunk_size", QStringLiteral("chunk_size is between 1 and 100000 rows"));
    if (const auto found = m_backfills.constFind(table); found != m_backfills.cend() && found->current.isActive())
        return refusal(409, "backfill_exists",
                       QStringLiteral("a backfill of %1 is %2 (%3 rows read); resume or cancel it first")
                           .arg(table, backfillStateName(found->current.state))
                           .arg(found->stored.rowsRead));
    if (!m_backfills.contains(table) && m_backfills.size() >= maxBackfills) {
        auto oldest = m_backfills.end();
        for (auto it = m_backfills.begin(); it != m_backfills.end(); ++it)
            if (!it->current.isActive() && (oldest == m_backfills.end() || it->current.finishedAtMs < oldest->current.finishedAtMs))
                oldest = it;
        if (oldest == m_backfills.end())
            return refusal(429, "too_many_backfills",
                           QStringLiteral("%1 backfills are running or paused; cancel one first").arg(maxBackfills));
        m_backfills.erase(oldest); // its journaled position stays, for a restart to list
    }
    BackfillPosition position;
    position.table = table;
    position.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    position.chunkSize = chunkSize > 0 ? chunkSize : m_config.backfillChunkSize;
    position.startedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_backfills.insert(table, {position, position, {}});
    if (m_worker)
        m_worker->orderBackfill({BackfillOrder::Kind::Start, position});
    qCInfo(lcIngest).noquote() << "postgres: backfill of" << table << "started," << position.chunkSize << "rows a chunk";
    storeBackfill(position);
    showBackfills();
    return {202, {}, {}, m_status.backfills.value(std::distance(m_backfills.begin(), m_backfills.find(table)))};
}

BackfillControl::Answer PostgresSource::controlBackfill(const QString &given, Action action)
{
    const QString table = qualifiedTable(given);
    const auto found = m_backfills.find(table);
    if (found == m_backfills.end())
        return refusal(404, "no_backfill", QStringLiteral("there is no backfill of %1").arg(table.isEmpty() ? given : table));
    BackfillPosition &current = found->current;
    using State = BackfillPosition::State;
    const auto wrongState = [&](const char *verb) {
        return refusal(409, "backfill_state",
                       QStringLiteral("the backfill of %1 is %2; it cannot be %3").arg(table, backfillStateName(current.state),
                                                                                   QLatin1String(verb)));
    };
    BackfillOrder order{BackfillOrder::Kind::Pause, current};
    switch (action) {
    case Action::Pause:
        if (current.state != State::Running)
            return wrongState("paused");
        current.state = State::Paused;
        break;
    case Action::Resume:
        if (current.state != State::Paused && current.state != State::Failed)
            return wrongState("resumed");
        // A failed one goes on after what it stored, once what failed it is fixed.
        order.kind = current.state == State::Failed ? BackfillOrder::Kind::Start : BackfillOrder::Kind::Resume;
        if (current.state == State::Failed)
            current = found->stored;
        current.state = State::Running;
        current.error.clear();
        current.finishedAtMs = 0;
        order.position = current;
        break;
    case Action::Cancel:
        if (!current.isActive())
            return wrongState("cancelled");
        current.state = State::Cancelled;
        current.finishedAtMs = QDateTime::currentMSecsSinceEpoch();
        order.kind = BackfillOrder::Kind::Cancel;
        break;
    }
    if (m_worker)
        m_worker->orderBackfill(order);
    // Journaled as what is stored, in its new state: a restart keeps it paused, or cancelled.
    BackfillPosition journaled = found->stored;
    journaled.state = current.state;
    journaled.error = current.error;
    journaled.finishedAtMs = current.finishedAtMs;
    storeBackfill(journaled);
    showBackfills();
    return {200, {}, {}, m_status.backfills.value(std::distance(m_backfills.begin(), found))};
}

void PostgresSource::resumeBackfills()
{
    if (m_backfillsResumed)
        return;
    m_backfillsResumed = true;
    const QString prefix = backfillSourceKey(m_sourceKey, {});
    const QList<QString> keys = m_broker.sourcePositions().keys();
    for (const QString &key : keys) {
        if (!key.startsWith(prefix))
            continue;
        const auto position = BackfillPosition::fromJson(m_broker.sourceDetail(key));
        if (!position || m_backfills.contains(position->table))
            continue; // one ordered before the database answered is newer
        if (!position->isActive() && m_backfills.size() >= maxBackfills)
            continue; // finished long ago: the list keeps the newest
        m_backfills.insert(position->table, {*position, *position, {}});
        if (position->isActive()) {
            qCInfo(lcIngest).noquote() << "postgres: backfill of" << position->table << "goes on after"
                                       << position->rowsRead << "rows," << backfillStateName(position->state);
            m_worker->orderBackfill({BackfillOrder::Kind::Start, *position});
        }
    }
    // --pg-backfill: once per slot. A finished or cancelled one is not done again; a failed one is.
    for (const QString &given : std::as_const(m_config.backfillTables)) {
        const auto found = m_backfills.constFind(qualifiedTable(given));
        if (found != m_backfills.cend() && found->current.state != BackfillPosition::State::Failed)
            continue;
        const Answer answer = startBackfill(given, 0);
        if (!answer.backfill)
            qCWarning(lcIngest).noquote() << "postgres: --pg-backfill" << given << ":" << answer.message;
    }
    showBackfills();
}

void PostgresSource::applyChunk(const QString &sourceKey, const BackfillChunk &chunk)
{
    m_worker->markTaken(chunk.events.size());
    if (m_failed || m_resending || sourceKey != m_sourceKey)
        return; // read again after the rewind the resend orders
    const auto found = m_backfills.find(chunk.after.table);
    if (found == m_backfills.end() || found->current.id != chunk.after.id || !found->current.isActive())
        return; // cancelled or replaced since the chunk was read
    BackfillPosition position = chunk.after;
    if (position.state == BackfillPosition::State::Running && found->current.state == BackfillPosition::State::Paused)
        position.state = BackfillPosition::State::Paused; // read before the pause reached the thread
    found->current = position;
    if (position.state == BackfillPosition::State::Done)
        qCInfo(lcIngest).noquote() << "postgres: backfill of" << position.table << "done:" << position.rowsRead
                                   << "rows read," << position.rowsSkipped << "left to changes in their window";
    storeBackfill(position, chunk.events);
    showBackfills();
}

void PostgresSource::storeBackfill(const BackfillPosition &position, const PublishBatch &events)
{
    if (m_sourceKey.isEmpty())
        return; // journaled once the database has answered (resumeBackfills)
    // Journaled from its first chunk on: before it there is nothing to go on from, and a table that
    // cannot be read (a name that is no table) leaves no row in the journal.
    if (events.isEmpty() && position.chunks == 0) {
        if (const auto found = m_backfills.find(position.table); found != m_backfills.end() && found->current.id == position.id)
            found->stored = position; // nothing to wait for
        return;
    }
    PublishOptions options;
    if (!events.isEmpty()) // the same chunk sent again (cluster mode keeps no position) is stored once
        options.idempotencyKey = "backfill\n" + m_sourceKey.toUtf8() + '\n' + position.table.toUtf8() + '\n' +
                                 position.id.toUtf8() + '#' + QByteArray::number(position.chunks);
    SourceMark mark;
    mark.key = backfillSourceKey(m_sourceKey, position.table);
    mark.position = position.chunks;
    mark.detail = position.toJson();
    options.source = mark;
    const qsizetype count = events.size();
    m_broker.publish(events, options, [self = QPointer<PostgresSource>(this), position, count](const PublishOutcome &outcome) {
        if (!self || !self->m_worker || self->m_resending)
            return;
        if (outcome.refusal)
            return self->resendWhenAccepted(outcome.refusal->message);
        if (!outcome.replayed)
            self->m_status.events += count;
        const auto found = self->m_backfills.find(position.table);
        if (found == self->m_backfills.end() || found->current.id != position.id)
            return;
        found->stored = position;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto &samples = found->samples;
        samples.emplace_back(now, position.rowsRead);
        while (samples.size() > 2 && samples.front().first < now - 10'000)
            samples.pop_front();
        if (count > 0)
            self->m_status.lastChangeAtMs = now;
        self->showBackfills();
    });
}

void PostgresSource::showBackfills()
{
    m_status.backfills.clear();
    for (const BackfillView &view : std::as_const(m_backfills)) {
        BackfillStatus shown;
        const BackfillPosition &stored = view.stored;
        shown.table = view.current.table;
        // Done or failed once that is stored: until then the rows shown are still the last chunk's.
        const bool ending = !view.current.isActive() && stored.isActive() && view.current.state != BackfillPosition::State::Cancelled;
        shown.state = backfillStateName(ending ? stored.state : view.current.state);
        shown.error = ending ? QString() : view.current.error;
        shown.rowsRead = stored.rowsRead;
        shown.rowsSkipped = stored.rowsSkipped;
        shown.estimate = std::max(view.current.estimate, stored.estimate);
        shown.chunks = stored.chunks;
        shown.startedAtMs = stored.startedAtMs;
        shown.finishedAtMs = view.current.finishedAtMs;
        QStringList key;
        for (const QByteArray &value : stored.lastKey)
            key.append(QString::fromUtf8(value));
        shown.lastKey = key.isEmpty() ? QString() : u'(' + key.join(QStringLiteral(", ")) + u')';
        if (view.current.state == BackfillPosition::State::Running && view.samples.size() >= 2) {
            const auto &[firstMs, firstRows] = view.samples.front();
            const auto &[lastMs, lastRows] = view.samples.back();
            if (lastMs > firstMs)
                shown.rowsPerSecond = double(lastRows - firstRows) * 1000.0 / double(lastMs - firstMs);
            if (shown.rowsPerSecond > 0 && shown.estimate > shown.rowsRead)
                shown.etaSeconds = qint64(double(shown.estimate - shown.rowsRead) / shown.rowsPerSecond);
        }
        m_status.backfills.append(shown);
    }
    Q_EMIT statusChanged(m_status);
}

} // namespace cdc::pg

#pragma once

#include "Backfill.h"
#include "ChangeStream.h"
#include "PostgresConfig.h"
#include "sources/SourceStatus.h"

#include <QHash>
#include <QMetaType>
#include <QThread>

#include <atomic>

namespace cdc::pg {

class BackfillRunner;

// The libpq side of the PostgreSQL source, on its own thread: connects in replication mode,
// makes sure the publication and the slot exist, streams pgoutput, decodes each transaction and
// hands it to the engine thread (transactionReady). It confirms to PostgreSQL only what the engine
// reported durable (markDurable), and reconnects with backoff when the connection ends.
//
// Nothing here touches the store: the engine side (PostgresSource) owns every decision about
// what is stored and what is a duplicate.
class ReplicationWorker : public QThread
{
    Q_OBJECT

public:
    // `journaled`: each source key's durable position from the journal, to resume from.
    ReplicationWorker(PostgresConfig config, QHash<QString, qint64> journaled, QObject *parent = nullptr);
    ~ReplicationWorker() override; // stops and waits

    // Ends the stream (after a last status update) and the thread; returns at once.
    void requestStop() { m_stop = true; }
    // Ends this session and starts another from the confirmed position, so PostgreSQL sends again
    // what the engine could not store (cluster mode: Redis did not confirm it).
    void requestResend() { m_resend = true; }
    // Engine side: every transaction ending at or before `endLsn` is durable.
    void markDurable(Lsn endLsn);
    // Engine side: what the backfills should do (BackfillRunner), taken up between messages.
    void orderBackfill(const BackfillOrder &order);
    // Engine side: `events` handed over by transactionReady were taken off the queue.
    void markTaken(qint64 events) { m_queuedEvents -= events; }

    // Events queued for the engine beyond which reading pauses, so a slow engine bounds memory.
    static constexpr qint64 maxQueuedEvents = 100'000;

Q_SIGNALS:
    // `sourceKey` names this database and slot ("postgres:<system id>/<db>/<slot>").
    void transactionReady(const QString &sourceKey, const cdc::pg::ChangeStream::Transaction &transaction);
    // A backfill's chunk, at its high watermark's place in the stream (after what came before it,
    // before what follows); or the end of a backfill, with no events.
    void backfillChunkReady(const QString &sourceKey, const cdc::pg::BackfillChunk &chunk);
    void stateChanged(cdc::SourceStatus::State state, const QString &error);
    // Connected and identified: the key under which this database and slot's position is kept.
    void identified(const QString &sourceKey);
    // What PostgreSQL has (its WAL end) and what it was told it may discard.
    void progress(quint64 serverWalEnd, quint64 confirmed);
    // A table's deletes cannot name their channel (ChangeStream::IdentityNote); empty: fixed.
    void identityNoted(const QString &table, const QString &warning);
    // The slot as PostgreSQL reports it (bytes; -1: not known, or null), `heartbeats` written so
    // far; `error` when it could not be read.
    void slotHealthRead(qint64 retainedWal, const QString &walStatus, qint64 safeWal, qint64 confirmedLag,
                        qint64 heartbeats, const QString &error);

protected:
    void run() override;

private:
    class Session;
    void sleepInterruptibly(std::chrono::milliseconds duration);

    const PostgresConfig m_config;
    const QHash<QString, qint64> m_journaled;
    QString m_sourceKey; // this thread's: the session's database and slot
    std::unique_ptr<BackfillRunner> m_backfills;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_resend{false};
    std::atomic<Lsn> m_durable{0};
    std::atomic<qint64> m_queuedEvents{0};
};

} // namespace cdc::pg

Q_DECLARE_METATYPE(cdc::pg::ChangeStream::Transaction)

#pragma once

#include "PostgresConfig.h"
#include "ReplicationWorker.h"
#include "sources/BackfillControl.h"
#include "sources/SourceStatus.h"

#include <QMap>
#include <QObject>

#include <memory>

#include <deque>

namespace cdc {
class Broker;
class SchemaLog;
} // namespace cdc

namespace cdc::pg {

// The engine-thread half of the PostgreSQL source: takes each decoded transaction (or part of a
// large one) from the ReplicationWorker, publishes it through the broker under a key derived from
// its commit LSN (so one PostgreSQL sends again — after a crash, a reconnect, or to another
// instance after a take-over — is stored once, in either mode), with its end LSN as the source's
// position, and tells the worker to confirm a transaction's end once the broker made it durable,
// in order. It keeps the status that /health, /metrics and the Sources panel show.
//
// Backfills (docs/postgres.md): the engine owns each one's state. It orders the replication
// thread (BackfillRunner) to start, pause, resume, cancel or rewind one, publishes each chunk it
// hands back with the backfill's position after it as the chunk's SourceMark detail, so the
// journal holds rows and position together, and resumes journaled backfills when it starts.
class PostgresSource : public QObject, public BackfillControl
{
    Q_OBJECT

public:
    // `schemas`: where each table's schema change goes, with the seq of the event it precedes.
    PostgresSource(PostgresConfig config, Broker &broker, SchemaLog &schemas, QObject *parent = nullptr);
    ~PostgresSource() override;

    void start();
    const SourceStatus &status() const { return m_status; }

    Answer startBackfill(const QString &table, qint64 chunkSize) override;
    Answer controlBackfill(const QString &table, Action action) override;
    QList<BackfillStatus> backfills() const override { return m_status.backfills; }

Q_SIGNALS:
    void statusChanged(const cdc::SourceStatus &status);

private:
    void apply(const QString &sourceKey, const ChangeStream::Transaction &transaction);
    // A transaction coming in parts shows in the status, with its rows so far, until it is whole.
    void noteProgress(const ChangeStream::Transaction &transaction);
    // The broker refused one (a full disk, Redis down): nothing from here on is confirmed; once it
    // accepts again, everything after the confirmed position is read again from PostgreSQL.
    void resendWhenAccepted(const QString &error);
    void confirmStoredInOrder();
    void setState(SourceStatus::State state, QString error);
    void setProgress(Lsn serverWalEnd, Lsn confirmed);
    void noteIdentity(const QString &table, const QString &warning);
    void noteSlotHealth(qint64 retainedWal, const QString &walStatus, qint64 safeWal, qint64 confirmedLag,
                        qint64 heartbeats, const QString &error);
    void updateWarnings();
    // Backfills: those the journal holds for this database and slot, and --pg-backfill's.
    void resumeBackfills();
    void applyChunk(const QString &sourceKey, const BackfillChunk &chunk);
    // Publishes `events` with the backfill's position after them (none: the position alone).
    void storeBackfill(const BackfillPosition &position, const PublishBatch &events = {});
    void showBackfills();

    PostgresConfig m_config;
    Broker &m_broker;
    SchemaLog &m_schemas;
    QString m_sourceKey; // this database and slot, once the worker identified them
    // Transactions (and parts) sent to the broker, oldest first; confirmed upstream in this order
    // once stored, so a later one never confirms past an earlier one still on its way.
    struct InFlight
    {
        Lsn endLsn; // 0 for a part of a transaction: it confirms nothing by itself
        bool stored = false;
        qint64 commitMs = 0; // its commit time, from its first change
    };
    std::deque<InFlight> m_inFlight;
    // The number of m_inFlight's front since start: each publish's answer finds its entry by its
    // number at once (a search per answer made a burst of small transactions quadratic).
    qint64 m_inFlightFirst = 0;
    QString m_slotWarning;             // the slot's, first among the warnings; empty when fine
    qint64 m_lastConfirmedCommitMs = 0; // the newest confirmed transaction's commit time
    bool m_resending = false; // the broker refused one: the rest of this session is dropped, then re-sent
    std::unique_ptr<ReplicationWorker> m_worker;
    SourceStatus m_status;
    Lsn m_durable = 0;
    Lsn m_serverWalEnd = 0;
    bool m_failed = false;
    QMap<QString, QString> m_identityWarnings; // by table, so they are listed in order
    struct BackfillView
    {
        BackfillPosition current; // as ordered and handed back (ahead of what is stored)
        BackfillPosition stored;  // as the broker made it durable
        std::deque<std::pair<qint64, qint64>> samples; // (ms, rows stored): the rate
    };
    QMap<QString, BackfillView> m_backfills; // by table
    // Backfills kept in memory: past it the oldest finished one is forgotten, and with none finished
    // a new one is refused (each name a client sends would otherwise be held for good).
    static constexpr qsizetype maxBackfills = 64;
    bool m_backfillsResumed = false;
};

} // namespace cdc::pg

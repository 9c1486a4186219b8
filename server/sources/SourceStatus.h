#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace cdc {

// A backfill of one table (docs/postgres.md, "Backfill"), as the status shows it.
struct BackfillStatus
{
    QString table;
    QString state; // running, paused, done, cancelled, failed
    QString error;
    qint64 rowsRead = 0;    // rows read so far (stored)
    qint64 rowsSkipped = 0; // of them, left to the live change that came between their watermarks
    qint64 estimate = 0;    // the table's rows as PostgreSQL estimated them at the start; -1 unknown
    qint64 chunks = 0;
    double rowsPerSecond = 0; // over the last few seconds
    qint64 etaSeconds = -1;   // -1: not known
    qint64 startedAtMs = 0;
    qint64 finishedAtMs = 0;
    QString lastKey; // the primary key of the last row stored, for people ("(1042)")
};

// What an upstream source (PostgreSQL logical replication) is doing, as /health, /metrics and the
// window's Sources panel show it.
struct SourceStatus
{
    // Standby: cluster mode, another instance streams the slot; this one takes over when it goes.
    enum class State { Connecting, Streaming, Reconnecting, Standby, Failed, Stopped };

    QString name;   // "postgres"
    QString target; // where it reads from, without secrets: "user@host:port/db slot S publication P"
    State state = State::Connecting;
    QString journaledLsn; // end of the last transaction made durable here ("0/16B3748"), empty if none
    QString confirmedLsn; // what PostgreSQL was last told it may discard
    qint64 lagBytes = 0;  // server WAL end minus the durable position
    QString lastError;    // the most recent failure, kept after recovering
    qint64 lastErrorAtMs = 0;
    qint64 transactions = 0; // applied since start
    qint64 events = 0;
    qint64 duplicatesSkipped = 0; // transactions re-sent by PostgreSQL that were already journaled
    qint64 reconnects = 0;
    // A transaction large enough to be stored in parts as it streams in: its xid and its rows so
    // far; 0 when none is in progress.
    quint32 openTransactionXid = 0;
    qint64 openTransactionRows = 0;
    // What the user should fix upstream, one sentence each (a table whose deletes cannot name their
    // channel); shown until fixed.
    QStringList warnings;

    // The slot as PostgreSQL sees it, read every few seconds (the most reported CDC incident is a
    // slot that holds WAL until the disk fills): what it retains (WAL end minus restart_lsn), its
    // wal_status (reserved, extended, unreserved, lost) and safe_wal_size (null without
    // max_slot_wal_keep_size), and how far confirmed_flush_lsn trails the WAL end, in bytes and in
    // seconds (since the newest confirmed transaction's commit). Empty until first read.
    std::optional<qint64> retainedWalBytes;
    QString walStatus;
    std::optional<qint64> safeWalBytes;
    qint64 confirmedLagBytes = 0;
    double confirmedLagSeconds = 0;
    qint64 lastChangeAtMs = 0; // the newest change stored; 0: none since start
    qint64 heartbeats = 0;     // --pg-heartbeat messages written
    QString healthError;       // why the slot could not be read, if it could not

    // Backfills of this source, the newest of each table (running, paused or finished).
    QList<BackfillStatus> backfills;
};

QString sourceStateName(SourceStatus::State state);

class JsonWriter;
// A backfill as /health and /sources/postgres/backfills say it (docs/protocol.md).
void writeBackfill(JsonWriter &writer, const BackfillStatus &backfill);

} // namespace cdc

Q_DECLARE_METATYPE(cdc::SourceStatus)

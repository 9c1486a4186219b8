#pragma once

#include "ChangeStream.h"

#include <QString>
#include <QStringList>

#include <chrono>

#include <optional>

namespace cdc::pg {

// Everything the PostgreSQL source needs. The DSN never carries the password: the front resolves
// it (keychain, CDCSCOPE_PG_PASSWORD) into `password`, which lives only in memory. An empty
// password leaves libpq to its own PGPASSWORD and ~/.pgpass.
struct PostgresConfig
{
    QString dsn;
    QString password;
    QString slot = QStringLiteral("cdcscope");
    QString publication = QStringLiteral("cdcscope");
    QStringList tables; // for a publication this source creates; empty: FOR ALL TABLES
    RoutingRules routing;
    // Schema changes also published as events ({"op":"schema",…}) before the table's next change.
    bool schemaEvents = false;
    // How long the replication stream may stay silent before the connection is presumed lost (a
    // frozen server, a half-open connection). A quarter of the way in, the source asks PostgreSQL
    // for an immediate reply, so an idle but healthy server never reaches it.
    std::chrono::milliseconds silenceLimit{120'000};
    // A logical message written into the watched database this often (0: none), so a slot on a
    // quiet database still advances while others write WAL (pg_logical_emit_message).
    std::chrono::milliseconds heartbeat{0};
    // Retained WAL past which the slot is warned about (/health, the Sources dock, /metrics).
    qint64 maxRetainedWalBytes = qint64(1) << 30;
    // How often the slot's health is read on a second, ordinary connection.
    std::chrono::milliseconds healthInterval{5'000};
    // Tables to backfill (--pg-backfill): each once per slot, resumed where it stopped.
    QStringList backfillTables;
    // Rows per backfill chunk: per SELECT, between one pair of watermarks.
    qint64 backfillChunkSize = 5'000;
    // Changes of one transaction held before they are handed on as a part (ChangeStream).
    qsizetype transactionPartSize = ChangeStream::defaultPartSize;
};

// The parts of a DSN that say where it connects, with libpq's defaults (PGHOST, PGUSER, ...)
// filled in: names the keychain entry and the Sources panel's target.
struct PostgresTarget
{
    QString user;
    QString host; // a socket directory for Unix-domain connections
    QString port;
    QString dbname;

    // "postgres://user@host:port/dbname": the keychain account of this target's password.
    QString keychainKey() const;
};

// Checks a DSN (key=value or URI form): the error says what is wrong, including a password in it.
std::optional<QString> checkDsn(const QString &dsn);
// The target of a DSN that passed checkDsn().
PostgresTarget parseTarget(const QString &dsn);

// A replication slot or publication name PostgreSQL accepts: lower-case letters, digits, '_'.
bool isValidSlotName(const QString &name);

} // namespace cdc::pg

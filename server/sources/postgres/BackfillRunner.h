#pragma once

#include "Backfill.h"
#include "ChunkWindow.h"
#include "PostgresConfig.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

typedef struct pg_conn PGconn;

namespace cdc::pg {

// The replication thread's side of the backfills (docs/postgres.md, "Backfill"). It takes the
// engine's orders, reads each running backfill's next chunk on an ordinary connection of its own —
// a low watermark, then the chunk's SELECT in primary-key order in a short REPEATABLE READ
// transaction, then a high watermark that commits (and so flushes the WAL) — and follows the
// stream for that chunk's watermarks (ChunkWindow). At the high watermark it hands the rows that
// outlived the window to the engine as read events, in order with the changes around them.
//
// One chunk per backfill waits for its watermarks at a time: a stale one is read again as it was,
// and the position journaled with a chunk is always the end of the rows it carries. Nothing here
// holds a lock or a transaction between chunks, so the slot goes on confirming and WAL is not kept.
class BackfillRunner
{
public:
    using HandOver = std::function<void(const BackfillChunk &chunk)>;
    BackfillRunner(const PostgresConfig &config, HandOver handOver);
    ~BackfillRunner();

    // Engine thread: queued until the replication thread's next work().
    void order(const BackfillOrder &order);

    // Replication thread, what the stream carries, in its order.
    void noteCommit(quint32 xid);
    void noteChange(const Relation &relation, const Change &change, quint32 xid);
    void noteTruncate(quint32 relationOid);
    void noteMessage(const LogicalMessage &message, Lsn lsn);
    // Replication thread, between messages: takes the orders and, when `room` (the engine keeps up),
    // reads the chunks that are due. A lost connection is tried again at a later call; what is wrong
    // with a table (gone, no primary key, not published) ends its backfill with that reason.
    void work(bool room);
    // The stream ended: a chunk waiting for its watermarks is read again in the next session.
    void sessionEnded();

    // Commits remembered to find, when a chunk is read, a transaction its snapshot missed that the
    // stream has passed on already.
    static constexpr qsizetype recentCommits = 65'536;
    // A chunk whose rows passed this many bytes halves the next one's size (wide rows, TOAST).
    static constexpr qint64 chunkBytesBudget = 16 << 20;

private:
    struct Table
    {
        quint32 oid = 0;
        QString schema;
        QString name;
        QStringList keyColumns;
        QByteArray select;      // the chunk query, without the key condition's parameters bound
        QByteArray selectAfter; // the same after a key
    };
    struct Run
    {
        BackfillPosition position; // after the last chunk handed over: where the next one starts
        std::optional<Table> table;
        qint64 limit = 0; // this run's chunk size now (halved after a chunk too large)
    };
    struct Waiting
    {
        QString table;
        ChunkWindow window;
        Relation columns; // as the SELECT returned them
        std::vector<Tuple> rows;
        QByteArrayList lastKey;
        qint64 readAtMs = 0;
        qint64 bytes = 0;
    };

    void apply(const BackfillOrder &order);
    void dropWaiting(const QString &table);
    void finish(Run &run, BackfillPosition::State state, const QString &error);
    // Returns false when the connection failed (the run stays as it was, to be read again).
    bool readNextChunk(Run &run);
    std::optional<QString> describe(Run &run);
    bool connectIfNeeded();
    QByteArray identifier(const QString &text) const;
    QByteArray nextMarker();

    const PostgresConfig &m_config;
    HandOver m_handOver;
    QMutex m_ordersLock;
    QList<BackfillOrder> m_orders; // guarded by m_ordersLock: the one hand-over from the engine
    QHash<QString, Run> m_runs;    // by table
    std::deque<Waiting> m_waiting;
    std::deque<quint32> m_commitOrder; // the last recentCommits commits the stream passed on
    PGconn *m_conn = nullptr;
    QElapsedTimer m_sinceConnectFailed;
    QString m_lastConnectError;
    quint64 m_markers = 0;
    QByteArray m_markerBase; // random per process: another instance's watermarks never match ours
};

} // namespace cdc::pg

#include "BackfillRunner.h"

#include "Logging.h"
#include "OrdinaryConnection.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <libpq-fe.h>

namespace cdc::pg {

namespace {

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

// A failed connection is tried again after this long, not at every turn of the stream's loop.
constexpr qint64 reconnectAfterMs = 2'000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Result query(PGconn *conn, const QByteArray &sql, const QList<QByteArray> &parameters = {})
{
    std::vector<const char *> values;
    for (const QByteArray &parameter : parameters)
        values.push_back(parameter.constData());
    return Result(PQexecParams(conn, sql.constData(), int(values.size()), nullptr, values.data(), nullptr, nullptr, 0),
                  &PQclear);
}

bool succeeded(const Result &result)
{
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

} // namespace

BackfillRunner::BackfillRunner(const PostgresConfig &config, HandOver handOver)
    : m_config(config)
    , m_handOver(std::move(handOver))
    , m_markerBase(QByteArray::number(QRandomGenerator::global()->generate64(), 16))
{}

BackfillRunner::~BackfillRunner()
{
    if (m_conn)
        PQfinish(m_conn);
}

void BackfillRunner::order(const BackfillOrder &order)
{
    QMutexLocker locker(&m_ordersLock);
    m_orders.append(order);
}

void BackfillRunner::noteCommit(quint32 xid)
{
    if (m_runs.isEmpty())
        return; // remembered only while a backfill may read a chunk
    m_commitOrder.push_back(xid);
    if (qsizetype(m_commitOrder.size()) > recentCommits)
        m_commitOrder.pop_front();
}

void BackfillRunner::noteChange(const Relation &relation, const Change &change, quint32 xid)
{
    for (Waiting &waiting : m_waiting)
        waiting.window.noteChange(relation, change, xid);
}

void BackfillRunner::noteTruncate(quint32 relationOid)
{
    for (Waiting &waiting : m_waiting)
        waiting.window.noteTruncate(relationOid);
}

void BackfillRunner::noteMessage(const LogicalMessage &message, Lsn lsn)
{
    for (auto it = m_waiting.begin(); it != m_waiting.end(); ++it) {
        if (!it->window.noteMessage(message) || !it->window.isClosed())
            continue;
        Waiting waiting = std::move(*it);
        m_waiting.erase(it);
        const auto found = m_runs.find(waiting.table);
        if (found == m_runs.end())
            return; // cancelled meanwhile
        Run &run = found.value();
        if (waiting.window.isStale()) {
            qCInfo(lcIngest).noquote() << "postgres: backfill of" << waiting.table
                                       << "reads a chunk again (a transaction its snapshot missed, a truncate or a key it could not follow)";
            return; // the position did not move: the next work() reads it again
        }
        BackfillChunk chunk;
        chunk.after = run.position;
        std::vector<size_t> keyIndices;
        for (const QString &name : std::as_const(run.table->keyColumns))
            for (size_t i = 0; i < waiting.columns.columns.size(); ++i)
                if (waiting.columns.columns[i].name == name)
                    keyIndices.push_back(i);
        for (const Tuple &row : waiting.rows) {
            QByteArrayList key;
            for (const size_t index : keyIndices)
                key.append(row[index].text);
            if (waiting.window.changed(key)) {
                ++chunk.after.rowsSkipped;
                continue;
            }
            chunk.events.append(ChangeStream::readEvent(m_config.routing, waiting.columns, row, lsn, waiting.readAtMs));
        }
        chunk.after.lastKey = waiting.lastKey;
        chunk.after.rowsRead += qint64(waiting.rows.size());
        ++chunk.after.chunks;
        if (qint64(waiting.rows.size()) < run.limit) {
            chunk.after.state = BackfillPosition::State::Done;
            chunk.after.finishedAtMs = nowMs();
        }
        if (waiting.bytes > chunkBytesBudget)
            run.limit = std::max<qint64>(1, run.limit / 2);
        run.position = chunk.after;
        if (!run.position.isActive())
            m_runs.erase(found);
        m_handOver(chunk);
        return;
    }
}

void BackfillRunner::sessionEnded()
{
    m_waiting.clear();
    m_commitOrder.clear();
}

void BackfillRunner::dropWaiting(const QString &table)
{
    std::erase_if(m_waiting, [&table](const Waiting &waiting) { return waiting.table == table; });
}

void BackfillRunner::apply(const BackfillOrder &order)
{
    const QString &table = order.position.table;
    switch (order.kind) {
    case BackfillOrder::Kind::Start:
    case BackfillOrder::Kind::Rewind: {
        dropWaiting(table);
        Run run;
        run.position = order.position;
        run.limit = std::max<qint64>(1, order.position.chunkSize);
        if (order.kind == BackfillOrder::Kind::Rewind)
            if (const auto found = m_runs.constFind(table); found != m_runs.cend()) {
                run.table = found->table;
                run.limit = found->limit;
            }
        if (run.position.isActive())
            m_runs.insert(table, run);
        else
            m_runs.remove(table);
        break;
    }
    case BackfillOrder::Kind::Pause:
    case BackfillOrder::Kind::Resume:
        if (const auto found = m_runs.find(table); found != m_runs.end())
            found->position.state = order.kind == BackfillOrder::Kind::Pause ? BackfillPosition::State::Paused
                                                                              : BackfillPosition::State::Running;
        break;
    case BackfillOrder::Kind::Cancel:
        dropWaiting(table);
        m_runs.remove(table);
        break;
    }
}

void BackfillRunner::finish(Run &run, BackfillPosition::State state, const QString &error)
{
    BackfillChunk chunk;
    chunk.after = run.position;
    chunk.after.state = state;
    chunk.after.error = error;
    chunk.after.finishedAtMs = nowMs();
    if (!error.isEmpty())
        qCWarning(lcIngest).noquote() << "postgres: backfill of" << run.position.table << "failed:" << error;
    const QString table = run.position.table;
    m_runs.remove(table); // `run` is gone from here on
    m_handOver(chunk);
}

void BackfillRunner::work(bool room)
{
    QList<BackfillOrder> orders;
    {
        QMutexLocker locker(&m_ordersLock);
        orders = std::exchange(m_orders, {});
    }
    for (const BackfillOrder &order : std::as_const(orders))
        apply(order);
    if (!room || m_runs.isEmpty())
        return;
    const QStringList tables = m_runs.keys();
    for (const QString &table : tables) {
        const auto found = m_runs.find(table);
        if (found == m_runs.end() || found->position.state != BackfillPosition::State::Running)
            continue;
        const bool waiting = std::any_of(m_waiting.cbegin(), m_waiting.cend(),
                                         [&table](const Waiting &chunk) { return chunk.table == table; });
        if (!waiting && !readNextChunk(found.value()))
            return; // the connection failed: the next work() tries again
    }
}

bool BackfillRunner::connectIfNeeded()
{
    if (m_conn && PQstatus(m_conn) == CONNECTION_OK)
        return true;
    if (m_conn) {
        PQfinish(m_conn);
        m_conn = nullptr;
    }
    if (m_sinceConnectFailed.isValid() && m_sinceConnectFailed.elapsed() < reconnectAfterMs)
        return false;
    // The chunks' SELECTs and the watermarks. A chunk is a short read by its primary key; one that
    // takes a minute is an error, not something to wait for.
    m_conn = connectOrdinary(m_config, "cdcscope-backfill", "10", "-c statement_timeout=60000");
    if (PQstatus(m_conn) == CONNECTION_OK) {
        m_sinceConnectFailed.invalidate();
        return true;
    }
    const QString error = QString::fromUtf8(PQerrorMessage(m_conn)).trimmed();
    if (error != m_lastConnectError)
        qCWarning(lcIngest).noquote() << "postgres: backfill connection:" << error;
    m_lastConnectError = error;
    m_sinceConnectFailed.start();
    return false;
}

QByteArray BackfillRunner::identifier(const QString &text) const
{
    const QByteArray utf8 = text.toUtf8();
    char *escaped = PQescapeIdentifier(m_conn, utf8.constData(), size_t(utf8.size()));
    QByteArray result(escaped ? escaped : "");
    PQfreemem(escaped);
    return result;
}

QByteArray BackfillRunner::nextMarker()
{
    return m_config.slot.toUtf8() + ':' + m_markerBase + ':' + QByteArray::number(++m_markers);
}

std::optional<QString> BackfillRunner::describe(Run &run)
{
    const QString &name = run.position.table;
    if (PQserverVersion(m_conn) < 140000)
        return QStringLiteral("a backfill needs PostgreSQL 14 or later (its watermarks are logical messages)");
    Result table = query(m_conn,
                       "SELECT c.oid, n.nspname, c.relname, CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint "
                       "ELSE coalesce(s.n_live_tup, -1) END FROM pg_class c JOIN pg_namespace n ON n.oid = "
                       "c.relnamespace LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = to_regclass($1)",
                       {name.toUtf8()});
    if (!succeeded(table))
        return QString::fromUtf8(PQresultErrorMessage(table.get())).trimmed();
    if (PQntuples(table.get()) != 1)
        return QStringLiteral("there is no table %1").arg(name);
    Table found;
    found.oid = quint32(QByteArray(PQgetvalue(table.get(), 0, 0)).toULongLong());
    found.schema = QString::fromUtf8(PQgetvalue(table.get(), 0, 1));
    found.name = QString::fromUtf8(PQgetvalue(table.get(), 0, 2));
    if (run.position.estimate == 0)
        run.position.estimate = QByteArray(PQgetvalue(table.get(), 0, 3)).toLongLong();
    const QByteArray oid = QByteArray::number(found.oid);
    Result key = query(m_conn,
                     "SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY "
                     "AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                     "WHERE i.indrelid = $1::oid AND i.indisprimary ORDER BY k.ord",
                     {oid});
    if (!succeeded(key))
        return QString::fromUtf8(PQresultErrorMessage(key.get())).trimmed();
    for (int i = 0; i < PQntuples(key.get()); ++i)
        found.keyColumns.append(QString::fromUtf8(PQgetvalue(key.get(), i, 0)));
    if (found.keyColumns.isEmpty())
        return QStringLiteral("the table %1 has no primary key; a backfill reads it in key order").arg(name);
    // Changes to a table outside the publication never reach the stream: the watermarks could not
    // tell which rows changed, and the backfill would pass on stale rows.
    Result published = query(m_conn, "SELECT 1 FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid "
                                    "WHERE p.pubname = $1 AND r.prrelid = $2::oid UNION ALL SELECT 1 FROM "
                                    "pg_publication WHERE pubname = $1 AND puballtables",
                           {m_config.publication.toUtf8(), oid});
    if (!succeeded(published))
        return QString::fromUtf8(PQresultErrorMessage(published.get())).trimmed();
    if (PQntuples(published.get()) == 0)
        return QStringLiteral("the table %1 is not in the publication %2, so its changes are not streamed; add it "
                              "(ALTER PUBLICATION %2 ADD TABLE %1)")
            .arg(name, m_config.publication);
    QByteArrayList keys;
    QByteArrayList placeholders;
    for (qsizetype i = 0; i < found.keyColumns.size(); ++i) {
        keys.append(identifier(found.keyColumns[i]));
        placeholders.append('$' + QByteArray::number(i + 1));
    }
    const QByteArray from = "SELECT * FROM " + identifier(found.schema) + '.' + identifier(found.name);
    const QByteArray order = " ORDER BY " + keys.join(", ") + " LIMIT ";
    found.select = from + order;
    found.selectAfter = from + " WHERE (" + keys.join(", ") + ") > (" + placeholders.join(", ") + ')' + order;
    run.table = found;
    return std::nullopt;
}

bool BackfillRunner::readNextChunk(Run &run)
{
    if (!connectIfNeeded())
        return false;
    const auto lost = [this] { return PQstatus(m_conn) != CONNECTION_OK; };
    if (!run.table) {
        if (const auto problem = describe(run)) {
            if (lost())
                return false;
            finish(run, BackfillPosition::State::Failed, *problem);
            return true;
        }
    }
    const Table &table = *run.table;
    const QByteArray marker = nextMarker();
    const auto fail = [&](const Result &result) {
        const QString error = QString::fromUtf8(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(m_conn)).trimmed();
        if (PQtransactionStatus(m_conn) == PQTRANS_INERROR || PQtransactionStatus(m_conn) == PQTRANS_INTRANS)
            PQclear(PQexec(m_conn, "ROLLBACK"));
        if (lost())
            return false;
        finish(run, BackfillPosition::State::Failed, error);
        return true;
    };
    // Low watermark: where the window opens, at its place in the WAL (not transactional).
    Result low = query(m_conn, "SELECT pg_logical_emit_message(false, $1, $2)",
                      {QByteArray(ChunkWindow::prefix), marker + " low"});
    if (!succeeded(low))
        return fail(low);
    // The snapshot and the rows of one short read-only transaction: which transactions it could not
    // see (ChunkWindow's stale case), and the chunk.
    Result begin(PQexec(m_conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"), &PQclear);
    if (!succeeded(begin))
        return fail(begin);
    Result snapshot = query(m_conn, "SELECT pg_current_snapshot()::text");
    if (!succeeded(snapshot))
        return fail(snapshot);
    const ChunkWindow::Snapshot seen = ChunkWindow::Snapshot::parse(PQgetvalue(snapshot.get(), 0, 0));
    const QByteArray limit = QByteArray::number(run.limit);
    Result rows = run.position.lastKey.isEmpty() ? query(m_conn, table.select + limit)
                                                 : query(m_conn, table.selectAfter + limit, run.position.lastKey);
    if (!succeeded(rows))
        return fail(rows);
    const qint64 readAtMs = nowMs();
    Result commit(PQexec(m_conn, "COMMIT"), &PQclear);
    if (!succeeded(commit))
        return fail(commit);
    const int count = PQntuples(rows.get());
    if (count == 0) {
        // Nothing after the last key: done, with nothing to wait for.
        finish(run, BackfillPosition::State::Done, {});
        return true;
    }
    Waiting waiting{run.position.table, ChunkWindow(marker, table.oid, table.keyColumns, seen), {}, {}, {},
                    readAtMs, 0};
    // A transaction the snapshot missed whose commit the stream already passed on: its keys are
    // not known here, so the chunk is read again.
    if (std::any_of(m_commitOrder.cbegin(), m_commitOrder.cend(), [&seen](quint32 xid) { return seen.missed(xid); }))
        waiting.window.markStale();
    waiting.columns.oid = table.oid;
    waiting.columns.schema = table.schema;
    waiting.columns.table = table.name;
    const int fields = PQnfields(rows.get());
    std::vector<int> keyFields;
    for (int field = 0; field < fields; ++field) {
        Column column;
        column.name = QString::fromUtf8(PQfname(rows.get(), field));
        column.typeOid = PQftype(rows.get(), field);
        column.typmod = PQfmod(rows.get(), field);
        column.isKey = table.keyColumns.contains(column.name);
        waiting.columns.columns.push_back(column);
    }
    for (const QString &name : table.keyColumns)
        keyFields.push_back(PQfnumber(rows.get(), identifier(name).constData()));
    waiting.rows.reserve(size_t(count));
    for (int row = 0; row < count; ++row) {
        Tuple tuple(static_cast<size_t>(fields));
        for (int field = 0; field < fields; ++field) {
            if (PQgetisnull(rows.get(), row, field))
                continue;
            tuple[size_t(field)] = {Value::Kind::Text,
                                    QByteArray(PQgetvalue(rows.get(), row, field), PQgetlength(rows.get(), row, field))};
            waiting.bytes += PQgetlength(rows.get(), row, field);
        }
        waiting.rows.push_back(std::move(tuple));
    }
    for (const int field : keyFields)
        waiting.lastKey.append(QByteArray(PQgetvalue(rows.get(), count - 1, field)));
    rows.reset();
    // High watermark, in a transaction of its own: its commit flushes the WAL, so the stream brings
    // the window to its end at once (a message alone would wait for the WAL writer).
    Result high = query(m_conn, "SELECT pg_logical_emit_message(true, $1, $2)",
                       {QByteArray(ChunkWindow::prefix), marker + " high"});
    if (!succeeded(high))
        return fail(high);
    m_waiting.push_back(std::move(waiting));
    return true;
}

} // namespace cdc::pg

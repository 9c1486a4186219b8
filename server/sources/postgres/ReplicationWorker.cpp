#include "ReplicationWorker.h"

#include "BackfillRunner.h"
#include "OrdinaryConnection.h"
#include "Logging.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QtEndian>

#include <libpq-fe.h>
#include <sys/select.h>

#include <algorithm>
#include <memory>

namespace cdc::pg {

using namespace std::chrono_literals;

namespace {

constexpr auto connectTimeout = 15s;
constexpr auto queryTimeout = 60s;
constexpr auto pollInterval = 100ms;
// PostgreSQL drops a replica silent for wal_sender_timeout (60 s by default).
constexpr auto statusInterval = 10s;
// Confirmations are coalesced: at most one status update per this interval while changes flow.
constexpr auto confirmInterval = 100ms;
constexpr auto firstBackoff = 500ms;
constexpr auto maxBackoff = 30s;
// How soon a standby notices that the slot's stream is free: the bound on a take-over's delay.
constexpr auto standbyPoll = 1s;

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::chrono::milliseconds elapsedOf(const QElapsedTimer &timer)
{
    return std::chrono::milliseconds(timer.elapsed());
}

quint64 readBigEndian64(const char *bytes)
{
    return qFromBigEndian<quint64>(reinterpret_cast<const uchar *>(bytes));
}

// Microseconds since 2000-01-01, PostgreSQL's clock in standby status updates.
qint64 pgNowMicros()
{
    constexpr qint64 pgEpochMs = 946'684'800'000;
    return (QDateTime::currentMSecsSinceEpoch() - pgEpochMs) * 1000;
}

// The libpq message with a hint for the failures users meet first.
QString explain(const QString &message)
{
    QString text = message.trimmed();
    if (text.contains(QLatin1String("password authentication failed")) ||
        text.contains(QLatin1String("no password supplied")))
        text += QStringLiteral(" — store the password with `cdcscope --pg-set-password` (system keychain) or set "
                               "CDCSCOPE_PG_PASSWORD, PGPASSWORD or ~/.pgpass (docs/postgres.md)");
    else if (text.contains(QLatin1String("FOR ALL TABLES publication")))
        text += QStringLiteral(" — name the tables with --pg-tables (the user must own them), or have a superuser "
                               "create the publication (docs/postgres.md)");
    else if (text.contains(QLatin1String("must be superuser or replication role")) ||
             text.contains(QLatin1String("permission denied")))
        text += QStringLiteral(" — the user needs the REPLICATION attribute (ALTER ROLE name REPLICATION) and, to "
                               "create the publication, ownership of the tables (docs/postgres.md)");
    else if (text.contains(QLatin1String("wal_level")))
        text += QStringLiteral(" — set wal_level = logical in postgresql.conf and restart PostgreSQL");
    else if (text.contains(QLatin1String("pg_hba.conf")))
        text += QStringLiteral(" — allow a replication connection for this user and database in pg_hba.conf");
    return text;
}

} // namespace

// One connection's lifetime: connect, prepare, stream until it ends. Returns why it ended.
class ReplicationWorker::Session
{
public:
    explicit Session(ReplicationWorker &worker)
        : m_worker(worker)
        , m_stream(worker.m_config.routing, worker.m_config.transactionPartSize)
    {}
    ~Session()
    {
        if (m_conn)
            PQfinish(m_conn);
        if (m_probe)
            PQfinish(m_probe);
    }

    // Empty when stopped on request; the reason otherwise.
    QString run();
    bool reachedStreaming() const { return m_streaming; }

private:
    bool stopping() const { return m_worker.m_stop.load() || m_worker.m_resend.load(); }
    QString connectionError() const { return explain(QString::fromUtf8(PQerrorMessage(m_conn))); }
    // Waits until the socket is readable (or writable), at most one poll interval.
    bool waitForSocket(bool forWrite) const;
    QString connect();
    std::variant<Result, QString> exec(const QByteArray &sql);
    QString identify();
    QString ensurePublication();
    QString ensureSlot();
    QString startStreaming();
    QString stream();
    QString handle(const char *data, int size);
    // What the backfills waiting for their watermarks need to see of the stream.
    void followBackfills(const Message &message);
    bool sendStatus(bool force, bool requestReply = false);
    // On a second, ordinary connection: the slot's health every healthInterval, and the heartbeat
    // message every --pg-heartbeat (then a ping, so the walsender's answer lets the slot advance).
    void lookAfterSlot();
    QString probeQuery(const QByteArray &sql, Result *answer);
    // PQescapeLiteral or PQescapeIdentifier, with the result freed the libpq way.
    using Escape = char *(*)(PGconn *, const char *, size_t);
    QByteArray quoted(const QString &text, Escape escape) const;
    QByteArray literal(const QString &text) const;
    QByteArray identifier(const QString &text) const;

    ReplicationWorker &m_worker;
    ChangeStream m_stream;
    PGconn *m_conn = nullptr;
    QString m_sourceKey;
    Lsn m_serverWalEnd = 0;
    Lsn m_received = 0;     // end of the last XLogData received
    Lsn m_sentEnd = 0;      // end of the last transaction handed to the engine
    Lsn m_reported = 0;     // flush position last sent to PostgreSQL
    Lsn m_keepaliveEnd = 0; // WAL end of the last keepalive
    bool m_inTransaction = false;
    quint32 m_xid = 0; // the transaction being received
    bool m_streaming = false;
    QElapsedTimer m_sinceStatus;
    QElapsedTimer m_sinceReceived;
    bool m_pinged = false; // a reply was requested since the last message from PostgreSQL
    PGconn *m_probe = nullptr;
    QElapsedTimer m_sinceHealth;
    QElapsedTimer m_sinceHeartbeat;
    qint64 m_heartbeats = 0;
    QString m_heartbeatError; // why the last heartbeat could not be written
};

bool ReplicationWorker::Session::waitForSocket(bool forWrite) const
{
    const int socket = PQsocket(m_conn);
    if (socket < 0)
        return false;
    fd_set set;
    FD_ZERO(&set);
    FD_SET(socket, &set);
    timeval timeout{0, int(std::chrono::microseconds(pollInterval).count())};
    return select(socket + 1, forWrite ? nullptr : &set, forWrite ? &set : nullptr, nullptr, &timeout) >= 0;
}

QString ReplicationWorker::Session::connect()
{
    const QByteArray dsn = m_worker.m_config.dsn.toUtf8();
    const QByteArray password = m_worker.m_config.password.toUtf8();
    // TCP keepalives notice a peer that vanished without a FIN (a cable, a NAT timeout); they come
    // before the DSN, which may override them. The keywords after the DSN override what it says
    // (expand_dbname).
    std::vector<const char *> keywords{"keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
                                       "dbname",     "replication",     "application_name",    "connect_timeout"};
    std::vector<const char *> values{"1", "30", "10", "3", dsn.constData(), "database", "cdcscope", "15"};
    if (!password.isEmpty()) {
        keywords.push_back("password");
        values.push_back(password.constData());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    m_conn = PQconnectStartParams(keywords.data(), values.data(), 1);
    if (!m_conn)
        return QStringLiteral("out of memory starting a PostgreSQL connection");
    QElapsedTimer elapsed;
    elapsed.start();
    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    while (status != PGRES_POLLING_OK) {
        if (status == PGRES_POLLING_FAILED || PQstatus(m_conn) == CONNECTION_BAD)
            return connectionError();
        if (stopping())
            return {};
        if (elapsedOf(elapsed) > connectTimeout)
            return QStringLiteral("timed out connecting to PostgreSQL");
        waitForSocket(status == PGRES_POLLING_WRITING);
        status = PQconnectPoll(m_conn);
    }
    if (PQserverVersion(m_conn) < 100000)
        return QStringLiteral("PostgreSQL %1 has no pgoutput logical replication; version 10 or later is needed")
            .arg(QString::fromUtf8(PQparameterStatus(m_conn, "server_version")));
    return {};
}

std::variant<Result, QString> ReplicationWorker::Session::exec(const QByteArray &sql)
{
    if (!PQsendQuery(m_conn, sql.constData()))
        return connectionError();
    QElapsedTimer elapsed;
    elapsed.start();
    while (PQisBusy(m_conn)) {
        if (stopping())
            return QString();
        if (elapsedOf(elapsed) > queryTimeout)
            return QStringLiteral("PostgreSQL did not answer %1 within %2 s")
                .arg(QString::fromUtf8(sql.left(40)))
                .arg(std::chrono::duration_cast<std::chrono::seconds>(queryTimeout).count());
        waitForSocket(false);
        if (!PQconsumeInput(m_conn))
            return connectionError();
    }
    Result last(nullptr, &PQclear);
    while (PGresult *result = PQgetResult(m_conn)) {
        const ExecStatusType status = PQresultStatus(result);
        last.reset(result);
        // A COPY answers with no end of results: START_REPLICATION's stream begins here.
        if (status == PGRES_COPY_BOTH || status == PGRES_COPY_OUT || status == PGRES_COPY_IN)
            break;
    }
    if (!last)
        return QStringLiteral("PostgreSQL returned no result for %1").arg(QString::fromUtf8(sql.left(40)));
    const ExecStatusType status = PQresultStatus(last.get());
    if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR)
        return explain(QString::fromUtf8(PQresultErrorMessage(last.get())));
    return last;
}

QByteArray ReplicationWorker::Session::quoted(const QString &text, Escape escape) const
{
    const QByteArray utf8 = text.toUtf8();
    char *escaped = escape(m_conn, utf8.constData(), size_t(utf8.size()));
    QByteArray result(escaped ? escaped : "");
    PQfreemem(escaped);
    return result;
}

QByteArray ReplicationWorker::Session::literal(const QString &text) const
{
    return quoted(text, &PQescapeLiteral);
}

QByteArray ReplicationWorker::Session::identifier(const QString &text) const
{
    return quoted(text, &PQescapeIdentifier);
}

QString ReplicationWorker::Session::identify()
{
    auto answer = exec("IDENTIFY_SYSTEM");
    if (auto *error = std::get_if<QString>(&answer))
        return *error;
    const Result &result = std::get<Result>(answer);
    if (PQntuples(result.get()) != 1 || PQnfields(result.get()) < 4)
        return QStringLiteral("unexpected answer to IDENTIFY_SYSTEM");
    const QString systemId = QString::fromUtf8(PQgetvalue(result.get(), 0, 0));
    const QString database = QString::fromUtf8(PQgetvalue(result.get(), 0, 3));
    if (database.isEmpty())
        return QStringLiteral("the connection is not to a database (logical replication needs dbname)");
    uint high = 0, low = 0;
    if (std::sscanf(PQgetvalue(result.get(), 0, 2), "%X/%X", &high, &low) == 2)
        m_serverWalEnd = (Lsn(high) << 32) | low;
    // Per cluster, database and slot: LSNs of another cluster or slot say nothing about this one.
    m_sourceKey = QStringLiteral("postgres:%1/%2/%3").arg(systemId, database, m_worker.m_config.slot);
    m_worker.m_sourceKey = m_sourceKey;
    Q_EMIT m_worker.identified(m_sourceKey);
    return {};
}

QString ReplicationWorker::Session::ensurePublication()
{
    const PostgresConfig &config = m_worker.m_config;
    auto found = exec("SELECT 1 FROM pg_publication WHERE pubname = " + literal(config.publication));
    if (auto *error = std::get_if<QString>(&found))
        return *error;
    if (PQntuples(std::get<Result>(found).get()) > 0)
        return {}; // reused as it is: whoever made it chose its tables
    QByteArray sql = "CREATE PUBLICATION " + identifier(config.publication);
    if (config.tables.isEmpty()) {
        sql += " FOR ALL TABLES";
    } else {
        QByteArrayList tables;
        for (const QString &table : config.tables) {
            const QStringList parts = table.split(u'.');
            QByteArrayList quoted;
            for (const QString &part : parts)
                quoted.append(identifier(part));
            tables.append(quoted.join('.'));
        }
        sql += " FOR TABLE " + tables.join(", ");
    }
    auto created = exec(sql);
    if (auto *error = std::get_if<QString>(&created))
        return QStringLiteral("cannot create the publication %1: %2").arg(config.publication, *error);
    qCInfo(lcIngest).noquote() << "postgres: created publication" << config.publication;
    return {};
}

QString ReplicationWorker::Session::ensureSlot()
{
    const PostgresConfig &config = m_worker.m_config;
    auto found = exec("SELECT plugin, database FROM pg_replication_slots WHERE slot_name = " + literal(config.slot));
    if (auto *error = std::get_if<QString>(&found))
        return *error;
    const Result &existing = std::get<Result>(found);
    if (PQntuples(existing.get()) > 0) {
        const QString plugin = QString::fromUtf8(PQgetvalue(existing.get(), 0, 0));
        if (plugin != u"pgoutput")
            return QStringLiteral("the replication slot %1 exists but uses the plugin \"%2\"; CDC Scope needs "
                                  "pgoutput. Choose another --pg-slot, or drop that slot.")
                .arg(config.slot, plugin);
        return {};
    }
    auto created = exec("CREATE_REPLICATION_SLOT " + identifier(config.slot) + " LOGICAL pgoutput NOEXPORT_SNAPSHOT");
    if (auto *error = std::get_if<QString>(&created))
        return QStringLiteral("cannot create the replication slot %1: %2").arg(config.slot, *error);
    qCInfo(lcIngest).noquote() << "postgres: created replication slot" << config.slot;
    return {};
}

QString ReplicationWorker::Session::startStreaming()
{
    // Resume after what is durable here; PostgreSQL starts at the later of this and the slot's
    // confirmed position, and the engine drops anything it sends that is already journaled.
    const Lsn start = std::max<Lsn>(m_worker.m_durable.load(), Lsn(m_worker.m_journaled.value(m_sourceKey)));
    m_reported = start;
    // Logical messages (PostgreSQL 14+) carry the backfills' watermarks.
    const QByteArray messages = PQserverVersion(m_conn) >= 140000 ? ", messages 'true'" : "";
    const QByteArray sql = "START_REPLICATION SLOT " + identifier(m_worker.m_config.slot) + " LOGICAL " +
                           formatLsn(start).toLatin1() + " (proto_version '1', publication_names " +
                           literal(m_worker.m_config.publication) + messages + ")";
    auto started = exec(sql);
    if (auto *error = std::get_if<QString>(&started))
        return *error;
    if (PQresultStatus(std::get<Result>(started).get()) != PGRES_COPY_BOTH)
        return QStringLiteral("START_REPLICATION did not start a stream");
    m_streaming = true;
    qCInfo(lcIngest).noquote() << "postgres: streaming slot" << m_worker.m_config.slot << "from" << formatLsn(start);
    return {};
}

QString ReplicationWorker::Session::run()
{
    for (auto step : {&Session::connect, &Session::identify, &Session::ensurePublication, &Session::ensureSlot,
                      &Session::startStreaming}) {
        const QString error = (this->*step)();
        if (!error.isEmpty() || stopping())
            return stopping() ? QString() : error;
    }
    Q_EMIT m_worker.stateChanged(SourceStatus::State::Streaming, {});
    m_sinceStatus.start();
    m_sinceReceived.start();
    return stream();
}

bool ReplicationWorker::Session::sendStatus(bool force, bool requestReply)
{
    Lsn flush = m_worker.m_durable.load();
    // Idle and everything handed over is durable: nothing up to the keepalive's WAL end concerns
    // this slot any more, so confirm it and let PostgreSQL recycle the WAL (as pg_recvlogical does).
    if (!m_inTransaction && flush >= m_sentEnd)
        flush = std::max(flush, m_keepaliveEnd);
    flush = std::max(flush, m_reported);
    const bool advanced = flush > m_reported && elapsedOf(m_sinceStatus) >= confirmInterval;
    if (!force && !advanced && elapsedOf(m_sinceStatus) < statusInterval)
        return true;
    char message[34];
    message[0] = 'r';
    qToBigEndian<quint64>(std::max(m_received, flush), message + 1); // written
    qToBigEndian<quint64>(flush, message + 9);                       // flushed: durable here
    qToBigEndian<quint64>(flush, message + 17);                      // applied
    qToBigEndian<qint64>(pgNowMicros(), message + 25);
    message[33] = requestReply ? 1 : 0; // 1: PostgreSQL answers with a keepalive at once
    if (PQputCopyData(m_conn, message, sizeof message) != 1 || PQflush(m_conn) < 0)
        return false;
    m_reported = flush;
    m_sinceStatus.restart();
    Q_EMIT m_worker.progress(std::max(m_serverWalEnd, m_received), flush);
    return true;
}

QString ReplicationWorker::Session::probeQuery(const QByteArray &sql, Result *answer)
{
    if (!m_probe) {
        // The slot's row and the heartbeat. A statement that hangs must not hold the stream: five
        // seconds, then it is an error.
        m_probe = connectOrdinary(m_worker.m_config, "cdcscope-health", "5", "-c statement_timeout=5000");
    }
    if (PQstatus(m_probe) != CONNECTION_OK) {
        const QString error = explain(QString::fromUtf8(PQerrorMessage(m_probe)));
        PQfinish(m_probe);
        m_probe = nullptr; // made again next time
        return error;
    }
    Result result(PQexec(m_probe, sql.constData()), &PQclear);
    if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
        const QString error = explain(QString::fromUtf8(PQerrorMessage(m_probe)));
        if (PQstatus(m_probe) != CONNECTION_OK) {
            PQfinish(m_probe);
            m_probe = nullptr;
        }
        return error;
    }
    *answer = std::move(result);
    return {};
}

void ReplicationWorker::Session::lookAfterSlot()
{
    const PostgresConfig &config = m_worker.m_config;
    if (config.heartbeat.count() > 0 && (!m_sinceHeartbeat.isValid() || elapsedOf(m_sinceHeartbeat) >= config.heartbeat)) {
        m_sinceHeartbeat.start();
        Result answer(nullptr, &PQclear);
        // Not transactional: written at once, decoded by nobody (pgoutput sends no messages unless
        // asked), but it moves this database's WAL on, and the ping makes the walsender say so.
        m_heartbeatError = probeQuery("SELECT pg_logical_emit_message(false, 'cdcscope_heartbeat', '')", &answer);
        if (m_heartbeatError.isEmpty()) {
            ++m_heartbeats;
            sendStatus(true, true);
        }
    }
    if (m_sinceHealth.isValid() && elapsedOf(m_sinceHealth) < config.healthInterval)
        return;
    m_sinceHealth.start();
    Result answer(nullptr, &PQclear);
    const QString error = probeQuery(
        "SELECT (pg_current_wal_lsn() - restart_lsn)::bigint, wal_status, safe_wal_size, "
        "(pg_current_wal_lsn() - confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = " +
            literal(config.slot),
        &answer);
    if (!error.isEmpty() || PQntuples(answer.get()) != 1) {
        Q_EMIT m_worker.slotHealthRead(-1, {}, -1, 0, m_heartbeats,
                                       error.isEmpty() ? QStringLiteral("the slot %1 is gone").arg(config.slot) : error);
        return;
    }
    const auto number = [&answer](int column) {
        return PQgetisnull(answer.get(), 0, column) ? qint64(-1) : QByteArray(PQgetvalue(answer.get(), 0, column)).toLongLong();
    };
    // The slot was read; a heartbeat that could not be written is said all the same.
    Q_EMIT m_worker.slotHealthRead(number(0), QString::fromUtf8(PQgetvalue(answer.get(), 0, 1)), number(2),
                                   std::max<qint64>(0, number(3)), m_heartbeats,
                                   m_heartbeatError.isEmpty() ? QString()
                                                              : QStringLiteral("heartbeat: %1").arg(m_heartbeatError));
}

QString ReplicationWorker::Session::handle(const char *data, int size)
{
    if (size < 1)
        return QStringLiteral("empty message in the replication stream");
    if (data[0] == 'k') {
        if (size < 18)
            return QStringLiteral("truncated keepalive in the replication stream");
        m_keepaliveEnd = readBigEndian64(data + 1);
        m_serverWalEnd = std::max(m_serverWalEnd, m_keepaliveEnd);
        const bool replyRequested = data[17] != 0;
        if (!sendStatus(replyRequested))
            return connectionError();
        return {};
    }
    if (data[0] != 'w')
        return {}; // other CopyData kinds carry nothing for a logical replica
    if (size < 25)
        return QStringLiteral("truncated XLogData in the replication stream");
    const Lsn walStart = readBigEndian64(data + 1);
    m_serverWalEnd = std::max(m_serverWalEnd, Lsn(readBigEndian64(data + 9)));
    m_received = std::max(m_received, walStart);
    auto decoded = decode(QByteArray::fromRawData(data + 25, size - 25));
    if (auto *error = std::get_if<QString>(&decoded))
        return QStringLiteral("cannot decode the replication stream at %1: %2").arg(formatLsn(walStart), *error);
    const Message &message = std::get<Message>(decoded);
    if (const auto *begin = std::get_if<Begin>(&message)) {
        m_inTransaction = true;
        m_xid = begin->xid;
    }
    auto fed = m_stream.feed(message, walStart);
    for (const ChangeStream::IdentityNote &note : m_stream.takeIdentityNotes())
        Q_EMIT m_worker.identityNoted(note.table, note.warning);
    if (auto *error = std::get_if<QString>(&fed))
        return QStringLiteral("replication stream at %1: %2").arg(formatLsn(walStart), *error);
    followBackfills(message);
    if (auto &ready = std::get<std::optional<ChangeStream::Transaction>>(fed)) {
        if (ready->complete) {
            m_inTransaction = false;
            m_sentEnd = ready->endLsn;
            m_received = std::max(m_received, ready->endLsn);
        }
        m_worker.m_queuedEvents += ready->events.size();
        Q_EMIT m_worker.transactionReady(m_sourceKey, *ready);
    }
    return {};
}

void ReplicationWorker::Session::followBackfills(const Message &message)
{
    BackfillRunner &backfills = *m_worker.m_backfills;
    if (const auto *change = std::get_if<Change>(&message)) {
        if (const Relation *relation = m_stream.relation(change->relation))
            backfills.noteChange(*relation, *change, m_xid);
    } else if (std::holds_alternative<Commit>(message)) {
        backfills.noteCommit(m_xid);
    } else if (const auto *truncate = std::get_if<Truncate>(&message)) {
        for (const quint32 oid : truncate->relations)
            backfills.noteTruncate(oid);
    } else if (const auto *logical = std::get_if<LogicalMessage>(&message)) {
        backfills.noteMessage(*logical, logical->lsn);
    }
}

QString ReplicationWorker::Session::stream()
{
    for (;;) {
        if (stopping()) {
            // A clean stop confirms what became durable meanwhile, then ends the COPY.
            sendStatus(true);
            PQputCopyEnd(m_conn, nullptr);
            PQflush(m_conn);
            return {};
        }
        if (m_worker.m_queuedEvents.load() > maxQueuedEvents) {
            // The engine is behind: stop reading (TCP pushes back on PostgreSQL) but stay alive.
            m_sinceReceived.restart(); // not reading is not silence
            if (!sendStatus(false))
                return connectionError();
            QThread::msleep(10);
            continue;
        }
        lookAfterSlot(); // a timer's look unless one is due
        // A chunk read only while the engine keeps up: its rows join the same queue.
        m_worker.m_backfills->work(m_worker.m_queuedEvents.load() < maxQueuedEvents / 2);
        char *buffer = nullptr;
        const int size = PQgetCopyData(m_conn, &buffer, 1);
        if (size > 0) {
            m_sinceReceived.restart();
            m_pinged = false;
            const QString error = handle(buffer, size);
            PQfreemem(buffer);
            if (!error.isEmpty())
                return error;
            // Under a steady stream the socket is never idle: confirm from here as well.
            if (!sendStatus(false))
                return connectionError();
            continue;
        }
        if (size == 0) {
            // An idle walsender may say nothing for long; asked for a reply, a live one answers at
            // once. Silence past the limit after asking means a frozen server or a dead connection.
            const auto silent = elapsedOf(m_sinceReceived);
            const auto limit = m_worker.m_config.silenceLimit;
            if (silent > limit)
                return QStringLiteral("nothing from PostgreSQL for %1 s, not even an answer to a ping; the connection "
                                      "is presumed lost (--pg-silence-limit)")
                    .arg(double(silent.count()) / 1000, 0, 'f', 1);
            const bool ping = silent > limit / 4 && !m_pinged;
            if (!sendStatus(ping, ping))
                return connectionError();
            m_pinged = m_pinged || ping;
            waitForSocket(false);
            if (!PQconsumeInput(m_conn))
                return connectionError();
            continue;
        }
        if (size == -1) {
            Result result(PQgetResult(m_conn), &PQclear);
            const QString reason = result ? QString::fromUtf8(PQresultErrorMessage(result.get())).trimmed() : QString();
            return reason.isEmpty() ? QStringLiteral("PostgreSQL ended the replication stream") : explain(reason);
        }
        return connectionError();
    }
}

ReplicationWorker::ReplicationWorker(PostgresConfig config, QHash<QString, qint64> journaled, QObject *parent)
    : QThread(parent)
    , m_config(std::move(config))
    , m_journaled(std::move(journaled))
{
    setObjectName(QStringLiteral("cdc-postgres"));
    m_backfills = std::make_unique<BackfillRunner>(m_config, [this](const BackfillChunk &chunk) {
        m_queuedEvents += chunk.events.size();
        Q_EMIT backfillChunkReady(m_sourceKey, chunk);
    });
}

ReplicationWorker::~ReplicationWorker()
{
    requestStop();
    wait();
}

void ReplicationWorker::orderBackfill(const BackfillOrder &order)
{
    m_backfills->order(order);
}

void ReplicationWorker::markDurable(Lsn endLsn)
{
    Lsn current = m_durable.load();
    while (current < endLsn && !m_durable.compare_exchange_weak(current, endLsn)) {
    }
}

void ReplicationWorker::sleepInterruptibly(std::chrono::milliseconds duration)
{
    QElapsedTimer elapsed;
    elapsed.start();
    while (!m_stop && elapsedOf(elapsed) < duration)
        QThread::msleep(50);
}

void ReplicationWorker::run()
{
    auto backoff = std::chrono::milliseconds(firstBackoff);
    bool firstAttempt = true;
    bool standingBy = false;
    while (!m_stop) {
        if (!standingBy)
            Q_EMIT stateChanged(firstAttempt ? SourceStatus::State::Connecting : SourceStatus::State::Reconnecting, {});
        firstAttempt = false;
        QString error;
        bool streamed = false;
        {
            Session session(*this);
            error = session.run();
            streamed = session.reachedStreaming();
        }
        m_backfills->sessionEnded();
        if (m_stop)
            break;
        if (m_resend.exchange(false)) {
            qCInfo(lcIngest).noquote() << "postgres: reading again from the last confirmed position";
            continue;
        }
        // Cluster mode: the slot streams to one instance at a time; the others poll for it.
        if (!streamed && error.contains(QLatin1String("is active for PID"))) {
            if (!standingBy) {
                qCInfo(lcIngest).noquote()
                    << "postgres: another instance streams slot" << m_config.slot << "- standing by to take over";
                Q_EMIT stateChanged(SourceStatus::State::Standby, {});
            }
            standingBy = true;
            sleepInterruptibly(standbyPoll);
            continue;
        }
        standingBy = false;
        if (streamed)
            backoff = firstBackoff; // it worked until now: retry promptly
        qCWarning(lcIngest).noquote() << "postgres:" << error << "— retrying in" << backoff.count() << "ms";
        Q_EMIT stateChanged(SourceStatus::State::Reconnecting, error);
        sleepInterruptibly(backoff);
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, maxBackoff);
    }
    Q_EMIT stateChanged(SourceStatus::State::Stopped, {});
}

} // namespace cdc::pg

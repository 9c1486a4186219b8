#include "Journal.h"

#include "HistoryEpoch.h"
#include "Logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <atomic>

#include <sqlite3.h>
#include <zlib.h>

namespace cdc {

namespace {

std::atomic<int> g_connectionNumber{0};

QString resetHint(const QString &path)
{
    return QStringLiteral("Start with --reset-journal to move it aside (it is renamed, not deleted) and begin an "
                          "empty journal, or point --data-dir elsewhere. File: %1")
        .arg(path);
}

// Schema migrations: entry N upgrades a version-N journal to version N+1.
const char *const migrations[] = {
    // 0 -> 1: the first schema.
    "CREATE TABLE IF NOT EXISTS channels (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
    "last_seq INTEGER NOT NULL, last_ts_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events (channel_id INTEGER NOT NULL, seq INTEGER NOT NULL, "
    "ts_ms INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (channel_id, seq)) WITHOUT ROWID;",
    // 1 -> 2: how far each source's changes are journaled (a PostgreSQL source: the end LSN of its
    // last journaled transaction), written in the same transaction as the events themselves.
    "CREATE TABLE IF NOT EXISTS sources (name TEXT PRIMARY KEY, position INTEGER NOT NULL);",
    // 2 -> 3: what POST /events answered by Idempotency-Key, with the events it answered for.
    "CREATE TABLE IF NOT EXISTS idempotency (key BLOB PRIMARY KEY, fingerprint BLOB NOT NULL, "
    "answer BLOB NOT NULL, at_ms INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS idempotency_at ON idempotency (at_ms);",
    // 3 -> 4: a CRC-32 of each payload, checked when it is read back (NULL: stored before).
    "ALTER TABLE events ADD COLUMN crc INTEGER;",
    // 4 -> 5: the epoch of the seq history (a new journal is a new history; clients compare it).
    "CREATE TABLE IF NOT EXISTS history (epoch TEXT NOT NULL);",
    // 5 -> 6: what a source keeps beside its position (a backfill's next key), with the events.
    "ALTER TABLE sources ADD COLUMN detail BLOB;",
};

qint64 checksumOf(const void *data, qsizetype size)
{
    return qint64(crc32(crc32(0, nullptr, 0), static_cast<const Bytef *>(data), uInt(size)));
}

// How to go on when the journal's history does not add up.
QString lossHint(const QString &path)
{
    return QStringLiteral("Start with --accept-journal-loss to serve what is there (new events continue after the "
                          "recorded seqs, so none is reused, and travels report the gap), or with --reset-journal to "
                          "move it aside and start empty. File: %1")
        .arg(path);
}
static_assert(std::size(migrations) == Journal::schemaVersion);

} // namespace

QString syncLevelName(SyncLevel level)
{
    switch (level) {
    case SyncLevel::Off:
        return QStringLiteral("off");
    case SyncLevel::Normal:
        return QStringLiteral("normal");
    case SyncLevel::Full:
        return QStringLiteral("full");
    }
    return {};
}

std::optional<SyncLevel> parseSyncLevel(const QString &text)
{
    const QString name = text.trimmed().toLower();
    for (SyncLevel level : {SyncLevel::Off, SyncLevel::Normal, SyncLevel::Full})
        if (name == syncLevelName(level))
            return level;
    return std::nullopt;
}

void JournalDamage::add(const QString &finding)
{
    if (findings.size() < 5)
        findings.append(finding);
    ++count;
}

Journal::Journal(QString path, QString connectionName)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
    , m_marks(m_path)
{}

Journal::~Journal()
{
    writeMarks();
    sqlite3_finalize(m_insert);
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

std::variant<std::unique_ptr<Journal>, QString> Journal::open(const JournalOptions &options)
{
    const QFileInfo file(options.path);
    if (!QDir().mkpath(file.absolutePath()))
        return QStringLiteral("cannot create the data directory %1").arg(file.absolutePath());
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed; install libqt6sql6-sqlite");

    // SQLite takes a missing or empty file for a new database: neither may pass for one when the
    // journal held history (its marks say so), and an empty file is never a journal we wrote.
    if (file.exists() && file.size() == 0)
        return QStringLiteral("the journal file is empty: it was truncated, or is not a journal. Its history cannot "
                              "be read. %1")
            .arg(lossHint(file.absoluteFilePath()));
    if (!file.exists() && JournalMarks(file.absoluteFilePath()).exists())
        return QStringLiteral("the journal file is missing, but %1 records the history it held. Restore the file, "
                              "or: %2")
            .arg(JournalMarks(file.absoluteFilePath()).path(), lossHint(file.absoluteFilePath()));

    const QString connection = QStringLiteral("cdcscope-journal-%1").arg(g_connectionNumber++);
    std::unique_ptr<Journal> journal(new Journal(file.absoluteFilePath(), connection));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
    db.setDatabaseName(journal->m_path);
    // A peer holding the lock makes SQLite wait this long before it reports "database is locked".
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=200"));
    if (!db.open())
        return QStringLiteral("cannot open the journal: %1. %2").arg(db.lastError().text(), resetHint(journal->m_path));
    if (auto error = journal->prepare(options.sync))
        return *error;
    return journal;
}

std::optional<QString> Journal::prepare(SyncLevel sync)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    QSqlQuery query(db);
    const auto run = [&query](const QString &sql) { return query.exec(sql); };

    // Exclusive: a second process must not write the same journal behind our back.
    if (!run(QStringLiteral("PRAGMA locking_mode=EXCLUSIVE")) || !run(QStringLiteral("PRAGMA journal_mode=WAL"))) {
        const QString reason = query.lastError().text();
        if (reason.contains(QStringLiteral("locked"), Qt::CaseInsensitive))
            return QStringLiteral("the journal %1 is in use by another process (another cdcscope?). Stop it, or "
                                  "give this one its own --data-dir.")
                .arg(m_path);
        return QStringLiteral("cannot read the journal: %1. %2").arg(reason, resetHint(m_path));
    }
    if (!query.next() || query.value(0).toString() != u"wal") {
        // Reading journal_mode takes the lock; a busy file answers here.
        return QStringLiteral("the journal %1 is in use by another process (another cdcscope?), or is not an "
                              "SQLite file. %2")
            .arg(m_path, resetHint(m_path));
    }
    const char *syncPragma = sync == SyncLevel::Full  ? "PRAGMA synchronous=FULL"
                             : sync == SyncLevel::Off ? "PRAGMA synchronous=OFF"
                                                      : "PRAGMA synchronous=NORMAL";
    run(QString::fromLatin1(syncPragma));

    if (!run(QStringLiteral("PRAGMA quick_check")) || !query.next() || query.value(0).toString() != u"ok")
        return QStringLiteral("the journal is damaged (%1). %2")
            .arg(query.lastError().text().isEmpty() ? query.value(0).toString() : query.lastError().text(),
                 resetHint(m_path));

    if (!run(QStringLiteral("PRAGMA user_version")) || !query.next())
        return QStringLiteral("cannot read the journal's schema version. %1").arg(resetHint(m_path));
    int version = query.value(0).toInt();
    if (version > schemaVersion)
        return QStringLiteral("the journal %1 has schema version %2, written by a newer CDC Scope; this one reads up "
                              "to version %3. Use the newer version, or --reset-journal to start over.")
            .arg(m_path)
            .arg(version)
            .arg(schemaVersion);
    for (; version < schemaVersion; ++version) {
        db.transaction();
        for (const QString &statement : QString::fromLatin1(migrations[version]).split(u';', Qt::SkipEmptyParts)) {
            if (!run(statement)) {
                db.rollback();
                return QStringLiteral("cannot upgrade the journal %1 to schema %2: %3")
                    .arg(m_path)
                    .arg(version + 1)
                    .arg(query.lastError().text());
            }
        }
        run(QStringLiteral("PRAGMA user_version=%1").arg(version + 1));
        db.commit();
    }
    // A journal older than epochs gets its epoch now, once: from here on it is the history's.
    if (run(QStringLiteral("SELECT epoch FROM history LIMIT 1")) && query.next()) {
        m_epoch = query.value(0).toString().toLatin1();
    } else {
        m_epoch = newHistoryEpoch();
        query.prepare(QStringLiteral("INSERT INTO history (epoch) VALUES (?)"));
        query.addBindValue(QString::fromLatin1(m_epoch));
        if (!query.exec())
            return QStringLiteral("cannot write the journal %1: %2").arg(m_path, query.lastError().text());
    }
    return std::nullopt;
}

std::variant<QString, QString> Journal::moveAside(const QString &path)
{
    const QString aside =
        path + QStringLiteral(".broken-") + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral(".marks")}) {
        if (QFile::exists(path + suffix) && !QFile::rename(path + suffix, aside + suffix))
            return std::variant<QString, QString>(
                std::in_place_index<1>, QStringLiteral("cannot rename %1 to %2").arg(path + suffix, aside + suffix));
    }
    return std::variant<QString, QString>(std::in_place_index<0>, aside);
}

std::vector<JournaledChannel> Journal::load(qsizetype maxEventsPerChannel, JournalDamage *damage)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    std::vector<JournaledChannel> channels;
    QHash<qint64, size_t> byId;
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.exec(QStringLiteral("SELECT id, name, last_seq, last_ts_ms FROM channels ORDER BY id"));
    while (query.next()) {
        const qint64 id = query.value(0).toLongLong();
        const QString name = query.value(1).toString();
        m_channelIds.insert(name, id);
        byId.insert(id, channels.size());
        channels.push_back({name, query.value(2).toLongLong(), query.value(3).toLongLong(), {}});
    }
    // Only what the retention would keep: the newest maxEventsPerChannel of each channel. Read
    // with SQLite directly: a million rows through QVariant cost more than the rest of the start.
    auto *handle = *static_cast<sqlite3 *const *>(db.driver()->handle().constData());
    sqlite3_stmt *events = nullptr;
    if (sqlite3_prepare_v2(handle,
                           "SELECT e.channel_id, e.seq, e.ts_ms, e.payload, e.crc FROM events e JOIN channels c ON "
                           "c.id = e.channel_id WHERE e.seq > c.last_seq - ? ORDER BY e.channel_id, e.seq",
                           -1, &events, nullptr) != SQLITE_OK)
        return channels;
    sqlite3_bind_int64(events, 1, maxEventsPerChannel);
    qint64 currentId = -1;
    JournaledChannel *current = nullptr;
    while (sqlite3_step(events) == SQLITE_ROW) {
        const qint64 id = sqlite3_column_int64(events, 0);
        if (id != currentId) {
            currentId = id;
            current = &channels[byId.value(id)];
        }
        const auto *payload = static_cast<const char *>(sqlite3_column_blob(events, 3));
        const int size = sqlite3_column_bytes(events, 3);
        const qint64 seq = sqlite3_column_int64(events, 1);
        if (sqlite3_column_type(events, 4) != SQLITE_NULL &&
            sqlite3_column_int64(events, 4) != checksumOf(payload, size)) {
            // Altered on disk: not served. Nor is anything older in the channel, so what is served
            // has no hole; a travel from before reports the gap.
            damage->add(QStringLiteral("%1 seq %2: the payload does not match its checksum (altered on disk)")
                            .arg(current->name)
                            .arg(seq));
            current->events.clear();
            continue;
        }
        current->events.push_back({seq, sqlite3_column_int64(events, 2), QByteArray(payload, size)});
    }
    sqlite3_finalize(events);
    for (const JournaledChannel &channel : channels)
        m_lastSeqs.insert(channel.name, channel.lastSeq);
    checkMarks(channels, damage);
    return channels;
}

void Journal::checkMarks(std::vector<JournaledChannel> &channels, JournalDamage *damage)
{
    const auto read = m_marks.read();
    if (const auto *error = std::get_if<QString>(&read)) {
        damage->add(*error);
        return;
    }
    const QHash<QString, qint64> &marks = std::get<QHash<QString, qint64>>(read);
    QHash<QString, size_t> byName;
    for (size_t i = 0; i < channels.size(); ++i)
        byName.insert(channels[i].name, i);
    for (auto it = marks.cbegin(); it != marks.cend(); ++it) {
        const auto found = byName.constFind(it.key());
        const qint64 journaled = found == byName.cend() ? 0 : channels[found.value()].lastSeq;
        if (journaled >= it.value())
            continue;
        damage->add(QStringLiteral("%1: the journal ends at seq %2, but seqs up to %3 were acknowledged (its WAL "
                                   "file %4-wal deleted or damaged after a crash, or an older copy of the file?)")
                        .arg(it.key())
                        .arg(journaled)
                        .arg(it.value())
                        .arg(QFileInfo(m_path).fileName()));
        if (found == byName.cend()) {
            byName.insert(it.key(), channels.size());
            channels.push_back({it.key(), 0, 0, {}});
        }
        JournaledChannel &channel = channels[byName.value(it.key())];
        channel.lastSeq = it.value();
        damage->raisedEnds.insert(channel.name, {channel.lastSeq, channel.lastTsMs});
        m_lastSeqs.insert(channel.name, channel.lastSeq);
    }
}

void Journal::writeMarks()
{
    if (!m_marksDirty)
        return;
    QString error;
    if (!m_marks.write(m_lastSeqs, &error))
        qCWarning(lcServer).noquote() << error; // the journal itself is written; only the check is behind
    m_marksDirty = false;
}

QHash<QString, SourcePosition> Journal::loadSourcePositions()
{
    QHash<QString, SourcePosition> positions;
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    query.exec(QStringLiteral("SELECT name, position, detail FROM sources"));
    while (query.next())
        positions.insert(query.value(0).toString(), {query.value(1).toLongLong(), query.value(2).toByteArray()});
    return positions;
}

std::vector<IdempotentAnswer> Journal::loadAnswers(qint64 sinceMs)
{
    std::vector<IdempotentAnswer> answers;
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    query.prepare(QStringLiteral("SELECT key, fingerprint, answer, at_ms FROM idempotency WHERE at_ms >= ? "
                                 "ORDER BY at_ms"));
    query.bindValue(0, sinceMs);
    query.exec();
    while (query.next())
    {
        // An answer the journal cannot read back is not replayed: a retry then stores again,
        // which is what a client without the key would get.
        std::optional<CompactReceipts> receipts = CompactReceipts::decode(query.value(2).toByteArray());
        if (receipts)
            answers.push_back({query.value(0).toByteArray(), query.value(1).toByteArray(), std::move(*receipts),
                               query.value(3).toLongLong()});
    }
    return answers;
}

std::optional<std::pair<qint64, qint64>> Journal::channelEnd(const QString &name)
{
    QSqlQuery select(QSqlDatabase::database(m_connectionName));
    select.prepare(QStringLiteral("SELECT last_seq, last_ts_ms FROM channels WHERE name = ?"));
    select.addBindValue(name);
    if (!select.exec() || !select.next())
        return std::nullopt;
    return std::pair{select.value(0).toLongLong(), select.value(1).toLongLong()};
}

qint64 Journal::channelId(const QString &name, QString *error)
{
    if (const auto found = m_channelIds.constFind(name); found != m_channelIds.cend())
        return found.value();
    // Not cached: new, or cached before a rolled-back transaction emptied the cache.
    QSqlQuery select(QSqlDatabase::database(m_connectionName));
    select.prepare(QStringLiteral("SELECT id FROM channels WHERE name = ?"));
    select.addBindValue(name);
    if (select.exec() && select.next()) {
        const qint64 id = select.value(0).toLongLong();
        m_channelIds.insert(name, id);
        return id;
    }
    QSqlQuery insert(QSqlDatabase::database(m_connectionName));
    insert.prepare(QStringLiteral("INSERT INTO channels (name, last_seq, last_ts_ms) VALUES (?, 0, 0)"));
    insert.addBindValue(name);
    if (!insert.exec()) {
        *error = insert.lastError().text();
        return -1;
    }
    const qint64 id = insert.lastInsertId().toLongLong();
    m_channelIds.insert(name, id);
    return id;
}

bool Journal::commit(const JournalCommit &commit, QString *error)
{
    const auto &[records, lastSeqTs, oldestRetained, sourcePositions, answers, answersExpireBeforeMs] = commit;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    // Channels this transaction inserted are gone with it: their cached ids too.
    const auto rollBack = [&] {
        db.rollback();
        m_channelIds.clear();
        return false;
    };
    const auto fail = [&](const QSqlQuery &query) {
        *error = query.lastError().text();
        return rollBack();
    };
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    if (!m_insert) {
        auto *handle = *static_cast<sqlite3 *const *>(db.driver()->handle().constData());
        if (sqlite3_prepare_v2(handle, "INSERT INTO events (channel_id, seq, ts_ms, payload, crc) VALUES (?, ?, ?, ?, ?)",
                               -1, &m_insert, nullptr) != SQLITE_OK) {
            *error = QString::fromUtf8(sqlite3_errmsg(handle));
            return rollBack();
        }
    }
    const QString *previousChannel = nullptr;
    qint64 id = -1;
    for (const JournalRecord &record : records) {
        // Records come in runs of one channel: look its id up once per run.
        if (record.channel != previousChannel) {
            previousChannel = record.channel;
            id = channelId(*record.channel, error);
            if (id < 0) {
                return rollBack();
            }
        }
        sqlite3_bind_int64(m_insert, 1, id);
        sqlite3_bind_int64(m_insert, 2, record.seq);
        sqlite3_bind_int64(m_insert, 3, record.tsMs);
        // SQLITE_STATIC: the bytes stay alive in the store until the statement is reset.
        sqlite3_bind_blob(m_insert, 4, record.payload.data(), int(record.payload.size()), SQLITE_STATIC);
        sqlite3_bind_int64(m_insert, 5, checksumOf(record.payload.data(), record.payload.size()));
        const int stepped = sqlite3_step(m_insert);
        sqlite3_reset(m_insert);
        if (stepped != SQLITE_DONE) {
            *error = QString::fromUtf8(sqlite3_errmsg(sqlite3_db_handle(m_insert)));
            return rollBack();
        }
    }
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE channels SET last_seq = ?, last_ts_ms = ? WHERE name = ?"));
    for (auto it = lastSeqTs.cbegin(); it != lastSeqTs.cend(); ++it) {
        if (channelId(it.key(), error) < 0) {
            return rollBack();
        }
        update.bindValue(0, it.value().first);
        update.bindValue(1, it.value().second);
        update.bindValue(2, it.key());
        if (!update.exec())
            return fail(update);
    }
    QSqlQuery drop(db);
    drop.prepare(QStringLiteral("DELETE FROM events WHERE channel_id = ? AND seq < ?"));
    for (auto it = oldestRetained.cbegin(); it != oldestRetained.cend(); ++it) {
        // Not cached: a channel the store forgot since (its row, and maybe events, remain).
        const auto known = m_channelIds.constFind(it.key());
        QSqlQuery select(db);
        if (known == m_channelIds.cend()) {
            select.prepare(QStringLiteral("SELECT id FROM channels WHERE name = ?"));
            select.addBindValue(it.key());
            if (!select.exec() || !select.next())
                continue;
        }
        drop.bindValue(0, known != m_channelIds.cend() ? known.value() : select.value(0).toLongLong());
        drop.bindValue(1, it.value());
        if (!drop.exec())
            return fail(drop);
    }
    QSqlQuery position(db);
    position.prepare(QStringLiteral("INSERT INTO sources (name, position, detail) VALUES (?, ?, ?) "
                                    "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
                                    "detail = excluded.detail"));
    for (auto it = sourcePositions.cbegin(); it != sourcePositions.cend(); ++it) {
        position.bindValue(0, it.key());
        position.bindValue(1, it.value().position);
        position.bindValue(2, it.value().detail.isEmpty() ? QVariant() : QVariant(it.value().detail));
        if (!position.exec())
            return fail(position);
    }
    if (!answers.empty()) {
        QSqlQuery expire(db);
        expire.prepare(QStringLiteral("DELETE FROM idempotency WHERE at_ms < ?"));
        expire.bindValue(0, answersExpireBeforeMs);
        if (!expire.exec())
            return fail(expire);
        QSqlQuery answer(db);
        answer.prepare(QStringLiteral("INSERT OR REPLACE INTO idempotency (key, fingerprint, answer, at_ms) "
                                      "VALUES (?, ?, ?, ?)"));
        for (const IdempotentAnswer &given : answers) {
            answer.bindValue(0, given.key);
            answer.bindValue(1, given.fingerprint);
            answer.bindValue(2, given.receipts.encode());
            answer.bindValue(3, given.atMs);
            if (!answer.exec())
                return fail(answer);
        }
    }
    if (!db.commit()) {
        *error = db.lastError().text();
        return rollBack();
    }
    for (auto it = lastSeqTs.cbegin(); it != lastSeqTs.cend(); ++it)
        m_lastSeqs.insert(it.key(), it.value().first);
    m_marksDirty = m_marksDirty || !lastSeqTs.isEmpty();
    return true;
}

bool Journal::probeSpace(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    QSqlQuery query(db);
    const bool written = db.transaction() &&
                         query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS space_probe (filler BLOB)")) &&
                         query.exec(QStringLiteral("INSERT INTO space_probe VALUES (zeroblob(65536))")) &&
                         query.exec(QStringLiteral("DELETE FROM space_probe")) && db.commit();
    if (!written) {
        *error = query.lastError().text().isEmpty() ? db.lastError().text() : query.lastError().text();
        db.rollback();
        m_channelIds.clear();
    }
    return written;
}

qint64 Journal::fileBytes() const
{
    return QFileInfo(m_path).size() + QFileInfo(m_path + QStringLiteral("-wal")).size();
}

} // namespace cdc

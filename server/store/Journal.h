#pragma once

#include "SourcePosition.h"
#include "IdempotencyLedger.h"
#include "JournalMarks.h"
#include "StoredEvent.h"

#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <variant>
#include <vector>

struct sqlite3_stmt;

namespace cdc {

enum class SyncLevel { Off, Normal, Full };

struct JournalOptions
{
    QString path; // the SQLite file
    SyncLevel sync = SyncLevel::Normal;
};

// One row to write: an accepted event. Views into the store's own data, valid during commit().
struct JournalRecord
{
    const QString *channel = nullptr;
    qint64 seq = 0;
    qint64 tsMs = 0;
    QByteArrayView payload;
};

// One row read back.
struct JournaledEvent
{
    qint64 seq = 0;
    qint64 tsMs = 0;
    QByteArray payload;
};

// A channel as the journal knows it: its last seq and ts_ms (kept even when all its events were
// dropped, so seqs are never reused) and its retained events, oldest first.
struct JournaledChannel
{
    QString name;
    qint64 lastSeq = 0;
    qint64 lastTsMs = 0;
    std::vector<JournaledEvent> events;
};

// What is wrong with the history a journal holds, found when it is read: each finding a sentence.
// Events that fail their checksum are left out of what load() returns (with everything older in
// their channel: a channel's history has no holes), and a channel that ends before its mark is
// returned with its last seq raised to the mark (`raisedEnds`), so no seq is handed out twice if
// the loss is accepted.
struct JournalDamage
{
    QStringList findings; // the first few, for the message
    qint64 count = 0;     // all of them
    QHash<QString, std::pair<qint64, qint64>> raisedEnds; // to write back once the loss is accepted

    void add(const QString &finding);
};

// What one commit writes, atomically.
struct JournalCommit
{
    std::vector<JournalRecord> records;                  // the events accepted since the last commit
    QHash<QString, std::pair<qint64, qint64>> lastSeqTs; // each touched channel's last seq and ts_ms
    QHash<QString, qint64> oldestRetained;               // events below these seqs are dropped
    QHash<QString, SourcePosition> sourcePositions;      // each source's position upstream
    std::vector<IdempotentAnswer> answers;               // POST /events answers by Idempotency-Key
    qint64 answersExpireBeforeMs = 0;                    // older answers are dropped (with `answers`)
};

// The durable side of the store: an SQLite file in WAL mode (Qt Sql, QSQLITE), held exclusively
// by this process. One commit() is one transaction: the events accepted since the last one, each
// channel's last seq, and the deletion of what retention dropped.
class Journal
{
public:
    static constexpr int schemaVersion = 6;

    // Opens (creating if needed) and checks the file; the error names the file and what to do.
    static std::variant<std::unique_ptr<Journal>, QString> open(const JournalOptions &options);
    // Renames an unreadable journal to "<path>.broken-<UTC time>" so a fresh one can start;
    // returns the new name, or an error.
    static std::variant<QString, QString> moveAside(const QString &path);
    ~Journal();

    const QString &path() const { return m_path; }
    // The epoch of the history this journal holds: made when the journal was, kept for its life.
    const QByteArray &epoch() const { return m_epoch; }
    // Every channel with at most `maxEventsPerChannel` of its newest events, each checked against
    // its checksum, and each channel's end against its mark; what does not match is in `damage`.
    std::vector<JournaledChannel> load(qsizetype maxEventsPerChannel, JournalDamage *damage);

    // Each source's position as of the last commit (what its source may confirm upstream).
    // A channel's last seq and ts_ms as the journal has them, also once all its events are gone;
    // nothing for a name it never stored.
    std::optional<std::pair<qint64, qint64>> channelEnd(const QString &name);
    // Drops the name from the id cache (the store forgot the channel; the row stays).
    void forgetChannelId(const QString &name) { m_channelIds.remove(name); }
    QHash<QString, SourcePosition> loadSourcePositions();
    // The Idempotency-Key answers given at or after `sinceMs`, oldest first.
    std::vector<IdempotentAnswer> loadAnswers(qint64 sinceMs);

    // Writes everything in `commit` in one transaction. False (with `error`) if the disk refused.
    bool commit(const JournalCommit &commit, QString *error);
    // Rewrites the marks file if a commit changed an end since it was last written.
    void writeMarks();
    // Whether the journal can take a write again (after a full disk): writes and drops 64 KiB.
    bool probeSpace(QString *error);
    qint64 fileBytes() const;

private:
    Journal(QString path, QString connectionName);
    // Compares each channel's end with its mark (JournalMarks), raising the ends that fall short.
    void checkMarks(std::vector<JournaledChannel> &channels, JournalDamage *damage);
    std::optional<QString> prepare(SyncLevel sync);
    qint64 channelId(const QString &name, QString *error);

    QString m_path;
    QString m_connectionName;
    // The row insert goes straight to SQLite on Qt's connection: QSqlQuery's per-value binding
    // cost more than the insert itself (callgrind, docs/performance.md).
    sqlite3_stmt *m_insert = nullptr;
    QHash<QString, qint64> m_channelIds;
    JournalMarks m_marks;
    QByteArray m_epoch;
    QHash<QString, qint64> m_lastSeqs; // each channel's committed last seq: what the marks say
    bool m_marksDirty = false;
};

QString syncLevelName(SyncLevel level);
std::optional<SyncLevel> parseSyncLevel(const QString &text);

} // namespace cdc

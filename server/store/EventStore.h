#pragma once

#include "SourcePosition.h"
#include "ChannelLog.h"
#include "IdempotencyLedger.h"
#include "protocol/PublishRequest.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace cdc {

struct RetentionLimits
{
    qsizetype maxEventsPerChannel = 100'000;
    qint64 maxBytesPerChannel = qint64(256) << 20;
    qint64 maxTotalBytes = qint64(1) << 30;
    qint64 maxAgeMs = 7LL * 24 * 3600 * 1000; // 0: no age limit
    // Memory for the answers kept for Idempotency-Key retries; past it the oldest are forgotten.
    qint64 maxIdempotencyBytes = IdempotencyLedger::defaultMaxBytes;
    // Forgotten channels remembered in memory (without a journal), about 100 bytes each; the server
    // sets it to --max-channels.
    qsizetype maxTombstones = 100'000;
};

class Journal;
struct JournaledChannel;

// All channels' retained events, and the single place where seq and ts_ms are assigned.
// Lives on the engine thread; every source appends here and every travel reads here.
//
// With a journal, appended events are staged: they have their seq, but readers (travel, fan-out)
// see them only once the journal has committed them. Commits group everything staged during one
// event-loop turn into one transaction; whenCommitted() tells a publisher when its events are
// durable. Without a journal an append commits at once.
class EventStore : public QObject
{
    Q_OBJECT

public:
    using Clock = std::function<qint64()>; // ms since the epoch

    explicit EventStore(RetentionLimits limits, QObject *parent = nullptr);
    ~EventStore() override;

    // Tests inject a clock to make ts_ms deterministic.
    void setClock(Clock clock) { m_clock = std::move(clock); }

    // New limits apply at once: events beyond them are evicted now.
    void setLimits(const RetentionLimits &limits);

    // Makes appends durable through `journal` (owned by the caller, outliving this store) after
    // loading what it retains. Call once, before the first append. When the journal's history does
    // not add up (JournalDamage) nothing is attached and the answer says what is wrong and how to
    // go on, unless `acceptLoss`: then what is intact is served, the loss logged.
    std::optional<QString> attachJournal(Journal *journal, bool acceptLoss = false);
    bool hasJournal() const { return m_journal != nullptr; }
    // The epoch of this store's seq history: the journal's, or made at start without one.
    const QByteArray &historyEpoch() const { return m_epoch; }
    // Empty while accepting; why not once a journal write failed (a full disk, say). Appends are
    // then refused, what was appended since the last commit is taken back, and the journal is
    // tried again every second: the store accepts again by itself once it can write.
    const QString &failure() const { return m_failure; }
    qint64 journalFailures() const { return m_journalFailures; }
    // Runs `done(error)` once everything appended so far is committed (error empty) or could not be.
    void whenCommitted(std::function<void(const QString &error)> done);
    // Commits what is staged now instead of at the end of the event-loop turn.
    void commitNow();
    // Drops events older than the age limit (also done on each append and by a timer).
    void enforceAge();

    // Appends the batch in order; the caller has validated every event, so it is stored whole.
    QList<AppendReceipt> append(const PublishBatch &batch);

    // Cluster mode (RedisBroker): events whose seq and ts_ms Redis assigned. `firstSeq` must follow
    // the channel's last seq; they are announced at once (Redis already holds them).
    void adopt(const QString &channel, qint64 firstSeq, qint64 tsMs, const QList<QByteArray> &payloads);
    // Cluster mode: forgets the channel's window and continues after `lastSeq` — when joining a
    // channel midway, or when Redis lost history (a travel from before then reports a gap).
    void restartChannelAt(const QString &channel, qint64 lastSeq, qint64 lastTsMs);
    void markHistoryLost(const QString &channel) { channelFor(channel).markHistoryLost(); }

    // A source's position upstream (for PostgreSQL, the end LSN of its last transaction), made
    // durable in the same journal transaction as the events appended before it in this turn, so
    // events and position are never out of step after a crash.
    // `detail`: what else the source keeps about where it is (a backfill's next key).
    void setSourcePosition(const QString &source, qint64 position, const QByteArray &detail = {});
    // The latest position set (staged or committed), or the one restored from the journal; 0 if none.
    qint64 sourcePosition(const QString &source) const { return m_sourcePositions.value(source).position; }
    QByteArray sourceDetail(const QString &source) const { return m_sourcePositions.value(source).detail; }
    QStringList sourceKeys() const { return m_sourcePositions.keys(); }

    // POST /events answers by Idempotency-Key, kept for IdempotencyLedger's window. An answer
    // remembered now is committed with the events appended in this turn, and found only after.
    const IdempotentAnswer *idempotentAnswer(const QByteArray &key) const;
    void rememberAnswer(const QByteArray &key, const QByteArray &fingerprint, CompactReceipts receipts);
    const IdempotencyLedger &idempotency() const { return m_idempotency; }

    // Why `batch` may not be stored when it would take the channels past `maxChannels`; nothing
    // when it may. Every publish path asks before appending (a batch is stored whole or not at all).
    std::optional<QString> channelLimitRefusal(const PublishBatch &batch, qsizetype maxChannels) const;

    // A writer that appends one run of events over many turns and promises them consecutive seqs
    // per channel (a large PostgreSQL transaction stored in parts) holds their channels meanwhile:
    // every other publish path asks heldChannelRefusal() and is refused for those channels until
    // the writer lets go. `holder` says who, for the refusal's message.
    void holdChannels(const PublishBatch &batch, const QString &holder);
    void releaseChannels();
    std::optional<QString> heldChannelRefusal(const PublishBatch &batch) const;

    // Forgets, once a second, the channels whose events have all expired and that `watched` (does
    // anyone subscribe?) says nobody follows, so memory does not grow with every channel name ever
    // used. A forgotten channel's last seq and ts_ms stay known (in the journal, or without one in a
    // small tombstone): when it comes back it continues after them, so a (channel, seq) is never
    // given twice, and a travel into its past reports the gap. Off until called (cluster mode
    // leaves it off: Redis holds the channels).
    void forgetIdleChannels(std::function<bool(const QString &channel)> watched);
    // A forgotten channel's last seq and ts_ms; nothing for a channel in memory or never seen.
    std::optional<std::pair<qint64, qint64>> forgottenChannelEnd(const QString &id) const;
    qint64 forgottenChannels() const { return m_forgottenChannels; }

    const ChannelLog *channel(const QString &id) const;
    QList<const ChannelLog *> channels() const;
    qsizetype channelCount() const { return m_channels.size(); }
    qint64 totalBytes() const { return m_totalBytes; }
    qint64 totalEvents() const { return m_totalEvents; }
    qint64 evictedEvents() const { return m_evictedEvents; }
    qint64 appendedEvents() const { return m_appendedEvents; }
    const RetentionLimits &limits() const { return m_limits; }

Q_SIGNALS:
    // failure() changed: the journal stopped taking writes, or takes them again.
    void journalStateChanged();
    // Emitted once per stored event, after its whole batch is committed.
    void appended(const cdc::ChannelLog &channel, const cdc::StoredEvent &event);
    // After the last `appended` of one append() call: the moment to push a whole batch out.
    void batchAppended();

private:
    ChannelLog &channelFor(const QString &id);
    void enforceRetention(ChannelLog &touched);
    void evictOldestOf(ChannelLog &log);
    void scheduleCommit();
    void refuseStaged(const QString &why);
    void probeJournal();
    void restore(std::vector<JournaledChannel> channels);
    // Keeps a forgotten channel's last seq and ts_ms (without a journal), within maxTombstones.
    void bury(const QString &id, const ChannelLog &log);
    void forgetIdle();

    RetentionLimits m_limits;
    Clock m_clock;
    QHash<QString, std::shared_ptr<ChannelLog>> m_channels;
    // Append order across channels, for evicting the globally oldest event when the byte budget
    // is exceeded. Entries whose event was already evicted by the per-channel count are skipped.
    struct AppendOrderEntry
    {
        ChannelLog *channel;
        qint64 seq;
    };
    std::deque<AppendOrderEntry> m_appendOrder;
    qint64 m_totalBytes = 0;
    qint64 m_totalEvents = 0;
    qint64 m_evictedEvents = 0;
    qint64 m_appendedEvents = 0;

    Journal *m_journal = nullptr;
    QByteArray m_epoch;
    QString m_failure;
    qint64 m_journalFailures = 0;
    QTimer m_probeTimer; // while failed: is the journal writable again?
    // Appended but not yet committed; copies share the frame bytes with the logs and keep an
    // event announceable even when a batch larger than the retention evicts it again.
    std::vector<std::pair<ChannelLog *, StoredEvent>> m_staged;
    QHash<QString, qint64> m_evictedSinceCommit; // channel -> oldest retained seq, for the journal
    QHash<QString, SourcePosition> m_sourcePositions;
    QHash<QString, SourcePosition> m_stagedSourcePositions;
    QHash<QString, SourcePosition> m_committedSourcePositions;      // what a refused commit falls back to
    std::function<bool(const QString &)> m_watched;         // set: idle channels are forgotten
    QHash<QString, std::pair<qint64, qint64>> m_tombstones; // without a journal: forgotten channels' last seq, ts_ms
    std::deque<QString> m_tombstoneOrder;                   // oldest first (may name ones that came back)
    qint64 m_droppedTombstoneSeq = 0;                       // the highest last seq of a dropped tombstone
    qint64 m_forgottenChannels = 0;
    QSet<QString> m_heldChannels;
    QString m_holder;
    IdempotencyLedger m_idempotency;
    std::vector<IdempotentAnswer> m_stagedAnswers;
    std::vector<std::function<void(const QString &)>> m_commitWaiters;
    bool m_commitScheduled = false;
    QTimer m_ageTimer;
};

} // namespace cdc

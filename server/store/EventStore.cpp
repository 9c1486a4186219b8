#include "EventStore.h"

#include "HistoryEpoch.h"
#include "Journal.h"
#include "Logging.h"

#include <QDateTime>
#include <QSet>

#include <algorithm>
#include <utility>
#include <vector>

namespace cdc {

EventStore::EventStore(RetentionLimits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
    , m_epoch(newHistoryEpoch())
{
    m_idempotency.setMaxBytes(limits.maxIdempotencyBytes);
    connect(&m_ageTimer, &QTimer::timeout, this, &EventStore::enforceAge);
    m_ageTimer.start(1000);
    connect(&m_probeTimer, &QTimer::timeout, this, &EventStore::probeJournal);
}

EventStore::~EventStore() = default;

ChannelLog &EventStore::channelFor(const QString &id)
{
    auto found = m_channels.find(id);
    if (found == m_channels.end()) {
        // A channel forgotten earlier continues where it stopped. One whose tombstone had to go
        // (or any new one, once a tombstone went) starts after every seq a dropped tombstone
        // held: a (channel, seq) pair is never handed out twice.
        const auto end = forgottenChannelEnd(id);
        found = m_channels.insert(id, std::make_shared<ChannelLog>(id));
        if (end) {
            found.value()->restoreCounters(end->first, end->second);
            m_tombstones.remove(id);
        } else if (m_droppedTombstoneSeq > 0) {
            found.value()->restoreCounters(m_droppedTombstoneSeq, 0);
        }
    }
    return *found.value();
}

QList<AppendReceipt> EventStore::append(const PublishBatch &batch)
{
    QList<AppendReceipt> receipts;
    if (!m_failure.isEmpty())
        return receipts;
    receipts.reserve(batch.size());
    const qint64 now = m_clock();
    for (const NewEvent &event : batch) {
        ChannelLog &log = channelFor(event.channel);
        const StoredEvent &added = log.append(now, event.payload);
        m_totalBytes += added.wire.size();
        ++m_totalEvents;
        ++m_appendedEvents;
        m_appendOrder.push_back({&log, added.seq});
        receipts.append({log.id(), added.seq, added.tsMs});
        m_staged.emplace_back(&log, added);
        enforceRetention(log);
    }
    if (m_journal)
        scheduleCommit();
    else
        commitNow();
    return receipts;
}

void EventStore::adopt(const QString &channel, qint64 firstSeq, qint64 tsMs, const QList<QByteArray> &payloads)
{
    Q_ASSERT(!m_journal);
    ChannelLog &log = channelFor(channel);
    Q_ASSERT(firstSeq == log.lastSeq() + 1);
    qint64 seq = firstSeq;
    for (const QByteArray &payload : payloads) {
        log.restore(seq++, std::max(tsMs, log.lastTsMs()), payload);
        const StoredEvent &added = log.newest();
        m_totalBytes += added.wire.size();
        ++m_totalEvents;
        ++m_appendedEvents;
        m_appendOrder.push_back({&log, added.seq});
        m_staged.emplace_back(&log, added);
        enforceRetention(log);
    }
    commitNow();
}

void EventStore::restartChannelAt(const QString &channel, qint64 lastSeq, qint64 lastTsMs)
{
    ChannelLog &log = channelFor(channel);
    while (!log.isEmpty())
        evictOldestOf(log);
    log.restartAt(lastSeq, lastTsMs);
}

void EventStore::scheduleCommit()
{
    if (m_commitScheduled)
        return;
    m_commitScheduled = true;
    // Everything appended during this event-loop turn shares one transaction.
    QMetaObject::invokeMethod(this, &EventStore::commitNow, Qt::QueuedConnection);
}

void EventStore::commitNow()
{
    m_commitScheduled = false;
    if (m_staged.empty() && m_evictedSinceCommit.isEmpty() && m_stagedSourcePositions.isEmpty() &&
        m_stagedAnswers.empty()) {
        for (auto &done : std::exchange(m_commitWaiters, {}))
            done(m_failure);
        return;
    }
    if (m_journal && m_failure.isEmpty()) {
        JournalCommit commit;
        commit.records.reserve(m_staged.size());
        const ChannelLog *previous = nullptr;
        for (const auto &[log, event] : m_staged) {
            commit.records.push_back({&log->id(), event.seq, event.tsMs, event.payload()});
            if (log != previous) {
                previous = log;
                commit.lastSeqTs.insert(log->id(), {log->lastSeq(), log->lastTsMs()});
            }
        }
        commit.oldestRetained = m_evictedSinceCommit;
        commit.sourcePositions = m_stagedSourcePositions;
        commit.answers = m_stagedAnswers;
        commit.answersExpireBeforeMs = m_clock() - m_idempotency.windowMs();
        QString error;
        if (!m_journal->commit(commit, &error)) {
            refuseStaged(QStringLiteral("the journal %1 cannot write (%2): free space on its disk; events are "
                                        "taken again by themselves once it can, and nothing acknowledged was lost")
                             .arg(m_journal->path(), error));
            return;
        }
    }
    if (!m_failure.isEmpty()) {
        // Appended while failing cannot happen (append refuses); what is left are waiters.
        for (auto &done : std::exchange(m_commitWaiters, {}))
            done(m_failure);
        return;
    }
    m_evictedSinceCommit.clear();
    for (auto it = m_stagedSourcePositions.cbegin(); it != m_stagedSourcePositions.cend(); ++it)
        m_committedSourcePositions.insert(it.key(), it.value());
    m_stagedSourcePositions.clear();
    // Answers become visible to retries only once durable, with the events they answer for.
    for (IdempotentAnswer &answer : std::exchange(m_stagedAnswers, {}))
        m_idempotency.remember(std::move(answer));
    const auto staged = std::exchange(m_staged, {});
    for (const auto &[log, event] : staged)
        log->markCommitted();
    // Announce only after the whole group is durable, so a subscriber never sees an event that a
    // crash could take back.
    for (const auto &[log, event] : staged)
        Q_EMIT appended(*log, event);
    if (!staged.empty())
        Q_EMIT batchAppended();
    for (auto &done : std::exchange(m_commitWaiters, {}))
        done(QString());
}

void EventStore::refuseStaged(const QString &why)
{
    // Never announced, never travelled to, their publishers refused: the staged events are taken
    // back, so the seqs stay contiguous, and so are the source positions and answers that came
    // with them. Evictions they caused stay staged: the journal drops those events next time.
    QSet<ChannelLog *> touched;
    for (const auto &[log, event] : std::exchange(m_staged, {}))
        touched.insert(log);
    for (ChannelLog *log : std::as_const(touched)) {
        qint64 dropped = 0;
        m_totalBytes -= log->dropUncommitted(dropped);
        m_totalEvents -= dropped;
    }
    while (!m_appendOrder.empty() && m_appendOrder.back().seq > m_appendOrder.back().channel->lastSeq())
        m_appendOrder.pop_back();
    m_sourcePositions = m_committedSourcePositions;
    m_stagedSourcePositions.clear();
    m_stagedAnswers.clear();
    m_failure = why;
    ++m_journalFailures;
    m_probeTimer.start(1000);
    Q_EMIT journalStateChanged();
    for (auto &done : std::exchange(m_commitWaiters, {}))
        done(m_failure);
}

void EventStore::probeJournal()
{
    QString error;
    if (!m_journal || !m_journal->probeSpace(&error))
        return;
    m_probeTimer.stop();
    m_failure.clear();
    Q_EMIT journalStateChanged();
    if (!m_evictedSinceCommit.isEmpty())
        commitNow();
}

void EventStore::setSourcePosition(const QString &source, qint64 position, const QByteArray &detail)
{
    m_sourcePositions.insert(source, {position, detail});
    if (!m_journal)
        return;
    m_stagedSourcePositions.insert(source, {position, detail});
    scheduleCommit();
}

const IdempotentAnswer *EventStore::idempotentAnswer(const QByteArray &key) const
{
    return m_idempotency.find(key, m_clock());
}

void EventStore::rememberAnswer(const QByteArray &key, const QByteArray &fingerprint, CompactReceipts receipts)
{
    IdempotentAnswer given{key, fingerprint, std::move(receipts), m_clock()};
    if (!m_journal) {
        m_idempotency.remember(std::move(given));
        return;
    }
    m_stagedAnswers.push_back(std::move(given));
    scheduleCommit();
}

void EventStore::whenCommitted(std::function<void(const QString &)> done)
{
    if (m_staged.empty() && !m_commitScheduled) {
        done(m_failure);
        return;
    }
    m_commitWaiters.push_back(std::move(done));
}

std::optional<QString> EventStore::attachJournal(Journal *journal, bool acceptLoss)
{
    JournalDamage damage;
    std::vector<JournaledChannel> channels = journal->load(m_limits.maxEventsPerChannel, &damage);
    if (damage.count > 0) {
        const QString found =
            QStringLiteral("the journal %1 does not hold the history it acknowledged (%2 finding%3): %4%5")
                .arg(journal->path())
                .arg(damage.count)
                .arg(damage.count == 1 ? QString() : QStringLiteral("s"))
                .arg(damage.findings.join(QStringLiteral("; ")))
                .arg(damage.count > damage.findings.size() ? QStringLiteral("; …") : QString());
        if (!acceptLoss)
            return QStringLiteral("%1. Start with --accept-journal-loss to serve what is intact (new events continue "
                                  "after the acknowledged seqs, so none is reused, and travels report the gap), or "
                                  "with --reset-journal to move it aside and start empty.")
                .arg(found);
        qCWarning(lcServer).noquote() << found << "- serving what is intact (--accept-journal-loss)";
        // The raised ends are written back, so a seq is not handed out twice after this start either.
        QString error;
        JournalCommit raised;
        raised.lastSeqTs = damage.raisedEnds;
        if (!raised.lastSeqTs.isEmpty() && !journal->commit(raised, &error))
            return QStringLiteral("cannot record the accepted loss in the journal %1: %2").arg(journal->path(), error);
    }
    m_journal = journal;
    m_epoch = journal->epoch();
    m_sourcePositions = m_journal->loadSourcePositions();
    m_committedSourcePositions = m_sourcePositions;
    for (IdempotentAnswer &answer : m_journal->loadAnswers(m_clock() - m_idempotency.windowMs()))
        m_idempotency.remember(std::move(answer));
    restore(std::move(channels));
    return std::nullopt;
}

void EventStore::restore(std::vector<JournaledChannel> channels)
{
    // The journal is read channel by channel; the byte budget evicts the globally oldest first, so
    // the eviction queue is rebuilt in ts_ms order.
    struct Restored
    {
        qint64 tsMs;
        ChannelLog *log;
        qint64 seq;
    };
    std::vector<Restored> order;
    for (JournaledChannel &channel : channels) {
        // A channel with nothing retained stays in the journal only, as if forgotten: it
        // continues after its last seq if it comes back (channelFor).
        if (channel.events.empty() && channel.lastSeq > 0)
            continue;
        ChannelLog &log = channelFor(channel.name);
        for (const JournaledEvent &record : channel.events) {
            log.restore(record.seq, record.tsMs, record.payload);
            m_totalBytes += log.newest().wire.size();
            ++m_totalEvents;
            order.push_back({record.tsMs, &log, record.seq});
        }
        log.restoreCounters(channel.lastSeq, channel.lastTsMs);
    }
    std::stable_sort(order.begin(), order.end(), [](const Restored &a, const Restored &b) { return a.tsMs < b.tsMs; });
    for (const Restored &entry : order)
        m_appendOrder.push_back({entry.log, entry.seq});
    for (const auto &log : std::as_const(m_channels))
        enforceRetention(*log);
    enforceAge();
    if (!m_evictedSinceCommit.isEmpty())
        commitNow();
}

void EventStore::setLimits(const RetentionLimits &limits)
{
    m_limits = limits;
    m_idempotency.setMaxBytes(limits.maxIdempotencyBytes);
    for (const auto &log : std::as_const(m_channels))
        enforceRetention(*log);
}

void EventStore::evictOldestOf(ChannelLog &log)
{
    m_totalBytes -= log.evictOldest();
    --m_totalEvents;
    ++m_evictedEvents;
    if (m_journal)
        m_evictedSinceCommit.insert(log.id(), log.oldestSeq().value_or(log.lastSeq() + 1));
}

void EventStore::enforceAge()
{
    if (m_journal)
        m_journal->writeMarks(); // at most once a second, after what was committed
    m_idempotency.expire(m_clock());
    if (m_limits.maxAgeMs <= 0)
        return;
    const qint64 oldestKept = m_clock() - m_limits.maxAgeMs;
    for (const auto &log : std::as_const(m_channels))
        while (!log->isEmpty() && log->at(0).tsMs < oldestKept && log->at(0).seq <= log->committedSeq())
            evictOldestOf(*log);
    if (m_journal && !m_evictedSinceCommit.isEmpty())
        scheduleCommit();
    forgetIdle();
}

void EventStore::forgetIdleChannels(std::function<bool(const QString &)> watched)
{
    m_watched = std::move(watched);
}

std::optional<std::pair<qint64, qint64>> EventStore::forgottenChannelEnd(const QString &id) const
{
    if (m_channels.contains(id))
        return std::nullopt;
    if (m_journal)
        return m_journal->channelEnd(id);
    const auto found = m_tombstones.constFind(id);
    return found == m_tombstones.cend() ? std::nullopt : std::optional(found.value());
}

void EventStore::bury(const QString &id, const ChannelLog &log)
{
    m_tombstones.insert(id, {log.lastSeq(), log.lastTsMs()});
    m_tombstoneOrder.push_back(id);
    // Names are the client's to choose: the tombstones are bounded like the channels. The oldest
    // goes first, and the seqs it held are remembered as one number.
    while (qsizetype(m_tombstones.size()) > m_limits.maxTombstones && !m_tombstoneOrder.empty()) {
        const auto oldest = m_tombstones.constFind(m_tombstoneOrder.front());
        m_tombstoneOrder.pop_front();
        if (oldest == m_tombstones.cend())
            continue; // it came back since
        m_droppedTombstoneSeq = std::max(m_droppedTombstoneSeq, oldest->first);
        m_tombstones.erase(oldest);
    }
    if (m_tombstoneOrder.size() > 2 * size_t(m_tombstones.size()) + 1024)
        std::erase_if(m_tombstoneOrder, [this](const QString &name) { return !m_tombstones.contains(name); });
}

void EventStore::forgetIdle()
{
    // Staged events point at their logs until the commit; the next second will do.
    if (!m_watched || !m_staged.empty())
        return;
    QSet<const ChannelLog *> forgotten;
    for (auto it = m_channels.begin(); it != m_channels.end();) {
        const ChannelLog &log = *it.value();
        if (!log.isEmpty() || m_heldChannels.contains(it.key()) || m_watched(it.key())) {
            ++it;
            continue;
        }
        forgotten.insert(&log);
        if (m_journal)
            m_journal->forgetChannelId(it.key()); // its row keeps the last seq
        else
            bury(it.key(), log);
        it = m_channels.erase(it);
    }
    if (forgotten.isEmpty())
        return;
    m_forgottenChannels += forgotten.size();
    std::erase_if(m_appendOrder,
                  [&forgotten](const AppendOrderEntry &entry) { return forgotten.contains(entry.channel); });
}

void EventStore::enforceRetention(ChannelLog &touched)
{
    while (touched.size() > m_limits.maxEventsPerChannel || touched.bytes() > m_limits.maxBytesPerChannel) {
        if (touched.size() <= 1)
            break; // the newest event stays, however large: it was accepted
        evictOldestOf(touched);
    }
    while (m_totalBytes > m_limits.maxTotalBytes && !m_appendOrder.empty()) {
        const AppendOrderEntry oldest = m_appendOrder.front();
        m_appendOrder.pop_front();
        const auto oldestRetained = oldest.channel->oldestSeq();
        if (!oldestRetained || *oldestRetained != oldest.seq)
            continue; // already evicted by its channel's count limit
        evictOldestOf(*oldest.channel);
    }
    // Count-based eviction leaves stale entries anywhere in the queue (behind a quiet channel's
    // old event, say). Compacting whenever they outnumber the live ones keeps the queue within
    // twice the retained events at amortized O(1) per append.
    if (qint64(m_appendOrder.size()) > 2 * m_totalEvents + 1024) {
        std::erase_if(m_appendOrder, [](const AppendOrderEntry &entry) {
            const auto oldestRetained = entry.channel->oldestSeq();
            return !oldestRetained || *oldestRetained > entry.seq;
        });
    }
}

std::optional<QString> EventStore::channelLimitRefusal(const PublishBatch &batch, qsizetype maxChannels) const
{
    QSet<QString> created;
    for (const NewEvent &event : batch)
        if (!m_channels.contains(event.channel))
            created.insert(event.channel);
    if (created.isEmpty() || m_channels.size() + created.size() <= maxChannels)
        return std::nullopt;
    return QStringLiteral("this server holds %1 channels and the limit is %2 (--max-channels): %3 new channel(s) "
                          "refused, nothing stored")
        .arg(m_channels.size())
        .arg(maxChannels)
        .arg(created.size());
}

void EventStore::holdChannels(const PublishBatch &batch, const QString &holder)
{
    m_holder = holder;
    for (const NewEvent &event : batch)
        m_heldChannels.insert(event.channel);
}

void EventStore::releaseChannels()
{
    m_heldChannels.clear();
    m_holder.clear();
}

std::optional<QString> EventStore::heldChannelRefusal(const PublishBatch &batch) const
{
    if (m_heldChannels.isEmpty())
        return std::nullopt;
    for (const NewEvent &event : batch)
        if (m_heldChannels.contains(event.channel))
            return QStringLiteral("channel \"%1\" is receiving %2, stored in parts as it arrives; its events get "
                                  "consecutive seqs, so other publishes to the channel wait until it is stored whole: "
                                  "nothing was stored")
                .arg(event.channel, m_holder);
    return std::nullopt;
}

const ChannelLog *EventStore::channel(const QString &id) const
{
    const auto found = m_channels.constFind(id);
    return found == m_channels.cend() ? nullptr : found.value().get();
}

QList<const ChannelLog *> EventStore::channels() const
{
    QList<const ChannelLog *> result;
    result.reserve(m_channels.size());
    for (const auto &log : m_channels)
        result.append(log.get());
    return result;
}

} // namespace cdc

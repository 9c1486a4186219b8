#include "RedisFollower.h"

#include "Logging.h"
#include "RedisLink.h"
#include "RedisScripts.h"
#include "RedisStream.h"
#include "ServerMetrics.h"
#include "store/EventStore.h"

namespace cdc {

namespace {

constexpr int maxRetryMs = 5000;
constexpr qint64 maxFillEntries = 10'000;      // per XRANGE; a longer hole is filled in several reads
constexpr size_t maxWaitingDeliveries = 1'000; // Pub/Sub batches held per channel while a fill runs

} // namespace

RedisFollower::RedisFollower(RedisLink &link, EventStore &window, ServerMetrics &metrics, QObject *parent)
    : QObject(parent)
    , m_link(link)
    , m_window(window)
    , m_metrics(metrics)
{
    connect(&m_checkTimer, &QTimer::timeout, this, &RedisFollower::checkCounters);
    // What was published while the command connection was down is found by the counters.
    connect(&m_link, &RedisLink::reconnected, this, &RedisFollower::checkCounters);
}

RedisFollower::~RedisFollower() = default;

void RedisFollower::start()
{
    connectPubSub();
    m_checkTimer.start(m_link.config().checkIntervalMs);
}

QByteArray RedisFollower::knownEpoch(const QString &channel) const
{
    const auto tracked = m_tracked.constFind(channel);
    return tracked == m_tracked.cend() ? QByteArray() : tracked->epoch;
}

std::optional<qint64> RedisFollower::trackedUpTo(const QString &channel) const
{
    if (!m_tracked.contains(channel))
        return std::nullopt;
    return lastSeqOf(channel);
}

void RedisFollower::connectPubSub()
{
    m_pubsub = std::make_unique<RedisConnection>(m_link.config().redis,
                                                 QStringLiteral("cdcscope-%1-live").arg(m_metrics.cluster.instanceId));
    m_pubsub->setPushHandler([this](const RedisReply &push) { onPush(push); });
    connect(m_pubsub.get(), &RedisConnection::ready, this, [this] {
        m_pubsubRetryMs = 250;
        QList<QByteArray> channels;
        for (auto it = m_tracked.cbegin(); it != m_tracked.cend(); ++it)
            channels.append(redis_stream::keyOf(it.key(), "live"));
        m_pubsub->subscribe(channels);
        // What was published while this connection was down is found by the counters.
        checkCounters();
    });
    connect(m_pubsub.get(), &RedisConnection::lost, this, [this](const QString &reason) {
        qCWarning(lcServer).noquote() << "redis: the Pub/Sub connection was lost (" << reason
                                      << "); reconnecting, the periodic check fills what it misses";
        QTimer::singleShot(m_pubsubRetryMs, this, [this] { m_pubsub->open(); });
        m_pubsubRetryMs = std::min(m_pubsubRetryMs * 2, maxRetryMs);
    });
    m_pubsub->open();
}

void RedisFollower::track(const QString &channel)
{
    if (m_tracked.contains(channel))
        return;
    m_tracked.insert(channel, Tracked{});
    m_metrics.cluster.trackedChannels = m_tracked.size();
    if (m_pubsub)
        m_pubsub->subscribe({redis_stream::keyOf(channel, "live")});
    initialize(channel);
}

void RedisFollower::initialize(const QString &channel)
{
    m_link.send({QByteArrayLiteral("HMGET"), redis_stream::keyOf(channel, "meta"), QByteArrayLiteral("seq"),
                     QByteArrayLiteral("ts"), QByteArrayLiteral("epoch")},
                    [this, channel](const RedisReply &reply) {
                        const auto found = m_tracked.find(channel);
                        if (found == m_tracked.end())
                            return;
                        if (reply.isError() || reply.elements.size() != 3)
                            return; // the periodic check initializes it once Redis answers
                        Tracked &tracked = *found;
                        tracked.initialized = true;
                        tracked.epoch = reply.elements[2].text;
                        const qint64 seq = reply.elements[0].toInteger();
                        // The window starts here; what came before is read from the stream.
                        if (seq > lastSeqOf(channel))
                            m_window.restartChannelAt(channel, seq, reply.elements[1].toInteger());
                        drain(channel);
                    });
}

qint64 RedisFollower::lastSeqOf(const QString &channel) const
{
    const ChannelLog *log = m_window.channel(channel);
    return log ? log->lastSeq() : 0;
}

void RedisFollower::onPush(const RedisReply &push)
{
    // {"message", "cdcscope:{channel}:live", "<epoch> <first seq> <ts_ms> <instance>\n<payload>\n..."}
    if (push.elements.size() != 3 || push.elements[0].text != "message")
        return;
    const QByteArray &key = push.elements[1].text;
    const qsizetype open = key.indexOf('{');
    const qsizetype close = key.lastIndexOf('}');
    if (open < 0 || close < open)
        return;
    const QString channel = QString::fromUtf8(key.mid(open + 1, close - open - 1));
    const QByteArray &message = push.elements[2].text;
    const qsizetype headEnd = message.indexOf('\n');
    const QList<QByteArray> head = message.left(headEnd).split(' ');
    if (headEnd < 0 || head.size() != 4)
        return;
    // This instance's own publish: its reply brought the events already (or, if the reply was
    // lost, the counter check will).
    if (head[3] == m_metrics.cluster.instanceId.toUtf8())
        return;
    Delivery delivery{head[0], head[1].toLongLong(), head[2].toLongLong(), message.mid(headEnd + 1).split('\n')};
    receive(channel, std::move(delivery));
}

void RedisFollower::receive(const QString &channel, Delivery delivery)
{
    const auto found = m_tracked.find(channel);
    if (found == m_tracked.end())
        return;
    Tracked &tracked = *found;
    if (!tracked.initialized || tracked.filling || tracked.checking) {
        // Bounded: past the limit the queue is dropped, and the counter check reads what it held
        // from the stream instead.
        if (tracked.waiting.size() >= maxWaitingDeliveries)
            tracked.waiting.clear();
        tracked.waiting.push_back(std::move(delivery));
        return;
    }
    if (tracked.epoch.isEmpty())
        tracked.epoch = delivery.epoch; // the channel's first events anywhere
    if (delivery.epoch != tracked.epoch) {
        // Where the new epoch starts is in Redis: the check reads it, then fills and drains.
        tracked.waiting.push_front(std::move(delivery));
        return checkChannel(channel);
    }
    const qint64 last = lastSeqOf(channel);
    const qint64 lastNew = delivery.firstSeq + delivery.payloads.size() - 1;
    if (lastNew <= last)
        return; // already delivered (our own publish's reply, or a fill, came first)
    if (delivery.firstSeq > last + 1) {
        const qint64 firstMissing = last + 1;
        const qint64 lastMissing = delivery.firstSeq - 1;
        // First in line again: it is the next to go once the hole is filled.
        tracked.waiting.push_front(std::move(delivery));
        return fill(channel, firstMissing, lastMissing);
    }
    const qsizetype skip = last + 1 - delivery.firstSeq;
    m_window.adopt(channel, last + 1, delivery.tsMs, delivery.payloads.mid(skip));
}

void RedisFollower::restartAfterLostHistory(const QString &channel, Tracked &tracked, const QByteArray &epoch,
                                          qint64 epochStartSeq)
{
    ++m_metrics.cluster.epochChanges;
    qCWarning(lcServer).noquote() << "redis: channel" << channel << "lost its history in Redis (epoch"
                                  << QString::fromUtf8(tracked.epoch) << "->" << QString::fromUtf8(epoch)
                                  << "): continuing after seq" << epochStartSeq
                                  << "; travels from before now report a gap";
    tracked.epoch = epoch;
    m_window.restartChannelAt(channel, epochStartSeq, 0);
    m_window.markHistoryLost(channel);
}

void RedisFollower::startNewEpoch(const QString &channel, qint64 redisSeq, const QByteArray &epoch)
{
    // Redis is behind what this instance delivered under the same epoch: a fail-over to a replica
    // that had not received the last writes. Its next seqs would repeat delivered ones, so the
    // channel gets a new epoch — once, whichever instance notices first — and every instance then
    // restarts the channel and reports the gap.
    qCWarning(lcServer).noquote() << "redis: channel" << channel << "counter is at" << redisSeq
                                  << "but this instance delivered up to" << lastSeqOf(channel)
                                  << "- Redis lost acknowledged writes; starting a new epoch";
    m_link.send({QByteArrayLiteral("EVAL"), redis_scripts::newEpoch, QByteArrayLiteral("1"), redis_stream::keyOf(channel, "meta"),
                     QByteArray::number(lastSeqOf(channel)), epoch},
                    [](const RedisReply &) {});
}

void RedisFollower::fill(const QString &channel, qint64 fromSeq, qint64 toSeq)
{
    Tracked &tracked = m_tracked[channel];
    if (tracked.filling)
        return;
    if (toSeq < fromSeq)
        return drain(channel);
    tracked.filling = true;
    ++m_metrics.cluster.gapFills;
    m_link.send(
        {QByteArrayLiteral("XRANGE"), redis_stream::keyOf(channel, "stream"), QByteArray::number(fromSeq) + "-0",
         QByteArray::number(toSeq) + "-0", QByteArrayLiteral("COUNT"), QByteArray::number(maxFillEntries)},
        [this, channel, fromSeq, toSeq](const RedisReply &reply) {
            const auto found = m_tracked.find(channel);
            if (found == m_tracked.end())
                return;
            found->filling = false;
            if (reply.isError())
                return; // left waiting; the periodic check tries again
            std::vector<redis_stream::Entry> entries;
            entries.reserve(size_t(reply.elements.size()));
            for (const RedisReply &element : reply.elements)
                if (auto entry = redis_stream::entryOf(element))
                    entries.push_back(std::move(*entry));
            qint64 expected = fromSeq;
            if (!entries.empty() && entries.front().seq > expected) {
                // The stream was trimmed past what this instance needed: say so, continue after it.
                const qint64 lost = entries.front().seq - expected;
                m_metrics.cluster.eventsLost += lost;
                qCWarning(lcServer).noquote()
                    << "redis: channel" << channel << "seqs" << expected << "to" << entries.front().seq - 1
                    << "were trimmed from the stream before this instance read them";
                m_window.restartChannelAt(channel, entries.front().seq - 1, entries.front().tsMs);
                m_window.markHistoryLost(channel);
            } else if (entries.empty()) {
                const qint64 nextWaiting = found->waiting.empty() ? toSeq + 1 : found->waiting.front().firstSeq;
                if (nextWaiting > expected && lastSeqOf(channel) < toSeq) {
                    m_metrics.cluster.eventsLost += toSeq - expected + 1;
                    qCWarning(lcServer).noquote() << "redis: channel" << channel << "seqs" << expected << "to" << toSeq
                                                  << "are no longer in the stream";
                    m_window.restartChannelAt(channel, toSeq, 0);
                    m_window.markHistoryLost(channel);
                }
            }
            std::erase_if(entries, [this, &channel](const redis_stream::Entry &e) { return e.seq <= lastSeqOf(channel); });
            m_metrics.cluster.eventsFilled += qint64(entries.size());
            m_metrics.cluster.eventsLost += redis_stream::adoptEntries(m_window, channel, entries);
            drain(channel);
        });
}

void RedisFollower::drain(const QString &channel)
{
    // Stops as soon as a delivery starts a fill or a check: it went back into the queue.
    auto found = m_tracked.find(channel);
    while (found != m_tracked.end() && found->initialized && !found->filling && !found->checking &&
           !found->waiting.empty()) {
        Delivery next = std::move(found->waiting.front());
        found->waiting.pop_front();
        receive(channel, std::move(next));
        found = m_tracked.find(channel);
    }
}

void RedisFollower::checkCounters()
{
    if (!m_link.isReady())
        return;
    for (auto it = m_tracked.cbegin(); it != m_tracked.cend(); ++it)
        checkChannel(it.key());
}

void RedisFollower::checkChannel(const QString &channel)
{
    Tracked &tracked = m_tracked[channel];
    if (!tracked.initialized)
        return initialize(channel);
    if (tracked.filling || tracked.checking)
        return;
    tracked.checking = true;
    m_link.send({QByteArrayLiteral("HMGET"), redis_stream::keyOf(channel, "meta"), QByteArrayLiteral("seq"),
                     QByteArrayLiteral("epoch"), QByteArrayLiteral("start")},
                    [this, channel](const RedisReply &reply) {
                        const auto found = m_tracked.find(channel);
                        if (found == m_tracked.end())
                            return;
                        found->checking = false;
                        if (reply.isError() || reply.elements.size() != 3)
                            return; // the next check asks again
                        const qint64 seq = reply.elements[0].toInteger();
                        const QByteArray epoch = reply.elements[1].text;
                        if (epoch.isEmpty())
                            return; // nothing published yet (or Redis lost it and nobody published since)
                        if (found->epoch.isEmpty())
                            found->epoch = epoch;
                        if (epoch != found->epoch) {
                            const qint64 epochStart = reply.elements[2].toInteger();
                            restartAfterLostHistory(channel, *found, epoch, epochStart);
                            return fill(channel, epochStart + 1, seq);
                        }
                        if (seq > lastSeqOf(channel))
                            fill(channel, lastSeqOf(channel) + 1, seq);
                        else if (seq < lastSeqOf(channel))
                            startNewEpoch(channel, seq, epoch);
                        else
                            drain(channel);
                    });
}

bool RedisFollower::windowCovers(const QStringList &channels, const TravelWindow &window,
                               const TravelLimits &limits) const
{
    const bool fromPosition = window.sinceSeq || window.sinceTsMs;
    for (const QString &channel : channels) {
        const auto tracked = m_tracked.constFind(channel);
        const ChannelLog *log = m_window.channel(channel);
        if (tracked == m_tracked.cend() || !tracked->initialized)
            return false;
        if (!log)
            continue; // tracked and never published: nothing anywhere
        const bool lost = log->lostEventsMatching(window.sinceSeq, window.sinceTsMs);
        if (lost && (fromPosition || log->size() < effectiveLimit(window, limits)))
            return false;
    }
    return true;
}

} // namespace cdc

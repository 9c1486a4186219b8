#include "RedisBroker.h"

#include "Logging.h"
#include "RedisScripts.h"
#include "ServerMetrics.h"
#include "protocol/JsonWriter.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <algorithm>
#include <limits>

namespace cdc {

namespace {

constexpr int maxRetryMs = 5000;
constexpr qint64 maxFillEntries = 10'000;      // per XRANGE; a longer hole is filled in several reads
constexpr size_t maxWaitingDeliveries = 1'000; // Pub/Sub batches held per channel while a fill runs
constexpr int announceIntervalMs = 5000;
constexpr qint64 memberSilenceMs = 15'000; // an instance silent this long has left the cluster

// Keys of one channel share the hash tag {channel}: the same slot on a Redis Cluster.
QByteArray keyOf(const QString &channel, const char *part)
{
    return "cdcscope:{" + channel.toUtf8() + "}:" + part;
}

QByteArray sha1Hex(const QByteArray &text)
{
    return QCryptographicHash::hash(text, QCryptographicHash::Sha1).toHex();
}

// "<seq>-0" stream ids: the seq is the id's first part.
qint64 seqOfId(const QByteArray &id)
{
    const qsizetype dash = id.indexOf('-');
    return id.left(dash < 0 ? id.size() : dash).toLongLong();
}

struct StreamEntry
{
    qint64 seq = 0;
    qint64 tsMs = 0;
    QByteArray payload;
};

// XRANGE's {id, {'t', ts, 'p', payload}}.
std::optional<StreamEntry> entryOf(const RedisReply &reply)
{
    if (!reply.isArray() || reply.elements.size() != 2 || !reply.elements[1].isArray())
        return std::nullopt;
    StreamEntry entry;
    entry.seq = seqOfId(reply.elements[0].text);
    const QList<RedisReply> &fields = reply.elements[1].elements;
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].text == "t")
            entry.tsMs = fields[i + 1].toInteger();
        else if (fields[i].text == "p")
            entry.payload = fields[i + 1].text;
    }
    return entry;
}

// Adopts consecutive stream entries into `store`, one call per run of equal ts_ms (a batch). A
// hole inside the range (entries deleted by hand) restarts the window after it, marked as lost:
// the window's seqs must stay contiguous. Returns the seqs lost that way.
qint64 adoptEntries(EventStore &store, const QString &channel, const std::vector<StreamEntry> &entries)
{
    qint64 lost = 0;
    size_t begin = 0;
    while (begin < entries.size()) {
        const ChannelLog *log = store.channel(channel);
        const qint64 next = (log ? log->lastSeq() : 0) + 1;
        if (entries[begin].seq != next && log && log->lastSeq() > 0) {
            lost += entries[begin].seq - next;
            store.restartChannelAt(channel, entries[begin].seq - 1, entries[begin].tsMs);
            store.markHistoryLost(channel);
        } else if (entries[begin].seq != next) {
            store.restartChannelAt(channel, entries[begin].seq - 1, 0);
        }
        size_t end = begin + 1;
        while (end < entries.size() && entries[end].tsMs == entries[begin].tsMs &&
               entries[end].seq == entries[end - 1].seq + 1)
            ++end;
        QList<QByteArray> payloads;
        payloads.reserve(qsizetype(end - begin));
        for (size_t i = begin; i < end; ++i)
            payloads.append(entries[i].payload);
        store.adopt(channel, entries[begin].seq, entries[begin].tsMs, payloads);
        begin = end;
    }
    return lost;
}

} // namespace

RedisBroker::RedisBroker(const ClusterConfig &config, EventStore &store, ServerMetrics &metrics, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_store(store)
    , m_metrics(metrics)
{
    m_metrics.cluster.enabled = true;
    m_metrics.cluster.instanceId = QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
    connect(&m_checkTimer, &QTimer::timeout, this, &RedisBroker::checkCounters);
    connect(&m_announceTimer, &QTimer::timeout, this, &RedisBroker::announce);
}

RedisBroker::~RedisBroker() = default;

void RedisBroker::setState(bool up, const QString &state)
{
    if (m_metrics.cluster.redisUp != up || m_metrics.cluster.redisState != state) {
        if (up)
            qCInfo(lcServer).noquote() << "redis:" << m_config.redis.display() << state;
        else
            qCWarning(lcServer).noquote() << "redis:" << m_config.redis.display() << state;
    }
    m_metrics.cluster.redisUp = up;
    m_metrics.cluster.redisState = state;
}

bool RedisBroker::start(int timeoutMs, QString *errorMessage)
{
    QEventLoop loop;
    QString refusal;
    bool finished = false;
    const auto finish = [&](const QString &why) {
        refusal = why;
        finished = true;
        loop.quit();
    };
    m_command = std::make_unique<RedisConnection>(m_config.redis,
                                                  QStringLiteral("cdcscope-%1").arg(m_metrics.cluster.instanceId));
    const auto connection = connect(m_command.get(), &RedisConnection::lost, &loop, [&](const QString &reason) {
        const bool password = reason.contains(QLatin1String("NOAUTH")) || reason.contains(QLatin1String("WRONGPASS")) ||
                              reason.contains(QLatin1String("invalid password"));
        finish(QStringLiteral("cannot use Redis at %1: %2%3")
                   .arg(m_config.redis.display(), reason,
                        password ? QStringLiteral(" — give its password with CDCSCOPE_REDIS_PASSWORD or store it "
                                                  "with `cdcscope --redis URL --redis-set-password` (docs/cluster.md)")
                                 : QString()));
    });
    connect(m_command.get(), &RedisConnection::ready, &loop, [&] {
        checkPersistence([&, this](const QString &problem) {
            if (!problem.isEmpty())
                return finish(problem);
            loadScripts([&](const QString &error) { finish(error); });
        });
    });
    QTimer::singleShot(timeoutMs, &loop, [&] {
        finish(QStringLiteral("Redis at %1 did not answer within %2 ms").arg(m_config.redis.display()).arg(timeoutMs));
    });
    m_command->open();
    if (!finished)
        loop.exec();
    disconnect(connection);
    m_command->disconnect(&loop);
    if (!refusal.isEmpty()) {
        if (errorMessage)
            *errorMessage = refusal;
        m_command.reset();
        return false;
    }
    // From here on a lost connection is retried, never fatal.
    connect(m_command.get(), &RedisConnection::lost, this, [this](const QString &reason) {
        setState(false, QStringLiteral("lost (%1); reconnecting").arg(reason));
        QTimer::singleShot(m_commandRetryMs, this, &RedisBroker::connectCommand);
        m_commandRetryMs = std::min(m_commandRetryMs * 2, maxRetryMs);
    });
    connect(m_command.get(), &RedisConnection::ready, this, &RedisBroker::onCommandReady);
    setState(true, QStringLiteral("connected"));
    connectPubSub();
    m_checkTimer.start(m_config.checkIntervalMs);
    return true;
}

void RedisBroker::connectCommand()
{
    m_command->open();
}

void RedisBroker::onCommandReady()
{
    m_commandRetryMs = 250;
    // A restarted Redis has forgotten the scripts; publishes meanwhile fall back to EVAL anyway.
    loadScripts([this](const QString &error) {
        if (!error.isEmpty())
            return setState(false, error);
        setState(true, QStringLiteral("connected"));
        checkCounters();
    });
}

void RedisBroker::connectPubSub()
{
    m_pubsub = std::make_unique<RedisConnection>(m_config.redis,
                                                 QStringLiteral("cdcscope-%1-live").arg(m_metrics.cluster.instanceId));
    m_pubsub->setPushHandler([this](const RedisReply &push) { onPush(push); });
    connect(m_pubsub.get(), &RedisConnection::ready, this, [this] {
        m_pubsubRetryMs = 250;
        QList<QByteArray> channels;
        for (auto it = m_tracked.cbegin(); it != m_tracked.cend(); ++it)
            channels.append(keyOf(it.key(), "live"));
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

void RedisBroker::checkPersistence(std::function<void(const QString &)> done)
{
    m_command->send(
        {QByteArrayLiteral("CONFIG"), QByteArrayLiteral("GET"), QByteArrayLiteral("*")},
        [this, done = std::move(done)](const RedisReply &reply) {
            const QString where = m_config.redis.display();
            const QString override = QStringLiteral("--redis-accept-volatile starts anyway (docs/cluster.md)");
            if (reply.isError()) {
                if (m_config.acceptVolatileRedis)
                    return done(QString());
                return done(QStringLiteral("cannot check that Redis at %1 keeps what it acknowledges (CONFIG GET: "
                                           "%2); %3")
                                .arg(where, QString::fromUtf8(reply.text), override));
            }
            QHash<QByteArray, QByteArray> settings;
            for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2)
                settings.insert(reply.elements[i].text, reply.elements[i + 1].text);
            const bool aof = settings.value("appendonly") == "yes";
            const bool rdb = !settings.value("save").trimmed().isEmpty();
            const QByteArray policy = settings.value("maxmemory-policy");
            QString problem;
            if (!aof && !rdb)
                problem = QStringLiteral("Redis at %1 keeps nothing on disk (appendonly no, save \"\"): a restart "
                                         "loses every acknowledged event. Set appendonly yes (appendfsync always "
                                         "for at-least-once), or %2")
                              .arg(where, override);
            else if (policy.startsWith("allkeys-"))
                problem = QStringLiteral("Redis at %1 evicts any key under memory pressure (maxmemory-policy %2): "
                                         "streams and counters could vanish. Set maxmemory-policy noeviction, or %3")
                              .arg(where, QString::fromLatin1(policy), override);
            if (!problem.isEmpty() && !m_config.acceptVolatileRedis)
                return done(problem);
            if (!problem.isEmpty())
                qCWarning(lcServer).noquote()
                    << problem.section(QStringLiteral(". "), 0, 0) << "- accepted (--redis-accept-volatile)";
            else if (!aof)
                qCWarning(lcServer).noquote() << "redis:" << where
                                              << "snapshots only (no appendonly): a crash loses what was acknowledged "
                                                 "since the last snapshot; the epoch will say so";
            else if (settings.value("appendfsync") != "always")
                qCInfo(lcServer).noquote() << "redis:" << where << "appendfsync" << settings.value("appendfsync")
                                           << "- a power loss can take the last second of acknowledged events";
            done(QString());
        });
}

void RedisBroker::loadScripts(std::function<void(const QString &)> done)
{
    m_command->send({QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), redis_scripts::publish},
                    [this](const RedisReply &reply) {
                        if (!reply.isError())
                            m_publishSha = reply.text;
                    });
    m_command->send({QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), redis_scripts::travel},
                    [this, done = std::move(done)](const RedisReply &reply) {
                        if (reply.isError())
                            return done(QStringLiteral("Redis at %1 refused the cluster scripts: %2")
                                            .arg(m_config.redis.display(), QString::fromUtf8(reply.text)));
                        m_travelSha = reply.text;
                        done(
                            m_publishSha.isEmpty()
                                ? QStringLiteral("Redis at %1 refused the publish script").arg(m_config.redis.display())
                                : QString());
                    });
}

void RedisBroker::runScript(const QByteArray &script, const QByteArray &sha, const RedisConnection::Args &keysAndArgs,
                            RedisConnection::Callback callback)
{
    auto onReply = [this, script, keysAndArgs, callback = std::move(callback)](const RedisReply &reply) {
        // A Redis restarted (or flushed with SCRIPT FLUSH) since the scripts were loaded: send the
        // script itself, which loads it again.
        if (reply.isError() && reply.text.startsWith("NOSCRIPT"))
            return m_command->send(RedisConnection::Args{QByteArrayLiteral("EVAL"), script} + keysAndArgs, callback);
        callback(reply);
    };
    m_command->send(RedisConnection::Args{QByteArrayLiteral("EVALSHA"), sha} + keysAndArgs, std::move(onReply));
}

void RedisBroker::publish(const PublishBatch &batch, const QByteArray &idempotencyKey, const QByteArray &fingerprint,
                          PublishDone done)
{
    struct Part
    {
        QString channel;
        QList<QByteArray> payloads;
        QList<qsizetype> positions; // in the batch
    };
    QList<Part> parts;
    QHash<QString, qsizetype> partOf;
    for (qsizetype i = 0; i < batch.size(); ++i) {
        auto found = partOf.find(batch[i].channel);
        if (found == partOf.end()) {
            found = partOf.insert(batch[i].channel, parts.size());
            parts.append({batch[i].channel, {}, {}});
        }
        parts[*found].payloads.append(batch[i].payload);
        parts[*found].positions.append(i);
    }
    struct Progress
    {
        ClusterPublishOutcome outcome;
        qsizetype remaining = 0;
        bool allReplayed = true;
        PublishDone done;
        QElapsedTimer clock;
    };
    auto progress = std::make_shared<Progress>();
    progress->outcome.receipts.resize(batch.size());
    progress->remaining = parts.size();
    progress->done = std::move(done);
    progress->clock.start();
    const QByteArray hashedKey = idempotencyKey.isEmpty() ? QByteArray() : sha1Hex(idempotencyKey);
    const QByteArray fingerprintHex = idempotencyKey.isEmpty() ? QByteArray() : fingerprint.toHex();
    for (const Part &part : std::as_const(parts)) {
        track(part.channel);
        const QByteArray meta = keyOf(part.channel, "meta");
        RedisConnection::Args args{QByteArrayLiteral("3"),
                                   meta,
                                   keyOf(part.channel, "stream"),
                                   hashedKey.isEmpty() ? meta : keyOf(part.channel, "idem:") + hashedKey,
                                   keyOf(part.channel, "live"),
                                   QByteArray::number(m_store.limits().maxEventsPerChannel),
                                   QByteArray::number(m_store.limits().maxAgeMs),
                                   fingerprintHex,
                                   QByteArray::number(m_config.idempotencyWindowS),
                                   m_metrics.cluster.instanceId.toUtf8()};
        args.append(part.payloads);
        runScript(redis_scripts::publish, m_publishSha, args, [this, progress, part](const RedisReply &reply) {
            ClusterPublishOutcome &outcome = progress->outcome;
            if (reply.isError() || !reply.isArray() || reply.elements.size() != 4) {
                if (outcome.errorStatus == 0) {
                    ++m_metrics.cluster.publishFailures;
                    if (reply.text.startsWith("IDEMPOTENCY_KEY_REUSED")) {
                        outcome.errorStatus = 422;
                        outcome.errorCode = QStringLiteral("idempotency_key_reused");
                        outcome.errorMessage = QStringLiteral("the Idempotency-Key was used for another request body");
                    } else {
                        outcome.errorStatus = 503;
                        outcome.errorCode = QStringLiteral("redis_unavailable");
                        outcome.errorMessage =
                            QStringLiteral("Redis at %1 did not confirm the publish (%2); whether it was stored is "
                                           "unknown: retry with the same Idempotency-Key to publish it exactly once")
                                .arg(m_config.redis.display(), QString::fromUtf8(reply.text));
                    }
                }
            } else {
                const qint64 first = reply.elements[0].toInteger();
                const qint64 tsMs = reply.elements[1].toInteger();
                const bool replayed = reply.elements[3].toInteger() == 1;
                progress->allReplayed = progress->allReplayed && replayed;
                for (qsizetype i = 0; i < part.positions.size(); ++i)
                    outcome.receipts[part.positions[i]] = {part.channel, first + i, tsMs};
                if (!replayed)
                    receive(part.channel, {reply.elements[2].text, first, tsMs, part.payloads});
            }
            const qint64 micros = progress->clock.nsecsElapsed() / 1000;
            ++m_metrics.cluster.scriptCalls;
            m_metrics.cluster.scriptMicrosTotal += micros;
            m_metrics.cluster.lastScriptMicros = micros;
            if (--progress->remaining > 0)
                return;
            outcome.replayed = progress->allReplayed;
            if (outcome.errorStatus != 0)
                outcome.receipts.clear();
            progress->done(outcome);
        });
    }
}

void RedisBroker::track(const QString &channel)
{
    if (m_tracked.contains(channel))
        return;
    m_tracked.insert(channel, Tracked{});
    m_metrics.cluster.trackedChannels = m_tracked.size();
    if (m_pubsub)
        m_pubsub->subscribe({keyOf(channel, "live")});
    initialize(channel);
}

void RedisBroker::initialize(const QString &channel)
{
    m_command->send({QByteArrayLiteral("HMGET"), keyOf(channel, "meta"), QByteArrayLiteral("seq"),
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
                            m_store.restartChannelAt(channel, seq, reply.elements[1].toInteger());
                        drain(channel);
                    });
}

qint64 RedisBroker::lastSeqOf(const QString &channel) const
{
    const ChannelLog *log = m_store.channel(channel);
    return log ? log->lastSeq() : 0;
}

void RedisBroker::onPush(const RedisReply &push)
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

void RedisBroker::receive(const QString &channel, Delivery delivery)
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
    m_store.adopt(channel, last + 1, delivery.tsMs, delivery.payloads.mid(skip));
}

void RedisBroker::restartAfterLostHistory(const QString &channel, Tracked &tracked, const QByteArray &epoch,
                                          qint64 epochStartSeq)
{
    ++m_metrics.cluster.epochChanges;
    qCWarning(lcServer).noquote() << "redis: channel" << channel << "lost its history in Redis (epoch"
                                  << QString::fromUtf8(tracked.epoch) << "->" << QString::fromUtf8(epoch)
                                  << "): continuing after seq" << epochStartSeq
                                  << "; travels from before now report a gap";
    tracked.epoch = epoch;
    m_store.restartChannelAt(channel, epochStartSeq, 0);
    m_store.markHistoryLost(channel);
}

void RedisBroker::startNewEpoch(const QString &channel, qint64 redisSeq, const QByteArray &epoch)
{
    // Redis is behind what this instance delivered under the same epoch: a fail-over to a replica
    // that had not received the last writes. Its next seqs would repeat delivered ones, so the
    // channel gets a new epoch — once, whichever instance notices first — and every instance then
    // restarts the channel and reports the gap.
    qCWarning(lcServer).noquote() << "redis: channel" << channel << "counter is at" << redisSeq
                                  << "but this instance delivered up to" << lastSeqOf(channel)
                                  << "- Redis lost acknowledged writes; starting a new epoch";
    m_command->send({QByteArrayLiteral("EVAL"), redis_scripts::newEpoch, QByteArrayLiteral("1"), keyOf(channel, "meta"),
                     QByteArray::number(lastSeqOf(channel)), epoch},
                    [](const RedisReply &) {});
}

void RedisBroker::fill(const QString &channel, qint64 fromSeq, qint64 toSeq)
{
    Tracked &tracked = m_tracked[channel];
    if (tracked.filling)
        return;
    if (toSeq < fromSeq)
        return drain(channel);
    tracked.filling = true;
    ++m_metrics.cluster.gapFills;
    m_command->send(
        {QByteArrayLiteral("XRANGE"), keyOf(channel, "stream"), QByteArray::number(fromSeq) + "-0",
         QByteArray::number(toSeq) + "-0", QByteArrayLiteral("COUNT"), QByteArray::number(maxFillEntries)},
        [this, channel, fromSeq, toSeq](const RedisReply &reply) {
            const auto found = m_tracked.find(channel);
            if (found == m_tracked.end())
                return;
            found->filling = false;
            if (reply.isError())
                return; // left waiting; the periodic check tries again
            std::vector<StreamEntry> entries;
            entries.reserve(size_t(reply.elements.size()));
            for (const RedisReply &element : reply.elements)
                if (auto entry = entryOf(element))
                    entries.push_back(std::move(*entry));
            qint64 expected = fromSeq;
            if (!entries.empty() && entries.front().seq > expected) {
                // The stream was trimmed past what this instance needed: say so, continue after it.
                const qint64 lost = entries.front().seq - expected;
                m_metrics.cluster.eventsLost += lost;
                qCWarning(lcServer).noquote()
                    << "redis: channel" << channel << "seqs" << expected << "to" << entries.front().seq - 1
                    << "were trimmed from the stream before this instance read them";
                m_store.restartChannelAt(channel, entries.front().seq - 1, entries.front().tsMs);
                m_store.markHistoryLost(channel);
            } else if (entries.empty()) {
                const qint64 nextWaiting = found->waiting.empty() ? toSeq + 1 : found->waiting.front().firstSeq;
                if (nextWaiting > expected && lastSeqOf(channel) < toSeq) {
                    m_metrics.cluster.eventsLost += toSeq - expected + 1;
                    qCWarning(lcServer).noquote() << "redis: channel" << channel << "seqs" << expected << "to" << toSeq
                                                  << "are no longer in the stream";
                    m_store.restartChannelAt(channel, toSeq, 0);
                    m_store.markHistoryLost(channel);
                }
            }
            std::erase_if(entries, [this, &channel](const StreamEntry &e) { return e.seq <= lastSeqOf(channel); });
            m_metrics.cluster.eventsFilled += qint64(entries.size());
            m_metrics.cluster.eventsLost += adoptEntries(m_store, channel, entries);
            drain(channel);
        });
}

void RedisBroker::drain(const QString &channel)
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

void RedisBroker::checkCounters()
{
    if (!m_command || !m_command->isReady())
        return;
    for (auto it = m_tracked.cbegin(); it != m_tracked.cend(); ++it)
        checkChannel(it.key());
}

void RedisBroker::checkChannel(const QString &channel)
{
    Tracked &tracked = m_tracked[channel];
    if (!tracked.initialized)
        return initialize(channel);
    if (tracked.filling || tracked.checking)
        return;
    tracked.checking = true;
    m_command->send({QByteArrayLiteral("HMGET"), keyOf(channel, "meta"), QByteArrayLiteral("seq"),
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

bool RedisBroker::windowCovers(const QStringList &channels, const TravelWindow &window,
                               const TravelLimits &limits) const
{
    const bool fromPosition = window.sinceSeq || window.sinceTsMs;
    for (const QString &channel : channels) {
        const auto tracked = m_tracked.constFind(channel);
        const ChannelLog *log = m_store.channel(channel);
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

void RedisBroker::travel(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits,
                         TravelDone done)
{
    ++m_metrics.cluster.redisTravels;
    struct Progress
    {
        std::shared_ptr<EventStore> holder;
        qsizetype remaining = 0;
        qint64 matched = 0;
        QHash<QString, TravelChannelRange> ranges;
        TravelDone done;
    };
    RetentionLimits unlimited;
    unlimited.maxEventsPerChannel = std::numeric_limits<qsizetype>::max();
    unlimited.maxBytesPerChannel = std::numeric_limits<qint64>::max();
    unlimited.maxTotalBytes = std::numeric_limits<qint64>::max();
    unlimited.maxAgeMs = 0;
    auto progress = std::make_shared<Progress>();
    progress->holder = std::make_shared<EventStore>(unlimited);
    progress->remaining = channels.size();
    progress->done = std::move(done);
    const qint64 limit = effectiveLimit(window, limits);
    const auto finish = [progress, channels, window, limits] {
        TravelResult result = runTravel(*progress->holder, channels, window, limits);
        result.matched = progress->matched;
        result.truncated = result.matched > result.effectiveLimit;
        for (TravelChannelRange &range : result.channels)
            range = progress->ranges.value(range.channel, range);
        progress->done(result, progress->holder);
    };
    if (channels.isEmpty())
        return finish();
    for (const QString &channel : channels) {
        const auto tracked = m_tracked.constFind(channel);
        const QByteArray knownEpoch = tracked == m_tracked.cend() ? QByteArray() : tracked->epoch;
        const qint64 upto = tracked == m_tracked.cend() ? 0 : lastSeqOf(channel);
        runScript(redis_scripts::travel, m_travelSha,
                  {QByteArrayLiteral("2"), keyOf(channel, "meta"), keyOf(channel, "stream"),
                   QByteArray::number(window.sinceSeq.value_or(-1)), QByteArray::number(window.sinceTsMs.value_or(-1)),
                   QByteArray::number(limit), QByteArray::number(upto)},
                  [this, progress, channel, window, knownEpoch, finish](const RedisReply &reply) {
                      TravelChannelRange range{channel, std::nullopt, std::nullopt, false};
                      if (reply.isArray() && reply.elements.size() >= 4) {
                          const QByteArray epoch = reply.elements[0].text;
                          const qint64 oldest = reply.elements[1].toInteger();
                          progress->matched += reply.elements[3].toInteger();
                          std::vector<StreamEntry> entries;
                          for (qsizetype i = 4; i < reply.elements.size(); ++i)
                              if (auto entry = entryOf(reply.elements[i]))
                                  entries.push_back(std::move(*entry));
                          if (oldest > 0) {
                              range.oldestSeq = oldest;
                              range.newestSeq = reply.elements[2].toInteger();
                          }
                          // Could trimmed entries have matched? Seq and ts_ms both ascend, so only if
                          // the match starts at the oldest entry still held.
                          bool trimmedBefore = false;
                          if ((window.sinceSeq || window.sinceTsMs) && oldest > 1) {
                              const bool seqReaches = !window.sinceSeq || *window.sinceSeq + 1 < oldest;
                              const bool tsReaches =
                                  !window.sinceTsMs || (!entries.empty() && entries.front().seq == oldest);
                              trimmedBefore = seqReaches && tsReaches;
                          }
                          const ChannelLog *local = m_store.channel(channel);
                          const bool lostHere = local && local->historyLost() && (window.sinceSeq || window.sinceTsMs);
                          range.gap = trimmedBefore || lostHere ||
                                      (!knownEpoch.isEmpty() && !epoch.isEmpty() && epoch != knownEpoch);
                          if (!entries.empty()) {
                              progress->holder->restartChannelAt(channel, entries.front().seq - 1, 0);
                              // A hole inside the stream (entries deleted by hand) is a gap too.
                              if (adoptEntries(*progress->holder, channel, entries) > 0)
                                  range.gap = true;
                          }
                      } else {
                          qCWarning(lcServer).noquote()
                              << "redis: travel of" << channel << "failed:" << QString::fromUtf8(reply.text);
                          range.gap = true; // nothing could be read: the client must not think it has all
                      }
                      progress->ranges.insert(channel, range);
                      if (--progress->remaining == 0)
                          finish();
                  });
    }
}

void RedisBroker::setAnnouncement(QString url, std::function<int()> clientCount)
{
    m_announceUrl = std::move(url);
    m_clientCount = std::move(clientCount);
    m_announceTimer.start(announceIntervalMs);
    announce();
}

void RedisBroker::leave()
{
    m_announceTimer.stop();
    m_announceUrl.clear();
    if (m_command && m_command->isReady())
        m_command->send(
            {QByteArrayLiteral("HDEL"), QByteArrayLiteral("cdcscope:instances"), m_metrics.cluster.instanceId.toUtf8()},
            [](const RedisReply &) {});
    m_command->flush(); // the process may exit before the event loop writes it
}

void RedisBroker::announce()
{
    if (!m_command || !m_command->isReady() || m_announceUrl.isEmpty())
        return;
    // One hash of every instance; each reader drops the entries that stopped announcing.
    const QByteArray members = QByteArrayLiteral("cdcscope:instances");
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    JsonWriter entry;
    entry.beginObject()
        .field("url", QStringView(m_announceUrl))
        .field("clients", qint64(m_clientCount ? m_clientCount() : 0))
        .field("channels", qint64(m_tracked.size()))
        .field("last_seen_ms", now)
        .endObject();
    m_command->send({QByteArrayLiteral("HSET"), members, m_metrics.cluster.instanceId.toUtf8(), entry.take()},
                    [](const RedisReply &) {});
    m_command->send({QByteArrayLiteral("HGETALL"), members}, [this, members, now](const RedisReply &reply) {
        if (reply.isError())
            return;
        QList<ClusterMember> seen;
        RedisConnection::Args stale{QByteArrayLiteral("HDEL"), members};
        for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
            const QJsonObject fields = QJsonDocument::fromJson(reply.elements[i + 1].text).object();
            ClusterMember member{QString::fromUtf8(reply.elements[i].text),
                                 fields.value(QStringLiteral("url")).toString(),
                                 fields.value(QStringLiteral("clients")).toInteger(),
                                 fields.value(QStringLiteral("channels")).toInteger(),
                                 fields.value(QStringLiteral("last_seen_ms")).toInteger(),
                                 false};
            member.isThisInstance = member.id == m_metrics.cluster.instanceId;
            if (now - member.lastSeenMs > memberSilenceMs)
                stale.append(reply.elements[i].text);
            else
                seen.append(member);
        }
        if (stale.size() > 2)
            m_command->send(stale, [](const RedisReply &) {});
        std::sort(seen.begin(), seen.end(), [](const ClusterMember &a, const ClusterMember &b) { return a.id < b.id; });
        m_metrics.cluster.members = seen;
    });
}

} // namespace cdc

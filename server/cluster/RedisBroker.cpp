#include "RedisBroker.h"

#include "Logging.h"
#include "RedisFollower.h"
#include "RedisLink.h"
#include "RedisMembership.h"
#include "RedisStream.h"
#include "RedisStreamTravel.h"
#include "ServerConfig.h"
#include "ServerMetrics.h"
#include "protocol/JsonWriter.h"
#include "store/EventStore.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QUuid>

namespace cdc {

struct RedisBroker::Part
{
    QString channel;
    QList<QByteArray> payloads;
    QList<qsizetype> positions; // in the batch
};

struct RedisBroker::Progress
{
    PublishOutcome outcome;
    qsizetype remaining = 0;
    bool allReplayed = true;
    PublishDone done;
    QElapsedTimer clock;
};

RedisBroker::RedisBroker(const ClusterConfig &cluster, EventStore &window, ServerMetrics &metrics,
                         const ServerConfig &config, QObject *parent)
    : Broker(parent)
    , m_window(window)
    , m_metrics(metrics)
    , m_config(config)
{
    m_metrics.cluster.enabled = true;
    m_metrics.cluster.instanceId = QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
    m_link = std::make_unique<RedisLink>(cluster, metrics);
    m_follower = std::make_unique<RedisFollower>(*m_link, window, metrics);
    m_membership = std::make_unique<RedisMembership>(*m_link, metrics);
    connect(m_link.get(), &RedisLink::stateChanged, this, &Broker::stateChanged);
}

RedisBroker::~RedisBroker() = default;

bool RedisBroker::start(int timeoutMs, QString *errorMessage)
{
    if (m_link->isReady())
        return true; // a restart after stop(): still connected
    if (!m_link->start(timeoutMs, errorMessage))
        return false;
    m_follower->start();
    return true;
}

void RedisBroker::serve(const Serving &serving)
{
    const QString &advertised = m_link->config().advertiseUrl;
    m_membership->announceAs({advertised.isEmpty() ? serving.url : advertised, serving.clientCount,
                              [this] { return m_follower->trackedCount(); }});
    qCInfo(lcServer).noquote() << "cluster mode: instance" << m_metrics.cluster.instanceId << "on Redis"
                               << m_link->config().redis.display();
}

void RedisBroker::leave()
{
    m_membership->leave();
}

void RedisBroker::track(const QString &channel)
{
    m_follower->track(channel);
}

QByteArray RedisBroker::epoch(const QString &channel) const
{
    return m_follower->knownEpoch(channel); // Redis' epoch of the channel, as this instance follows it
}

QString RedisBroker::problem() const
{
    return m_link->problem();
}

std::optional<Membership> RedisBroker::membership() const
{
    return Membership{m_metrics.cluster.instanceId, m_link->config().redis.display(), m_metrics.cluster.redisUp,
                      m_metrics.cluster.members};
}

void RedisBroker::writeHealth(JsonWriter &writer) const
{
    const ServerMetrics::Cluster &cluster = m_metrics.cluster;
    writer.key("cluster")
        .beginObject()
        .field("instance", QStringView(cluster.instanceId))
        .field("redis", QStringView(m_link->config().redis.display()))
        .field("redis_up", cluster.redisUp)
        .field("redis_state", QStringView(cluster.redisState))
        .field("script_roundtrip_us", cluster.lastScriptMicros)
        .field("tracked_channels", cluster.trackedChannels)
        .field("gap_fills", cluster.gapFills)
        .field("events_lost", cluster.eventsLost)
        .field("epoch_changes", cluster.epochChanges)
        .endObject();
}

void RedisBroker::publish(const PublishBatch &batch, const PublishOptions &options, PublishDone done)
{
    // Sources keep what they were sent whatever the names (LocalBroker says why); publishers are
    // held to the channel limit of this instance's window.
    if (!options.source)
        if (const auto refusal = m_window.channelLimitRefusal(batch, m_config.maxChannels)) {
            m_metrics.countLimit(QStringLiteral("channels"));
            return done({{}, false, refusals::tooManyChannels(*refusal)});
        }
    if (batch.isEmpty())
        return done({});
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
    auto progress = std::make_shared<Progress>();
    progress->outcome.receipts.resize(batch.size());
    progress->remaining = parts.size();
    progress->done = std::move(done);
    progress->clock.start();
    // Redis keeps the fingerprint with every keyed answer.
    PublishOptions fingerprinted = options;
    if (!options.idempotencyKey.isEmpty() && options.fingerprint.isEmpty())
        fingerprinted.fingerprint = publishFingerprint(batch);
    for (const Part &part : std::as_const(parts))
        publishPart(part, fingerprinted, progress);
}

void RedisBroker::publishPart(const Part &part, const PublishOptions &options,
                              const std::shared_ptr<Progress> &progress)
{
    using redis_stream::keyOf;
    m_follower->track(part.channel);
    const bool keyed = !options.idempotencyKey.isEmpty();
    const QByteArray &fingerprint = options.fingerprint;
    const QByteArray meta = keyOf(part.channel, "meta");
    RedisConnection::Args args{
        QByteArrayLiteral("3"),
        meta,
        keyOf(part.channel, "stream"),
        keyed ? keyOf(part.channel, "idem:") + QCryptographicHash::hash(options.idempotencyKey, QCryptographicHash::Sha1).toHex()
              : meta,
        keyOf(part.channel, "live"),
        QByteArray::number(m_window.limits().maxEventsPerChannel),
        QByteArray::number(m_window.limits().maxAgeMs),
        keyed ? fingerprint.toHex() : QByteArray(),
        QByteArray::number(m_link->config().idempotencyWindowS),
        m_metrics.cluster.instanceId.toUtf8()};
    args.append(part.payloads);
    m_link->runScript(RedisLink::Script::publish, args, [this, progress, part](const RedisReply &reply) {
        PublishOutcome &outcome = progress->outcome;
        if (reply.isError() || !reply.isArray() || reply.elements.size() != 4) {
            if (!outcome.refusal) {
                ++m_metrics.cluster.publishFailures;
                if (reply.text.startsWith("IDEMPOTENCY_KEY_REUSED"))
                    outcome.refusal = refusals::idempotencyKeyReused();
                else
                    outcome.refusal = PublishRefusal{
                        503, QStringLiteral("redis_unavailable"),
                        QStringLiteral("Redis at %1 did not confirm the publish (%2); whether it was stored is "
                                       "unknown: retry with the same Idempotency-Key to publish it exactly once")
                            .arg(m_link->config().redis.display(), QString::fromUtf8(reply.text)),
                        QStringLiteral("/health says when Redis answers again"), 1};
            }
        } else {
            const qint64 first = reply.elements[0].toInteger();
            const qint64 tsMs = reply.elements[1].toInteger();
            const bool replayed = reply.elements[3].toInteger() == 1;
            progress->allReplayed = progress->allReplayed && replayed;
            for (qsizetype i = 0; i < part.positions.size(); ++i)
                outcome.receipts[part.positions[i]] = {part.channel, first + i, tsMs};
            if (!replayed)
                m_follower->receive(part.channel, {reply.elements[2].text, first, tsMs, part.payloads});
        }
        const qint64 micros = progress->clock.nsecsElapsed() / 1000;
        ++m_metrics.cluster.scriptCalls;
        m_metrics.cluster.scriptMicrosTotal += micros;
        m_metrics.cluster.lastScriptMicros = micros;
        if (--progress->remaining > 0)
            return;
        outcome.replayed = progress->allReplayed;
        if (outcome.refusal)
            outcome.receipts.clear();
        progress->done(outcome);
    });
}

void RedisBroker::travel(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits,
                         TravelDone done)
{
    if (m_follower->windowCovers(channels, window, limits)) {
        TravelResult result = runTravel(m_window, channels, window, limits);
        for (TravelChannelRange &range : result.channels)
            range.epoch = m_follower->knownEpoch(range.channel);
        return done(result);
    }
    // Older than this instance's window, or a channel it does not track: the stream has it.
    ++m_metrics.cluster.redisTravels;
    travelFromStream(*m_link, *m_follower, m_window, channels, window, limits, std::move(done));
}

} // namespace cdc

#include "LocalBroker.h"

#include "ServerConfig.h"
#include "ServerMetrics.h"
#include "protocol/JsonWriter.h"
#include "store/EventStore.h"

namespace cdc {

LocalBroker::LocalBroker(EventStore &store, ServerMetrics &metrics, const ServerConfig &config, QObject *parent)
    : Broker(parent)
    , m_store(store)
    , m_metrics(metrics)
    , m_config(config)
{
    connect(&m_store, &EventStore::journalStateChanged, this, &Broker::stateChanged);
}

bool LocalBroker::start(int, QString *)
{
    return true; // the journal was opened with the store
}

void LocalBroker::serve(const Serving &serving)
{
    // Alone, this store holds every channel: one that has expired and that nobody follows is
    // forgotten (its last seq kept), so memory does not grow with every name ever used.
    m_store.forgetIdleChannels(serving.watched);
}

std::optional<PublishRefusal> LocalBroker::admission(const PublishBatch &batch, const PublishOptions &options) const
{
    // What an upstream source committed is evidence: it is kept whatever names it uses. The limit
    // is for publishers, who choose names freely.
    if (!options.source)
        if (const auto refusal = m_store.channelLimitRefusal(batch, m_config.maxChannels)) {
            m_metrics.countLimit(QStringLiteral("channels"));
            return refusals::tooManyChannels(*refusal);
        }
    if (!m_store.failure().isEmpty())
        return refusals::storeUnavailable(m_store.failure());
    // A source's large transaction, stored in parts, holds its channels: its seqs stay consecutive.
    if (!options.source)
        if (const auto refusal = m_store.heldChannelRefusal(batch))
            return PublishRefusal{503, QStringLiteral("channel_busy"), *refusal,
                                  QStringLiteral("retry in a moment (with the same Idempotency-Key)"), 1};
    return std::nullopt;
}

void LocalBroker::publish(const PublishBatch &batch, const PublishOptions &options, PublishDone done)
{
    // A retry is answered even while new publishes are refused: its events are stored already.
    const SourceMark *source = options.source ? &*options.source : nullptr;
    if (source && source->origin > 0 && source->origin < m_store.sourcePosition(source->key))
        return done({{}, true, std::nullopt}); // committed with a later position in the same journal
    const QByteArray &key = options.idempotencyKey;
    const auto fingerprint = [&] {
        return options.fingerprint.isEmpty() ? publishFingerprint(batch) : options.fingerprint;
    };
    if (!key.isEmpty())
        if (const IdempotentAnswer *answered = m_store.idempotentAnswer(key)) {
            if (answered->fingerprint != fingerprint())
                return done({{}, false, refusals::idempotencyKeyReused()});
            return done({answered->receipts.expand(), true, std::nullopt});
        }
    if (auto refusal = admission(batch, options))
        return done({{}, false, std::move(refusal)});

    if (source && !source->partOf.isEmpty())
        m_store.holdChannels(batch, source->partOf);
    QList<AppendReceipt> receipts;
    if (!batch.isEmpty()) {
        receipts = m_store.append(batch);
        if (receipts.isEmpty())
            return done({{}, false, refusals::storeUnavailable(m_store.failure())});
    }
    // Committed together with the events: after a crash, all of them or none.
    if (source && source->position) {
        m_store.setSourcePosition(source->key, *source->position, source->detail);
        if (source->detail.isEmpty())
            m_store.releaseChannels();
    }
    // A source's whole transaction is answered by the position journaled with it (the check at the
    // top); only what has no position of its own — a publisher's batch, a part of a large
    // transaction — needs its answer kept. A journal row per PostgreSQL transaction cost the source
    // about a fifth of its one-row transactions (docs/performance.md).
    if (!key.isEmpty() && !batch.isEmpty() && !(source && source->position))
        m_store.rememberAnswer(key, fingerprint(), CompactReceipts(receipts, options.isBatch));
    // The answer waits until the journal holds the events: done means durable.
    m_store.whenCommitted([receipts, done = std::move(done)](const QString &error) {
        if (!error.isEmpty())
            return done({{}, false, refusals::storeUnavailable(error)});
        done({receipts, false, std::nullopt});
    });
    // One journal transaction per part of a large run, not per event-loop turn: several queued parts
    // would otherwise be staged, written and fanned out together.
    if (source && !source->partOf.isEmpty())
        m_store.commitNow();
}

void LocalBroker::travel(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits,
                         TravelDone done)
{
    TravelResult result = runTravel(m_store, channels, window, limits);
    for (TravelChannelRange &range : result.channels)
        range.epoch = m_store.historyEpoch();
    done(result);
}

QByteArray LocalBroker::epoch(const QString &) const
{
    return m_store.historyEpoch();
}

void LocalBroker::endRun(const QString &)
{
    m_store.releaseChannels(); // one source holds at a time
}

qint64 LocalBroker::sourcePosition(const QString &key) const
{
    return m_store.sourcePosition(key);
}

QByteArray LocalBroker::sourceDetail(const QString &key) const
{
    return m_store.sourceDetail(key);
}

QHash<QString, qint64> LocalBroker::sourcePositions() const
{
    QHash<QString, qint64> positions;
    for (const QString &key : m_store.sourceKeys())
        positions.insert(key, m_store.sourcePosition(key));
    return positions;
}

QString LocalBroker::problem() const
{
    return m_store.failure();
}

void LocalBroker::writeHealth(JsonWriter &writer) const
{
    if (!m_config.journal)
        return;
    // A full disk: publishes get 507 while reads and live clients go on (docs/durability.md).
    writer.key("journal")
        .beginObject()
        .field("path", QStringView(m_config.journal->path))
        .field("writable", m_store.failure().isEmpty())
        .field("failures", m_store.journalFailures());
    if (m_store.failure().isEmpty())
        writer.key("error").rawValue("null");
    else
        writer.field("error", QStringView(m_store.failure()));
    writer.endObject();
}

} // namespace cdc

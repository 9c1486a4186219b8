#include "RedisStreamTravel.h"

#include "Logging.h"
#include "RedisFollower.h"
#include "RedisLink.h"
#include "RedisStream.h"
#include "store/EventStore.h"

#include <limits>
#include <memory>

namespace cdc {

namespace {

// The range one channel's stream reply describes, and its entries in `into`.
TravelChannelRange readReply(const RedisReply &reply, const QString &channel, const TravelWindow &query,
                             const QByteArray &knownEpoch, const EventStore &window, EventStore &into,
                             qint64 &matched)
{
    TravelChannelRange range{channel, std::nullopt, std::nullopt, false, {}};
    if (!reply.isArray() || reply.elements.size() < 4) {
        qCWarning(lcServer).noquote() << "redis: travel of" << channel << "failed:" << QString::fromUtf8(reply.text);
        range.gap = true; // nothing could be read: the client must not think it has all
        return range;
    }
    const QByteArray epoch = reply.elements[0].text;
    const qint64 oldest = reply.elements[1].toInteger();
    matched += reply.elements[3].toInteger();
    const std::vector<redis_stream::Entry> entries = redis_stream::entriesOf(reply, 4);
    if (oldest > 0) {
        range.oldestSeq = oldest;
        range.newestSeq = reply.elements[2].toInteger();
    }
    // Could trimmed entries have matched? Seq and ts_ms both ascend, so only if the match starts at
    // the oldest entry still held.
    bool trimmedBefore = false;
    if ((query.sinceSeq || query.sinceTsMs) && oldest > 1) {
        const bool seqReaches = !query.sinceSeq || *query.sinceSeq + 1 < oldest;
        const bool tsReaches = !query.sinceTsMs || (!entries.empty() && entries.front().seq == oldest);
        trimmedBefore = seqReaches && tsReaches;
    }
    const ChannelLog *local = window.channel(channel);
    const bool lostHere = local && local->historyLost() && (query.sinceSeq || query.sinceTsMs);
    range.gap = trimmedBefore || lostHere || (!knownEpoch.isEmpty() && !epoch.isEmpty() && epoch != knownEpoch);
    range.epoch = epoch;
    if (!entries.empty()) {
        into.restartChannelAt(channel, entries.front().seq - 1, 0);
        // A hole inside the stream (entries deleted by hand) is a gap too.
        if (redis_stream::adoptEntries(into, channel, entries) > 0)
            range.gap = true;
    }
    return range;
}

} // namespace

void travelFromStream(RedisLink &link, const RedisFollower &follower, const EventStore &window,
                      const QStringList &channels, const TravelWindow &query, const TravelLimits &limits,
                      std::function<void(const TravelResult &)> done)
{
    // The entries are gathered in a store of their own, without limits, and the one travel query
    // runs over it: the merge, the limit and the order are the same as a local travel's.
    struct Progress
    {
        EventStore gathered{[] {
            RetentionLimits unlimited;
            unlimited.maxEventsPerChannel = std::numeric_limits<qsizetype>::max();
            unlimited.maxBytesPerChannel = std::numeric_limits<qint64>::max();
            unlimited.maxTotalBytes = std::numeric_limits<qint64>::max();
            unlimited.maxAgeMs = 0;
            return unlimited;
        }()};
        qsizetype remaining = 0;
        qint64 matched = 0;
        QHash<QString, TravelChannelRange> ranges;
        std::function<void(const TravelResult &)> done;
    };
    auto progress = std::make_shared<Progress>();
    progress->remaining = channels.size();
    progress->done = std::move(done);
    const auto finish = [progress, channels, query, limits] {
        TravelResult result = runTravel(progress->gathered, channels, query, limits);
        result.matched = progress->matched;
        result.truncated = result.matched > result.effectiveLimit;
        for (TravelChannelRange &range : result.channels)
            range = progress->ranges.value(range.channel, range);
        progress->done(result);
    };
    if (channels.isEmpty())
        return finish();
    const qint64 limit = effectiveLimit(query, limits);
    for (const QString &channel : channels) {
        // Never past what the window holds of a tracked channel: live delivery continues from there,
        // so the seam has no gap and no duplicate.
        const qint64 upto = follower.trackedUpTo(channel).value_or(0);
        const QByteArray knownEpoch = follower.knownEpoch(channel);
        link.runScript(RedisLink::Script::travel,
                       {QByteArrayLiteral("2"), redis_stream::keyOf(channel, "meta"),
                        redis_stream::keyOf(channel, "stream"), QByteArray::number(query.sinceSeq.value_or(-1)),
                        QByteArray::number(query.sinceTsMs.value_or(-1)), QByteArray::number(limit),
                        QByteArray::number(upto)},
                       [progress, channel, query, knownEpoch, &window, finish](const RedisReply &reply) {
                           progress->ranges.insert(channel, readReply(reply, channel, query, knownEpoch, window,
                                                                      progress->gathered, progress->matched));
                           if (--progress->remaining == 0)
                               finish();
                       });
    }
}

} // namespace cdc

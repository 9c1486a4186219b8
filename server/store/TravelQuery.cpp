#include "TravelQuery.h"

#include "EventStore.h"

#include <algorithm>
#include <limits>
#include <queue>

namespace cdc {

namespace {

// Total order used to merge channels: (ts_ms, channel, seq).
bool mergesBefore(const ChannelLog *a, const StoredEvent &ea, const ChannelLog *b, const StoredEvent &eb)
{
    if (ea.tsMs != eb.tsMs)
        return ea.tsMs < eb.tsMs;
    if (a != b)
        return a->id() < b->id();
    return ea.seq < eb.seq;
}

// Newest `count` events of the union of ranges, returned ascending.
void takeNewest(std::vector<LogSlice> cursors, qint64 count, QList<ChannelEvent> &out)
{
    const auto earlier = [](const LogSlice &x, const LogSlice &y) {
        return mergesBefore(x.log, x.log->at(x.end - 1), y.log, y.log->at(y.end - 1));
    };
    std::priority_queue<LogSlice, std::vector<LogSlice>, decltype(earlier)> heap(earlier);
    for (const LogSlice &cursor : cursors)
        if (cursor.begin < cursor.end)
            heap.push(cursor);
    const qsizetype first = out.size();
    while (qint64(out.size() - first) < count && !heap.empty()) {
        LogSlice cursor = heap.top();
        heap.pop();
        --cursor.end;
        out.append({cursor.log->id(), cursor.log->at(cursor.end)});
        if (cursor.begin < cursor.end)
            heap.push(cursor);
    }
    std::reverse(out.begin() + first, out.end());
}

} // namespace

void takeOldest(std::vector<LogSlice> cursors, qint64 count, qint64 maxBytes, QList<ChannelEvent> &out)
{
    const auto later = [](const LogSlice &x, const LogSlice &y) {
        return mergesBefore(y.log, y.log->at(y.begin), x.log, x.log->at(x.begin));
    };
    std::priority_queue<LogSlice, std::vector<LogSlice>, decltype(later)> heap(later);
    for (const LogSlice &cursor : cursors)
        if (cursor.begin < cursor.end)
            heap.push(cursor);
    const qsizetype first = out.size();
    qint64 bytes = 0;
    while (qint64(out.size() - first) < count && bytes < maxBytes && !heap.empty()) {
        LogSlice cursor = heap.top();
        heap.pop();
        out.append({cursor.log->id(), cursor.log->at(cursor.begin)});
        bytes += out.last().event.wire.size();
        if (++cursor.begin < cursor.end)
            heap.push(cursor);
    }
}

bool TravelResult::anyGap() const
{
    return std::any_of(channels.cbegin(), channels.cend(), [](const TravelChannelRange &r) { return r.gap; });
}

qint64 effectiveLimit(const TravelWindow &window, const TravelLimits &limits)
{
    return std::clamp<qint64>(window.limit.value_or(limits.defaultLimit), 1, limits.maxLimit);
}

TravelResult runTravel(const EventStore &store, const QStringList &channels, const TravelWindow &window,
                       const TravelLimits &limits)
{
    TravelResult result;
    result.effectiveLimit = effectiveLimit(window, limits);
    const bool fromPosition = window.sinceSeq || window.sinceTsMs;

    std::vector<LogSlice> cursors;
    cursors.reserve(size_t(channels.size()));
    for (const QString &id : channels) {
        TravelChannelRange range{id, std::nullopt, std::nullopt, false, {}};
        if (const ChannelLog *log = store.channel(id)) {
            // Only committed events: a staged one could still be lost to a crash.
            const qsizetype end = log->committedEnd();
            if (end > 0) {
                range.oldestSeq = log->oldestSeq();
                range.newestSeq = log->at(end - 1).seq;
            }
            range.gap = fromPosition && log->lostEventsMatching(window.sinceSeq, window.sinceTsMs);
            qsizetype begin = 0;
            if (window.sinceSeq)
                begin = std::max(begin, log->indexAfterSeq(*window.sinceSeq));
            if (window.sinceTsMs)
                begin = std::max(begin, log->indexAtOrAfterTs(*window.sinceTsMs));
            begin = std::min(begin, end);
            cursors.push_back({log, begin, end});
            result.matched += end - begin;
        } else if (const auto end = store.forgottenChannelEnd(id); end && fromPosition) {
            // Forgotten once all its events expired: whatever came after the position is gone.
            range.gap = (!window.sinceSeq || end->first > *window.sinceSeq) &&
                        (!window.sinceTsMs || end->second >= *window.sinceTsMs);
        }
        result.channels.append(range);
    }

    const qint64 count = std::min(result.matched, result.effectiveLimit);
    result.events.reserve(count);
    if (cursors.size() == 1) {
        // One channel needs no merge: the window is a contiguous slice.
        const LogSlice &only = cursors.front();
        const qsizetype begin = fromPosition ? only.begin : only.end - count;
        for (qsizetype index = begin; index < begin + count; ++index)
            result.events.append({only.log->id(), only.log->at(index)});
    } else if (fromPosition) {
        takeOldest(std::move(cursors), count, std::numeric_limits<qint64>::max(), result.events);
    } else {
        takeNewest(std::move(cursors), count, result.events);
    }
    result.truncated = result.matched > result.effectiveLimit;
    return result;
}

} // namespace cdc

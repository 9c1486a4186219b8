#pragma once

#include <QHash>
#include <QString>

#include <algorithm>
#include <iterator>
#include <vector>

namespace cdc {

// Which rows of a bounded list of events leave when it must shrink by `count`: the busiest
// channels give up their oldest rows first, down to one level, so a quiet channel keeps its last
// rows beside one publishing thousands a second. The window's live view and the feed that fills it
// (MonitorFeed) keep rows by this one rule, so the feed never drops what the view would keep.
//
// Rows are indexed oldest first; `counts` holds each channel's rows and is updated for those that
// leave; `channelAt(i)` names row i's channel; `held(i)` rows never leave. Returns the leaving
// rows, ascending; fewer than `count` only when the rest are held.
template <typename ChannelAt, typename Held>
std::vector<int> fairDrop(int size, qsizetype count, QHash<QString, qsizetype> &counts, ChannelAt channelAt, Held held)
{
    std::vector<int> leaving;
    if (count <= 0)
        return leaving;
    // The level L at which the rows above it add up to `count`: every channel over L is trimmed
    // to it, and no channel under L loses a row.
    qsizetype low = 0, high = 0;
    for (const qsizetype rows : counts)
        high = std::max(high, rows);
    const auto above = [&](qsizetype level) {
        qsizetype total = 0;
        for (const qsizetype rows : counts)
            total += std::max<qsizetype>(0, rows - level);
        return total;
    };
    while (low < high) {
        const qsizetype middle = (low + high + 1) / 2;
        if (above(middle) >= count)
            low = middle;
        else
            high = middle - 1;
    }
    for (int row = 0; row < size && qsizetype(leaving.size()) < count; ++row) {
        qsizetype &rows = counts[channelAt(row)];
        if (rows > low && !held(row)) {
            leaving.push_back(row);
            --rows;
        }
    }
    // Rows still to find (held rows kept a channel over the level): the oldest of any channel.
    if (qsizetype(leaving.size()) < count) {
        std::vector<int> more;
        auto next = leaving.cbegin();
        for (int row = 0; row < size && qsizetype(leaving.size() + more.size()) < count; ++row) {
            if (next != leaving.cend() && *next == row) {
                ++next;
                continue;
            }
            if (!held(row)) {
                more.push_back(row);
                --counts[channelAt(row)];
            }
        }
        std::vector<int> all;
        std::merge(leaving.cbegin(), leaving.cend(), more.cbegin(), more.cend(), std::back_inserter(all));
        leaving.swap(all);
    }
    for (auto it = counts.begin(); it != counts.end();)
        it = it.value() <= 0 ? counts.erase(it) : std::next(it);
    return leaving;
}

} // namespace cdc

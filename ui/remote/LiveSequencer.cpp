#include "LiveSequencer.h"

#include "GapMarker.h"

#include <QDateTime>

namespace cdc {

void LiveSequencer::accept(const LiveEvent &event, QList<LiveEvent> &out)
{
    Channel &channel = m_channels[event.channel];
    const qint64 seq = event.event.seq;
    if (channel.lastSeq == 0 && !channel.catchingUp) {
        // The first event of a channel starts the view; nothing before it was promised.
        show(channel, event, out);
        return;
    }
    if (seq <= channel.lastSeq) {
        ++m_duplicates;
        return;
    }
    if (seq == channel.lastSeq + 1) {
        show(channel, event, out);
        releaseContiguous(channel, out);
        return;
    }
    if (channel.catchingUp && qsizetype(channel.held.size()) < maxHeldPerChannel) {
        channel.held.emplace(seq, event);
        return;
    }
    showAfterGap(channel, event, QStringLiteral("the server sent a later seq without them"), out);
}

void LiveSequencer::beginCatchUp(const QString &channel)
{
    m_channels[channel].catchingUp = true;
}

void LiveSequencer::endCatchUp(const QString &name, const QString &reason, QList<LiveEvent> &out)
{
    Channel &channel = m_channels[name];
    channel.catchingUp = false;
    auto held = std::exchange(channel.held, {});
    for (const auto &[seq, event] : held) {
        if (seq <= channel.lastSeq)
            ++m_duplicates;
        else if (seq == channel.lastSeq + 1 || channel.lastSeq == 0)
            show(channel, event, out);
        else
            showAfterGap(channel, event, reason, out);
    }
}

void LiveSequencer::restartHistory(const QString &name, const QString &notice, QList<LiveEvent> &out)
{
    Channel &channel = m_channels[name];
    channel.lastSeq = 0;
    channel.held.clear(); // seqs of the old history, or of the new one that the catch-up brings again
    out.append(makeGapMarker(name, QDateTime::currentMSecsSinceEpoch(), notice));
}

bool LiveSequencer::isCatchingUp(const QString &channel) const
{
    const auto it = m_channels.constFind(channel);
    return it != m_channels.cend() && it->catchingUp;
}

qint64 LiveSequencer::lastSeq(const QString &channel) const
{
    return m_channels.value(channel).lastSeq;
}

QHash<QString, qint64> LiveSequencer::lastSeqs() const
{
    QHash<QString, qint64> seqs;
    for (auto it = m_channels.cbegin(); it != m_channels.cend(); ++it)
        if (it->lastSeq > 0)
            seqs.insert(it.key(), it->lastSeq);
    return seqs;
}

void LiveSequencer::show(Channel &channel, const LiveEvent &event, QList<LiveEvent> &out)
{
    channel.lastSeq = event.event.seq;
    out.append(event);
}

void LiveSequencer::showAfterGap(Channel &channel, const LiveEvent &event, const QString &reason, QList<LiveEvent> &out)
{
    const qint64 first = channel.lastSeq + 1;
    const qint64 last = event.event.seq - 1;
    m_missed += last - first + 1;
    const QString range =
        first == last ? QStringLiteral("seq %1").arg(first) : QStringLiteral("seq %1 to %2").arg(first).arg(last);
    out.append(makeGapMarker(event.channel, event.event.tsMs,
                             QStringLiteral("GAP: %1 of %2 not shown: %3").arg(range, event.channel, reason)));
    show(channel, event, out);
}

void LiveSequencer::releaseContiguous(Channel &channel, QList<LiveEvent> &out)
{
    while (!channel.held.empty() && channel.held.begin()->first <= channel.lastSeq + 1) {
        auto node = channel.held.extract(channel.held.begin());
        if (node.key() <= channel.lastSeq)
            ++m_duplicates;
        else
            show(channel, node.mapped(), out);
    }
}

} // namespace cdc

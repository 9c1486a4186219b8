#pragma once

#include "host/MonitorTypes.h"

#include <QHash>

#include <map>

namespace cdc {

// Puts a remote server's events back in order for the live view: per channel, each seq once and
// ascending. A reconnecting window travels from the last seq it showed; while that catch-up runs,
// live events that jump ahead wait here, so the view has neither a hole nor a duplicate. What
// cannot be fetched again (the server no longer has it) becomes a gap marker, never a silent skip.
class LiveSequencer
{
public:
    // How many events may wait for one channel's catch-up; past it they are shown after a gap marker.
    static constexpr qsizetype maxHeldPerChannel = 200'000;

    // Appends to `out` what the view should show now because `event` arrived.
    void accept(const LiveEvent &event, QList<LiveEvent> &out);
    // Holds `channel`'s events that jump ahead until endCatchUp().
    void beginCatchUp(const QString &channel);
    // Shows what waited, with a gap marker where seqs are missing (`reason`: why they are).
    void endCatchUp(const QString &channel, const QString &reason, QList<LiveEvent> &out);
    bool isCatchingUp(const QString &channel) const;
    // The server began a new history for `channel` (a restart in memory, a new journal): what was
    // shown stays, a marker row with `notice` follows it, and seqs are taken from the start again.
    void restartHistory(const QString &channel, const QString &notice, QList<LiveEvent> &out);

    // The last seq shown for `channel`, 0 when none was.
    qint64 lastSeq(const QString &channel) const;
    QHash<QString, qint64> lastSeqs() const;
    qint64 duplicatesDropped() const { return m_duplicates; }
    qint64 eventsMissed() const { return m_missed; }

private:
    struct Channel
    {
        qint64 lastSeq = 0;
        bool catchingUp = false;
        std::map<qint64, LiveEvent> held;
    };

    void show(Channel &channel, const LiveEvent &event, QList<LiveEvent> &out);
    void showAfterGap(Channel &channel, const LiveEvent &event, const QString &reason, QList<LiveEvent> &out);
    void releaseContiguous(Channel &channel, QList<LiveEvent> &out);

    QHash<QString, Channel> m_channels;
    qint64 m_duplicates = 0;
    qint64 m_missed = 0;
};

} // namespace cdc

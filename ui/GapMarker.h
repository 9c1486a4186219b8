#pragma once

#include "host/MonitorTypes.h"

namespace cdc {

// A row of the live view that says events are missing there: history a reconnecting window could
// not fetch again. It travels with the events it sits between, so it scrolls, filters and clears
// like them. Seq 0 tells it apart (a real event's seq starts at 1); the notice is its only text.
LiveEvent makeGapMarker(const QString &channel, qint64 tsMs, const QString &notice);

inline bool isGapMarker(const LiveEvent &event)
{
    return event.event.seq <= 0;
}

inline QString gapNotice(const LiveEvent &event)
{
    return QString::fromUtf8(event.event.wire);
}

} // namespace cdc

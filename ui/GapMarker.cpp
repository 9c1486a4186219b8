#include "GapMarker.h"

namespace cdc {

LiveEvent makeGapMarker(const QString &channel, qint64 tsMs, const QString &notice)
{
    LiveEvent marker;
    marker.channel = channel;
    marker.event.seq = 0;
    marker.event.tsMs = tsMs;
    marker.event.wire = notice.toUtf8();
    return marker;
}

} // namespace cdc

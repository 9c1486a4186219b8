#pragma once

#include "TravelQuery.h"
#include "protocol/PublishRequest.h"

#include <QByteArray>
#include <QStringList>

#include <optional>
#include <variant>

namespace cdc {

class EventStore;

// A recorded incident: JSONL, one event per line in the wire shape
// {"organization_id":C,"data":{"seq":N,"ts_ms":T,"payload":P}}, ordered by (ts_ms, channel, seq).
struct CaptureRange
{
    std::optional<qint64> sinceSeq = std::nullopt;  // seq greater than
    std::optional<qint64> sinceTsMs = std::nullopt; // ts_ms at or after
    std::optional<qint64> untilSeq = std::nullopt;  // seq at most
    std::optional<qint64> untilTsMs = std::nullopt; // ts_ms before
};

// The committed events of `channels` (empty: every channel) within `range`, as JSONL.
QByteArray exportCapture(const EventStore &store, QStringList channels, const CaptureRange &range);

// One line of a capture, read back: where it goes, when it was recorded, what it carried.
struct CapturedEvent
{
    QString channel;
    qint64 tsMs = 0;
    QByteArray payload;
    qint64 seq = 0; // as recorded; 0 when the line has none (an import assigns new ones anyway)
};

// Parses one capture line; the error says what is wrong with it.
std::variant<CapturedEvent, QString> parseCaptureLine(QByteArrayView line);

} // namespace cdc

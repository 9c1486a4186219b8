#pragma once

#include "TravelQuery.h"
#include "protocol/PublishRequest.h"

#include <QByteArray>
#include <QHash>
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

// The same capture read a page at a time, for an answer streamed as its client reads it (GET
// /export): the lines exportCapture() writes, in its order. Each channel is read up to the last seq
// it had when the cursor was made, so a busy channel cannot make the export endless; events
// evicted between pages are not in it. Used on the engine thread, with the store it was made for.
class CaptureCursor
{
public:
    CaptureCursor(const EventStore &store, QStringList channels, const CaptureRange &range);

    // The next lines, about `pageBytes` of them (at least one line); empty at the end.
    QByteArray nextPage(const EventStore &store, qint64 pageBytes);

private:
    struct Position
    {
        QString channel;
        qint64 afterSeq;   // the last seq exported (or the range's since_seq)
        qint64 boundSeq;   // the channel's last seq when the cursor was made
    };
    std::vector<Position> m_positions;
    QHash<QString, size_t> m_indexOf; // of m_positions, by channel
    CaptureRange m_range;
};

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

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace cdc {

// One retained event. Its WebSocket frame is built once, at append, into the channel's storage
// (FrameSlab); every delivery and replay sends these same bytes, and the JSON and the payload are
// views into them, so nothing is stored twice.
struct StoredEvent
{
    qint64 seq = 0;
    qint64 tsMs = 0;
    // The whole text frame: header, then {"organization_id":C,"data":{"seq":N,"ts_ms":T,"payload":P}}.
    // Shares its bytes with its neighbours: not NUL-terminated.
    QByteArray wire;
    qint32 jsonOffset = 0;
    qint32 payloadOffset = 0; // within wire

    QByteArrayView json() const { return QByteArrayView(wire).sliced(jsonOffset); }
    QByteArrayView payload() const
    {
        return QByteArrayView(wire).sliced(payloadOffset, wire.size() - payloadOffset - 2); // 2: the closing }}
    }
};

// An event together with the channel it belongs to (the name is shared with the channel's log).
struct ChannelEvent
{
    QString channel;
    StoredEvent event;
};

} // namespace cdc

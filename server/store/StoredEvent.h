#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace cdc {

// One retained event. The wire frame is built once, at append, and every delivery and replay
// sends these same bytes; the payload is a view into it, so nothing is stored twice.
struct StoredEvent
{
    qint64 seq = 0;
    qint64 tsMs = 0;
    QByteArray frame; // {"organization_id":C,"data":{"seq":N,"ts_ms":T,"payload":P}}
    qint32 payloadOffset = 0;
    qint32 payloadSize = 0;

    QByteArrayView payload() const { return QByteArrayView(frame).sliced(payloadOffset, payloadSize); }
};

// An event together with the channel it belongs to (the name is shared with the channel's log).
struct ChannelEvent
{
    QString channel;
    StoredEvent event;
};

} // namespace cdc

#include "WsSession.h"

#include "DeliveryLane.h"
#include "protocol/WsWire.h"

#include <chrono>

namespace cdc {

WsSession::WsSession(quint64 id, QString clientId, QHostAddress peerAddress, quint16 peerPort, DeliveryLane *lane,
                     std::shared_ptr<ConnectionStats> stats, qint64 maxQueuedReplayFrames)
    : m_id(id)
    , m_clientId(std::move(clientId))
    , m_peerAddress(std::move(peerAddress))
    , m_peerPort(peerPort)
    , m_connectedAt(QDateTime::currentDateTimeUtc())
    , m_lane(lane)
    , m_stats(std::move(stats))
    , m_maxQueuedReplayFrames(maxQueuedReplayFrames)
{}

bool WsSession::takeTravelToken(int perSecond)
{
    // Monotonic: a wall-clock step must neither refill nor drain the bucket.
    const qint64 now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    if (m_travelTokens < 0)
        m_travelTokens = perSecond;
    else
        m_travelTokens =
            std::min<double>(perSecond, m_travelTokens + double(now - m_travelTokensAtMs) * perSecond / 1000.0);
    m_travelTokensAtMs = now;
    if (m_travelTokens < 1)
        return false;
    m_travelTokens -= 1;
    return true;
}

QString WsSession::peerText() const
{
    const QString host = m_peerAddress.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + m_peerAddress.toString() + u']'
                             : m_peerAddress.toString();
    return host + u':' + QString::number(m_peerPort);
}

QStringList WsSession::subscriptions() const
{
    return QStringList(m_subscriptions.cbegin(), m_subscriptions.cend());
}

void WsSession::sendControl(const QByteArray &json)
{
    if (m_closing)
        return;
    m_lane->inbox().post(
        [lane = m_lane, id = m_id, wire = ws::frame(ws::Opcode::Text, json)] { lane->send(id, wire); });
}

bool WsSession::sendReplay(const QList<ChannelEvent> &events, const QByteArray &ack)
{
    if (m_closing)
        return true;
    const qint64 waiting = m_stats->queuedReplayFrames.load(std::memory_order_relaxed);
    if (waiting > 0 && waiting + events.size() > m_maxQueuedReplayFrames)
        return false;
    // Replay frames do not count against the live backlog bound (a large catch-up must not cut a
    // healthy client off); they are one block of shared references, bounded by the travel limit.
    QList<QByteArray> wires;
    wires.reserve(events.size());
    for (const ChannelEvent &replayed : events)
        wires.append(replayed.event.wire);
    m_stats->queuedReplayFrames.fetch_add(events.size(), std::memory_order_relaxed);
    m_lane->inbox().post([lane = m_lane, id = m_id, wires = std::move(wires),
                          ackWire = ws::frame(ws::Opcode::Text, ack)] { lane->sendReplay(id, wires, ackWire); });
    return true;
}

void WsSession::messageProcessed()
{
    // The connection stopped reading when this count reached its limit: one fewer lets it go on.
    if (m_stats->unprocessedMessages.fetch_sub(1, std::memory_order_acq_rel) == m_stats->maxUnprocessedMessages)
        m_lane->inbox().post([lane = m_lane, id = m_id] { lane->resumeReading(id); });
}

void WsSession::closeWith(quint16 code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_lane->inbox().post([lane = m_lane, id = m_id, code, reason] { lane->close(id, code, reason); });
}

} // namespace cdc

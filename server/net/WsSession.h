#pragma once

#include "WsConnection.h"
#include "auth/AccessControl.h"
#include "store/StoredEvent.h"

#include <QDateTime>
#include <QHostAddress>
#include <QStringList>

#include <memory>
#include <set>

namespace cdc {

class DeliveryLane;

// One WebSocket client as the engine sees it: who it is, what it may do and is subscribed to. Its
// socket lives on a delivery thread (DeliveryLane, WsConnection); what is sent to it is handed
// there, in order, and its figures come back through shared atomics.
class WsSession
{
public:
    WsSession(quint64 id, QString clientId, QHostAddress peerAddress, quint16 peerPort, DeliveryLane *lane,
              std::shared_ptr<ConnectionStats> stats, qint64 maxQueuedReplayFrames);

    quint64 id() const { return m_id; }
    const QString &clientId() const { return m_clientId; }
    QHostAddress peerAddress() const { return m_peerAddress; }
    quint16 peerPort() const { return m_peerPort; }
    QString peerText() const;
    QDateTime connectedAt() const { return m_connectedAt; }
    DeliveryLane *lane() const { return m_lane; }
    QStringList subscriptions() const;
    bool isSubscribed(const QString &channel) const { return m_subscriptions.contains(channel); }
    qsizetype subscriptionCount() const { return qsizetype(m_subscriptions.size()); }
    bool addSubscription(const QString &channel) { return m_subscriptions.insert(channel).second; }
    bool removeSubscription(const QString &channel) { return m_subscriptions.erase(channel) > 0; }
    qint64 eventsSent() const { return liveSent() + replaySent(); }
    qint64 liveSent() const { return m_stats->liveSent.load(std::memory_order_relaxed); }
    qint64 replaySent() const { return m_stats->replaySent.load(std::memory_order_relaxed); }
    qint64 queuedBytes() const { return m_stats->queuedBytes.load(std::memory_order_relaxed); }
    bool isClosing() const { return m_closing; }

    // What this connection's token allows (everything without authentication).
    const Access &access() const { return m_access; }
    void setAccess(const Access &access) { m_access = access; }
    // A token bucket: true while this connection asks for at most `perSecond` travels a second
    // (bursts of as many allowed).
    bool takeTravelToken(int perSecond);

    // A status or error frame (JSON text).
    void sendControl(const QByteArray &json);
    // A travel's frames and its ack, queued as one block. False (and nothing queued) when the
    // previous travels have not drained yet.
    bool sendReplay(const QList<ChannelEvent> &events, const QByteArray &ack);
    // Sends a close frame; the connection ends once the peer answers, or after a grace period.
    // The engine is done with one message this client sent (ConnectionStats::unprocessedMessages).
    void messageProcessed();
    void closeWith(quint16 code, const QString &reason);

private:
    quint64 m_id;
    QString m_clientId;
    QHostAddress m_peerAddress;
    quint16 m_peerPort;
    QDateTime m_connectedAt;
    DeliveryLane *m_lane;
    std::shared_ptr<ConnectionStats> m_stats;
    qint64 m_maxQueuedReplayFrames;
    std::set<QString> m_subscriptions;
    Access m_access;
    double m_travelTokens = -1; // -1: full, not yet used
    qint64 m_travelTokensAtMs = 0;
    bool m_closing = false;
};

} // namespace cdc

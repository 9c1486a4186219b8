#pragma once

#include "ServerConfig.h"
#include "WsSession.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <vector>

class QWebSocket;

namespace cdc {

class EventStore;
class ChannelLog;
struct ServerMetrics;
struct StoredEvent;
struct TravelCommand;
struct SubscriptionCommand;

// The connected WebSocket clients: who is subscribed to what, the fan-out of every stored event,
// the protocol's request handling, and the heartbeat. Owns every WsSession.
class SessionHub : public QObject
{
    Q_OBJECT

public:
    SessionHub(EventStore &store, ServerMetrics &metrics, const ServerConfig &config, QObject *parent = nullptr);
    ~SessionHub() override;

    // Takes over an upgraded socket whose handshake carried `clientId`.
    void adopt(QWebSocket *socket, const QString &clientId, const Access &access = {});
    // Re-reads the heartbeat settings after CdcServer::reconfigure.
    void applyConfig();
    // Closes every session (1001 on shutdown); `allClosed` follows once they are gone.
    void closeAll(QWebSocketProtocol::CloseCode code, const QString &reason);

    qsizetype sessionCount() const { return qsizetype(m_sessions.size()); }
    const std::vector<WsSession *> &sessions() const { return m_sessions; }
    int subscriberCount(const QString &channel) const;
    bool disconnectSession(quint64 sessionId, const QString &reason);
    qint64 deliveredLive() const;
    qint64 deliveredReplay() const;

Q_SIGNALS:
    void sessionOpened(cdc::WsSession *session);
    void sessionClosed(cdc::WsSession *session);
    void allClosed();

private:
    void fanOut(const ChannelLog &channel, const StoredEvent &event);
    void flushFannedOut();
    void onText(WsSession *session, const QString &text);
    void onClosed(WsSession *session);
    void handleTravel(WsSession *session, const TravelCommand &travel);
    void handleSubscription(WsSession *session, const SubscriptionCommand &command);
    void subscribe(WsSession *session, const QString &channel);
    void unsubscribe(WsSession *session, const QString &channel);
    void refuse(WsSession *session, const QString &code, const QString &message);
    void heartbeat();

    EventStore &m_store;
    ServerMetrics &m_metrics;
    const ServerConfig &m_config;
    std::vector<WsSession *> m_sessions;
    QHash<QString, std::vector<WsSession *>> m_subscribers;
    // Sessions that received live frames during the current append batch; flushed once at its
    // end, so a batch costs one write per connection and a single event goes out at once.
    std::vector<WsSession *> m_fannedOut;
    QTimer m_heartbeat;
    qint64 m_closedLive = 0;
    qint64 m_closedReplay = 0;
};

} // namespace cdc

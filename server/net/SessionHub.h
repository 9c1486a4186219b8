#pragma once

#include "DeliveryLane.h"
#include "ServerConfig.h"
#include "ServerNotice.h"
#include "SessionStats.h"
#include "WsSession.h"
#include "latency/LatencyBook.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace cdc {

class Broker;
class ConnectionThreads;
class EventStore;
class ChannelLog;
struct ServerMetrics;
struct StoredEvent;
struct TravelCommand;
struct TravelResult;
struct SubscriptionCommand;

// The connected WebSocket clients: who is subscribed to what, the fan-out of every stored event,
// the protocol's request handling. Lives on the engine thread and owns every WsSession; the
// sockets themselves belong to the connection threads (one DeliveryLane each, ConnectionThreads),
// which tell it of every upgrade.
class SessionHub : public QObject
{
    Q_OBJECT

public:
    // Every subscribed channel is tracked by `broker`, and every travel is read from it; live
    // events come from `store`, the broker's window.
    SessionHub(EventStore &store, ServerMetrics &metrics, const ServerConfig &config, ConnectionThreads &threads,
               Broker &broker, QObject *parent = nullptr);
    ~SessionHub() override;
    // Re-reads the heartbeat settings after CdcServer::reconfigure.
    void applyConfig();
    // Closes every session (1001 on shutdown); `allClosed` follows once they are gone.
    void closeAll(quint16 code, const QString &reason);

    qsizetype sessionCount() const { return qsizetype(m_sessions.size()); }
    const std::vector<WsSession *> &sessions() const { return m_sessions; }
    int deliveryThreadCount() const { return int(m_lanes.size()); }
    int subscriberCount(const QString &channel) const;
    bool disconnectSession(quint64 sessionId, const QString &reason);
    // The connected clients as the window and GET /clients show them, in connection order.
    QList<ClientStats> clientStats() const;
    qint64 deliveredLive() const;
    qint64 deliveredReplay() const;
    // Where the time went: per channel, per client, per recent event.
    const LatencyBook &latency() const { return m_latency; }
    // The channel's last events' times, with the clients' names (GET /channels/{id}/latency, the window).
    QList<EventTiming> eventTimes(const QString &channel) const;

Q_SIGNALS:
    void allClosed();
    // A client was cut (a slow consumer), with why.
    void noticed(const cdc::ServerNotice &notice);

private:
    struct Lane
    {
        DeliveryLane *lane;
        int sessions = 0;
    };

    // A connection on `client.lane` upgraded: its session starts, subscribed to its first channel.
    void adopt(const UpgradedClient &client);
    WsSession *find(quint64 id) const;
    void fanOut(const ChannelLog &channel, const StoredEvent &event);
    void deliverFannedOut();
    void onText(quint64 id, const QString &text);
    void onFinished(quint64 id, quint16 closeCode);
    void handleTravel(WsSession *session, const TravelCommand &travel);
    void sendTravel(WsSession *session, const TravelCommand &travel, const TravelResult &result);
    void handleSubscription(WsSession *session, const SubscriptionCommand &command);
    void subscribe(WsSession *session, const QString &channel);
    void unsubscribe(WsSession *session, const QString &channel);
    // The engine's side only (the lane has forgotten the connection, or is told separately).
    void removeSubscriber(const QString &channel, WsSession *session);
    void refuse(WsSession *session, const QString &code, const QString &message);

    EventStore &m_store;
    ServerMetrics &m_metrics;
    const ServerConfig &m_config;
    Broker &m_broker;
    ConnectionThreads &m_threads; // what the lanes say is posted to its inbox, run on this thread
    std::vector<Lane> m_lanes;
    std::vector<WsSession *> m_sessions;
    QHash<quint64, WsSession *> m_sessionsById;
    QHash<QString, std::vector<WsSession *>> m_subscribers;
    // Events of the current append batch that someone is subscribed to; handed to the delivery
    // threads in one piece at its end, so a batch costs one write per connection.
    std::vector<LiveFrame> m_fannedOut;
    LatencyBook m_latency;
    QTimer m_latencyWindow;
    quint64 m_nextSessionId = 1;
    qint64 m_closedLive = 0;
    qint64 m_closedReplay = 0;
};

} // namespace cdc

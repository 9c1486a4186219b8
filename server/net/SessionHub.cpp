#include "SessionHub.h"

#include "Logging.h"
#include "ServerMetrics.h"
#include "broker/Broker.h"
#include "protocol/ClientMessage.h"
#include "protocol/ServerFrames.h"
#include "store/EventStore.h"

#include "ConnectionThreads.h"
#include "protocol/WsWire.h"

#include <QDateTime>
#include <algorithm>

namespace cdc {

SessionHub::SessionHub(EventStore &store, ServerMetrics &metrics, const ServerConfig &config,
                       ConnectionThreads &threads, Broker &broker, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_metrics(metrics)
    , m_config(config)
    , m_broker(broker)
    , m_threads(threads)
{
    for (DeliveryLane *lane : m_threads.lanes()) {
        // What a lane says is posted on to the engine thread's inbox, in the order it was said
        // (and after what ConnectionThreads posts for the same lane before it).
        const auto relay = [this](std::function<void()> call) { m_threads.inbox().post(std::move(call)); };
        connect(
            lane, &DeliveryLane::upgraded, lane,
            [this, relay](const UpgradedClient &client) { relay([this, client] { adopt(client); }); },
            Qt::DirectConnection);
        connect(
            lane, &DeliveryLane::textReceived, lane,
            [this, relay](quint64 id, const QString &text) { relay([this, id, text] { onText(id, text); }); },
            Qt::DirectConnection);
        connect(
            lane, &DeliveryLane::binaryReceived, lane,
            [this, relay](quint64 id) {
                relay([this, id] {
                    if (WsSession *session = find(id)) {
                        refuse(session, ErrorCode::binaryFrame,
                               QStringLiteral("binary frames are not supported; send JSON text frames"));
                        session->messageProcessed();
                    }
                });
            },
            Qt::DirectConnection);
        connect(
            lane, &DeliveryLane::slowConsumer, lane,
            [this, relay](quint64 id, qint64 queued) {
                relay([this, id, queued] {
                    ++m_metrics.slowConsumerDisconnects;
                    if (const WsSession *slow = find(id)) {
                        qCWarning(lcNet).noquote() << "closing slow consumer" << slow->clientId() << "from"
                                                   << slow->peerText() << "with" << queued << "bytes queued";
                        Q_EMIT noticed({ServerNotice::Kind::SlowConsumerCut, QDateTime::currentMSecsSinceEpoch(),
                                        QStringLiteral("%1 from %2").arg(slow->clientId(), slow->peerText()),
                                        tr("closed as a slow consumer: %1 bytes queued, past the limit of %2 "
                                           "(--max-queued-bytes); it read more slowly than events arrived")
                                            .arg(queued)
                                            .arg(m_config.maxQueuedBytesPerClient)});
                    }
                });
            },
            Qt::DirectConnection);
        connect(
            lane, &DeliveryLane::idleClosed, lane,
            [this, relay](quint64 id, qint64) {
                relay([this, id] {
                    ++m_metrics.idleDisconnects;
                    if (const WsSession *idle = find(id))
                        qCInfo(lcNet).noquote()
                            << "closing idle client" << idle->clientId() << "from" << idle->peerText();
                });
            },
            Qt::DirectConnection);
        connect(
            lane, &DeliveryLane::finished, lane,
            [this, relay](quint64 id, quint16 code) { relay([this, id, code] { onFinished(id, code); }); },
            Qt::DirectConnection);
        connect(
            lane, &DeliveryLane::latencyReported, lane,
            [this, relay](std::shared_ptr<const LatencyReport> report) {
                relay([this, report = std::move(report)] { m_latency.merge(*report); });
            },
            Qt::DirectConnection);
        m_lanes.push_back({lane, 0});
    }
    connect(&m_store, &EventStore::appended, this, &SessionHub::fanOut);
    connect(&m_store, &EventStore::batchAppended, this, &SessionHub::deliverFannedOut);
    connect(&m_latencyWindow, &QTimer::timeout, this, [this] { m_latency.rotate(); });
    m_latencyWindow.start(int(LatencyBook::windowPeriodMs));
    applyConfig();
}

void SessionHub::applyConfig()
{
    for (const Lane &lane : m_lanes)
        lane.lane->inbox().post([to = lane.lane, ping = m_config.pingInterval.count(),
                                 idle = m_config.idleTimeout.count()] { to->setHeartbeat(ping, idle); });
}

SessionHub::~SessionHub()
{
    // The connection threads have stopped (CdcServer stops them first): no lane is left to tell.
    qDeleteAll(m_sessions);
}

WsSession *SessionHub::find(quint64 id) const
{
    return m_sessionsById.value(id);
}

void SessionHub::adopt(const UpgradedClient &client)
{
    for (Lane &lane : m_lanes)
        if (lane.lane == client.lane)
            ++lane.sessions;
    auto *session = new WsSession(client.id, client.clientId, client.peerAddress, client.peerPort, client.lane,
                                  client.stats, 2 * m_config.travel.maxLimit);
    session->setAccess(client.access);
    m_sessions.push_back(session);
    m_sessionsById.insert(client.id, session);
    m_latency.addClient(client.id);
    ++m_metrics.connectionsAccepted;

    qCInfo(lcNet).noquote() << "client connected:" << session->clientId() << "from" << session->peerText();
    // The lane sent the 101 and the greeting; its first channel's events follow them there.
    subscribe(session, session->clientId());
}

void SessionHub::onFinished(quint64 id, quint16 closeCode)
{
    WsSession *session = find(id);
    if (!session)
        return;
    if (closeCode == ws::CloseCode::tooBig)
        m_metrics.countLimit(QStringLiteral("message_size"));
    qCInfo(lcNet).noquote() << "client disconnected:" << session->clientId() << "from" << session->peerText() << "after"
                            << session->eventsSent() << "events";
    // The lane has forgotten the connection already; only the engine's side is left.
    for (const QString &channel : session->subscriptions())
        removeSubscriber(channel, session);
    m_closedLive += session->liveSent();
    m_closedReplay += session->replaySent();
    for (Lane &lane : m_lanes)
        if (lane.lane == session->lane())
            --lane.sessions;
    std::erase(m_sessions, session);
    m_sessionsById.remove(id);
    m_latency.forgetClient(id);
    delete session;
    if (m_sessions.empty())
        Q_EMIT allClosed();
}

void SessionHub::closeAll(quint16 code, const QString &reason)
{
    if (m_sessions.empty()) {
        Q_EMIT allClosed();
        return;
    }
    for (WsSession *session : m_sessions)
        session->closeWith(code, reason);
}

int SessionHub::subscriberCount(const QString &channel) const
{
    const auto found = m_subscribers.constFind(channel);
    return found == m_subscribers.cend() ? 0 : int(found->size());
}

bool SessionHub::disconnectSession(quint64 sessionId, const QString &reason)
{
    WsSession *session = find(sessionId);
    if (!session)
        return false;
    session->closeWith(ws::CloseCode::normal, reason);
    return true;
}

QList<ClientStats> SessionHub::clientStats() const
{
    QList<ClientStats> clients;
    for (const WsSession *session : m_sessions) {
        if (session->isClosing())
            continue;
        clients.append({session->id(), session->clientId(), session->peerText(), session->connectedAt(),
                        session->subscriptions(), session->eventsSent(), session->queuedBytes(),
                        m_latency.clientStoredToSent(session->id()), m_latency.clientWaitingMs(session->id())});
    }
    return clients;
}

QList<EventTiming> SessionHub::eventTimes(const QString &channel) const
{
    QList<EventTiming> timings;
    for (const EventTimes &event : m_latency.recentEvents(channel)) {
        EventTiming timing{event.seq, event.commitMs, event.tsMs, {}};
        for (const EventTimes::Sent &sent : event.sent) {
            const WsSession *session = m_sessionsById.value(sent.client);
            timing.sent.append({sent.client, session ? session->clientId() : QString(), sent.sentUs});
        }
        timings.append(std::move(timing));
    }
    return timings;
}

qint64 SessionHub::deliveredLive() const
{
    qint64 total = m_closedLive;
    for (const WsSession *session : m_sessions)
        total += session->liveSent();
    return total;
}

qint64 SessionHub::deliveredReplay() const
{
    qint64 total = m_closedReplay;
    for (const WsSession *session : m_sessions)
        total += session->replaySent();
    return total;
}

void SessionHub::fanOut(const ChannelLog &channel, const StoredEvent &event)
{
    const bool watched = m_subscribers.contains(channel.id());
    m_latency.stored(channel.id(), event, watched);
    if (watched)
        m_fannedOut.push_back({channel.id(), event.wire, event.seq, event.tsMs});
}

void SessionHub::deliverFannedOut()
{
    if (m_fannedOut.empty())
        return;
    // One batch, shared by every delivery thread; each fans it out to its own subscribers.
    auto batch = std::make_shared<const LiveBatch>(std::exchange(m_fannedOut, {}));
    for (const Lane &lane : m_lanes) {
        if (lane.sessions == 0)
            continue;
        lane.lane->backlog().admit(qint64(batch->events.size())); // waits while the lane is far behind
        lane.lane->inbox().post([to = lane.lane, batch] { to->deliver(batch); });
    }
}

void SessionHub::onText(quint64 id, const QString &text)
{
    WsSession *session = find(id);
    if (!session)
        return;
    if (!session->isClosing()) {
        const ClientMessage message = parseClientMessage(text);
        if (const auto *error = std::get_if<ProtocolError>(&message))
            refuse(session, error->code, error->message);
        else if (const auto *travel = std::get_if<TravelCommand>(&message))
            handleTravel(session, *travel);
        else
            handleSubscription(session, std::get<SubscriptionCommand>(message));
    }
    session->messageProcessed();
}

void SessionHub::refuse(WsSession *session, const QString &code, const QString &message)
{
    m_metrics.countError(code);
    qCDebug(lcNet).noquote() << "refused a message from" << session->clientId() << ':' << code << message;
    session->sendControl(ServerFrames::error({code, message}));
}

void SessionHub::handleTravel(WsSession *session, const TravelCommand &travel)
{
    if (!session->takeTravelToken(m_config.maxTravelsPerSecond)) {
        m_metrics.countLimit(QStringLiteral("travel_rate"));
        refuse(session, ErrorCode::rateLimited,
               QStringLiteral("at most %1 travel requests per second per connection; wait and ask again")
                   .arg(m_config.maxTravelsPerSecond));
        return;
    }
    if (travel.channel && !session->access().mayRead(*travel.channel)) {
        refuse(
            session, ErrorCode::forbidden,
            QStringLiteral("the token \"%1\" may not travel \"%2\"").arg(session->access().tokenName, *travel.channel));
        return;
    }
    const QStringList channels = travel.channel ? QStringList{*travel.channel} : session->subscriptions();
    const TravelWindow window{travel.sinceSeq, travel.sinceTsMs, travel.limit};
    m_broker.travel(channels, window, m_config.travel, [this, id = session->id(), travel](const TravelResult &result) {
        // Read from a stream elsewhere, the answer may come after the client left.
        if (WsSession *asked = find(id))
            sendTravel(asked, travel, result);
    });
}

void SessionHub::sendTravel(WsSession *session, const TravelCommand &travel, const TravelResult &result)
{
    if (!session->sendReplay(result.events, ServerFrames::travelComplete(travel, result))) {
        refuse(session, ErrorCode::travelBusy,
               QStringLiteral("an earlier travel is still being sent; read it first, then ask again"));
        return;
    }
    ++m_metrics.travels;
}

void SessionHub::handleSubscription(WsSession *session, const SubscriptionCommand &command)
{
    if (command.subscribe && !session->access().mayRead(command.channel)) {
        refuse(session, ErrorCode::forbidden,
               QStringLiteral("the token \"%1\" may not subscribe to \"%2\"")
                   .arg(session->access().tokenName, command.channel));
        return;
    }
    if (command.subscribe && !session->isSubscribed(command.channel) &&
        session->subscriptionCount() >= m_config.maxSubscriptionsPerConnection) {
        m_metrics.countLimit(QStringLiteral("subscriptions"));
        refuse(session, ErrorCode::tooManySubscriptions,
               QStringLiteral("this connection already has %1 subscriptions, the limit (--max-subscriptions); "
                              "unsubscribe from one first")
                   .arg(session->subscriptionCount()));
        return;
    }
    if (command.subscribe)
        subscribe(session, command.channel);
    else
        unsubscribe(session, command.channel);
    session->sendControl(
        ServerFrames::subscriptionChanged(command, session->subscriptionCount(), m_broker.epoch(command.channel)));
}

void SessionHub::subscribe(WsSession *session, const QString &channel)
{
    if (!session->addSubscription(channel))
        return;
    m_broker.track(channel);
    m_subscribers[channel].push_back(session);
    session->lane()->inbox().post([to = session->lane(), id = session->id(), channel] { to->subscribe(id, channel); });
}

void SessionHub::unsubscribe(WsSession *session, const QString &channel)
{
    if (!session->removeSubscription(channel))
        return;
    session->lane()->inbox().post(
        [to = session->lane(), id = session->id(), channel] { to->unsubscribe(id, channel); });
    removeSubscriber(channel, session);
}

void SessionHub::removeSubscriber(const QString &channel, WsSession *session)
{
    auto found = m_subscribers.find(channel);
    if (found == m_subscribers.end())
        return;
    std::erase(*found, session);
    if (found->empty())
        m_subscribers.erase(found);
}

} // namespace cdc

#include "SessionHub.h"

#include "Logging.h"
#include "ServerMetrics.h"
#include "protocol/ClientMessage.h"
#include "protocol/ServerFrames.h"
#include "store/EventStore.h"

#include <QDateTime>
#include <QWebSocket>

#include <algorithm>

namespace cdc {

SessionHub::SessionHub(EventStore &store, ServerMetrics &metrics, const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_metrics(metrics)
    , m_config(config)
{
    connect(&m_store, &EventStore::appended, this, &SessionHub::fanOut);
    connect(&m_store, &EventStore::batchAppended, this, &SessionHub::flushFannedOut);
    connect(&m_heartbeat, &QTimer::timeout, this, &SessionHub::heartbeat);
    applyConfig();
}

void SessionHub::applyConfig()
{
    // Check often enough that neither the ping interval nor the idle timeout is overshot by much.
    const auto tick = std::max<qint64>(50, std::min(m_config.pingInterval, m_config.idleTimeout).count() / 4);
    m_heartbeat.start(int(std::min<qint64>(tick, 1000)));
}

SessionHub::~SessionHub()
{
    // Sessions are children; make sure none calls back into a half-destroyed hub.
    for (WsSession *session : m_sessions)
        session->disconnect(this);
}

void SessionHub::adopt(QWebSocket *socket, const QString &clientId, const Access &access)
{
    socket->setMaxAllowedIncomingMessageSize(quint64(m_config.maxIncomingMessageBytes));
    socket->setMaxAllowedIncomingFrameSize(quint64(m_config.maxIncomingMessageBytes));
    auto *session =
        new WsSession(socket, clientId, {m_config.maxQueuedBytesPerClient, 2 * m_config.travel.maxLimit}, this);
    session->setAccess(access);
    m_sessions.push_back(session);
    ++m_metrics.connectionsAccepted;
    connect(session, &WsSession::textReceived, this, &SessionHub::onText);
    connect(session, &WsSession::binaryReceived, this, [this](WsSession *from) {
        refuse(from, ErrorCode::binaryFrame, QStringLiteral("binary frames are not supported; send JSON text frames"));
    });
    connect(session, &WsSession::slowConsumer, this, [this](WsSession *slow, qint64 queued) {
        ++m_metrics.slowConsumerDisconnects;
        qCWarning(lcNet).noquote() << "closing slow consumer" << slow->clientId() << "from" << slow->peerText()
                                   << "with" << queued << "bytes queued";
    });
    connect(session, &WsSession::closed, this, &SessionHub::onClosed);

    qCInfo(lcNet).noquote() << "client connected:" << clientId << "from" << session->peerText();
    session->sendControl(ServerFrames::subscribed(clientId));
    subscribe(session, clientId);
    Q_EMIT sessionOpened(session);
}

void SessionHub::onClosed(WsSession *session)
{
    if (session->closeCode() == QWebSocketProtocol::CloseCodeTooMuchData)
        m_metrics.countLimit(QStringLiteral("message_size"));
    qCInfo(lcNet).noquote() << "client disconnected:" << session->clientId() << "from" << session->peerText() << "after"
                            << session->eventsSent() << "events";
    for (const QString &channel : session->subscriptions())
        unsubscribe(session, channel);
    m_closedLive += session->liveSent();
    m_closedReplay += session->replaySent();
    std::erase(m_sessions, session);
    std::erase(m_fannedOut, session);
    Q_EMIT sessionClosed(session);
    session->deleteLater();
    if (m_sessions.empty())
        Q_EMIT allClosed();
}

void SessionHub::closeAll(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (m_sessions.empty()) {
        Q_EMIT allClosed();
        return;
    }
    const auto sessions = m_sessions; // closing may erase from m_sessions
    for (WsSession *session : sessions)
        session->closeWith(code, reason);
}

int SessionHub::subscriberCount(const QString &channel) const
{
    const auto found = m_subscribers.constFind(channel);
    return found == m_subscribers.cend() ? 0 : int(found->size());
}

bool SessionHub::disconnectSession(quint64 sessionId, const QString &reason)
{
    for (WsSession *session : m_sessions) {
        if (session->id() == sessionId) {
            session->closeWith(QWebSocketProtocol::CloseCodeNormal, reason);
            return true;
        }
    }
    return false;
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
    const auto found = m_subscribers.constFind(channel.id());
    if (found == m_subscribers.cend() || found->empty())
        return;
    // One text per event, shared (implicitly) by every recipient's queue.
    const QString text = QString::fromUtf8(event.frame);
    const auto recipients = *found; // a recipient cut off for slowness changes the list
    for (WsSession *session : recipients) {
        session->sendLive(text, event.frame.size());
        if (!session->awaitingFlush()) {
            session->setAwaitingFlush(true);
            m_fannedOut.push_back(session);
        }
    }
}

void SessionHub::flushFannedOut()
{
    for (WsSession *session : m_fannedOut) {
        session->setAwaitingFlush(false);
        session->flush();
    }
    m_fannedOut.clear();
}

void SessionHub::onText(WsSession *session, const QString &text)
{
    const ClientMessage message = parseClientMessage(text);
    if (const auto *error = std::get_if<ProtocolError>(&message))
        refuse(session, error->code, error->message);
    else if (const auto *travel = std::get_if<TravelCommand>(&message))
        handleTravel(session, *travel);
    else
        handleSubscription(session, std::get<SubscriptionCommand>(message));
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
    const TravelResult result =
        runTravel(m_store, channels, {travel.sinceSeq, travel.sinceTsMs, travel.limit}, m_config.travel);
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
    session->sendControl(ServerFrames::subscriptionChanged(command, session->subscriptions()));
}

void SessionHub::subscribe(WsSession *session, const QString &channel)
{
    if (session->addSubscription(channel))
        m_subscribers[channel].push_back(session);
}

void SessionHub::unsubscribe(WsSession *session, const QString &channel)
{
    if (!session->removeSubscription(channel))
        return;
    auto found = m_subscribers.find(channel);
    if (found == m_subscribers.end())
        return;
    std::erase(*found, session);
    if (found->empty())
        m_subscribers.erase(found);
}

void SessionHub::heartbeat()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto sessions = m_sessions;
    for (WsSession *session : sessions) {
        if (session->isClosing())
            continue;
        const qint64 silentFor = now - session->lastHeardMs();
        if (silentFor >= m_config.idleTimeout.count()) {
            ++m_metrics.idleDisconnects;
            qCInfo(lcNet).noquote() << "closing idle client" << session->clientId() << "from" << session->peerText();
            session->closeWith(QWebSocketProtocol::CloseCodeGoingAway,
                               QStringLiteral("idle timeout: nothing heard for %1 ms").arg(silentFor));
        } else if (silentFor >= m_config.pingInterval.count() &&
                   now - session->lastPingMs() >= m_config.pingInterval.count()) {
            session->ping();
        }
    }
}

} // namespace cdc

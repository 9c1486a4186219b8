#pragma once

#include "auth/AccessControl.h"
#include "store/StoredEvent.h"

#include <QDateTime>
#include <QHostAddress>
#include <QObject>
#include <QStringList>
#include <QWebSocketProtocol>

#include <deque>
#include <set>

class QWebSocket;

namespace cdc {

struct SessionLimits
{
    qint64 maxQueuedBytes = qint64(16) << 20;
    // At most this many replay frames may wait for one connection; a travel asked for while more
    // would be queued is refused (travel_busy) instead of piling up.
    qint64 maxQueuedReplayFrames = 100'000;
};

// One WebSocket client: its subscriptions and its outbound queue. Frames go into the socket only
// while its buffer is short; the rest waits here as shared references to the stored frames, and a
// client that lets its live backlog pass the bound is cut off.
class WsSession : public QObject
{
    Q_OBJECT

public:
    WsSession(QWebSocket *socket, QString clientId, SessionLimits limits, QObject *parent = nullptr);
    ~WsSession() override;

    quint64 id() const { return m_id; }
    const QString &clientId() const { return m_clientId; }
    QHostAddress peerAddress() const { return m_peerAddress; }
    quint16 peerPort() const { return m_peerPort; }
    QString peerText() const;
    QDateTime connectedAt() const { return m_connectedAt; }
    QStringList subscriptions() const;
    bool isSubscribed(const QString &channel) const { return m_subscriptions.contains(channel); }
    qint64 eventsSent() const { return m_liveSent + m_replaySent; }
    qint64 liveSent() const { return m_liveSent; }
    qint64 replaySent() const { return m_replaySent; }
    qint64 queuedBytes() const;
    bool isClosing() const { return m_closing; }
    qint64 lastHeardMs() const { return m_lastHeardMs; }
    qint64 lastPingMs() const { return m_lastPingMs; }

    // Bookkeeping of SessionHub's per-batch flush list.
    bool awaitingFlush() const { return m_awaitingFlush; }
    void setAwaitingFlush(bool awaiting) { m_awaitingFlush = awaiting; }

    // What this connection's token allows (everything without authentication).
    const Access &access() const { return m_access; }
    void setAccess(const Access &access) { m_access = access; }
    qsizetype subscriptionCount() const { return qsizetype(m_subscriptions.size()); }
    bool addSubscription(const QString &channel) { return m_subscriptions.insert(channel).second; }
    // A token bucket: true while this connection asks for at most `perSecond` travels a second
    // (bursts of as many allowed).
    bool takeTravelToken(int perSecond);
    // How the connection was closed (1009 when a message was too large), once it is.
    QWebSocketProtocol::CloseCode closeCode() const;
    bool removeSubscription(const QString &channel) { return m_subscriptions.erase(channel) > 0; }

    // A status or error frame.
    void sendControl(const QByteArray &json);
    // A live event; `text` is made once per event and shared by every recipient.
    void sendLive(const QString &text, qint64 bytes);
    // A travel's frames and its ack, queued as one block. False (and nothing queued) when the
    // previous travels have not drained yet.
    bool sendReplay(const QList<ChannelEvent> &events, const QByteArray &ack);

    // Hands what the socket buffered to the kernel now, in one write, instead of on the next
    // event-loop turn.
    void flush();
    void ping();
    // Sends a close frame and drops the connection shortly after if the peer does not answer.
    void closeWith(QWebSocketProtocol::CloseCode code, const QString &reason);

Q_SIGNALS:
    void textReceived(cdc::WsSession *session, const QString &text);
    void binaryReceived(cdc::WsSession *session);
    void slowConsumer(cdc::WsSession *session, qint64 queuedBytes);
    void closed(cdc::WsSession *session);

private:
    struct Outgoing
    {
        QString text;    // set for live and control frames, shared between recipients
        QByteArray utf8; // set for replay frames, converted when written
        qint64 bytes = 0;
        enum class Kind { Control, Live, Replay } kind = Kind::Live;
    };

    void enqueue(Outgoing item);
    void write(const Outgoing &item);
    void pump();
    void touch();

    static quint64 s_nextId;

    QWebSocket *m_socket;
    quint64 m_id;
    QString m_clientId;
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;
    QDateTime m_connectedAt;
    SessionLimits m_limits;
    std::set<QString> m_subscriptions;
    Access m_access;
    double m_travelTokens = -1; // -1: full, not yet used
    qint64 m_travelTokensAtMs = 0;
    std::deque<Outgoing> m_queue;
    qint64 m_queuedLiveBytes = 0;
    qint64 m_queuedReplayFrames = 0;
    qint64 m_liveSent = 0;
    qint64 m_replaySent = 0;
    qint64 m_lastHeardMs = 0;
    qint64 m_lastPingMs = 0;
    bool m_closing = false;
    bool m_awaitingFlush = false;
};

} // namespace cdc

#include "WsSession.h"

#include "Logging.h"

#include <QTimer>
#include <QWebSocket>

#include <chrono>

namespace cdc {

namespace {
// Frames are handed to the socket until this much is buffered there; the kernel's send buffer
// absorbs the rest of a burst, and what is left waits in the session queue as shared references.
constexpr qint64 socketHighWaterBytes = 256 * 1024;
// How long a peer has to answer our close frame before the connection is dropped.
constexpr int closeGraceMs = 2000;
} // namespace

quint64 WsSession::s_nextId = 1;

WsSession::WsSession(QWebSocket *socket, QString clientId, SessionLimits limits, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_id(s_nextId++)
    , m_clientId(std::move(clientId))
    , m_peerAddress(socket->peerAddress())
    , m_peerPort(socket->peerPort())
    , m_connectedAt(QDateTime::currentDateTimeUtc())
    , m_limits(limits)
    , m_lastHeardMs(QDateTime::currentMSecsSinceEpoch())
{
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        touch();
        Q_EMIT textReceived(this, text);
    });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &) {
        touch();
        Q_EMIT binaryReceived(this);
    });
    connect(m_socket, &QWebSocket::pong, this, &WsSession::touch);
    connect(m_socket, &QWebSocket::bytesWritten, this, &WsSession::pump);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        m_closing = true;
        m_queue.clear();
        Q_EMIT closed(this);
    });
}

WsSession::~WsSession() = default;

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

QWebSocketProtocol::CloseCode WsSession::closeCode() const
{
    return m_socket->closeCode();
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

qint64 WsSession::queuedBytes() const
{
    return m_queuedLiveBytes + m_socket->bytesToWrite();
}

void WsSession::touch()
{
    m_lastHeardMs = QDateTime::currentMSecsSinceEpoch();
}

void WsSession::sendControl(const QByteArray &json)
{
    enqueue({QString::fromUtf8(json), {}, json.size(), Outgoing::Kind::Control});
}

void WsSession::sendLive(const QString &text, qint64 bytes)
{
    enqueue({text, {}, bytes, Outgoing::Kind::Live});
}

bool WsSession::sendReplay(const QList<ChannelEvent> &events, const QByteArray &ack)
{
    if (m_closing)
        return true;
    if (m_queuedReplayFrames > 0 && m_queuedReplayFrames + events.size() > m_limits.maxQueuedReplayFrames)
        return false;
    // Replay frames bypass enqueue(): they are one block, bounded by the travel limit, and do not
    // count against the live backlog bound (a large catch-up must not cut a healthy client off).
    for (const auto &[channel, event] : events) {
        if (m_queue.empty() && m_socket->bytesToWrite() < socketHighWaterBytes) {
            write({QString::fromUtf8(event.frame), {}, event.frame.size(), Outgoing::Kind::Replay});
        } else {
            m_queue.push_back({{}, event.frame, event.frame.size(), Outgoing::Kind::Replay});
            ++m_queuedReplayFrames;
        }
    }
    enqueue({QString::fromUtf8(ack), {}, ack.size(), Outgoing::Kind::Control});
    return true;
}

void WsSession::enqueue(Outgoing item)
{
    if (m_closing)
        return;
    if (m_queue.empty() && m_socket->bytesToWrite() < socketHighWaterBytes) {
        write(item);
        return;
    }
    m_queuedLiveBytes += item.bytes;
    m_queue.push_back(std::move(item));
    // Only what waits here counts: the socket never holds more than the high-water mark plus one
    // frame, and replay frames are a bounded block of shared references (see sendReplay).
    if (m_queuedLiveBytes > m_limits.maxQueuedBytes) {
        const qint64 backlog = queuedBytes();
        Q_EMIT slowConsumer(this, backlog);
        closeWith(QWebSocketProtocol::CloseCodePolicyViolated,
                  QStringLiteral("slow consumer: %1 bytes queued, limit %2")
                      .arg(m_queuedLiveBytes)
                      .arg(m_limits.maxQueuedBytes));
    }
}

void WsSession::write(const Outgoing &item)
{
    m_socket->sendTextMessage(item.text.isNull() ? QString::fromUtf8(item.utf8) : item.text);
    if (item.kind == Outgoing::Kind::Live)
        ++m_liveSent;
    else if (item.kind == Outgoing::Kind::Replay)
        ++m_replaySent;
}

void WsSession::pump()
{
    while (!m_queue.empty() && !m_closing && m_socket->bytesToWrite() < socketHighWaterBytes) {
        Outgoing item = std::move(m_queue.front());
        m_queue.pop_front();
        if (item.kind == Outgoing::Kind::Replay)
            --m_queuedReplayFrames;
        else
            m_queuedLiveBytes -= item.bytes;
        write(item);
    }
}

void WsSession::flush()
{
    if (!m_closing)
        m_socket->flush();
}

void WsSession::ping()
{
    if (m_closing)
        return;
    m_lastPingMs = QDateTime::currentMSecsSinceEpoch();
    m_socket->ping();
}

void WsSession::closeWith(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    // What was queued is dropped now: memory is freed at once, whatever the peer does next.
    m_queue.clear();
    m_queuedLiveBytes = 0;
    m_queuedReplayFrames = 0;
    // Close reasons are limited to 123 bytes by RFC 6455.
    m_socket->close(code, reason.left(120));
    QTimer::singleShot(closeGraceMs, m_socket, &QWebSocket::abort);
}

} // namespace cdc

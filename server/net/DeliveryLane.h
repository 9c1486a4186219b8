#pragma once

#include "DeflatedFrames.h"
#include "HttpConnection.h"
#include "Mailbox.h"
#include "WsConnection.h"

#include <QHash>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace cdc {

// One stored event as the delivery threads see it: its channel, its shared wire frame, and what
// its latency is measured from (its seq and its ts_ms, when it was stored).
struct LiveFrame
{
    QString channel;
    QByteArray wire;
    qint64 seq = 0;
    qint64 tsMs = 0;
};
// Events handed to the delivery threads together, with their compressed frames (made on demand).
struct LiveBatch
{
    explicit LiveBatch(std::vector<LiveFrame> frames)
        : events(std::move(frames))
        , deflated(events.size())
    {}

    std::vector<LiveFrame> events;
    DeflatedFrames deflated;
};

// Events handed to a delivery thread and not yet queued on its connections. The engine waits at
// the limit: a publisher faster than the delivery threads can fan out is slowed down, as it was
// when the engine wrote to the sockets itself, instead of the hand-over queue (and the frames it
// pins) growing without bound. Slow clients never hold a lane up (they are cut at --max-queued),
// so only a CPU that cannot keep up does.
class DeliveryBacklog
{
public:
    static constexpr qint64 limitEvents = 64 * 1024;

    // On the engine thread, before a batch of `events` is posted.
    void admit(qint64 events)
    {
        std::unique_lock lock(m_mutex);
        m_drained.wait(lock, [&] { return m_pending == 0 || m_pending + events <= limitEvents; });
        m_pending += events;
    }
    // On the delivery thread, once a batch is queued on its connections.
    void release(qint64 events)
    {
        {
            std::lock_guard lock(m_mutex);
            m_pending -= events;
        }
        m_drained.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_drained;
    qint64 m_pending = 0;
};

class DeliveryLane;

// A connection that upgraded to a WebSocket, as its lane tells the engine (SessionHub::adopt).
struct UpgradedClient
{
    quint64 id = 0;
    DeliveryLane *lane = nullptr;
    QString clientId;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    Access access;
    std::shared_ptr<ConnectionStats> stats;
};

// The connections one connection thread owns, from accept to close, and the fan-out to them. A
// descriptor arrives from the acceptor (ConnectionThreads::accept); its socket is created here,
// its TLS handshake, HTTP requests and upgrade happen here (HttpConnection), and after an upgrade
// it goes on here as a WsConnection: no socket, notifier or TLS state is touched by another
// thread or moved to one. Every method runs on this thread: the engine calls them through the
// lane's inbox (ConnectionThreads, SessionHub, WsSession), in order, so a subscription, a batch of
// events and a replay reach a connection in the order the engine decided them. What a connection
// says goes out as signals on this thread; ConnectionThreads and SessionHub post them on to the
// engine's inbox.
class DeliveryLane : public QObject, private HttpConnectionHost, private WsConnectionHost
{
    Q_OBJECT

public:
    explicit DeliveryLane(QObject *parent = nullptr);
    ~DeliveryLane() override;

    // Any thread may post here; the calls run on the lane's thread.
    Mailbox &inbox() { return m_inbox; }
    DeliveryBacklog &backlog() { return m_backlog; }

    // Takes an accepted descriptor: serves it under `settings`, or answers `refusal` (a connection
    // limit) once its request head arrives, and closes.
    void accept(quint64 id, qintptr descriptor, const std::shared_ptr<const ConnectionSettings> &settings,
                const std::optional<HttpResponse> &refusal);
    // The next page of connection `id`'s paged answer (pageWanted()); dropped if it has gone.
    void answerPage(quint64 id, const QByteArray &page);
    // The engine's answer to connection `id`'s request (httpRequest()); dropped if it has gone.
    void answer(quint64 id, const HttpResponse &response);
    // Closes the HTTP connections served under `settings` (a reconfigure retired them).
    void closeHttpConnections(const ConnectionSettings *settings);
    void subscribe(quint64 id, const QString &channel);
    void unsubscribe(quint64 id, const QString &channel);
    // Queues each event for this thread's subscribers of its channel, then writes once per
    // connection that got any; releases the batch from the backlog.
    void deliver(const std::shared_ptr<const LiveBatch> &batch);
    void send(quint64 id, const QByteArray &wire);
    void sendReplay(quint64 id, const QList<QByteArray> &wires, const QByteArray &ack);
    void close(quint64 id, quint16 code, const QString &reason);
    // The engine has processed a message of connection `id`, which had stopped reading at its limit.
    void resumeReading(quint64 id);
    void setHeartbeat(qint64 pingIntervalMs, qint64 idleTimeoutMs);

Q_SIGNALS:
    // A whole HTTP request of connection `id`, for the engine's HttpApi.
    void httpRequest(quint64 id, const cdc::HttpRequestHead &head, const QByteArray &body,
                     const cdc::Access &access);
    // Connection `id` wants the next page of its paged answer (made on the engine thread).
    void pageWanted(quint64 id, const std::shared_ptr<cdc::ResponsePages> &pages);
    // A connection upgraded (its 101 and greeting go out right after); what it says from now on is
    // about a WebSocket session, which the engine starts subscribed to the client's channel.
    void upgraded(const cdc::UpgradedClient &client);
    // Connection `id` is gone, HTTP or WebSocket (after finished() for a WebSocket).
    void connectionEnded(quint64 id);
    // A change to the engine's counters.
    void metricsUpdate(const std::function<void(cdc::ServerMetrics &)> &update);
    void textReceived(quint64 id, const QString &text);
    void binaryReceived(quint64 id);
    void slowConsumer(quint64 id, qint64 queuedBytes);
    void idleClosed(quint64 id, qint64 silentMs);
    // The connection is gone; nothing more is said of `id`.
    void finished(quint64 id, quint16 closeCode);
    // Once a second while the lane has connections: what it measured (DeliveryLatency).
    void latencyReported(std::shared_ptr<const cdc::LatencyReport> report);

private:
    struct Member
    {
        WsConnection *connection;
        std::vector<QString> channels;
    };

    // HttpConnectionHost
    void request(HttpConnection &connection, const HttpRequestHead &head, const QByteArray &body,
                 const Access &access) override;
    void nextPage(HttpConnection &connection, std::shared_ptr<ResponsePages> pages) override;
    void upgrade(HttpConnection &connection, QTcpSocket *socket, UpgradeAccepted accepted) override;
    void count(std::function<void(ServerMetrics &)> update) override;
    // WsConnectionHost
    void receivedText(WsConnection &connection, const QString &text) override;
    void receivedBinary(WsConnection &connection) override;
    void fellBehind(WsConnection &connection, qint64 queuedBytes) override;
    void pausedReading(WsConnection &connection) override;
    void connectionFinished(WsConnection &connection, quint16 closeCode) override;

    struct LaneChannel;
    // deliver()'s two ways: the recipients of one channel alone get each channel's events as one
    // block (returns whether the channel has recipients of several); those of several get them
    // frame by frame, in the batch's order.
    bool deliverBlocks(const LiveBatch &batch, const LaneChannel &channel, const std::vector<size_t> &events);
    void deliverFrames(const LiveBatch &batch);
    WsConnection *find(quint64 id) const;
    void removeSubscriber(const QString &channel, WsConnection *connection);
    void touch(WsConnection *connection);
    void flushTouched();
    void heartbeat();
    void reportLatency();

    Mailbox m_inbox{this};
    DeliveryBacklog m_backlog;
    QHash<quint64, HttpConnection *> m_http; // not (yet) upgraded
    QHash<quint64, Member> m_members;        // WebSocket connections
    struct LaneChannel
    {
        std::vector<WsConnection *> subscribers;
        ChannelKey latencyKey;
    };

    QHash<QString, LaneChannel> m_subscribers;
    DeliveryLatency m_latency;
    QTimer m_latencyReports;
    std::vector<WsConnection *> m_touched;
    QTimer m_heartbeat;
    qint64 m_pingIntervalMs = 30'000;
    qint64 m_idleTimeoutMs = 120'000;
};

// A thread with one DeliveryLane, created and destroyed on it (the lane's connections close with it).
class DeliveryThread : public QThread
{
public:
    explicit DeliveryThread(int index);
    ~DeliveryThread() override;

    // Starts the thread and returns its lane once it exists.
    DeliveryLane *startLane();

protected:
    void run() override;

private:
    std::promise<DeliveryLane *> m_lane;
    DeliveryLane *m_startedLane = nullptr;
    // Set as run() returns, its lane gone: the join as ThreadSanitizer can see it (QThread::wait()
    // synchronises through Qt's futexes, which it cannot).
    std::promise<void> m_ended;
    std::future<void> m_endedFuture = m_ended.get_future();
};

} // namespace cdc

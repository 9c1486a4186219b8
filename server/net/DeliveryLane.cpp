#include "DeliveryLane.h"

#include "EpollEventDispatcher.h"

#include "FdStream.h"
#include "Logging.h"
#include "TlsStream.h"
#include "ServerMetrics.h"
#include "protocol/ServerFrames.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSslSocket>

#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <unistd.h>

namespace cdc {

namespace {
// How often a lane tells the engine what it measured: the figures the window and /metrics show
// are at most this old.
constexpr int latencyReportIntervalMs = 1000;
} // namespace

DeliveryLane::DeliveryLane(QObject *parent)
    : QObject(parent)
{
    connect(&m_heartbeat, &QTimer::timeout, this, &DeliveryLane::heartbeat);
    setHeartbeat(m_pingIntervalMs, m_idleTimeoutMs);
    connect(&m_latencyReports, &QTimer::timeout, this, &DeliveryLane::reportLatency);
    m_latencyReports.start(latencyReportIntervalMs);
}

DeliveryLane::~DeliveryLane()
{
    // The lane owns its connections without being their QObject parent: a parent's children are a
    // list, searched each time one goes, and a lane has thousands. None may call back into the
    // lane on the way out. Those already on their way (deleteLater) go after the rest.
    for (HttpConnection *connection : std::as_const(m_http))
        connection->disconnect(this);
    for (const Member &member : std::as_const(m_members))
        member.connection->disconnect(this);
    qDeleteAll(m_http);
    for (const Member &member : std::as_const(m_members))
        delete member.connection;
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

WsConnection *DeliveryLane::find(quint64 id) const
{
    const auto found = m_members.constFind(id);
    return found == m_members.cend() ? nullptr : found->connection;
}

void DeliveryLane::accept(quint64 id, qintptr descriptor, const std::shared_ptr<const ConnectionSettings> &settings,
                          const std::optional<HttpResponse> &refusal)
{
    // The socket is made here, on the thread that owns it until it closes.
    QTcpSocket *socket = settings->config.tls ? new QSslSocket : new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcNet).noquote() << "cannot take an accepted connection:" << socket->errorString();
        delete socket;
        ::close(int(descriptor));
        Q_EMIT connectionEnded(id);
        return;
    }
    if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
        tls->setSslConfiguration(*settings->config.tls);
        tls->startServerEncryption();
    }
    auto *connection = new HttpConnection(id, socket, settings, *this); // owned, not parented: see ~DeliveryLane
    m_http.insert(id, connection);
    // Whichever way it ends, unless it upgraded (then the WebSocket's end says so).
    connect(connection, &QObject::destroyed, this, [this, id] {
        if (m_http.remove(id))
            Q_EMIT connectionEnded(id);
    });
    if (refusal)
        connection->refuseOnArrival(*refusal);
}

void DeliveryLane::answer(quint64 id, const HttpResponse &response)
{
    if (HttpConnection *connection = m_http.value(id))
        connection->answer(response);
}

void DeliveryLane::answerPage(quint64 id, const QByteArray &page)
{
    if (HttpConnection *connection = m_http.value(id))
        connection->answerPage(page);
}

void DeliveryLane::nextPage(HttpConnection &connection, std::shared_ptr<ResponsePages> pages)
{
    Q_EMIT pageWanted(connection.id(), pages);
}

void DeliveryLane::closeHttpConnections(const ConnectionSettings *settings)
{
    for (HttpConnection *connection : std::as_const(m_http))
        if (connection->settings() == settings)
            connection->drop();
}

void DeliveryLane::request(HttpConnection &connection, const HttpRequestHead &head, const QByteArray &body,
                           const Access &access)
{
    Q_EMIT httpRequest(connection.id(), head, body, access);
}

void DeliveryLane::count(std::function<void(ServerMetrics &)> update)
{
    Q_EMIT metricsUpdate(update);
}

void DeliveryLane::upgrade(HttpConnection &http, QTcpSocket *socket, UpgradeAccepted accepted)
{
    const quint64 id = http.id();
    const ConnectionSettings &settings = *http.settings();
    m_http.remove(id);
    UpgradedClient client{id,
                          this,
                          accepted.clientId,
                          socket->peerAddress(),
                          socket->peerPort(),
                          std::move(accepted.access),
                          std::make_shared<ConnectionStats>()};
    ByteStream *stream = nullptr;
    if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
        stream = new TlsStream(tls); // TLS needs QSslSocket: it stays, on this thread
    } else {
        // A plain connection continues on a descriptor of its own, written with sendmsg() and no
        // user-space buffer; Qt's socket closes its copy.
        const int fd = ::dup(int(socket->socketDescriptor()));
        const int dupError = errno;
        QByteArray unread = socket->readAll();
        socket->disconnect();
        socket->abort();
        socket->deleteLater();
        if (fd < 0) { // out of descriptors: the client sees the connection end
            qCWarning(lcNet).noquote() << "cannot take over the connection of" << client.clientId << ':'
                                       << qt_error_string(dupError);
            Q_EMIT connectionEnded(id);
            return;
        }
        stream = new FdStream(fd, std::move(unread));
    }
    const ConnectionLimits limits{settings.config.maxQueuedBytesPerClient, settings.config.maxIncomingMessageBytes,
                                  settings.config.compressionMinBytes};
    client.stats->maxUnprocessedMessages = settings.config.maxUnprocessedMessagesPerClient;
    auto *connection = new WsConnection(id, stream, limits, client.stats, accepted.deflate, *this); // owned, not parented
    connection->setLatency(&m_latency);
    m_members.insert(id, {connection, {}});
    // The engine hears of the session before the client can do anything on it: whatever the
    // client does after the 101 (a message here, a publish on another connection) reaches the
    // engine's inbox after this, so its first subscription is in place by then.
    Q_EMIT upgraded(client);
    connection->queue(accepted.handshakeResponse, WsConnection::Kind::Control);
    connection->queueMessage(ws::frame(ws::Opcode::Text, ServerFrames::subscribed(client.clientId)));
    connection->flush();
}

void DeliveryLane::resumeReading(quint64 id)
{
    if (WsConnection *connection = find(id))
        connection->resumeReading();
}

void DeliveryLane::subscribe(quint64 id, const QString &channel)
{
    const auto found = m_members.find(id);
    if (found == m_members.end())
        return;
    found->channels.push_back(channel);
    found->connection->setLaneChannels(qsizetype(found->channels.size()));
    auto subscribers = m_subscribers.find(channel);
    if (subscribers == m_subscribers.end())
        subscribers = m_subscribers.insert(channel, {{}, m_latency.acquire(channel)});
    subscribers->subscribers.push_back(found->connection);
}

void DeliveryLane::unsubscribe(quint64 id, const QString &channel)
{
    const auto found = m_members.find(id);
    if (found == m_members.end())
        return;
    std::erase(found->channels, channel);
    found->connection->setLaneChannels(qsizetype(found->channels.size()));
    removeSubscriber(channel, found->connection);
}

void DeliveryLane::removeSubscriber(const QString &channel, WsConnection *connection)
{
    const auto subscribers = m_subscribers.find(channel);
    if (subscribers == m_subscribers.end())
        return;
    std::erase(subscribers->subscribers, connection);
    if (subscribers->subscribers.empty()) {
        m_latency.release(subscribers->latencyKey);
        m_subscribers.erase(subscribers);
    }
}

void DeliveryLane::touch(WsConnection *connection)
{
    if (!connection->awaitingFlush()) {
        connection->setAwaitingFlush(true);
        m_touched.push_back(connection);
    }
}

void DeliveryLane::flushTouched()
{
    // Flushing may end a connection (a failed write); it says so, and is deleted, on a later turn.
    for (WsConnection *connection : m_touched) {
        connection->setAwaitingFlush(false);
        connection->flush();
    }
    m_touched.clear();
}

void DeliveryLane::deliver(const std::shared_ptr<const LiveBatch> &batch)
{
    // The batch's events per channel this thread has subscribers of, in the batch's order.
    std::vector<std::pair<const LaneChannel *, std::vector<size_t>>> byChannel;
    for (size_t index = 0; index < batch->events.size(); ++index) {
        const auto found = m_subscribers.constFind(batch->events[index].channel);
        if (found == m_subscribers.cend())
            continue;
        const LaneChannel *channel = &*found;
        auto group = std::find_if(byChannel.begin(), byChannel.end(), [&](const auto &g) { return g.first == channel; });
        if (group == byChannel.end())
            group = byChannel.insert(byChannel.end(), {channel, {}});
        group->second.push_back(index);
    }
    // A recipient cut off for slowness leaves the lists only on a later turn (its end is queued),
    // so they do not change under these loops.
    bool severalChannels = false;
    for (const auto &[channel, events] : byChannel)
        severalChannels |= deliverBlocks(*batch, *channel, events);
    if (severalChannels)
        deliverFrames(*batch);
    m_backlog.release(qint64(batch->events.size()));
    flushTouched();
}

bool DeliveryLane::deliverBlocks(const LiveBatch &batch, const LaneChannel &channel, const std::vector<size_t> &events)
{
    // A recipient of this channel alone gets the channel's events of the batch as one block — one
    // queue entry and one write, as the kernel would have them — made once here for all of them
    // (and once more per compressed window), from this thread's memory.
    std::vector<LiveRun> runs;
    for (const size_t index : events) {
        const LiveFrame &event = batch.events[index];
        if (!runs.empty() && runs.back().first.tsMs == event.tsMs &&
            runs.back().first.seq + runs.back().frames == event.seq)
            ++runs.back().frames;
        else
            runs.push_back({{event.seq, event.tsMs, channel.latencyKey}, 1});
    }
    const auto block = [&](int windowBits, qint64 minBytes) {
        std::vector<const QByteArray *> frames;
        frames.reserve(events.size());
        qsizetype size = 0;
        for (const size_t index : events) {
            const LiveFrame &event = batch.events[index];
            frames.push_back(windowBits == 0 ? &event.wire
                                             : &batch.deflated.frameFor(index, event.wire, windowBits, minBytes));
            size += frames.back()->size();
        }
        QByteArray joined;
        joined.reserve(size);
        for (const QByteArray *frame : frames)
            joined.append(*frame);
        return joined;
    };
    QByteArray plain;
    QByteArray deflated; // for the usual window (15 bits); narrower ones are made per recipient
    bool severalChannels = false;
    const std::vector<WsConnection *> &recipients = channel.subscribers;
    for (size_t i = 0; i < recipients.size(); ++i) {
        // Each recipient's state is a handful of cache lines nowhere near the last one's; fetched
        // ahead, they arrive while this one's write is in the kernel.
        if (i + 2 < recipients.size())
            recipients[i + 2]->prefetchObject();
        if (i + 1 < recipients.size())
            recipients[i + 1]->prefetchQueues();
        WsConnection *connection = recipients[i];
        if (connection->laneChannels() != 1) {
            severalChannels = true; // served frame by frame, in the batch's order
            continue;
        }
        const int windowBits = connection->deflateWindowBits();
        QByteArray wire;
        if (windowBits == 0) {
            if (plain.isEmpty())
                plain = block(0, 0);
            wire = plain;
        } else if (windowBits == 15) {
            if (deflated.isEmpty())
                deflated = block(15, connection->compressionMinBytes());
            wire = deflated;
        } else {
            wire = block(windowBits, connection->compressionMinBytes());
        }
        connection->queueEvents(std::move(wire), qint64(events.size()), runs);
        // Written at once, while its memory is at hand: with thousands of recipients a second pass
        // over them would fetch every connection's state again (the broadcast's cost is those misses).
        connection->flush();
    }
    return severalChannels;
}

void DeliveryLane::deliverFrames(const LiveBatch &batch)
{
    for (size_t index = 0; index < batch.events.size(); ++index) {
        const LiveFrame &event = batch.events[index];
        const auto found = m_subscribers.constFind(event.channel);
        if (found == m_subscribers.cend())
            continue;
        const LiveStamp stamp{event.seq, event.tsMs, found->latencyKey};
        for (WsConnection *connection : found->subscribers) {
            if (connection->laneChannels() == 1)
                continue; // had the block
            const int windowBits = connection->deflateWindowBits();
            const QByteArray &wire =
                windowBits == 0 ? event.wire
                                : batch.deflated.frameFor(index, event.wire, windowBits, connection->compressionMinBytes());
            connection->queue(wire, WsConnection::Kind::Live, stamp);
            touch(connection);
        }
    }
}

void DeliveryLane::send(quint64 id, const QByteArray &wire)
{
    if (WsConnection *connection = find(id)) {
        connection->queueMessage(wire);
        connection->flush();
    }
}

void DeliveryLane::sendReplay(quint64 id, const QList<QByteArray> &wires, const QByteArray &ack)
{
    WsConnection *connection = find(id);
    if (!connection)
        return;
    for (const QByteArray &wire : wires)
        connection->queue(wire, WsConnection::Kind::Replay);
    connection->queueMessage(ack);
    connection->flush();
}

void DeliveryLane::close(quint64 id, quint16 code, const QString &reason)
{
    if (WsConnection *connection = find(id))
        connection->closeWith(code, reason);
}

void DeliveryLane::receivedText(WsConnection &connection, const QString &text)
{
    Q_EMIT textReceived(connection.id(), text);
}

void DeliveryLane::receivedBinary(WsConnection &connection)
{
    Q_EMIT binaryReceived(connection.id());
}

void DeliveryLane::fellBehind(WsConnection &connection, qint64 queuedBytes)
{
    Q_EMIT slowConsumer(connection.id(), queuedBytes);
}

void DeliveryLane::pausedReading(WsConnection &)
{
    Q_EMIT metricsUpdate([](ServerMetrics &metrics) { ++metrics.inboundPauses; });
}

void DeliveryLane::connectionFinished(WsConnection &connection, quint16 closeCode)
{
    const auto found = m_members.find(connection.id());
    if (found != m_members.end()) {
        for (const QString &channel : found->channels)
            removeSubscriber(channel, &connection);
        m_members.erase(found);
    }
    std::erase(m_touched, &connection);
    connection.deleteLater(); // it may be inside its own call
    Q_EMIT finished(connection.id(), closeCode);
    Q_EMIT connectionEnded(connection.id());
}

void DeliveryLane::setHeartbeat(qint64 pingIntervalMs, qint64 idleTimeoutMs)
{
    m_pingIntervalMs = pingIntervalMs;
    m_idleTimeoutMs = idleTimeoutMs;
    // Check often enough that neither the ping interval nor the idle timeout is overshot by much.
    const qint64 tick = std::max<qint64>(50, std::min(pingIntervalMs, idleTimeoutMs) / 4);
    m_heartbeat.start(int(std::min<qint64>(tick, 1000)));
}

void DeliveryLane::heartbeat()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Member &member : std::as_const(m_members)) {
        WsConnection *connection = member.connection;
        if (connection->isClosing())
            continue;
        const qint64 silentFor = now - connection->lastHeardMs();
        if (silentFor >= m_idleTimeoutMs) {
            Q_EMIT idleClosed(connection->id(), silentFor);
            connection->closeWith(ws::CloseCode::goingAway,
                                  QStringLiteral("idle timeout: nothing heard for %1 ms").arg(silentFor));
        } else if (silentFor >= m_pingIntervalMs && now - connection->lastPingMs() >= m_pingIntervalMs) {
            connection->ping();
        }
    }
}

void DeliveryLane::reportLatency()
{
    if (m_members.isEmpty())
        return;
    auto report = std::make_shared<LatencyReport>();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Member &member : std::as_const(m_members)) {
        if (std::optional<LatencyReport::Client> client = member.connection->takeLatencyReport(now))
            report->clients.push_back(std::move(*client));
    }
    m_latency.collectChannels(*report);
    if (report->clients.empty() && report->channels.empty())
        return; // a quiet second: nothing to tell
    Q_EMIT latencyReported(std::move(report));
}

DeliveryThread::DeliveryThread(int index)
{
    setObjectName(QStringLiteral("cdc-delivery-%1").arg(index));
    // Thousands of sockets per thread: a wake-up must cost what is ready, not what is open.
    setEventDispatcher(new EpollEventDispatcher);
}

DeliveryThread::~DeliveryThread()
{
    // The lane quits through its mailbox: what was posted to it before runs first, and its end
    // follows every post as ThreadSanitizer sees it (a quit() goes through Qt's own locks, which
    // it cannot see, and would leave the last posts' eventfd writes unordered with its close).
    if (m_startedLane)
        m_startedLane->inbox().post([this] { exit(); });
    else
        quit();
    wait();
    if (m_endedFuture.valid())
        m_endedFuture.wait();
}

DeliveryLane *DeliveryThread::startLane()
{
    std::future<DeliveryLane *> lane = m_lane.get_future();
    start();
    m_startedLane = lane.get();
    return m_startedLane;
}

void DeliveryThread::run()
{
    {
        DeliveryLane lane;
        m_lane.set_value(&lane);
        exec();
    }
    // This thread's OpenSSL state (its error queue, from TLS handshakes that failed here) is freed
    // now, not by OpenSSL's thread-exit hook: QThread's threads are detached, so wait() returns
    // before that hook has run, and a process that exits right after would still hold it
    // (LeakSanitizer reported it in 1 of 3 storm runs).
    OPENSSL_thread_stop();
    m_ended.set_value();
}

} // namespace cdc

#include "WsConnection.h"

#include "ByteStream.h"

#include <QDateTime>
#include <QTimer>

#include <chrono>

namespace cdc {

namespace {
// How long a peer has to answer our close frame (or close after its own) before we drop it.
constexpr int closeGraceMs = 2000;
// Read at most this much per readiness report, so one chatty client cannot starve the others on
// its thread; the level-triggered notifier reports the rest on the next turn.
constexpr qint64 maxReadPerTurn = 256 * 1024;
// A send queue that grew this large during a burst gives its memory back once it drains.
constexpr size_t keptQueueCapacity = 1024;
// Replayed bytes compressed per turn before the thread's other connections get theirs.
constexpr qint64 replayCompressionPerTurn = 256 * 1024;
} // namespace

WsConnection::WsConnection(quint64 id, ByteStream *stream, ConnectionLimits limits,
                           std::shared_ptr<ConnectionStats> stats, std::optional<ws::DeflateAgreement> deflate,
                           WsConnectionHost &host, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_stream(stream)
    , m_host(host)
    , m_limits(limits)
    , m_stats(std::move(stats))
    , m_reader(limits.maxIncomingMessageBytes)
    , m_deflateWindowBits(deflate ? deflate->serverWindowBits : 0)
    , m_lastHeardMs(QDateTime::currentMSecsSinceEpoch())
{
    if (deflate)
        m_reader.allowCompressedMessages();
    m_stream->setParent(this);
    m_stream->setListener(this);
}

WsConnection::~WsConnection() = default;

void WsConnection::prefetchObject() const
{
    const char *bytes = reinterpret_cast<const char *>(this);
    for (size_t offset = 0; offset < sizeof(WsConnection); offset += 64)
        __builtin_prefetch(bytes + offset);
}

void WsConnection::prefetchQueues() const
{
    __builtin_prefetch(m_stream);
    __builtin_prefetch(m_stats.get());
    __builtin_prefetch(m_frames.data() + m_frames.size(), 1);
    __builtin_prefetch(m_entries.data() + m_entries.size(), 1);
    m_latency.prefetch();
}

void WsConnection::queue(QByteArray wire, Kind kind, const LiveStamp &stamp)
{
    const LiveRun run{stamp, 1};
    enqueue(std::move(wire), {kind, 1}, kind == Kind::Live ? std::span(&run, 1) : std::span<const LiveRun>());
}

void WsConnection::queueEvents(QByteArray wire, qint64 frames, std::span<const LiveRun> runs)
{
    enqueue(std::move(wire), {Kind::Live, frames}, runs);
}

void WsConnection::enqueue(QByteArray wire, Entry entry, std::span<const LiveRun> runs)
{
    if (m_closing) {
        if (entry.kind == Kind::Replay) // counted in by the engine, never to be sent
            m_stats->queuedReplayFrames.fetch_sub(1, std::memory_order_relaxed);
        return;
    }
    const qint64 size = wire.size();
    m_frames.push_back(std::move(wire));
    m_entries.push_back(entry);
    for (const LiveRun &run : runs)
        m_latency.queued(run);
    m_queuedBytes += size;
    // Replayed frames are a bounded block of their own (the travel limit); live and control frames
    // count against the backlog bound, so neither a stalled subscriber nor a client that sends
    // requests without reading the answers can grow the queue without end.
    if (entry.kind == Kind::Replay)
        return;
    m_queuedLiveBytes += size;
    if (m_queuedLiveBytes > m_limits.maxQueuedBytes) {
        const qint64 backlog = m_queuedBytes + m_stream->bufferedBytes();
        m_host.fellBehind(*this, backlog);
        closeWith(ws::CloseCode::policyViolation, QStringLiteral("slow consumer: %1 bytes queued, limit %2")
                                                      .arg(m_queuedLiveBytes)
                                                      .arg(m_limits.maxQueuedBytes));
    }
}

void WsConnection::queueMessage(const QByteArray &wire)
{
    QByteArray compressed;
    if (m_deflateWindowBits != 0)
        compressed = ws::compressedFrameOf(wire, m_deflateWindowBits, m_limits.compressionMinBytes);
    queue(compressed.isEmpty() ? wire : std::move(compressed), Kind::Control);
}

size_t WsConnection::prepareReplays()
{
    if (m_deflateWindowBits == 0)
        return m_frames.size();
    m_prepared = std::max(m_prepared, m_head);
    qint64 budget = replayCompressionPerTurn;
    for (; m_prepared < m_frames.size() && budget > 0; ++m_prepared) {
        if (m_entries[m_prepared].kind != Kind::Replay)
            continue; // live and control frames are queued as they go out
        QByteArray &frame = m_frames[m_prepared];
        budget -= frame.size();
        QByteArray compressed = ws::compressedFrameOf(frame, m_deflateWindowBits, m_limits.compressionMinBytes);
        if (!compressed.isEmpty()) {
            m_queuedBytes += compressed.size() - frame.size();
            frame = std::move(compressed);
        }
    }
    return m_prepared;
}

void WsConnection::popFront()
{
    switch (m_entries[m_head].kind) {
    case Kind::Live:
        m_queuedLiveBytes -= m_frames[m_head].size();
        m_stats->liveSent.fetch_add(m_entries[m_head].frames, std::memory_order_relaxed);
        m_latency.written(m_entries[m_head].frames);
        break;
    case Kind::Replay:
        m_stats->queuedReplayFrames.fetch_sub(1, std::memory_order_relaxed);
        m_stats->replaySent.fetch_add(1, std::memory_order_relaxed);
        break;
    case Kind::Control:
        m_queuedLiveBytes -= m_frames[m_head].size();
        break;
    }
    m_queuedBytes -= m_frames[m_head].size();
    m_frames[m_head] = QByteArray(); // the shared frame is let go of as soon as it is out
    ++m_head;
    m_headOffset = 0;
}

void WsConnection::flush()
{
    if (m_ended)
        return;
    const size_t ready = prepareReplays();
    while (m_head < ready) {
        const std::span<const QByteArray> pending(m_frames.data() + m_head, ready - m_head);
        qint64 written = m_stream->write(pending, m_headOffset);
        if (written < 0) {
            end();
            return;
        }
        if (written == 0)
            break; // the stream says when it can take more
        while (written > 0) {
            const qint64 rest = m_frames[m_head].size() - m_headOffset;
            if (written < rest) {
                m_headOffset += written;
                break;
            }
            written -= rest;
            popFront();
        }
        if (m_headOffset > 0)
            break;
    }
    // Replayed frames still to compress: the rest on a later turn, after the thread's other work.
    if (m_head == ready && ready < m_frames.size() && !m_flushScheduled) {
        m_flushScheduled = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_flushScheduled = false;
                flush();
            },
            Qt::QueuedConnection);
    }
    if (m_laneLatency && m_latency.hasUnsettled()) {
        // The moment the frames written just now count as sent: their last bytes are the kernel's.
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        m_latency.settle(std::chrono::duration_cast<std::chrono::microseconds>(now).count(), *m_laneLatency);
    }
    if (m_head == m_frames.size()) {
        m_frames.clear();
        m_entries.clear();
        m_head = 0;
        m_prepared = 0;
        if (m_frames.capacity() > keptQueueCapacity) {
            m_frames.shrink_to_fit();
            m_entries.shrink_to_fit();
        }
        if (m_finishWhenDrained) {
            m_finishWhenDrained = false;
            m_stream->finish();
        }
    }
    publishQueuedBytes();
}

std::optional<LatencyReport::Client> WsConnection::takeLatencyReport(qint64 nowMs)
{
    const qint64 oldest = m_latency.oldestQueuedTsMs();
    const qint64 waitingMs = oldest > 0 ? std::max<qint64>(0, nowMs - oldest) : 0;
    Q_ASSERT(m_laneLatency);
    if (!m_latency.hasNews(waitingMs))
        return std::nullopt;
    return m_latency.report(m_id, waitingMs, *m_laneLatency);
}

void WsConnection::publishQueuedBytes()
{
    m_stats->queuedBytes.store(m_queuedBytes + m_stream->bufferedBytes(), std::memory_order_relaxed);
}

void WsConnection::discardFrom(size_t first)
{
    while (m_frames.size() > first) {
        const Entry entry = m_entries.back();
        if (entry.kind == Kind::Replay)
            m_stats->queuedReplayFrames.fetch_sub(1, std::memory_order_relaxed);
        else
            m_queuedLiveBytes -= m_frames.back().size();
        m_queuedBytes -= m_frames.back().size();
        m_frames.pop_back();
        if (entry.kind == Kind::Live)
            m_latency.dropNewest(entry.frames);
        m_entries.pop_back();
    }
    m_prepared = std::min(m_prepared, m_frames.size());
}

void WsConnection::dropQueued()
{
    // A frame already partly written must be finished, or the stream is no longer WebSocket.
    discardFrom(m_headOffset > 0 ? m_head + 1 : m_head);
}

void WsConnection::ping()
{
    if (m_closing)
        return;
    m_lastPingMs = QDateTime::currentMSecsSinceEpoch();
    queue(ws::frame(ws::Opcode::Ping, {}), Kind::Control);
    flush();
}

void WsConnection::closeWith(quint16 code, const QString &reason)
{
    if (m_closing || m_ended)
        return;
    m_closing = true;
    m_closeCode = code;
    // What waits is dropped now: memory is freed at once, whatever the peer does next.
    dropQueued();
    m_frames.push_back(ws::closeFrame(code, reason));
    m_entries.push_back({Kind::Control, 1});
    m_queuedBytes += m_frames.back().size();
    m_queuedLiveBytes += m_frames.back().size();
    flush();
    QTimer::singleShot(closeGraceMs, this, &WsConnection::end);
}

void WsConnection::resumeReading()
{
    if (!m_readPaused || m_ended)
        return;
    m_readPaused = false;
    m_stream->setReadPaused(false);
    takeMessages(); // whole messages read before the pause go first
    if (!m_readPaused)
        QMetaObject::invokeMethod(this, &WsConnection::onReadable, Qt::QueuedConnection);
}

void WsConnection::takeMessages()
{
    while (!m_ended && !m_closeReceived && !m_readPaused) {
        std::optional<ws::ReadResult> result = m_reader.next();
        if (!result)
            break;
        handle(std::move(*result));
    }
}

void WsConnection::onReadable()
{
    if (m_readPaused)
        return; // what arrives waits in the kernel (or, with TLS, in the socket's bounded buffer)
    char buffer[64 * 1024];
    qint64 total = 0;
    while (!m_ended && !m_readPaused && total < maxReadPerTurn) {
        const qint64 n = m_stream->read(buffer, sizeof buffer);
        if (n < 0) {
            end();
            return;
        }
        if (n == 0)
            break;
        total += n;
        m_lastHeardMs = QDateTime::currentMSecsSinceEpoch();
        if (m_closeReceived)
            continue; // after the peer's close frame nothing it sends means anything
        m_reader.append(QByteArrayView(buffer, n));
        takeMessages();
    }
    // Stopped by the per-turn cap: a TLS socket says readyRead only for new bytes, so come back
    // for what it already holds (a plain one would say readable again anyway).
    if (total >= maxReadPerTurn && !m_ended && !m_readPaused)
        QMetaObject::invokeMethod(this, &WsConnection::onReadable, Qt::QueuedConnection);
}

void WsConnection::handle(ws::ReadResult result)
{
    if (auto *violation = std::get_if<ws::Violation>(&result)) {
        closeWith(violation->closeCode, violation->reason);
        // Nothing more is read from a peer that broke the protocol, nor waited for.
        m_closeReceived = true;
        m_finishWhenDrained = true;
        flush();
        return;
    }
    ws::Message &message = std::get<ws::Message>(result);
    switch (message.opcode) {
    case ws::Opcode::Text:
    case ws::Opcode::Binary:
        if (m_closing)
            break;
        if (m_stats->unprocessedMessages.fetch_add(1, std::memory_order_acq_rel) + 1 >=
            m_stats->maxUnprocessedMessages) {
            m_readPaused = true;
            m_stream->setReadPaused(true);
            m_host.pausedReading(*this);
        }
        if (message.opcode == ws::Opcode::Text)
            m_host.receivedText(*this, message.text);
        else
            m_host.receivedBinary(*this);
        break;
    case ws::Opcode::Ping:
        if (!m_closing) {
            queue(ws::frame(ws::Opcode::Pong, message.payload), Kind::Control);
            flush();
        }
        break;
    case ws::Opcode::Pong:
        break;
    case ws::Opcode::Close: {
        m_closeReceived = true;
        if (m_closing) {
            // The answer to our close: the handshake is complete.
            m_finishWhenDrained = true;
            flush();
            return;
        }
        const quint16 code = message.payload.size() >= 2
                                 ? quint16((quint8(message.payload[0]) << 8) | quint8(message.payload[1]))
                                 : ws::CloseCode::normal;
        closeWith(code, {});
        m_closeCode = message.payload.size() >= 2 ? code : ws::CloseCode::noStatus;
        m_finishWhenDrained = true;
        flush();
        break;
    }
    case ws::Opcode::Continuation:
        break; // the reader never hands out a bare continuation
    }
}

void WsConnection::end()
{
    if (m_ended)
        return;
    m_ended = true;
    m_closing = true;
    m_stream->abort();   // a peer that keeps sending must not keep this thread busy until deletion
    discardFrom(m_head); // nothing more goes out
    m_frames.clear();
    m_entries.clear();
    m_latency.dropAll();
    m_head = 0;
    m_headOffset = 0;
    m_prepared = 0;
    m_queuedBytes = 0;
    m_queuedLiveBytes = 0;
    m_stats->queuedBytes.store(0, std::memory_order_relaxed);
    // Said on the next turn: the end may come from inside a loop over the lane's connections.
    QMetaObject::invokeMethod(
        this, [this] { m_host.connectionFinished(*this, m_closeCode); }, Qt::QueuedConnection);
}

} // namespace cdc

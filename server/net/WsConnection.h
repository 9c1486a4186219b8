#pragma once

#include "ByteStream.h"
#include "DeliveryLatency.h"
#include "protocol/PermessageDeflate.h"
#include "protocol/WsWire.h"

#include <QByteArray>
#include <QObject>

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace cdc {

class ByteStream;
class WsConnection;

// Who hears what a WsConnection says (its DeliveryLane), on the connection's thread. An interface,
// not signals: five signal connections per connection cost more memory than an idle connection.
class WsConnectionHost
{
public:
    virtual ~WsConnectionHost() = default;
    virtual void receivedText(WsConnection &connection, const QString &text) = 0;
    virtual void receivedBinary(WsConnection &connection) = 0;
    // Its queue passed the bound: it is being cut off (1008).
    virtual void fellBehind(WsConnection &connection, qint64 queuedBytes) = 0;
    // Reading stopped: the client's messages waiting for the engine reached their limit.
    virtual void pausedReading(WsConnection &connection) = 0;
    // Said once, on the turn after the connection is gone; `closeCode` is the code of the close
    // frame we sent or received first (1006 when there was none).
    virtual void connectionFinished(WsConnection &connection, quint16 closeCode) = 0;
};

// Figures of one connection that the engine thread reads while its delivery thread writes them.
struct ConnectionStats
{
    std::atomic<qint64> liveSent{0};
    std::atomic<qint64> replaySent{0};
    std::atomic<qint64> queuedBytes{0};
    // Raised by the engine when it hands a travel over, lowered here as the frames go out: the
    // engine refuses a travel while too many wait.
    std::atomic<qint64> queuedReplayFrames{0};
    // Text and binary messages handed to the engine and not processed yet. At the limit the
    // connection stops reading (its client's sends then wait in the kernel, and in the end in the
    // client) until the engine has processed one: a client cannot queue work for the engine thread
    // faster than it is done, and everyone else's requests are answered meanwhile.
    std::atomic<int> unprocessedMessages{0};
    int maxUnprocessedMessages = 64; // set before the stats are shared
};

struct ConnectionLimits
{
    qint64 maxQueuedBytes = qint64(16) << 20; // of live and control frames waiting here
    qint64 maxIncomingMessageBytes = 64 * 1024;
    qint64 compressionMinBytes = 256; // smaller messages go uncompressed
};

// One WebSocket connection after its handshake, on the delivery thread that owns it: reads and
// answers client frames (ping, close, protocol violations), and sends frames from a queue of
// shared references. Sending only queues; flush() writes everything queued in as few system calls
// as the connection takes, so a batch of events costs one write per connection.
class WsConnection : public QObject, private ByteStreamListener
{
    Q_OBJECT

public:
    enum class Kind : quint8 { Control, Live, Replay };

    // `deflate`: permessage-deflate, when the handshake agreed it.
    WsConnection(quint64 id, ByteStream *stream, ConnectionLimits limits, std::shared_ptr<ConnectionStats> stats,
                 std::optional<ws::DeflateAgreement> deflate, WsConnectionHost &host, QObject *parent = nullptr);
    ~WsConnection() override;

    quint64 id() const { return m_id; }
    // The window of our compressed messages, 0 when permessage-deflate was not agreed.
    int deflateWindowBits() const { return m_deflateWindowBits; }
    qint64 compressionMinBytes() const { return m_limits.compressionMinBytes; }
    bool isClosing() const { return m_closing; }
    qint64 lastHeardMs() const { return m_lastHeardMs; }
    qint64 lastPingMs() const { return m_lastPingMs; }

    // Queues a whole frame (or, before any frame, the handshake response), as it is to be sent: a
    // live frame comes compressed already where that was agreed (DeflatedFrames), a replayed one is
    // compressed here as it nears the head of the queue (so a long travel costs the thread a little
    // at a time). A live or control frame that takes the waiting bytes past the bound cuts the
    // connection off (1008, fellBehind()). An event frame (Live) comes with its stamp: what to
    // measure once it is written (DeliveryLatency).
    void queue(QByteArray wire, Kind kind, const LiveStamp &stamp = {});
    // Queues several live event frames as one block (`wire`: `frames` whole frames back to back,
    // as a batch's events of one channel go to every recipient of that channel alone): one queue
    // entry and one gathered write for the lot. `runs` are their stamps; they count as sent when
    // the block's last byte is written.
    void queueEvents(QByteArray wire, qint64 frames, std::span<const LiveRun> runs);
    // Queues a message frame of our own (an answer, an error, the greeting), compressed where that
    // was agreed and worth it.
    void queueMessage(const QByteArray &wire);
    // Writes what is queued.
    void flush();
    // Where this connection's stored→sent samples go; its lane's, for the connection's lifetime.
    void setLatency(DeliveryLatency *lane) { m_laneLatency = lane; }
    // What was measured since the last call, and how long the oldest event still queued has waited;
    // nothing when none of it changed.
    std::optional<LatencyReport::Client> takeLatencyReport(qint64 nowMs);
    void ping();
    // Sends a close frame and ends the connection once the peer answers, or after a grace period.
    void closeWith(quint16 code, const QString &reason);
    // The engine processed a message after this connection had stopped reading at its limit.
    void resumeReading();

    // Hints for a lane about to visit thousands of connections in turn: this object's memory, then
    // (once it is at hand) what its members point to.
    void prefetchObject() const;
    void prefetchQueues() const;

    // Bookkeeping of the delivery thread: its per-turn flush list, and how many channels it has the
    // connection subscribed to (a recipient of one channel gets a batch's events as one block).
    bool awaitingFlush() const { return m_awaitingFlush; }
    void setAwaitingFlush(bool awaiting) { m_awaitingFlush = awaiting; }
    qsizetype laneChannels() const { return m_laneChannels; }
    void setLaneChannels(qsizetype channels) { m_laneChannels = channels; }

private:
    // ByteStreamListener
    void streamReadable() override { onReadable(); }
    void streamWritable() override { flush(); }
    void streamEnded() override { end(); }

    // One queue entry: a frame, or (Live) a block of `frames` event frames.
    struct Entry
    {
        Kind kind;
        qint64 frames = 1;
    };

    void enqueue(QByteArray wire, Entry entry, std::span<const LiveRun> runs);
    void onReadable();
    // Hands on the whole messages already read, until reading stops (the unprocessed limit).
    void takeMessages();
    void handle(ws::ReadResult result);
    // Drops the frames from index `first` on, keeping the counts right.
    void discardFrom(size_t first);
    void dropQueued();
    void popFront();
    void publishQueuedBytes();
    void end();
    // Compresses the replayed frames near the head of the queue; returns how many frames, from the
    // start of the queue, are ready to be written.
    size_t prepareReplays();

    quint64 m_id;
    ByteStream *m_stream;
    WsConnectionHost &m_host;
    ConnectionLimits m_limits;
    std::shared_ptr<ConnectionStats> m_stats;
    ws::FrameReader m_reader;
    // The send queue: contiguous, so a write gathers straight from it. m_head is the first frame
    // not yet fully written, m_headOffset how much of it was.
    std::vector<QByteArray> m_frames;
    std::vector<Entry> m_entries; // beside m_frames, one each
    DeliveryLatency *m_laneLatency = nullptr;
    ConnectionLatency m_latency;
    size_t m_head = 0;
    qsizetype m_headOffset = 0;
    size_t m_prepared = 0; // frames before this index are as they will be sent
    int m_deflateWindowBits = 0;
    bool m_flushScheduled = false;
    qsizetype m_laneChannels = 0;
    qint64 m_queuedBytes = 0;
    qint64 m_queuedLiveBytes = 0; // live and control frames: what the backlog bound counts
    qint64 m_lastHeardMs = 0;
    qint64 m_lastPingMs = 0;
    quint16 m_closeCode = ws::CloseCode::abnormal;
    bool m_closing = false;
    bool m_closeReceived = false;
    bool m_finishWhenDrained = false;
    bool m_ended = false;
    bool m_awaitingFlush = false;
    bool m_readPaused = false; // at the unprocessed-messages limit
};

} // namespace cdc

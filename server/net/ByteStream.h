#pragma once

#include <QByteArray>
#include <QObject>

#include <span>

namespace cdc {

// Who hears what a ByteStream reports (its WsConnection). An interface, not signals: three signal
// connections per connection cost more memory than the rest of an idle connection.
class ByteStreamListener
{
public:
    virtual ~ByteStreamListener() = default;
    // There may be bytes to read().
    virtual void streamReadable() = 0;
    // The stream can take more after a write() that took less than everything.
    virtual void streamWritable() = 0;
    // The peer closed or the connection failed.
    virtual void streamEnded() = 0;
};

// The bytes of one upgraded connection, read and written without Qt's socket buffers in between
// where that is possible (FdStream) and through QSslSocket where TLS needs it (TlsStream). Lives on
// the delivery thread that owns the connection.
class ByteStream : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    void setListener(ByteStreamListener *listener) { m_listener = listener; }

    // Up to `capacity` received bytes into `buffer`: the count, 0 when nothing is there now, -1
    // once the peer has closed or the connection failed.
    virtual qint64 read(char *buffer, qint64 capacity) = 0;
    // Writes from `frames` (the first from byte `firstOffset` on) as far as the connection takes them
    // now, in as few system calls as it can: the bytes taken, or -1 when the connection failed.
    // When it took less than everything, writable() follows once it can take more.
    virtual qint64 write(std::span<const QByteArray> frames, qsizetype firstOffset) = 0;
    // Bytes taken by write() but still held in user space (TLS only).
    virtual qint64 bufferedBytes() const = 0;
    // Ends our sending side once everything taken has gone out; ended() follows when the peer
    // closes too.
    virtual void finish() = 0;
    // While paused, nothing is read from the connection and readable() may not be said; what the
    // peer sends waits in the kernel (TLS: up to the socket's read buffer size, then in the kernel).
    virtual void setReadPaused(bool paused) = 0;
    // Stops reading and writing at once; nothing more is reported.
    virtual void abort() = 0;

protected:
    void readable() { m_listener->streamReadable(); }
    void writable() { m_listener->streamWritable(); }
    void ended() { m_listener->streamEnded(); }

private:
    ByteStreamListener *m_listener = nullptr;
};

} // namespace cdc

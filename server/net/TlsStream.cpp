#include "TlsStream.h"

#include <QSslSocket>
#include <QTimer>

namespace cdc {

namespace {
// Frames are copied into the socket until this much waits there.
constexpr qint64 highWaterBytes = 256 * 1024;
} // namespace

TlsStream::TlsStream(QSslSocket *socket, QObject *parent)
    : ByteStream(parent)
    , m_socket(socket)
{
    m_socket->setParent(this);
    connect(m_socket, &QSslSocket::readyRead, this, &TlsStream::readable);
    connect(m_socket, &QSslSocket::encryptedBytesWritten, this, &TlsStream::writable);
    connect(m_socket, &QSslSocket::disconnected, this, [this] {
        m_ended = true;
        ended();
    });
    if (m_socket->bytesAvailable() > 0)
        QTimer::singleShot(0, this, &TlsStream::readable);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QTimer::singleShot(0, this, [this] {
            m_ended = true;
            ended();
        });
}

qint64 TlsStream::read(char *buffer, qint64 capacity)
{
    const qint64 n = m_socket->read(buffer, capacity);
    if (n > 0)
        return n;
    return m_ended || n < 0 ? -1 : 0;
}

qint64 TlsStream::write(std::span<const QByteArray> frames, qsizetype firstOffset)
{
    if (m_ended)
        return -1;
    qint64 taken = 0;
    for (size_t i = 0; i < frames.size() && bufferedBytes() < highWaterBytes; ++i) {
        const qsizetype skip = i == 0 ? firstOffset : 0;
        if (m_socket->write(frames[i].constData() + skip, frames[i].size() - skip) < 0)
            return -1;
        taken += frames[i].size() - skip;
    }
    return taken;
}

qint64 TlsStream::bufferedBytes() const
{
    return m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite();
}

void TlsStream::abort()
{
    m_ended = true;
    m_socket->disconnect(this);
    m_socket->abort();
}

void TlsStream::finish()
{
    m_socket->disconnectFromHost(); // sends what is buffered first
}

} // namespace cdc

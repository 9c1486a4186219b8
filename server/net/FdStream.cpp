#include "FdStream.h"

#include <QEvent>
#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace cdc {

namespace {
// Frames gathered into one sendmsg(); the kernel takes at most IOV_MAX (1024).
constexpr size_t maxGather = 256;
} // namespace

// A notifier that calls its stream directly: a signal connection per notifier would cost more
// memory than the rest of an idle connection.
class FdStream::Notifier final : public QSocketNotifier
{
public:
    // Made disabled: the epoll set hears of it only once it is enabled (a write notifier of a
    // connection that never fills its socket never is).
    Notifier(int fd, Type type, FdStream *stream, void (FdStream::*ready)())
        : QSocketNotifier(type, stream)
        , m_stream(stream)
        , m_ready(ready)
    {
        setSocket(fd);
    }

protected:
    bool event(QEvent *event) override
    {
        if (event->type() != QEvent::SockAct)
            return QSocketNotifier::event(event);
        (m_stream->*m_ready)();
        return true;
    }

private:
    FdStream *m_stream;
    void (FdStream::*m_ready)();
};

FdStream::FdStream(int fd, QByteArray unread, QObject *parent)
    : ByteStream(parent)
    , m_fd(fd)
    , m_unread(std::move(unread))
    , m_readNotifier(new Notifier(fd, QSocketNotifier::Read, this, &FdStream::readable))
    , m_writeNotifier(new Notifier(fd, QSocketNotifier::Write, this, &FdStream::onWritable))
{
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    m_readNotifier->setEnabled(true);
    if (!m_unread.isEmpty())
        QTimer::singleShot(0, this, &FdStream::readable);
}

void FdStream::onWritable()
{
    m_writeNotifier->setEnabled(false);
    writable();
}

void FdStream::setReadPaused(bool paused)
{
    if (m_ended)
        return;
    m_readNotifier->setEnabled(!paused);
    if (!paused && !m_unread.isEmpty())
        QTimer::singleShot(0, this, &FdStream::readable);
}

FdStream::~FdStream()
{
    // The notifiers go before their descriptor: its number may be reused as soon as it is closed.
    delete m_readNotifier;
    delete m_writeNotifier;
    ::close(m_fd);
}

qint64 FdStream::read(char *buffer, qint64 capacity)
{
    if (!m_unread.isEmpty()) {
        const qint64 n = std::min<qint64>(capacity, m_unread.size());
        std::memcpy(buffer, m_unread.constData(), size_t(n));
        m_unread.remove(0, n);
        return n;
    }
    if (m_ended)
        return -1;
    for (;;) {
        const ssize_t n = ::read(m_fd, buffer, size_t(capacity));
        if (n > 0)
            return n;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        // End of stream or a failed connection: stop watching, or the notifier fires forever.
        abort();
        return -1;
    }
}

qint64 FdStream::write(std::span<const QByteArray> frames, qsizetype firstOffset)
{
    if (m_ended)
        return -1;
    iovec vectors[maxGather];
    const size_t count = std::min(frames.size(), maxGather);
    size_t total = 0;
    for (size_t i = 0; i < count; ++i) {
        const qsizetype skip = i == 0 ? firstOffset : 0;
        vectors[i].iov_base = const_cast<char *>(frames[i].constData() + skip);
        vectors[i].iov_len = size_t(frames[i].size() - skip);
        total += vectors[i].iov_len;
    }
    msghdr message{};
    message.msg_iov = vectors;
    message.msg_iovlen = count;
    for (;;) {
        // MSG_NOSIGNAL: a peer that has gone is an error to handle, not a SIGPIPE.
        const ssize_t n = ::sendmsg(m_fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            if (size_t(n) < total)
                m_writeNotifier->setEnabled(true);
            return n;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            m_writeNotifier->setEnabled(true);
            return 0;
        }
        return -1;
    }
}

void FdStream::abort()
{
    m_ended = true;
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
}

void FdStream::finish()
{
    // Everything taken is in the kernel already; the peer sees our FIN after it.
    ::shutdown(m_fd, SHUT_WR);
}

} // namespace cdc

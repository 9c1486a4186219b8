#pragma once

#include "ByteStream.h"

class QSocketNotifier;

namespace cdc {

// A plain TCP connection as a bare descriptor: writes gather many shared frames into one
// sendmsg(), with no copy into a user-space buffer and no notifier toggling while the kernel keeps
// up; a write notifier is armed only when the kernel's send buffer is full.
class FdStream : public ByteStream
{
    Q_OBJECT

public:
    // Takes ownership of `fd` (closed on destruction). `unread` is what was received before the
    // hand-over; read() returns it first.
    FdStream(int fd, QByteArray unread, QObject *parent = nullptr);
    ~FdStream() override;

    qint64 read(char *buffer, qint64 capacity) override;
    qint64 write(std::span<const QByteArray> frames, qsizetype firstOffset) override;
    qint64 bufferedBytes() const override { return 0; }
    void finish() override;
    void abort() override;
    void setReadPaused(bool paused) override;

private:
    class Notifier;
    void onWritable();

    int m_fd;
    QByteArray m_unread;
    Notifier *m_readNotifier;
    Notifier *m_writeNotifier;
    bool m_ended = false;
};

} // namespace cdc

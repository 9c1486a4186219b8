#pragma once

#include "ByteStream.h"

class QSslSocket;

namespace cdc {

// A TLS connection: QSslSocket encrypts, so frames are copied into it, as long as it holds less
// than a high-water mark.
class TlsStream : public ByteStream
{
    Q_OBJECT

public:
    // Takes ownership of `socket`, which must already live on this thread.
    explicit TlsStream(QSslSocket *socket, QObject *parent = nullptr);

    qint64 read(char *buffer, qint64 capacity) override;
    qint64 write(std::span<const QByteArray> frames, qsizetype firstOffset) override;
    qint64 bufferedBytes() const override;
    void finish() override;
    void abort() override;
    void setReadPaused(bool) override {} // the socket's read buffer is bounded (HttpConnection)

private:
    QSslSocket *m_socket;
    bool m_ended = false;
};

} // namespace cdc

#include "TestServer.h"

#include "TestHttp.h"

#include <QTest>
#include <QtEndian>

#include <zlib.h>

std::unique_ptr<cdc::CdcServer> startTestServer(cdc::ServerConfig config)
{
    config.port = 0;
    auto server = std::make_unique<cdc::CdcServer>(config);
    QString error;
    if (!server->start(&error))
        qFatal("test server did not start: %s", qPrintable(error));
    return server;
}

std::unique_ptr<QTcpSocket> rawWebSocket(quint16 port, const QByteArray &clientName)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket->state() == QAbstractSocket::ConnectedState; }, 5000))
        return nullptr;
    socket->write(upgradeRequest("X-Athena-Client: " + clientName + "\r\n"));
    QByteArray head;
    const bool upgraded = QTest::qWaitFor(
        [&] {
            while (socket->bytesAvailable() > 0 && !head.endsWith("\r\n\r\n"))
                head.append(socket->read(1));
            return head.endsWith("\r\n\r\n");
        },
        5000);
    if (!upgraded || !head.startsWith("HTTP/1.1 101"))
        return nullptr;
    return socket;
}

QByteArray maskedClientFrame(quint8 firstByte, QByteArrayView payload, quint64 declaredLength)
{
    const quint64 length = declaredLength == quint64(-1) ? quint64(payload.size()) : declaredLength;
    QByteArray out;
    out.append(char(firstByte));
    if (length < 126) {
        out.append(char(0x80 | length));
    } else if (length <= 0xFFFF) {
        out.append(char(0x80 | 126)).append(char(length >> 8)).append(char(length & 0xFF));
    } else {
        out.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((length >> shift) & 0xFF));
    }
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    out.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(char(payload[i] ^ mask[i % 4]));
    return out;
}

QList<QPair<int, QByteArray>> takeWebSocketFrames(QByteArray &buffer)
{
    QList<QPair<int, QByteArray>> frames;
    for (;;) {
        if (buffer.size() < 2)
            return frames;
        const auto *bytes = reinterpret_cast<const uchar *>(buffer.constData());
        const int opcode = bytes[0] & 0x0F;
        quint64 length = bytes[1] & 0x7F;
        qsizetype offset = 2;
        if (length == 126) {
            if (buffer.size() < 4)
                return frames;
            length = qFromBigEndian<quint16>(bytes + 2);
            offset = 4;
        } else if (length == 127) {
            if (buffer.size() < 10)
                return frames;
            length = qFromBigEndian<quint64>(bytes + 2);
            offset = 10;
        }
        if (quint64(buffer.size()) < quint64(offset) + length)
            return frames;
        frames.append({opcode, buffer.mid(offset, qsizetype(length))});
        buffer.remove(0, offset + qsizetype(length));
    }
}

QByteArray clientDeflate(QByteArrayView message, int windowBits)
{
    z_stream stream{};
    deflateInit2(&stream, 6, Z_DEFLATED, -windowBits, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(int(deflateBound(&stream, uLong(message.size()))) + 16, Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(message.data()));
    stream.avail_in = uInt(message.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    deflate(&stream, Z_SYNC_FLUSH);
    out.truncate(out.size() - qsizetype(stream.avail_out));
    deflateEnd(&stream);
    Q_ASSERT(out.endsWith(QByteArrayView("\x00\x00\xff\xff", 4)));
    out.chop(4);
    return out;
}

QByteArray clientInflate(QByteArrayView compressed, int windowBits)
{
    z_stream stream{};
    inflateInit2(&stream, -windowBits);
    QByteArray input = compressed.toByteArray() + QByteArray("\x00\x00\xff\xff", 4);
    QByteArray out;
    char chunk[16384];
    stream.next_in = reinterpret_cast<Bytef *>(input.data());
    stream.avail_in = uInt(input.size());
    int result = Z_OK;
    do {
        stream.next_out = reinterpret_cast<Bytef *>(chunk);
        stream.avail_out = sizeof chunk;
        result = inflate(&stream, Z_SYNC_FLUSH);
        out.append(chunk, qsizetype(sizeof chunk - stream.avail_out));
    } while (result == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0));
    inflateEnd(&stream);
    return out;
}

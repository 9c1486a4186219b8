// permessage-deflate against the real engine, over real sockets: what a client that offers it sees
// on the wire (the 101's answer, RSV1 frames it inflates back to the published bytes, the same
// compressed bytes as its neighbour), what one that does not offer it sees (QWebSocket, which
// never does), compressed requests and replays, --compression off, and the hostile cases — a
// compressed bomb and corrupt data close only the connection that sent them.
#include "TestHttp.h"
#include "TestServer.h"
#include "TestWsClient.h"

#include <QTest>
#include <QtEndian>

using namespace cdc;

namespace {

const QByteArray browserOffer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

struct WireFrame
{
    quint8 first = 0; // FIN, RSV and opcode
    QByteArray payload;
    bool compressed() const { return first & 0x40; }
};

// A client on a plain TCP socket that sees the frames as they are on the wire.
struct RawClient
{
    std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>();
    QByteArray responseHead;
    QByteArray buffer;
    QList<WireFrame> frames;

    bool open(quint16 port, const QByteArray &channel, const QByteArray &extraHeaders)
    {
        socket->connectToHost(QHostAddress::LocalHost, port);
        if (!socket->waitForConnected(5000))
            return false;
        socket->write(upgradeRequest("X-Athena-Client: " + channel + "\r\n" + extraHeaders));
        if (!QTest::qWaitFor([&] { return take(), responseHead.endsWith("\r\n\r\n"); }, 5000))
            return false;
        return responseHead.startsWith("HTTP/1.1 101");
    }
    QByteArray extensionsAnswer() const
    {
        for (const QByteArray &line : responseHead.split('\n')) {
            if (line.toLower().startsWith("sec-websocket-extensions:"))
                return line.mid(line.indexOf(':') + 1).trimmed();
        }
        return {};
    }
    void take()
    {
        buffer += socket->readAll();
        if (!responseHead.endsWith("\r\n\r\n")) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            responseHead = buffer.left(end + 4);
            buffer.remove(0, end + 4);
        }
        for (;;) {
            if (buffer.size() < 2)
                return;
            const auto *bytes = reinterpret_cast<const uchar *>(buffer.constData());
            quint64 length = bytes[1] & 0x7F;
            qsizetype offset = 2;
            if (length == 126) {
                if (buffer.size() < 4)
                    return;
                length = qFromBigEndian<quint16>(bytes + 2);
                offset = 4;
            } else if (length == 127) {
                if (buffer.size() < 10)
                    return;
                length = qFromBigEndian<quint64>(bytes + 2);
                offset = 10;
            }
            if (quint64(buffer.size()) < quint64(offset) + length)
                return;
            frames.append({bytes[0], buffer.mid(offset, qsizetype(length))});
            buffer.remove(0, offset + qsizetype(length));
        }
    }
    bool waitForFrames(qsizetype count, int timeoutMs = 10000)
    {
        return QTest::qWaitFor([&] { return take(), frames.size() >= count; }, timeoutMs);
    }
    // The close code of the close frame received, or 0.
    quint16 closeCode()
    {
        take();
        for (const WireFrame &frame : std::as_const(frames)) {
            if ((frame.first & 0x0F) == 0x8 && frame.payload.size() >= 2)
                return qFromBigEndian<quint16>(frame.payload.constData());
        }
        return 0;
    }
};

QByteArray textOf(const WireFrame &frame)
{
    return frame.compressed() ? clientInflate(frame.payload) : frame.payload;
}

// A Debezium-shaped change of about 2 KB, with bytes a parser would change (digits, escapes, order).
QByteArray debeziumPayload(int id)
{
    QByteArray row = "{\"id\":" + QByteArray::number(id) + ",\"amount\":0.1000000000000000055511151231257827";
    for (int column = 0; column < 22; ++column)
        row += ",\"column_" + QByteArray::number(column) + "\":\"caf\\u00e9 " + QByteArray::number(id * 31 + column) +
               "\"";
    row += '}';
    return "{\"before\":" + row + ",\"after\":" + row +
           ",\"source\":{\"connector\":\"postgresql\",\"db\":\"inventory\",\"schema\":\"public\",\"table\":"
           "\"orders\",\"lsn\":" +
           QByteArray::number(330000 + id) + "},\"op\":\"u\",\"op\":\"c\",\"ts_ms\":1700000000123}";
}

void publishRaw(quint16 port, const QByteArray &channel, const QByteArray &payload)
{
    const HttpReply reply =
        httpPost(port, "/events", "{\"organization_id\":\"" + channel + "\",\"data\":" + payload + "}");
    QCOMPARE(reply.status, 200);
}

QByteArray payloadInFrame(const QByteArray &text)
{
    const QByteArray marker = ",\"payload\":";
    return text.mid(text.indexOf(marker) + marker.size()).chopped(2);
}

} // namespace

class TestCompression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void anOfferIsAgreedAndEventsArriveCompressedByteForByte()
    {
        auto server = startTestServer();
        RawClient client;
        QVERIFY(client.open(server->port(), "orders", browserOffer));
        QCOMPARE(client.extensionsAnswer(),
                 QByteArray("permessage-deflate; server_no_context_takeover; client_no_context_takeover"));
        QVERIFY(client.waitForFrames(1));
        QVERIFY(!client.frames[0].compressed()); // the greeting is under the threshold
        QVERIFY(client.frames[0].payload.contains("\"subscribed\""));
        const QByteArray payload = debeziumPayload(1);
        publishRaw(server->port(), "orders", payload);
        QVERIFY(client.waitForFrames(2));
        const WireFrame &event = client.frames[1];
        QVERIFY(event.compressed());
        QCOMPARE(event.first & 0x0F, 0x1);
        QVERIFY2(event.payload.size() * 3 < payload.size(),
                 qPrintable(QStringLiteral("%1 bytes on the wire for %2").arg(event.payload.size()).arg(payload.size())));
        QCOMPARE(payloadInFrame(textOf(event)), payload);
    }

    void recipientsShareTheSameCompressedBytesAndPlainOnesGetPlainFrames()
    {
        auto server = startTestServer();
        RawClient first;
        RawClient second;
        RawClient plain;
        QVERIFY(first.open(server->port(), "shared", browserOffer));
        QVERIFY(second.open(server->port(), "shared", "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
        QVERIFY(plain.open(server->port(), "shared", {}));
        QCOMPARE(plain.extensionsAnswer(), QByteArray());
        TestWsClient qt(server->port(), QStringLiteral("shared")); // QWebSocket offers no extension
        QVERIFY(qt.waitForMessages(1));
        for (RawClient *client : {&first, &second, &plain})
            QVERIFY(client->waitForFrames(1));
        const QByteArray payload = debeziumPayload(2);
        publishRaw(server->port(), "shared", payload);
        for (RawClient *client : {&first, &second, &plain})
            QVERIFY(client->waitForFrames(2));
        QVERIFY(qt.waitForMessages(2));
        QVERIFY(first.frames[1].compressed());
        QCOMPARE(first.frames[1].payload, second.frames[1].payload);
        QVERIFY(!plain.frames[1].compressed());
        QCOMPARE(payloadInFrame(plain.frames[1].payload), payload);
        QCOMPARE(payloadInFrame(textOf(first.frames[1])), payload);
        QCOMPARE(payloadInFrame(qt.rawTexts()[1].toUtf8()), payload);
    }

    void aNarrowerServerWindowIsAnotherParameterSet()
    {
        auto server = startTestServer();
        RawClient narrow;
        QVERIFY(narrow.open(server->port(), "narrow",
                            "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9\r\n"));
        QVERIFY(narrow.extensionsAnswer().endsWith("; server_max_window_bits=9"));
        QVERIFY(narrow.waitForFrames(1));
        const QByteArray payload = debeziumPayload(3);
        publishRaw(server->port(), "narrow", payload);
        QVERIFY(narrow.waitForFrames(2));
        QVERIFY(narrow.frames[1].compressed());
        // Readable with a 512-byte window, as agreed.
        const QByteArray out = clientInflate(narrow.frames[1].payload, 9);
        QCOMPARE(payloadInFrame(out), payload);
    }

    void compressionOffAgreesNothing()
    {
        ServerConfig config;
        config.compression = false;
        auto server = startTestServer(config);
        RawClient client;
        QVERIFY(client.open(server->port(), "off", browserOffer));
        QCOMPARE(client.extensionsAnswer(), QByteArray());
        QVERIFY(client.waitForFrames(1));
        publishRaw(server->port(), "off", debeziumPayload(4));
        QVERIFY(client.waitForFrames(2));
        QVERIFY(!client.frames[1].compressed());
        // Nor is RSV1 accepted from the client.
        client.socket->write(maskedClientFrame(0xC1, clientDeflate("{\"type\":\"travel\"}")));
        QTRY_COMPARE(client.closeCode(), quint16(1002));
    }

    void aCompressedRequestIsReadAndTheReplayComesCompressed()
    {
        auto server = startTestServer();
        QList<QByteArray> payloads;
        for (int i = 0; i < 300; ++i) {
            payloads.append(debeziumPayload(100 + i));
            publishRaw(server->port(), "replayed", payloads.last());
        }
        RawClient client;
        QVERIFY(client.open(server->port(), "replayed", browserOffer));
        QVERIFY(client.waitForFrames(1));
        const QByteArray request = "{\"type\":\"travel\",\"limit\":300,\"organization_id\":\"replayed\"}";
        client.socket->write(maskedClientFrame(0xC1, clientDeflate(request)));
        QVERIFY(client.waitForFrames(1 + 300 + 1));
        for (int i = 0; i < 300; ++i) {
            const WireFrame &frame = client.frames[1 + i];
            QVERIFY(frame.compressed());
            QCOMPARE(payloadInFrame(textOf(frame)), payloads[i]);
        }
        QVERIFY(textOf(client.frames[301]).contains("\"travel_complete\""));
    }

    void aCompressedBombClosesOnlyItsSenderWith1009()
    {
        ServerConfig config;
        config.maxIncomingMessageBytes = 64 * 1024;
        auto server = startTestServer(config);
        RawClient attacker;
        QVERIFY(attacker.open(server->port(), "bomb", browserOffer));
        TestWsClient bystander(server->port(), QStringLiteral("bomb"));
        QVERIFY(bystander.waitForMessages(1));
        // 16 MiB of spaces in a JSON string: about 16 KiB on the wire, well under the limit.
        const QByteArray inflated = "{\"type\":\"travel\",\"x\":\"" + QByteArray(16 << 20, ' ') + "\"}";
        const QByteArray bomb = clientDeflate(inflated);
        QVERIFY(bomb.size() < config.maxIncomingMessageBytes);
        attacker.socket->write(maskedClientFrame(0xC1, bomb));
        QTRY_COMPARE(attacker.closeCode(), quint16(1009));
        publishRaw(server->port(), "bomb", debeziumPayload(5));
        QVERIFY(bystander.waitForMessages(2));
    }

    void corruptCompressedDataCloses1007()
    {
        auto server = startTestServer();
        RawClient client;
        QVERIFY(client.open(server->port(), "corrupt", browserOffer));
        client.socket->write(maskedClientFrame(0xC1, "\xff\xfe\xfd\xfc\xfb\xfa"));
        QTRY_COMPARE(client.closeCode(), quint16(1007));
    }
};

QTEST_MAIN(TestCompression)
#include "tst_compression.moc"

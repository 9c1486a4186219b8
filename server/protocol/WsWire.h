#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>
#include <variant>

// RFC 6455 on the wire, server side: frames we send (never masked, so one encoded frame serves
// every recipient) and the reader of what clients send (masked, possibly fragmented). The only
// extension is permessage-deflate (PermessageDeflate.h): RSV1 marks a compressed message where it
// was agreed; every other RSV bit must be clear.
namespace cdc::ws {

enum class Opcode : quint8 { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

namespace CloseCode {
constexpr quint16 normal = 1000;
constexpr quint16 goingAway = 1001;
constexpr quint16 protocolError = 1002;
constexpr quint16 unsupportedData = 1003;
constexpr quint16 noStatus = 1005; // never sent: "the close frame had no code"
constexpr quint16 abnormal = 1006; // never sent: "the connection ended without a close frame"
constexpr quint16 invalidPayload = 1007;
constexpr quint16 policyViolation = 1008;
constexpr quint16 tooBig = 1009;
} // namespace CloseCode

// The size of the header of a server frame carrying `payloadSize` bytes.
int headerSize(qint64 payloadSize);
// Appends an unmasked, final frame's header.
void appendHeader(QByteArray &out, Opcode opcode, qint64 payloadSize);
// One whole unmasked frame.
QByteArray frame(Opcode opcode, QByteArrayView payload);
// A close frame; the reason is cut to the 123 bytes a control frame allows (at a UTF-8 boundary).
QByteArray closeFrame(quint16 code, const QString &reason);
// The payload of a frame this side encoded.
QByteArrayView payloadOf(QByteArrayView frame);

// The value of Sec-WebSocket-Accept for a Sec-WebSocket-Key.
QByteArray acceptKey(QByteArrayView secWebSocketKey);

// What a client sent: one complete message (text already checked to be UTF-8), one control frame,
// or a violation that ends the connection with `closeCode`.
struct Message
{
    Opcode opcode;
    QByteArray payload; // binary and control frames
    QString text;       // text messages, decoded
};
struct Violation
{
    quint16 closeCode;
    QString reason;
};
using ReadResult = std::variant<Message, Violation>;

// Reassembles client frames into messages. Bytes go in with append(); next() hands out one result
// at a time, or nothing while a message is incomplete. After a Violation it yields nothing more.
class FrameReader
{
public:
    explicit FrameReader(qint64 maxMessageBytes)
        : m_maxMessageBytes(maxMessageBytes)
    {}

    // permessage-deflate was agreed: a data message with RSV1 is compressed, and is inflated
    // within the same limit (its inflated size is what counts).
    void allowCompressedMessages() { m_compressionAgreed = true; }

    void append(QByteArrayView bytes);
    std::optional<ReadResult> next();
    // Bytes held for an incomplete frame or message.
    qint64 bufferedBytes() const { return m_buffer.size() - m_consumed + m_message.size(); }

private:
    std::optional<ReadResult> fail(quint16 code, QString reason);

    qint64 m_maxMessageBytes;
    QByteArray m_buffer;
    qsizetype m_consumed = 0;
    // A fragmented data message being assembled (m_messageOpcode is Continuation when none is).
    QByteArray m_message;
    Opcode m_messageOpcode = Opcode::Continuation;
    bool m_messageCompressed = false;
    bool m_compressionAgreed = false;
    bool m_failed = false;
};

} // namespace cdc::ws

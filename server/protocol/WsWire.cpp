#include "WsWire.h"

#include "PermessageDeflate.h"

#include <QCryptographicHash>
#include <QStringDecoder>

namespace cdc::ws {

namespace {

constexpr quint8 finBit = 0x80;
constexpr quint8 rsvBits = 0x70;
constexpr quint8 rsv1Bit = 0x40; // permessage-deflate's "compressed" (RFC 7692 section 6)
constexpr quint8 maskBit = 0x80;
constexpr qint64 maxControlPayload = 125;

bool isControl(Opcode opcode)
{
    return quint8(opcode) & 0x8;
}

bool isKnown(quint8 opcode)
{
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

// Codes a peer may put in a close frame (RFC 6455 section 7.4).
bool isSendableCloseCode(quint16 code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

std::optional<QString> decodeUtf8(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

} // namespace

int headerSize(qint64 payloadSize)
{
    return payloadSize < 126 ? 2 : payloadSize <= 0xFFFF ? 4 : 10;
}

void appendHeader(QByteArray &out, Opcode opcode, qint64 payloadSize)
{
    out.append(char(finBit | quint8(opcode)));
    if (payloadSize < 126) {
        out.append(char(payloadSize));
    } else if (payloadSize <= 0xFFFF) {
        out.append(char(126)).append(char(payloadSize >> 8)).append(char(payloadSize & 0xFF));
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(payloadSize) >> shift) & 0xFF));
    }
}

QByteArray frame(Opcode opcode, QByteArrayView payload)
{
    QByteArray out;
    out.reserve(headerSize(payload.size()) + payload.size());
    appendHeader(out, opcode, payload.size());
    out.append(payload);
    return out;
}

QByteArray closeFrame(quint16 code, const QString &reason)
{
    QByteArray body;
    body.append(char(code >> 8)).append(char(code & 0xFF));
    QByteArray text = reason.toUtf8();
    if (text.size() > maxControlPayload - 2) {
        qsizetype cut = maxControlPayload - 2;
        while (cut > 0 && (quint8(text[cut]) & 0xC0) == 0x80) // not inside a character
            --cut;
        text.truncate(cut);
    }
    body.append(text);
    return frame(Opcode::Close, body);
}

QByteArrayView payloadOf(QByteArrayView frame)
{
    const qint64 declared = quint8(frame[1]) & 0x7F;
    const int header = declared < 126 ? 2 : declared == 126 ? 4 : 10;
    return frame.sliced(header);
}

QByteArray acceptKey(QByteArrayView secWebSocketKey)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(secWebSocketKey.trimmed());
    sha1.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    return sha1.result().toBase64();
}

void FrameReader::append(QByteArrayView bytes)
{
    if (m_failed)
        return;
    if (m_consumed > 0 && m_consumed == m_buffer.size()) {
        m_buffer.clear();
        m_consumed = 0;
    } else if (m_consumed > 64 * 1024 && m_consumed > m_buffer.size() / 2) {
        m_buffer.remove(0, m_consumed);
        m_consumed = 0;
    }
    m_buffer.append(bytes);
}

std::optional<ReadResult> FrameReader::fail(quint16 code, QString reason)
{
    m_failed = true;
    m_buffer.clear();
    m_message.clear();
    m_consumed = 0;
    return Violation{code, std::move(reason)};
}

std::optional<ReadResult> FrameReader::next()
{
    while (!m_failed) {
        const QByteArrayView available = QByteArrayView(m_buffer).sliced(m_consumed);
        if (available.size() < 2)
            return std::nullopt;
        const quint8 first = quint8(available[0]);
        const quint8 second = quint8(available[1]);
        if (!isKnown(first & 0x0F))
            return fail(CloseCode::protocolError, QStringLiteral("unknown opcode %1").arg(first & 0x0F));
        // RSV1 may mark the first frame of a data message once compression was agreed; nothing else.
        const bool opensMessage = (first & 0x0F) == quint8(Opcode::Text) || (first & 0x0F) == quint8(Opcode::Binary);
        const quint8 allowedRsv = m_compressionAgreed && opensMessage ? rsv1Bit : 0;
        if (first & rsvBits & ~allowedRsv)
            return fail(CloseCode::protocolError,
                        m_compressionAgreed ? QStringLiteral("reserved bits set where no extension allows them")
                                            : QStringLiteral("reserved bits set, but no extension was agreed"));
        if (!(second & maskBit))
            return fail(CloseCode::protocolError, QStringLiteral("client frames must be masked"));
        const auto opcode = Opcode(first & 0x0F);
        const bool fin = first & finBit;

        qsizetype header = 2;
        quint64 length = second & 0x7F;
        if (length == 126 || length == 127) {
            const int extra = length == 126 ? 2 : 8;
            if (available.size() < 2 + extra)
                return std::nullopt;
            length = 0;
            for (int i = 0; i < extra; ++i)
                length = (length << 8) | quint8(available[2 + i]);
            header += extra;
        }
        if (isControl(opcode) && (!fin || length > maxControlPayload))
            return fail(CloseCode::protocolError,
                        QStringLiteral("control frames must be final and carry at most 125 bytes"));
        if (!isControl(opcode)) {
            // Checked before the payload is buffered: a declared length is never trusted.
            const quint64 total = quint64(m_message.size()) + length;
            if (length > quint64(m_maxMessageBytes) || total > quint64(m_maxMessageBytes))
                return fail(CloseCode::tooBig,
                            QStringLiteral("messages are limited to %1 bytes").arg(m_maxMessageBytes));
            if (opcode == Opcode::Continuation && m_messageOpcode == Opcode::Continuation)
                return fail(CloseCode::protocolError, QStringLiteral("continuation frame without a message to continue"));
            if (opcode != Opcode::Continuation && m_messageOpcode != Opcode::Continuation)
                return fail(CloseCode::protocolError,
                            QStringLiteral("a new message began before the fragmented one ended"));
        }
        header += 4; // the mask
        if (available.size() < header || quint64(available.size() - header) < length)
            return std::nullopt;

        const char *mask = available.data() + header - 4;
        QByteArray payload(available.data() + header, qsizetype(length));
        for (qsizetype i = 0; i < payload.size(); ++i)
            payload[i] = char(payload[i] ^ mask[i % 4]);
        m_consumed += header + qsizetype(length);

        if (isControl(opcode)) {
            if (opcode == Opcode::Close && !payload.isEmpty()) {
                const quint16 code = quint16((quint8(payload[0]) << 8) | quint8(payload[1 % payload.size()]));
                if (payload.size() < 2 || !isSendableCloseCode(code))
                    return fail(CloseCode::protocolError, QStringLiteral("invalid close code"));
                if (!decodeUtf8(QByteArrayView(payload).sliced(2)))
                    return fail(CloseCode::invalidPayload, QStringLiteral("close reason is not UTF-8"));
            }
            return Message{opcode, std::move(payload), {}};
        }
        if (opcode != Opcode::Continuation) {
            m_messageOpcode = opcode;
            m_messageCompressed = first & rsv1Bit;
        }
        if (!fin) {
            m_message.append(payload);
            continue;
        }
        const Opcode messageOpcode = std::exchange(m_messageOpcode, Opcode::Continuation);
        QByteArray whole = m_message.isEmpty() ? std::move(payload) : std::exchange(m_message, {}).append(payload);
        if (std::exchange(m_messageCompressed, false)) {
            auto inflated = inflateMessage(whole, m_maxMessageBytes);
            if (const auto *failure = std::get_if<InflateFailure>(&inflated)) {
                if (*failure == InflateFailure::TooBig)
                    return fail(CloseCode::tooBig,
                                QStringLiteral("messages are limited to %1 bytes, inflated").arg(m_maxMessageBytes));
                return fail(CloseCode::invalidPayload, QStringLiteral("compressed message is not valid DEFLATE data"));
            }
            whole = std::move(std::get<QByteArray>(inflated));
        }
        if (messageOpcode == Opcode::Binary)
            return Message{messageOpcode, std::move(whole), {}};
        std::optional<QString> text = decodeUtf8(whole);
        if (!text)
            return fail(CloseCode::invalidPayload, QStringLiteral("text message is not valid UTF-8"));
        return Message{messageOpcode, {}, std::move(*text)};
    }
    return std::nullopt;
}

} // namespace cdc::ws

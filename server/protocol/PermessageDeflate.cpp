#include "PermessageDeflate.h"

#include <zlib.h>

#include <array>
#include <memory>

namespace cdc::ws {

namespace {

// Compression level 1: on Debezium-shaped events it keeps nearly all of level 6's ratio at a
// fraction of its time (docs/performance.md, "Compression").
constexpr int compressionLevel = 1;
// The tail every sync-flushed message ends with, left off on the wire (RFC 7692 section 7.2.1).
constexpr char syncTail[] = {'\x00', '\x00', '\xff', '\xff'};

// One extension offer: its name and parameters, as RFC 6455 section 9.1 writes them.
struct Offer
{
    QByteArray name;
    QList<std::pair<QByteArray, std::optional<QByteArray>>> parameters;
};

bool isTokenChar(char c)
{
    if (c <= 0x20 || c >= 0x7F)
        return false;
    return !QByteArrayView("()<>@,;:\\\"/[]?={}").contains(c);
}

// Splits the header values into offers; nothing at all when the grammar is broken somewhere (a
// malformed header is declined whole: guessing what a broken offer meant helps no one).
std::optional<QList<Offer>> parseOffers(const QList<QByteArray> &headerValues)
{
    QList<Offer> offers;
    for (const QByteArray &value : headerValues) {
        qsizetype at = 0;
        const auto skipSpace = [&] {
            while (at < value.size() && (value[at] == ' ' || value[at] == '\t'))
                ++at;
        };
        const auto token = [&]() -> QByteArray {
            const qsizetype start = at;
            while (at < value.size() && isTokenChar(value[at]))
                ++at;
            return value.mid(start, at - start);
        };
        for (;;) {
            skipSpace();
            if (at == value.size())
                break;
            if (value[at] == ',') { // empty list elements are allowed (RFC 9110 section 5.6.1)
                ++at;
                continue;
            }
            Offer offer;
            offer.name = token();
            if (offer.name.isEmpty())
                return std::nullopt;
            skipSpace();
            while (at < value.size() && value[at] == ';') {
                ++at;
                skipSpace();
                QByteArray name = token();
                if (name.isEmpty())
                    return std::nullopt;
                skipSpace();
                std::optional<QByteArray> parameterValue;
                if (at < value.size() && value[at] == '=') {
                    ++at;
                    skipSpace();
                    if (at < value.size() && value[at] == '"') {
                        ++at;
                        QByteArray quoted;
                        while (at < value.size() && value[at] != '"') {
                            if (value[at] == '\\' && at + 1 < value.size())
                                ++at;
                            quoted.append(value[at++]);
                        }
                        if (at == value.size())
                            return std::nullopt; // unterminated
                        ++at;
                        parameterValue = quoted;
                    } else {
                        parameterValue = token();
                    }
                    if (parameterValue->isEmpty())
                        return std::nullopt;
                    skipSpace();
                }
                offer.parameters.append({name.toLower(), parameterValue});
            }
            if (at < value.size() && value[at] != ',')
                return std::nullopt;
            offers.append(std::move(offer));
        }
    }
    return offers;
}

// A window size parameter's value: 8..15, digits only (RFC 7692 section 7.1.2).
std::optional<int> windowBits(const QByteArray &text)
{
    if (text.size() > 2 || text.isEmpty() || text[0] == '0')
        return std::nullopt;
    bool ok = false;
    const int bits = text.toInt(&ok);
    if (!ok || bits < 8 || bits > 15)
        return std::nullopt;
    return bits;
}

std::optional<DeflateAgreement> accept(const Offer &offer)
{
    DeflateAgreement agreement;
    QList<QByteArray> seen;
    for (const auto &[name, value] : offer.parameters) {
        if (seen.contains(name))
            return std::nullopt; // a parameter twice: declined (section 7)
        seen.append(name);
        if (name == "server_no_context_takeover" || name == "client_no_context_takeover") {
            if (value)
                return std::nullopt;
        } else if (name == "server_max_window_bits") {
            const std::optional<int> bits = value ? windowBits(*value) : std::nullopt;
            // zlib makes no raw stream with a 256-byte window (it would use 512): declined.
            if (!bits || *bits == 8)
                return std::nullopt;
            agreement.serverWindowBits = *bits;
        } else if (name == "client_max_window_bits") {
            // Any window the client uses is fine: the inflater has the largest.
            if (value && !windowBits(*value))
                return std::nullopt;
        } else {
            return std::nullopt;
        }
    }
    return agreement;
}

// This thread's compressors, one per window size, made when first used; each message starts
// from a reset one (no context takeover).
z_stream *compressor(int windowBits)
{
    struct Deflater
    {
        z_stream stream{};
        bool ready = false;
        ~Deflater()
        {
            if (ready)
                deflateEnd(&stream);
        }
    };
    thread_local std::array<Deflater, 16> deflaters;
    Deflater &deflater = deflaters[size_t(windowBits)];
    if (!deflater.ready) {
        if (deflateInit2(&deflater.stream, compressionLevel, Z_DEFLATED, -windowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return nullptr;
        deflater.ready = true;
    } else {
        deflateReset(&deflater.stream);
    }
    return &deflater.stream;
}

z_stream *inflater()
{
    struct Inflater
    {
        z_stream stream{};
        bool ready = false;
        ~Inflater()
        {
            if (ready)
                inflateEnd(&stream);
        }
    };
    thread_local Inflater inflater;
    if (!inflater.ready) {
        if (inflateInit2(&inflater.stream, -15) != Z_OK)
            return nullptr;
        inflater.ready = true;
    } else {
        inflateReset(&inflater.stream);
    }
    return &inflater.stream;
}

} // namespace

std::optional<DeflateAgreement> acceptDeflateOffer(const QList<QByteArray> &headerValues)
{
    const std::optional<QList<Offer>> offers = parseOffers(headerValues);
    if (!offers)
        return std::nullopt;
    for (const Offer &offer : *offers) {
        if (offer.name.compare("permessage-deflate", Qt::CaseInsensitive) != 0)
            continue;
        if (std::optional<DeflateAgreement> agreement = accept(offer))
            return agreement;
    }
    return std::nullopt;
}

QByteArray deflateResponse(const DeflateAgreement &agreement)
{
    QByteArray response("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    if (agreement.serverWindowBits != 15)
        response += "; server_max_window_bits=" + QByteArray::number(agreement.serverWindowBits);
    return response;
}

QByteArray compressedFrame(Opcode opcode, QByteArrayView payload, int windowBits)
{
    z_stream *stream = compressor(windowBits);
    if (!stream)
        return {};
    // Worth it only when smaller: stop once the output reaches the payload's own size.
    const qsizetype budget = payload.size();
    QByteArray deflated(budget + 8, Qt::Uninitialized);
    stream->next_in = reinterpret_cast<Bytef *>(const_cast<char *>(payload.data()));
    stream->avail_in = uInt(payload.size());
    stream->next_out = reinterpret_cast<Bytef *>(deflated.data());
    stream->avail_out = uInt(deflated.size());
    const int result = deflate(stream, Z_SYNC_FLUSH);
    if (result != Z_OK || stream->avail_in != 0 || stream->avail_out == 0)
        return {}; // did not fit: incompressible
    qsizetype size = deflated.size() - qsizetype(stream->avail_out);
    if (size < 4 || QByteArrayView(deflated.constData() + size - 4, 4) != QByteArrayView(syncTail, 4))
        return {};
    size -= 4;
    if (size >= budget)
        return {};
    QByteArray frame;
    frame.reserve(headerSize(size) + size);
    appendHeader(frame, opcode, size);
    frame[0] = char(quint8(frame[0]) | 0x40); // RSV1: this message is compressed
    frame.append(deflated.constData(), size);
    return frame;
}

QByteArray compressedFrameOf(QByteArrayView plainFrame, int windowBits, qint64 minBytes)
{
    const auto first = quint8(plainFrame[0]);
    const auto opcode = Opcode(first & 0x0F);
    if ((opcode != Opcode::Text && opcode != Opcode::Binary) || (first & 0x40))
        return {}; // control frames are never compressed (RFC 7692 section 6.1); RSV1: it already is
    const QByteArrayView payload = payloadOf(plainFrame);
    if (payload.size() < minBytes)
        return {};
    return compressedFrame(opcode, payload, windowBits);
}

std::variant<QByteArray, InflateFailure> inflateMessage(QByteArrayView compressed, qint64 maxBytes)
{
    z_stream *stream = inflater();
    if (!stream)
        return InflateFailure::Corrupt;
    QByteArray out;
    char chunk[16 * 1024];
    // The message, then the tail the sender left off.
    const std::array<QByteArrayView, 2> inputs{compressed, QByteArrayView(syncTail, 4)};
    for (const QByteArrayView input : inputs) {
        stream->next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data()));
        stream->avail_in = uInt(input.size());
        do {
            stream->next_out = reinterpret_cast<Bytef *>(chunk);
            stream->avail_out = sizeof chunk;
            const int result = inflate(stream, Z_SYNC_FLUSH);
            const qsizetype produced = qsizetype(sizeof chunk - stream->avail_out);
            if (out.size() + produced > maxBytes)
                return InflateFailure::TooBig;
            out.append(chunk, produced);
            if (result == Z_STREAM_END)
                return out; // a final block: what follows it means nothing
            if (result == Z_BUF_ERROR && produced == 0)
                break; // all input taken, nothing more to make
            if (result != Z_OK)
                return InflateFailure::Corrupt;
        } while (stream->avail_in > 0 || stream->avail_out == 0);
    }
    // With the tail taken, a whole message stands at a block boundary; one cut short does not.
    if (!(stream->data_type & 128))
        return InflateFailure::Corrupt;
    return out;
}

} // namespace cdc::ws

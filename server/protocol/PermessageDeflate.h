#pragma once

#include "WsWire.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <optional>
#include <variant>

// permessage-deflate (RFC 7692) as this server speaks it. Its own messages are always compressed
// without context takeover (server_no_context_takeover): a compressed message depends on nothing
// the connection sent before, so an event is compressed once and the same bytes go to every
// recipient that agreed the same window. It asks the same of clients (client_no_context_takeover,
// which a server may ask unprompted), so one inflater per thread reads every connection's messages
// and an idle connection holds no compression state at all. zlib does the DEFLATE work
// (docs/performance.md has the measurement against libdeflate).
namespace cdc::ws {

// What one connection agreed. A connection without it has no value at all (std::optional).
struct DeflateAgreement
{
    int serverWindowBits = 15; // the LZ77 window of our messages (9..15)
};

// The first offer in the client's Sec-WebSocket-Extensions header values that this server accepts,
// or nothing: offers of other extensions, with unknown or repeated parameters, bad values, or a
// server window of 8 bits (zlib cannot make one) are declined, and the connection goes on
// uncompressed. RFC 6455 section 9.1's grammar, quoted-string values included.
std::optional<DeflateAgreement> acceptDeflateOffer(const QList<QByteArray> &headerValues);
// The Sec-WebSocket-Extensions value answering an accepted offer.
QByteArray deflateResponse(const DeflateAgreement &agreement);

// The whole frame (FIN and RSV1 set) of `payload` compressed with a fresh context and a window of
// `windowBits`, or an empty array when compressing would not make the frame smaller. Uses this
// thread's compressor.
QByteArray compressedFrame(Opcode opcode, QByteArrayView payload, int windowBits);
// The same for a whole uncompressed message frame of ours (`plainFrame`, as ws::frame makes them),
// and only when its payload has at least `minBytes`: empty when it is to go as it is.
QByteArray compressedFrameOf(QByteArrayView plainFrame, int windowBits, qint64 minBytes);

// A client's compressed message inflated, with this thread's inflater (each message starts from
// an empty window: client_no_context_takeover). Stops as soon as the output passes `maxBytes`: a
// message that inflates past the limit is refused by its inflated size, however small it came.
enum class InflateFailure { TooBig, Corrupt };
std::variant<QByteArray, InflateFailure> inflateMessage(QByteArrayView compressed, qint64 maxBytes);

} // namespace cdc::ws

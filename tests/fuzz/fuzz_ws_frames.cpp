// The WebSocket frame reader: every byte a client sends after the upgrade goes through it.
#include "protocol/WsWire.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // The same bytes fed whole and in uneven pieces must never crash, hang or hold more than the
    // message limit plus one frame header.
    constexpr qint64 maxMessage = 4096;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    cdc::ws::FrameReader whole(maxMessage);
    whole.append(bytes);
    while (whole.next()) {
    }
    cdc::ws::FrameReader pieces(maxMessage);
    for (qsizetype at = 0; at < bytes.size(); at += 1 + at % 7) {
        pieces.append(bytes.sliced(at, std::min<qsizetype>(1 + at % 7, bytes.size() - at)));
        while (pieces.next()) {
        }
        if (pieces.bufferedBytes() > 2 * maxMessage + 14)
            __builtin_trap();
    }
    return 0;
}

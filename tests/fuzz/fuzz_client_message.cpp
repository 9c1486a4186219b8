// The WebSocket client-message parser: every text frame a client sends goes through it.
#include "protocol/ClientMessage.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // ws::FrameReader hands over only valid UTF-8, decoded; lenient decoding here also feeds the
    // parser the replacement characters of invalid input, a superset.
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const cdc::ClientMessage message = cdc::parseClientMessage(text);
    if (const auto *travel = std::get_if<cdc::TravelCommand>(&message))
        (void)travel->limit.value_or(0);
    return 0;
}

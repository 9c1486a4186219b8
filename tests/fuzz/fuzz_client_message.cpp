// The WebSocket client-message parser: every text frame a client sends goes through it.
#include "protocol/ClientMessage.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // QWebSocket hands over frames as QString (invalid UTF-8 already replaced); decode the same way.
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const cdc::ClientMessage message = cdc::parseClientMessage(text);
    if (const auto *travel = std::get_if<cdc::TravelCommand>(&message))
        (void)travel->limit.value_or(0);
    return 0;
}

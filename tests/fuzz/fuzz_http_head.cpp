// The HTTP request-head parser on arbitrary bytes: the first thing every connection reaches.
#include "net/HttpRequestHead.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype end = cdc::HttpRequestHead::findEnd(bytes);
    // What the connection does: parse the head once it is complete, whatever it holds.
    auto parsed = cdc::HttpRequestHead::parse(end > 0 ? bytes.first(end) : bytes);
    if (const auto *head = std::get_if<cdc::HttpRequestHead>(&parsed)) {
        (void)head->wantsKeepAlive();
        (void)head->isWebSocketUpgrade();
        (void)head->headerHasToken("connection", "upgrade");
        (void)head->header("content-length");
    }
    return 0;
}

// The HTTP request-head parser on arbitrary bytes: the first thing every connection reaches.
#include "net/HostPolicy.h"
#include "net/HttpRequestHead.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype end = cdc::HttpRequestHead::findEnd(bytes);
    (void)cdc::HttpRequestHead::hasBareLineBreak(bytes);
    // What the connection does: parse the head once it is complete, whatever it holds.
    auto parsed = cdc::HttpRequestHead::parse(end > 0 ? bytes.first(end) : bytes);
    if (const auto *head = std::get_if<cdc::HttpRequestHead>(&parsed)) {
        (void)head->wantsKeepAlive();
        (void)head->isWebSocketUpgrade();
        (void)head->headerHasToken("connection", "upgrade");
        (void)head->header("content-length");
        (void)cdc::HostPolicy::hostName(head->header("host"));
        // What strict parsing promises: no accepted field value can carry a line break or a NUL
        // into anything that copies it (a log line, a response header).
        for (const auto &[name, value] : head->headers)
            if (value.contains('\r') || value.contains('\n') || value.contains('\0'))
                __builtin_trap();
    }
    return 0;
}

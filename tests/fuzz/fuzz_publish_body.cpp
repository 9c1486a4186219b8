// The publish-body parser: POST /events bodies and every NDJSON line of stdin and captures.
#include "protocol/PublishRequest.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    auto parsed = cdc::parsePublishBody(body);
    if (const auto *batch = std::get_if<cdc::PublishBatch>(&parsed)) {
        for (const cdc::NewEvent &event : *batch)
            (void)event.payload.size();
    }
    return 0;
}

// The publish-body parser: POST /events bodies and every NDJSON line of stdin and captures.
// Beyond not crashing: an accepted payload is already compact (compacting it again changes
// nothing), and published again it comes back byte for byte. And the commit time every stored
// payload is read for (docs/latency.md): whatever the payload, a time of the plausible range or none.
#include "protocol/CommitTime.h"
#include "protocol/JsonText.h"
#include "protocol/PublishRequest.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto parsed = cdc::parsePublishBody(body);
    const auto *batch = std::get_if<cdc::PublishBatch>(&parsed);
    if (!batch)
        return 0;
    for (const cdc::NewEvent &event : *batch) {
        const auto again = cdc::compactJsonText(event.payload);
        const auto *compact = std::get_if<QByteArray>(&again);
        const QByteArray republishedBody = "{\"organization_id\":\"x\",\"data\":" + event.payload + '}';
        const auto republished = cdc::parsePublishBody(republishedBody);
        const auto *round = std::get_if<cdc::PublishBatch>(&republished);
        if (!compact || *compact != event.payload || !round || round->size() != 1 ||
            round->front().payload != event.payload) {
            std::fprintf(stderr, "payload not stable: %s\nfrom body: %s\n", event.payload.constData(),
                         body.constData());
            std::abort();
        }
        if (const auto commitMs = cdc::readCommitTimeMs(event.payload);
            commitMs && (*commitMs < 946'684'800'000 || *commitMs >= 7'258'118'400'000)) {
            std::fprintf(stderr, "implausible commit time %lld from: %s\n", static_cast<long long>(*commitMs),
                         event.payload.constData());
            std::abort();
        }
    }
    return 0;
}

// The publish-body parser: POST /events bodies and every NDJSON line of stdin and captures.
// Differential: wherever the one-pass reader answers, Qt's parser must give the same events.
#include "protocol/PublishRequest.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    const std::optional<cdc::PublishBatch> onePass = cdc::readPublishBodyInOnePass(body);
    const auto byQt = cdc::parsePublishBodyWithQt(body);
    if (!onePass)
        return 0;
    const auto *expected = std::get_if<cdc::PublishBatch>(&byQt);
    bool same = expected && expected->size() == onePass->size();
    for (qsizetype i = 0; same && i < onePass->size(); ++i)
        same = onePass->at(i).channel == expected->at(i).channel && onePass->at(i).payload == expected->at(i).payload;
    if (!same) {
        std::fprintf(stderr, "the one-pass reader and Qt disagree on: %s\n", body.constData());
        if (expected)
            for (qsizetype i = 0; i < expected->size() && i < onePass->size(); ++i)
                std::fprintf(stderr, "  one pass: %s\n  Qt:       %s\n", onePass->at(i).payload.constData(),
                             expected->at(i).payload.constData());
        std::abort();
    }
    return 0;
}

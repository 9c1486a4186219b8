// The webhook-body parser: what other CDC tools POST to /channels/{id}/events (one payload, an
// array, NDJSON, an object wrapping an array; the channel from a payload field). The first byte
// picks the query's options, the rest is the body. Beyond not crashing: every accepted payload is
// compact already (compacting it again changes nothing) and every channel is a valid name.
#include "protocol/JsonText.h"
#include "protocol/WebhookBody.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    cdc::WebhookOptions options;
    options.channel = QStringLiteral("fuzz");
    const uint8_t pick = data[0];
    if (pick & 1)
        options.channelField = {QStringLiteral("source"), QStringLiteral("table")};
    if (pick & 2)
        options.itemsField = {QStringLiteral("data")};
    if (pick & 4)
        options.idempotencyField = {QStringLiteral("id")};
    const QByteArray body(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const auto parsed = cdc::parseWebhookBody(body, options);
    const auto *delivery = std::get_if<cdc::WebhookDelivery>(&parsed);
    if (!delivery)
        return 0;
    if (delivery->events.isEmpty()) {
        std::fprintf(stderr, "accepted a delivery of no events from: %s\n", body.constData());
        std::abort();
    }
    for (const cdc::NewEvent &event : delivery->events) {
        const auto again = cdc::compactJsonText(event.payload);
        const auto *compact = std::get_if<QByteArray>(&again);
        if (!compact || *compact != event.payload ||
            cdc::channelNameProblem(event.channel, QStringLiteral("the channel"))) {
            std::fprintf(stderr, "payload or channel not valid: %s in %s\nfrom body: %s\n", event.payload.constData(),
                         qPrintable(event.channel), body.constData());
            std::abort();
        }
    }
    return 0;
}

#pragma once

#include "PublishRequest.h"

#include <QStringList>

namespace cdc {

// How POST /channels/{channel}/events reads a body that another CDC tool sent as it sends it to
// any webhook (docs/webhooks.md).
struct WebhookOptions
{
    QString channel;            // from the path: where every payload goes, unless channelField says
    QStringList channelField;   // ?channel=source.table: each payload's string there names its channel
    QStringList itemsField;     // ?items=data: the body is an object holding the payloads in this array
    QStringList idempotencyField; // ?idempotency_key=…; empty: metadata.idempotency_key when every payload has one
};

// The payloads of one delivery, and the key that makes a retried delivery stored once (the
// payloads' own idempotency keys, one per line; empty when they carry none).
struct WebhookDelivery
{
    PublishBatch events;
    QByteArray idempotencyKey;
};

// Reads a body that is one JSON payload, a JSON array of payloads, NDJSON (a payload a line), or
// an object wrapping an array (options.itemsField). Each payload is kept as written (compact, as
// POST /events keeps `data`). What is wrong is said with its place: the line and column of text
// that is not JSON, the line of NDJSON, the position of a payload without its channel field.
std::variant<WebhookDelivery, PublishError> parseWebhookBody(QByteArrayView body, const WebhookOptions &options);

} // namespace cdc

#pragma once

#include "ProtocolError.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>
#include <variant>

namespace cdc {

// One event a source wants stored: the channel and the payload as compact JSON text — the
// publisher's text with the whitespace between tokens removed and nothing else changed.
struct NewEvent
{
    QString channel;
    QByteArray payload;
};

// Why a publish body was refused: 400 for text that is not JSON (the message gives the line and
// column), 422 for JSON that is not a valid event (or batch of events).
struct PublishError
{
    int httpStatus = 422;
    ProtocolError error;
};

using PublishBatch = QList<NewEvent>;

// Parses athena's publish shape: {"organization_id":C,"data":P}, or a JSON array of those (a batch,
// accepted whole or not at all). The one parser of POST /events and every NDJSON source: all of
// the body is validated (JsonOutline, simdjson), and each P is kept as written.
std::variant<PublishBatch, PublishError> parsePublishBody(QByteArrayView body);

// What is wrong with a channel name once normalized (blank, too long, a control or bidi
// character), said of `what` ("organization_id", "the channel"); nothing when it is fine.
std::optional<QString> channelNameProblem(const QString &channel, const QString &what);

} // namespace cdc

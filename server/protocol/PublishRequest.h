#pragma once

#include "ProtocolError.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <variant>

namespace cdc {

// One event a source wants stored: the channel and the payload as compact JSON text.
struct NewEvent
{
    QString channel;
    QByteArray payload;
};

// Why a publish body was refused: 400 for unparsable JSON, 422 for a well-formed body that is not
// a valid event (or batch of events).
struct PublishError
{
    int httpStatus = 422;
    ProtocolError error;
};

using PublishBatch = QList<NewEvent>;

// Parses athena's publish shape: {"organization_id":C,"data":P}, or a JSON array of those (a batch,
// accepted whole or not at all). Shared by POST /events and every NDJSON source.
std::variant<PublishBatch, PublishError> parsePublishBody(const QByteArray &body);

// Validates one event object; `where` prefixes messages ("event 3: ...") for batches.
std::variant<NewEvent, ProtocolError> parsePublishObject(const QJsonValue &value, const QString &where = {});

// Compact JSON text of any JSON value, scalars included.
QByteArray compactJson(const QJsonValue &value);

} // namespace cdc

#pragma once

#include "ProtocolError.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>
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
// accepted whole or not at all). Shared by POST /events and every NDJSON source. A body of the
// common shape is read in one pass (CompactJsonReader); any other goes to parsePublishBodyWithQt,
// with the same result.
std::variant<PublishBatch, PublishError> parsePublishBody(const QByteArray &body);

// The one-pass reading alone: the batch, or nullopt when the body is not of the common shape
// (every invalid body among them).
std::optional<PublishBatch> readPublishBodyInOnePass(const QByteArray &body);

// The same through Qt's JSON parser: the reference for every body, and the only path that
// refuses one. Tests and the fuzz target compare the two.
std::variant<PublishBatch, PublishError> parsePublishBodyWithQt(const QByteArray &body);

// Validates one event object; `where` prefixes messages ("event 3: ...") for batches.
std::variant<NewEvent, ProtocolError> parsePublishObject(const QJsonValue &value, const QString &where = {});

// Compact JSON text of any JSON value, scalars included.
QByteArray compactJson(const QJsonValue &value);

} // namespace cdc

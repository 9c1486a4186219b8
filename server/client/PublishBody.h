#pragma once

#include "store/Receipts.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <variant>

namespace cdc::client {

// One event for POST /events: its channel and its payload, JSON text the caller has checked.
struct OutgoingPayload
{
    QString channel;
    QByteArray payload;
};

// The body of POST /events for `events`: one event as athena's own {"organization_id","data"}
// object, which every server takes; several as a batch (a JSON array), stored all or nothing. The
// payloads go out as written (compacted by the caller's check), never through a JSON value.
QByteArray publishBody(const QList<OutgoingPayload> &events);

// The receipts of a 2xx answer, in the batch's order; for any other answer, or one that does not
// account for every event, what went wrong in the words of describeHttpError.
std::variant<QList<AppendReceipt>, QString> readPublishAnswer(int status, const QByteArray &body,
                                                              qsizetype eventsSent);

} // namespace cdc::client

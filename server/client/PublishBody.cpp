#include "PublishBody.h"

#include "HttpErrorText.h"
#include "protocol/JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cdc::client {

QByteArray publishBody(const QList<OutgoingPayload> &events)
{
    QByteArray body;
    for (const OutgoingPayload &event : events) {
        if (!body.isEmpty())
            body += ',';
        body += "{\"organization_id\":";
        JsonWriter::appendQuoted(body, event.channel);
        body += ",\"data\":" + event.payload + '}';
    }
    return events.size() == 1 ? body : '[' + body + ']';
}

std::variant<QList<AppendReceipt>, QString> readPublishAnswer(int status, const QByteArray &body, qsizetype eventsSent)
{
    if (status < 200 || status >= 300)
        return describeHttpError(status, body);
    const QJsonObject answer = QJsonDocument::fromJson(body).object();
    // A batch answers {"events":[…]}; a single event (athena's form) its own seq at the top level.
    QJsonArray events = answer.value(QStringLiteral("events")).toArray();
    if (events.isEmpty() && answer.contains(QStringLiteral("seq")))
        events.append(answer);
    if (events.size() != eventsSent)
        return QStringLiteral("the server answered %1 events for a batch of %2: %3")
            .arg(events.size())
            .arg(eventsSent)
            .arg(QString::fromUtf8(body.left(200)));
    QList<AppendReceipt> receipts;
    receipts.reserve(events.size());
    for (const QJsonValue &value : std::as_const(events)) {
        const QJsonObject event = value.toObject();
        receipts.append({event.value(QStringLiteral("organization_id")).toString(),
                         event.value(QStringLiteral("seq")).toInteger(),
                         event.value(QStringLiteral("ts_ms")).toInteger()});
    }
    return receipts;
}

} // namespace cdc::client

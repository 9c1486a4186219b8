#include "EventPoster.h"

#include "ClientTransport.h"
#include "protocol/JsonText.h"
#include "protocol/JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cdc::client {

std::optional<QString> checkPayload(const QByteArray &text)
{
    // One whole JSON value and nothing after it, so a line like `1},{"organization_id":"other",…`
    // cannot smuggle a second event into the batch. The server validates the same way.
    const auto checked = compactJsonText(text);
    if (const auto *error = std::get_if<JsonTextError>(&checked))
        return QStringLiteral("not valid JSON: %1").arg(error->describe());
    return std::nullopt;
}

EventPoster::EventPoster(const ClientOptions &options)
    : m_options(options)
{}

std::variant<QList<PublishedEvent>, QString> EventPoster::post(const QList<OutgoingEvent> &batch)
{
    QByteArray body = "[";
    for (const OutgoingEvent &event : batch) {
        if (body.size() > 1)
            body += ',';
        body += "{\"organization_id\":";
        JsonWriter::appendQuoted(body, event.channel);
        body += ",\"data\":" + event.payload + '}';
    }
    body += ']';
    const HttpResult result =
        httpExchange(m_network, m_options, "POST", m_options.server.httpEndpoint(QStringLiteral("/events")), body);
    if (!result.succeeded())
        return result.describeFailure();
    const QJsonArray assigned = QJsonDocument::fromJson(result.body).object().value(QStringLiteral("events")).toArray();
    if (assigned.size() != batch.size())
        return QStringLiteral("the server answered %1 events for a batch of %2: %3")
            .arg(assigned.size())
            .arg(batch.size())
            .arg(QString::fromUtf8(result.body.left(200)));
    QList<PublishedEvent> published;
    published.reserve(batch.size());
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const QJsonObject event = assigned.at(i).toObject();
        published.append({batch.at(i).line, batch.at(i).channel, event.value(QStringLiteral("seq")).toInteger(),
                          event.value(QStringLiteral("ts_ms")).toInteger()});
    }
    return published;
}

} // namespace cdc::client

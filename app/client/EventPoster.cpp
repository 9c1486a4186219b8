#include "EventPoster.h"

#include "ClientTransport.h"
#include "protocol/PublishRequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cdc::client {

std::optional<QString> checkPayload(const QByteArray &text)
{
    // Parsed inside an object so that any JSON value passes (scalars too), and so that a line
    // like `1},{"organization_id":"other",…` cannot smuggle a second event into the batch.
    static constexpr QByteArrayView prefix = "{\"data\":";
    QJsonParseError error{};
    QJsonDocument::fromJson(prefix.toByteArray() + text + '}', &error);
    if (error.error == QJsonParseError::NoError)
        return std::nullopt;
    const qsizetype column = std::clamp<qsizetype>(error.offset - prefix.size(), 0, text.size()) + 1;
    return QStringLiteral("not valid JSON: %1 at column %2").arg(error.errorString()).arg(column);
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
        body += "{\"organization_id\":" + compactJson(QJsonValue(event.channel)) + ",\"data\":" + event.payload + '}';
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

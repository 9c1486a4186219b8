#include "EventPoster.h"

#include "ClientTransport.h"
#include "client/PublishBody.h"
#include "protocol/JsonText.h"

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
    QList<OutgoingPayload> payloads;
    payloads.reserve(batch.size());
    for (const OutgoingEvent &event : batch)
        payloads.append({event.channel, event.payload});
    const HttpResult result = httpExchange(m_network, m_options, "POST",
                                           m_options.server.httpEndpoint(QStringLiteral("/events")), publishBody(payloads));
    if (!result.transportError.isEmpty())
        return result.transportError;
    const auto answer = readPublishAnswer(result.status, result.body, batch.size());
    if (const auto *refusal = std::get_if<QString>(&answer))
        return *refusal;
    const QList<AppendReceipt> &receipts = std::get<QList<AppendReceipt>>(answer);
    QList<PublishedEvent> published;
    published.reserve(batch.size());
    for (qsizetype i = 0; i < batch.size(); ++i)
        published.append({batch.at(i).line, batch.at(i).channel, receipts.at(i).seq, receipts.at(i).tsMs});
    return published;
}

} // namespace cdc::client

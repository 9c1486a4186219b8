#include "TravelCommand.h"

namespace cdc::client {

TravelCommand::TravelCommand(const ClientOptions &options, QObject *parent)
    : SocketCommand(options, parent)
{}

void TravelCommand::onOpened()
{
    m_socket.send({{QStringLiteral("type"), QStringLiteral("unsubscribe")},
                   {QStringLiteral("organization_id"), m_options.clientName}});
}

void TravelCommand::onFrame(const QByteArray &frame, const QJsonObject &object)
{
    const QString status = object.value(QStringLiteral("status")).toString();
    if (status == u"error") {
        finish(ClientExit::failure, describeErrorFrame(object));
        return;
    }
    if (!m_travelSent) {
        if (status != u"unsubscribed")
            return; // the greeting, or a live event from before the unsubscribe took effect
        QJsonObject travel{{QStringLiteral("type"), QStringLiteral("travel")},
                           {QStringLiteral("organization_id"), m_options.channels.value(0, m_options.clientName)}};
        if (m_options.sinceSeq)
            travel.insert(QStringLiteral("since_seq"), *m_options.sinceSeq);
        if (m_options.sinceTsMs)
            travel.insert(QStringLiteral("since_ts_ms"), *m_options.sinceTsMs);
        if (m_options.limit)
            travel.insert(QStringLiteral("limit"), *m_options.limit);
        m_socket.send(travel);
        m_travelSent = true;
        return;
    }
    if (const auto event = readEventFrame(frame, object)) {
        if (!m_options.filter || m_options.filter->matches(event->payload(), {event->channel, event->seq, event->tsMs}))
            m_printer.printEvent(*event);
    } else if (status == u"travel_complete") {
        m_printer.printTravelAck(frame, object);
        finish(object.value(QStringLiteral("gap")).toBool() ? ClientExit::gap : ClientExit::ok);
    }
}

} // namespace cdc::client

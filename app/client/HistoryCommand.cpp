#include "HistoryCommand.h"

#include "client/ControlFrames.h"
#include "client/TravelPaging.h"

#include "protocol/JsonWriter.h"

#include <QDateTime>
#include <QTimer>

#include <cstdio>

namespace cdc::client {

namespace {

using travel_paging::pageLimit;

QString utc(qint64 tsMs)
{
    return QDateTime::fromMSecsSinceEpoch(tsMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

HistoryCommand::HistoryCommand(const ClientOptions &options, QObject *parent)
    : SocketCommand(options, parent)
    , m_channel(options.channels.value(0))
    , m_timeline({options.table, options.rowKey})
{}

void HistoryCommand::onOpened()
{
    // Only replayed events: the connection's live subscription would mix in frames of its own.
    m_socket.send(subscriptionRequest(m_options.clientName, false));
}

void HistoryCommand::requestPage()
{
    m_pageEvents = 0;
    m_socket.send({{QStringLiteral("type"), QStringLiteral("travel")},
                   {QStringLiteral("organization_id"), m_channel},
                   {QStringLiteral("since_seq"), m_afterSeq},
                   {QStringLiteral("limit"), pageLimit}});
}

void HistoryCommand::onFrame(const QByteArray &frame, const QJsonObject &object)
{
    if (const auto event = readEventFrame(frame, object)) {
        if (event->channel != m_channel)
            return;
        m_timeline.offer(event->channel, event->seq, event->tsMs, event->payload(), QStringLiteral("travel"));
        m_afterSeq = std::max(m_afterSeq, event->seq);
        ++m_pageEvents;
        ++m_eventsRead;
        return;
    }
    const QString status = object.value(QStringLiteral("status")).toString();
    if (status == u"error") {
        if (travel_paging::isRateLimited(object) && m_travelling) {
            QTimer::singleShot(travel_paging::rateLimitRetryMs, this, &HistoryCommand::requestPage);
            return;
        }
        finish(ClientExit::failure, describeErrorFrame(object));
    } else if (status == u"unsubscribed" && !m_travelling) {
        m_travelling = true;
        requestPage();
    } else if (status == u"travel_complete" && m_travelling) {
        pageCompleted(object);
    }
}

void HistoryCommand::pageCompleted(const QJsonObject &ack)
{
    if (!m_oldestSeq) {
        const QJsonObject range = ack.value(QStringLiteral("channels")).toObject().value(m_channel).toObject();
        m_oldestSeq = range.value(QStringLiteral("oldest_seq")).toInteger();
        if (ack.value(QStringLiteral("gap")).toBool())
            std::fprintf(stderr,
                         "cdcscope history: %s keeps its events from seq %lld on; earlier changes of the "
                         "row are no longer on the server\n",
                         qPrintable(m_channel), static_cast<long long>(*m_oldestSeq));
    }
    // The server may cap a page below the limit asked (--travel-limit-max): its ack says truncated.
    if (travel_paging::nextPageAfter(ack, m_pageEvents, pageLimit, m_afterSeq))
        return requestPage();
    print();
    if (m_timeline.versions().isEmpty())
        return finish(ClientExit::notFound, QStringLiteral("no change of %1 %2 among the %3 events %4 retains")
                                                .arg(m_options.table, m_options.rowKey)
                                                .arg(m_eventsRead)
                                                .arg(m_channel));
    finish(ClientExit::ok);
}

void HistoryCommand::print()
{
    for (const RowVersion &version : m_timeline.versions()) {
        QByteArray line;
        if (m_options.format == OutputFormat::Ndjson) {
            const QByteArray row = version.rowAfterJson();
            JsonWriter writer;
            writer.beginObject()
                .field("organization_id", QStringView(version.channel))
                .field("seq", version.seq)
                .field("ts_ms", version.tsMs)
                .field("op", QStringView(version.change.operation));
            writer.key("changed").beginArray();
            for (const QString &column : version.changedColumns)
                writer.value(QStringView(column));
            writer.endArray();
            writer.key("row").rawValue(row.isEmpty() ? QByteArrayLiteral("null") : row);
            writer.endObject();
            line = writer.take();
        } else {
            const QByteArray after = version.rowAfterJson();
            line = '#' + QByteArray::number(version.seq) + "  " + utc(version.tsMs).toUtf8() + "  " +
                   version.describe().toUtf8() + "\n      " +
                   (after.isEmpty() ? QByteArray("(row deleted)") : "→ " + after);
        }
        std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
        std::fputc('\n', stdout);
    }
    std::fflush(stdout);
}

} // namespace cdc::client

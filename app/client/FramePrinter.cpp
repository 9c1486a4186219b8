#include "FramePrinter.h"

#include "protocol/JsonText.h"

#include <QDateTime>
#include <QJsonDocument>

namespace cdc::client {

namespace {

QByteArray utcTime(qint64 tsMs)
{
    return QDateTime::fromMSecsSinceEpoch(tsMs, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
}

QByteArray optionalNumber(const QJsonValue &value)
{
    return value.isDouble() ? QByteArray::number(value.toInteger()) : QByteArrayLiteral("-");
}

} // namespace

std::optional<ReceivedEvent> readEventFrame(const QByteArray &frame, const QJsonObject &object)
{
    const QJsonValue data = object.value(QStringLiteral("data"));
    const QJsonValue channel = object.value(QStringLiteral("organization_id"));
    if (!data.isObject() || !channel.isString() || object.contains(QStringLiteral("status")))
        return std::nullopt;
    const QJsonObject fields = data.toObject();
    return ReceivedEvent{channel.toString(), fields.value(QStringLiteral("seq")).toInteger(),
                         fields.value(QStringLiteral("ts_ms")).toInteger(), frame, object};
}

QByteArray ReceivedEvent::payload() const
{
    auto read = JsonOutline::read(frame, 2);
    if (const auto *outline = std::get_if<JsonOutline>(&read)) {
        const qsizetype data = outline->member(0, "data");
        const qsizetype at = data >= 0 ? outline->member(data, "payload") : -1;
        if (at >= 0)
            return outline->node(at).text.toByteArray();
    }
    return {};
}

void FramePrinter::printEvent(const ReceivedEvent &event)
{
    if (m_format == OutputFormat::Ndjson) {
        writeLine(event.frame);
        return;
    }
    writeLine(utcTime(event.tsMs) + "  " + event.channel.toUtf8() + " #" + QByteArray::number(event.seq) + "  " +
              event.payload());
}

void FramePrinter::printTravelAck(const QByteArray &frame, const QJsonObject &ack)
{
    if (m_format == OutputFormat::Ndjson) {
        writeLine(frame);
        return;
    }
    QByteArray line = "-- travel complete: " + optionalNumber(ack.value(QStringLiteral("count"))) + " events";
    if (ack.value(QStringLiteral("truncated")).toBool())
        line +=
            " (truncated: more matched than the limit of " + optionalNumber(ack.value(QStringLiteral("limit"))) + ")";
    const QJsonObject channels = ack.value(QStringLiteral("channels")).toObject();
    for (auto it = channels.begin(); it != channels.end(); ++it) {
        const QJsonObject range = it.value().toObject();
        line += "; " + it.key().toUtf8() + " retains seq " + optionalNumber(range.value(QStringLiteral("oldest_seq"))) +
                ".." + optionalNumber(range.value(QStringLiteral("newest_seq")));
        if (range.value(QStringLiteral("gap")).toBool())
            line += " GAP: events asked for were already dropped";
    }
    writeLine(line);
}

void FramePrinter::printPublished(qint64 lineNumber, const QString &channel, qint64 seq, qint64 tsMs)
{
    if (m_format == OutputFormat::Ndjson) {
        const QJsonObject result{{QStringLiteral("line"), lineNumber},
                                 {QStringLiteral("organization_id"), channel},
                                 {QStringLiteral("seq"), seq},
                                 {QStringLiteral("ts_ms"), tsMs}};
        writeLine(QJsonDocument(result).toJson(QJsonDocument::Compact));
        return;
    }
    writeLine("line " + QByteArray::number(lineNumber) + " -> " + channel.toUtf8() + " #" + QByteArray::number(seq) +
              "  " + utcTime(tsMs));
}

void FramePrinter::writeLine(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), m_out);
    std::fputc('\n', m_out);
    std::fflush(m_out);
}

} // namespace cdc::client

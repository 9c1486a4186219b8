#include "Receipts.h"

#include "protocol/JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cdc {

CompactReceipts::CompactReceipts(const QList<AppendReceipt> &receipts, bool batch)
    : m_batch(batch)
{
    for (const AppendReceipt &receipt : receipts) {
        if (!m_runs.empty()) {
            Run &last = m_runs.back();
            if (last.channel == receipt.channel && last.tsMs == receipt.tsMs &&
                last.firstSeq + last.count == receipt.seq) {
                ++last.count;
                continue;
            }
        }
        m_runs.push_back({receipt.channel, receipt.seq, 1, receipt.tsMs});
    }
}

QList<AppendReceipt> CompactReceipts::expand() const
{
    QList<AppendReceipt> receipts;
    for (const Run &run : m_runs)
        for (qint64 i = 0; i < run.count; ++i)
            receipts.append({run.channel, run.firstSeq + i, run.tsMs});
    return receipts;
}

qint64 CompactReceipts::bytes() const
{
    qint64 total = qint64(sizeof(CompactReceipts));
    for (const Run &run : m_runs)
        total += qint64(sizeof(Run)) + run.channel.size() * qint64(sizeof(QChar));
    return total;
}

QByteArray CompactReceipts::encode() const
{
    JsonWriter writer;
    writer.beginObject().field("batch", m_batch).key("runs").beginArray();
    for (const Run &run : m_runs)
        writer.beginArray()
            .value(QStringView(run.channel))
            .value(run.firstSeq)
            .value(run.count)
            .value(run.tsMs)
            .endArray();
    writer.endArray().endObject();
    return writer.take();
}

std::optional<CompactReceipts> CompactReceipts::decode(const QByteArray &stored)
{
    const QJsonObject object = QJsonDocument::fromJson(stored).object();
    if (object.contains(QStringLiteral("runs"))) {
        CompactReceipts compact;
        compact.m_batch = object.value(QStringLiteral("batch")).toBool();
        for (const QJsonValue &value : object.value(QStringLiteral("runs")).toArray()) {
            const QJsonArray run = value.toArray();
            if (run.size() != 4 || !run[0].isString() || run[2].toInteger() < 1)
                return std::nullopt;
            compact.m_runs.push_back(
                {run[0].toString(), run[1].toInteger(), run[2].toInteger(), run[3].toInteger()});
        }
        return compact;
    }
    // An answer as it was sent: {"status":"ok","organization_id":…,"seq":…,"ts_ms":…}, or with
    // "count" and "events" for a batch.
    if (object.value(QStringLiteral("status")).toString() != u"ok")
        return std::nullopt;
    const auto receiptOf = [](const QJsonObject &event) {
        return AppendReceipt{event.value(QStringLiteral("organization_id")).toString(),
                             event.value(QStringLiteral("seq")).toInteger(),
                             event.value(QStringLiteral("ts_ms")).toInteger()};
    };
    QList<AppendReceipt> receipts;
    const bool batch = object.contains(QStringLiteral("events"));
    if (batch) {
        for (const QJsonValue &event : object.value(QStringLiteral("events")).toArray())
            receipts.append(receiptOf(event.toObject()));
    } else {
        receipts.append(receiptOf(object));
    }
    return CompactReceipts(receipts, batch);
}

} // namespace cdc

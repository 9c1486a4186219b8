#include "SourceStatus.h"

#include "protocol/JsonWriter.h"

namespace cdc {

QString sourceStateName(SourceStatus::State state)
{
    switch (state) {
    case SourceStatus::State::Connecting:
        return QStringLiteral("connecting");
    case SourceStatus::State::Streaming:
        return QStringLiteral("streaming");
    case SourceStatus::State::Reconnecting:
        return QStringLiteral("reconnecting");
    case SourceStatus::State::Standby:
        return QStringLiteral("standby");
    case SourceStatus::State::Failed:
        return QStringLiteral("failed");
    case SourceStatus::State::Stopped:
        return QStringLiteral("stopped");
    }
    return {};
}

void writeBackfill(JsonWriter &writer, const BackfillStatus &backfill)
{
    const auto orNull = [&writer](std::string_view key, qint64 value, bool known) {
        if (known)
            writer.field(key, value);
        else
            writer.key(key).rawValue("null");
    };
    writer.beginObject()
        .field("table", QStringView(backfill.table))
        .field("state", QStringView(backfill.state))
        .field("rows_read", backfill.rowsRead)
        .field("rows_skipped", backfill.rowsSkipped);
    orNull("rows_estimate", backfill.estimate, backfill.estimate >= 0);
    writer.field("chunks", backfill.chunks)
        .key("rows_per_s")
        .rawValue(QByteArray::number(backfill.rowsPerSecond, 'f', 1));
    orNull("eta_s", backfill.etaSeconds, backfill.etaSeconds >= 0);
    orNull("started_at_ms", backfill.startedAtMs, backfill.startedAtMs > 0);
    orNull("finished_at_ms", backfill.finishedAtMs, backfill.finishedAtMs > 0);
    if (backfill.lastKey.isEmpty())
        writer.key("last_key").rawValue("null");
    else
        writer.field("last_key", QStringView(backfill.lastKey));
    if (backfill.error.isEmpty())
        writer.key("error").rawValue("null");
    else
        writer.field("error", QStringView(backfill.error));
    writer.endObject();
}

} // namespace cdc

#include "Backfill.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cdc::pg {

namespace {

constexpr BackfillPosition::State allStates[] = {BackfillPosition::State::Running, BackfillPosition::State::Paused,
                                                 BackfillPosition::State::Done, BackfillPosition::State::Cancelled,
                                                 BackfillPosition::State::Failed};

} // namespace

QString backfillStateName(BackfillPosition::State state)
{
    switch (state) {
    case BackfillPosition::State::Running: return QStringLiteral("running");
    case BackfillPosition::State::Paused: return QStringLiteral("paused");
    case BackfillPosition::State::Done: return QStringLiteral("done");
    case BackfillPosition::State::Cancelled: return QStringLiteral("cancelled");
    case BackfillPosition::State::Failed: return QStringLiteral("failed");
    }
    return {};
}

QString backfillSourceKey(const QString &sourceKey, const QString &table)
{
    return QStringLiteral("backfill:%1/%2").arg(sourceKey, table);
}

QByteArray BackfillPosition::toJson() const
{
    QJsonArray key;
    for (const QByteArray &value : lastKey)
        key.append(QString::fromUtf8(value));
    const QJsonObject object{
        {QStringLiteral("table"), table},
        {QStringLiteral("id"), id},
        {QStringLiteral("state"), backfillStateName(state)},
        {QStringLiteral("error"), error},
        {QStringLiteral("last_key"), key},
        {QStringLiteral("rows_read"), rowsRead},
        {QStringLiteral("rows_skipped"), rowsSkipped},
        {QStringLiteral("chunks"), chunks},
        {QStringLiteral("estimate"), estimate},
        {QStringLiteral("chunk_size"), chunkSize},
        {QStringLiteral("started_at_ms"), startedAtMs},
        {QStringLiteral("finished_at_ms"), finishedAtMs},
    };
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

std::optional<BackfillPosition> BackfillPosition::fromJson(const QByteArray &json)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    if (object.isEmpty() || !object.value(QStringLiteral("table")).isString())
        return std::nullopt;
    BackfillPosition position;
    position.table = object.value(QStringLiteral("table")).toString();
    position.id = object.value(QStringLiteral("id")).toString();
    const QString state = object.value(QStringLiteral("state")).toString();
    const auto *found = std::find_if(std::begin(allStates), std::end(allStates),
                                     [&state](BackfillPosition::State candidate) { return backfillStateName(candidate) == state; });
    if (found == std::end(allStates))
        return std::nullopt;
    position.state = *found;
    position.error = object.value(QStringLiteral("error")).toString();
    for (const QJsonValue &value : object.value(QStringLiteral("last_key")).toArray())
        position.lastKey.append(value.toString().toUtf8());
    const auto number = [&object](const char *name) {
        return qint64(object.value(QLatin1String(name)).toDouble());
    };
    position.rowsRead = number("rows_read");
    position.rowsSkipped = number("rows_skipped");
    position.chunks = number("chunks");
    position.estimate = number("estimate");
    position.chunkSize = number("chunk_size");
    position.startedAtMs = number("started_at_ms");
    position.finishedAtMs = number("finished_at_ms");
    return position;
}

} // namespace cdc::pg

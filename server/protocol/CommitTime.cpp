#include "CommitTime.h"

#include "JsonText.h"

#include <QDateTime>

namespace cdc {

namespace {

// 2000-01-01 and 2200-01-01 in ms: anything outside is not a ms timestamp (seconds or
// microseconds since the epoch, a counter).
constexpr qint64 earliestMs = 946'684'800'000;
constexpr qint64 latestMs = 7'258'118'400'000;

std::optional<qint64> plausible(qint64 ms)
{
    if (ms < earliestMs || ms >= latestMs)
        return std::nullopt;
    return ms;
}

std::optional<qint64> numberAt(const JsonOutline &outline, qsizetype index)
{
    if (index < 0 || outline.node(index).kind != JsonKind::Number)
        return std::nullopt;
    const QByteArrayView text = outline.node(index).text;
    bool ok = false;
    const qint64 whole = text.toLongLong(&ok);
    if (ok)
        return plausible(whole);
    const double fractional = text.toDouble(&ok); // 1764500000123.5, 1.7645e12
    if (!ok)
        return std::nullopt;
    return plausible(qint64(fractional));
}

std::optional<qint64> isoTimeAt(const JsonOutline &outline, qsizetype index)
{
    if (index < 0 || outline.node(index).kind != JsonKind::String)
        return std::nullopt;
    // Supabase writes "2024-05-22T14:03:24.123456+00:00" or "…Z"; Qt reads at most milliseconds.
    QString text = QString::fromStdString(outline.node(index).string);
    static const QRegularExpression subMilliseconds(QStringLiteral("(\\.\\d{3})\\d+"));
    text.replace(subMilliseconds, QStringLiteral("\\1"));
    const QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!at.isValid())
        return std::nullopt;
    return plausible(at.toMSecsSinceEpoch());
}

qsizetype objectMember(const JsonOutline &outline, qsizetype object, std::string_view key)
{
    if (object < 0 || outline.node(object).kind != JsonKind::Object)
        return -1;
    return outline.member(object, key);
}

} // namespace

std::optional<qint64> readCommitTimeMs(QByteArrayView payload)
{
    if (!payload.contains("ts_ms\"") && !payload.contains("commit_timestamp\""))
        return std::nullopt;
    // Three levels: payload.source.ts_ms is the deepest name read.
    auto read = JsonOutline::read(payload, 3);
    const auto *outline = std::get_if<JsonOutline>(&read);
    if (!outline || outline->root().kind != JsonKind::Object)
        return std::nullopt;
    if (auto ms = numberAt(*outline, outline->member(0, "commit_ts_ms")))
        return ms;
    // Debezium's envelope is the payload, or its "payload" member (with the JSON converter's schemas).
    const qsizetype wrapped = objectMember(*outline, 0, "payload");
    for (const qsizetype envelope : {qsizetype(0), wrapped}) {
        if (auto ms = numberAt(*outline, objectMember(*outline, objectMember(*outline, envelope, "source"), "ts_ms")))
            return ms;
    }
    for (const qsizetype envelope : {qsizetype(0), wrapped}) {
        if (auto ms = numberAt(*outline, objectMember(*outline, envelope, "ts_ms")))
            return ms;
    }
    return isoTimeAt(*outline, outline->member(0, "commit_timestamp"));
}

} // namespace cdc

#include "CommitTime.h"

#include "JsonText.h"

#include <QDateTime>
#include <QRegularExpression>

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

std::optional<qint64> numberAt(QByteArrayView payload, std::initializer_list<std::string_view> path)
{
    const auto found = findJsonMember(payload, path);
    if (!found || found->kind != JsonKind::Number)
        return std::nullopt;
    bool ok = false;
    const qint64 whole = found->text.toLongLong(&ok);
    if (ok)
        return plausible(whole);
    const double fractional = found->text.toDouble(&ok); // 1764500000123.5, 1.7645e12
    // Compared as a double first: 1e52 has no qint64 to become (the fuzzer's find).
    if (!ok || !(fractional >= double(earliestMs) && fractional < double(latestMs)))
        return std::nullopt;
    return qint64(fractional);
}

std::optional<qint64> isoTimeAt(QByteArrayView payload, std::initializer_list<std::string_view> path)
{
    const auto found = findJsonMember(payload, path);
    if (!found || found->kind != JsonKind::String)
        return std::nullopt;
    // Supabase and Sequin write "2024-05-22T14:03:24.123456+00:00" or "…Z"; Qt reads at most milliseconds.
    QString text = QString::fromStdString(found->string);
    static const QRegularExpression subMilliseconds(QStringLiteral("(\\.\\d{3})\\d+"));
    text.replace(subMilliseconds, QStringLiteral("\\1"));
    const QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!at.isValid())
        return std::nullopt;
    return plausible(at.toMSecsSinceEpoch());
}

} // namespace

std::optional<qint64> readCommitTimeMs(QByteArrayView payload)
{
    const std::string_view text(payload.data(), std::size_t(payload.size()));
    if (text.find("ts_ms\"") == std::string_view::npos && text.find("commit_timestamp\"") == std::string_view::npos)
        return std::nullopt;
    // Each lookup reads the payload only as far as the member (a PostgreSQL source's event: the first).
    if (auto ms = numberAt(payload, {"commit_ts_ms"}))
        return ms;
    // Debezium's envelope is the payload, or its "payload" member (with the JSON converter's schemas).
    if (auto ms = numberAt(payload, {"source", "ts_ms"}))
        return ms;
    if (auto ms = numberAt(payload, {"payload", "source", "ts_ms"}))
        return ms;
    if (auto ms = numberAt(payload, {"ts_ms"}))
        return ms;
    if (auto ms = numberAt(payload, {"payload", "ts_ms"}))
        return ms;
    if (auto ms = isoTimeAt(payload, {"commit_timestamp"}))
        return ms;
    return isoTimeAt(payload, {"metadata", "commit_timestamp"}); // Sequin's webhook sinks
}

} // namespace cdc

#pragma once

#include <QDateTime>
#include <QString>

namespace cdc {

// Whether the window shows times in local time or UTC (View > Times in UTC, one click, kept in
// the settings). Every time the window prints goes through here, so they all switch together.
namespace TimeDisplay {

bool isUtc();
void setUtc(bool utc);
// `ms` since the epoch in the chosen zone, with `format` (QDateTime's), e.g. "HH:mm:ss.zzz".
QString format(qint64 ms, const QString &format);
QString format(const QDateTime &time, const QString &format);
// "UTC" or "local", for headers.
QString zoneName();

} // namespace TimeDisplay

} // namespace cdc

#include "TimeDisplay.h"

#include <QCoreApplication>
#include <QSettings>

namespace cdc::TimeDisplay {

namespace {

const QString settingKey = QStringLiteral("view/utc");

// Read once from the settings; every window of the process shares it.
bool &utcFlag()
{
    static bool utc = QSettings().value(settingKey, false).toBool();
    return utc;
}

} // namespace

bool isUtc()
{
    return utcFlag();
}

void setUtc(bool utc)
{
    utcFlag() = utc;
    QSettings().setValue(settingKey, utc);
}

QString format(qint64 ms, const QString &pattern)
{
    return format(QDateTime::fromMSecsSinceEpoch(ms), pattern);
}

QString format(const QDateTime &time, const QString &pattern)
{
    return (isUtc() ? time.toUTC() : time.toLocalTime()).toString(pattern);
}

QString zoneName()
{
    return isUtc() ? QStringLiteral("UTC") : QCoreApplication::translate("TimeDisplay", "local");
}

} // namespace cdc::TimeDisplay

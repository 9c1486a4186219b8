#include "MaskSettings.h"

#include <QSettings>

namespace cdc::MaskSettings {

namespace {

const QString settingKey = QStringLiteral("view/mask_fields");

PayloadMask &mask()
{
    static PayloadMask current(QSettings().value(settingKey).toStringList());
    return current;
}

} // namespace

const PayloadMask &current()
{
    return mask();
}

void setPatterns(const QStringList &patterns)
{
    mask() = PayloadMask(patterns);
    QSettings().setValue(settingKey, mask().patterns());
}

} // namespace cdc::MaskSettings

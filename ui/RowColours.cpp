#include "RowColours.h"

#include "Theme.h"

#include <QSettings>

namespace cdc {

namespace {

QString key(const QString &operation, bool dark)
{
    return QStringLiteral("colours/%1/%2").arg(operation, dark ? QStringLiteral("dark") : QStringLiteral("light"));
}

} // namespace

RowColours &RowColours::instance()
{
    static RowColours *colours = new RowColours; // lives as long as the application
    return *colours;
}

RowColours::RowColours()
{
    QSettings settings;
    m_enabled = settings.value(QStringLiteral("colours/enabled"), true).toBool();
    for (const QString &operation : operations())
        for (const bool dark : {false, true})
            if (const QColor saved(settings.value(key(operation, dark)).toString()); saved.isValid())
                m_saved.insert(key(operation, dark), saved);
    connect(&Theme::instance(), &Theme::changed, this, &RowColours::changed);
}

const QStringList &RowColours::operations()
{
    static const QStringList all{QStringLiteral("insert"),   QStringLiteral("update"),
                                 QStringLiteral("delete"),   QStringLiteral("read"),
                                 QStringLiteral("truncate"), QStringLiteral("schema")};
    return all;
}

QColor RowColours::defaultColour(const QString &operation, bool dark)
{
    // Tints that keep the text readable (contrast over 7:1 with the theme's text) and tell the
    // operations apart for the colour-blind too: green/red differ in lightness as well as hue.
    static const QHash<QString, std::pair<QColor, QColor>> defaults{
        {QStringLiteral("insert"), {QColor(0xe3, 0xf6, 0xe3), QColor(0x1f, 0x3a, 0x25)}},
        {QStringLiteral("update"), {QColor(0xe4, 0xee, 0xfb), QColor(0x1f, 0x30, 0x4a)}},
        {QStringLiteral("delete"), {QColor(0xfb, 0xd9, 0xd9), QColor(0x4d, 0x22, 0x26)}},
        {QStringLiteral("read"), {QColor(0xee, 0xee, 0xee), QColor(0x33, 0x35, 0x3a)}},
        {QStringLiteral("truncate"), {QColor(0xf0, 0xdf, 0xf8), QColor(0x3e, 0x27, 0x4d)}},
        {QStringLiteral("schema"), {QColor(0xff, 0xf1, 0xbf), QColor(0x4a, 0x40, 0x1a)}},
    };
    const auto found = defaults.constFind(operation);
    if (found == defaults.cend())
        return {};
    return dark ? found->second : found->first;
}

void RowColours::setEnabled(bool enabled)
{
    if (enabled == m_enabled)
        return;
    m_enabled = enabled;
    QSettings().setValue(QStringLiteral("colours/enabled"), enabled);
    Q_EMIT changed();
}

QColor RowColours::background(const QString &operation) const
{
    if (!m_enabled || operation.isEmpty())
        return {};
    return colour(operation, Theme::instance().isDark());
}

QColor RowColours::colour(const QString &operation, bool dark) const
{
    return m_saved.value(key(operation, dark), defaultColour(operation, dark));
}

void RowColours::setColour(const QString &operation, bool dark, const QColor &colour)
{
    QSettings().setValue(key(operation, dark), colour.name());
    m_saved.insert(key(operation, dark), colour);
    Q_EMIT changed();
}

void RowColours::resetToDefaults()
{
    QSettings settings;
    for (const QString &operation : operations())
        for (const bool dark : {false, true})
            settings.remove(key(operation, dark));
    m_saved.clear();
    Q_EMIT changed();
}

} // namespace cdc

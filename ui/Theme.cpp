#include "Theme.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

namespace cdc {

namespace {

const QString settingKey = QStringLiteral("view/theme");
const QString portalService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString portalPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString portalInterface = QStringLiteral("org.freedesktop.portal.Settings");
const QString appearance = QStringLiteral("org.freedesktop.appearance");
const QString colorScheme = QStringLiteral("color-scheme");

// The portal's color-scheme: 1 prefers dark, 2 prefers light, 0 says nothing.
std::optional<bool> darkFromPortalValue(QVariant value)
{
    // Read wraps the value in a variant of its own.
    while (value.canConvert<QDBusVariant>())
        value = value.value<QDBusVariant>().variant();
    bool ok = false;
    const uint scheme = value.toUInt(&ok);
    if (!ok || scheme == 0)
        return std::nullopt;
    return scheme == 1;
}

QPalette darkPalette()
{
    QPalette palette;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    const QColor highlight(0x3d, 0x7a, 0xd6), disabledText(0x80, 0x80, 0x80);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, base);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, disabledText);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, Qt::red);
    palette.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xf0));
    palette.setColor(QPalette::Highlight, highlight);
    palette.setColor(QPalette::HighlightedText, Qt::white);
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabledText);
    return palette;
}

} // namespace

QString themeChoiceName(Theme::Choice choice)
{
    switch (choice) {
    case Theme::Choice::Light:
        return QStringLiteral("light");
    case Theme::Choice::Dark:
        return QStringLiteral("dark");
    case Theme::Choice::System:
        break;
    }
    return QStringLiteral("system");
}

Theme &Theme::instance()
{
    static Theme *theme = new Theme; // lives as long as the application: QApplication parents it
    return *theme;
}

Theme::Theme()
    : QObject(qApp)
    , m_platformPalette(QApplication::palette())
    , m_platformStyle(QApplication::style() ? QApplication::style()->name() : QString())
{
    const QString saved = QSettings().value(settingKey).toString();
    m_choice = saved == u"light" ? Choice::Light : saved == u"dark" ? Choice::Dark : Choice::System;
    // Until the portal answers (or where there is none): GTK's override, then the platform's palette.
    const QString gtkTheme = qEnvironmentVariable("GTK_THEME");
    m_systemDark = gtkTheme.endsWith(QLatin1String(":dark"), Qt::CaseInsensitive) ||
                   m_platformPalette.color(QPalette::Window).lightness() < 128;
    readPortal();
    apply();
}

void Theme::readPortal()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return; // no session bus (CI, a bare X server): nothing to ask
    bus.connect(portalService, portalPath, portalInterface, QStringLiteral("SettingChanged"), this,
                SLOT(onPortalSettingChanged(QString, QString, QDBusVariant)));
    QDBusMessage read =
        QDBusMessage::createMethodCall(portalService, portalPath, portalInterface, QStringLiteral("Read"));
    read << appearance << colorScheme;
    // Asynchronous with a short timeout: a missing or slow portal never holds the window up.
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(read, 2000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *call) {
        call->deleteLater();
        const QDBusPendingReply<QVariant> reply = *call;
        if (reply.isError())
            return;
        if (const auto dark = darkFromPortalValue(reply.value()))
            setSystemDark(*dark);
    });
}

void Theme::onPortalSettingChanged(const QString &group, const QString &key, const QDBusVariant &value)
{
    if (group != appearance || key != colorScheme)
        return;
    if (const auto dark = darkFromPortalValue(value.variant()))
        setSystemDark(*dark);
}

void Theme::setSystemDark(bool dark)
{
    m_systemDark = dark;
    if (m_choice == Choice::System)
        apply();
}

void Theme::setChoice(Choice choice)
{
    m_choice = choice;
    QSettings().setValue(settingKey, themeChoiceName(choice));
    apply();
}

void Theme::apply()
{
    const bool dark = m_choice == Choice::Dark || (m_choice == Choice::System && m_systemDark);
    const bool platformIsDark = m_platformPalette.color(QPalette::Window).lightness() < 128;
    if (dark && !platformIsDark) {
        // Fusion draws every control from the palette, so the dark colors reach all of them.
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
    } else if (!dark && platformIsDark) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
    } else {
        if (!m_platformStyle.isEmpty() && QApplication::style()->name() != m_platformStyle)
            QApplication::setStyle(QStyleFactory::create(m_platformStyle));
        QApplication::setPalette(m_platformPalette);
    }
    if (dark != m_dark) {
        m_dark = dark;
        Q_EMIT changed(dark);
    }
}

QString linkColour()
{
    return Theme::instance().isDark() ? QStringLiteral("#6ca8f0") : QStringLiteral("#0b57d0");
}

QString errorColour()
{
    return Theme::instance().isDark() ? QStringLiteral("#ff8a80") : QStringLiteral("#b00020");
}

QString warningColour()
{
    return Theme::instance().isDark() ? QStringLiteral("#ffc857") : QStringLiteral("#8a4b00");
}

} // namespace cdc

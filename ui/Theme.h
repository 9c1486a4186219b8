#pragma once

#include <QObject>
#include <QPalette>

class QDBusVariant;

namespace cdc {

// The window's light or dark look, chosen under View > Theme and kept in the settings
// (`view/theme`): Light, Dark, or following the system. Qt 6.4 cannot ask the system for its color
// scheme, so the system's choice is read where desktops publish it: the XDG desktop portal's
// org.freedesktop.appearance color-scheme (GNOME, KDE and others; followed live through its
// SettingChanged signal), then GTK_THEME ("Adwaita:dark"), then the platform theme's own palette.
// Dark is the Fusion style with a dark palette; light is the platform's style and palette.
class Theme : public QObject
{
    Q_OBJECT

public:
    enum class Choice { System, Light, Dark };

    // One per application, created on first use (after QApplication).
    static Theme &instance();

    Choice choice() const { return m_choice; }
    void setChoice(Choice choice);
    bool isDark() const { return m_dark; }
    // What the system asks for, as last read.
    bool systemPrefersDark() const { return m_systemDark; }

Q_SIGNALS:
    void changed(bool dark);

private Q_SLOTS:
    void onPortalSettingChanged(const QString &group, const QString &key, const QDBusVariant &value);

private:
    Theme();
    void readPortal();
    void setSystemDark(bool dark);
    void apply();

    Choice m_choice = Choice::System;
    bool m_systemDark = false;
    bool m_dark = false;
    QPalette m_platformPalette;
    QString m_platformStyle;
};

QString themeChoiceName(Theme::Choice choice);

// Colours for rich text (links, an error or a warning in words) readable on the theme shown:
// at least 4.5:1 against its window colour (WCAG AA).
QString linkColour();
QString errorColour();
QString warningColour();

} // namespace cdc

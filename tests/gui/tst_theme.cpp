// View > Theme: light, dark, or the system's — here the system says dark through GTK_THEME (there is
// no desktop portal in the test's environment) — on a real window under the offscreen platform.
#include "MainWindow.h"
#include "Theme.h"
#include "host/EngineHost.h"

#include <QAction>
#include <QApplication>
#include <QSettings>
#include <QStyle>
#include <QTemporaryDir>
#include <QtTest>

using namespace cdc;

class TestTheme : public QObject
{
    Q_OBJECT

    QTemporaryDir m_config;

    static bool paletteIsDark() { return QApplication::palette().color(QPalette::Window).lightness() < 128; }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("GTK_THEME", "Adwaita:dark");
        qunsetenv("DBUS_SESSION_BUS_ADDRESS"); // no portal to ask: GTK_THEME is the system's word
        QVERIFY(!paletteIsDark());             // the offscreen platform's own palette is light
    }

    void followsTheSystemUntilTheUserChooses()
    {
        EngineHost engine(100);
        MainWindow window(engine, 100);
        window.show();
        Theme &theme = Theme::instance();
        QCOMPARE(theme.choice(), Theme::Choice::System);
        QVERIFY(theme.systemPrefersDark());
        QVERIFY(theme.isDark());
        QVERIFY(paletteIsDark());
        QCOMPARE(QApplication::style()->name(), QStringLiteral("fusion"));
        // The window's own widgets are drawn with it.
        QTRY_VERIFY(window.palette().color(QPalette::Base).lightness() < 128);

        auto *system = window.findChild<QAction *>(QStringLiteral("theme_system"));
        auto *light = window.findChild<QAction *>(QStringLiteral("theme_light"));
        auto *dark = window.findChild<QAction *>(QStringLiteral("theme_dark"));
        QVERIFY(system && light && dark);
        QVERIFY(system->isChecked());

        QSignalSpy changed(&theme, &Theme::changed);
        light->trigger();
        QVERIFY(!theme.isDark());
        QVERIFY(!paletteIsDark());
        QCOMPARE(changed.size(), 1);
        QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("light"));
        QVERIFY(light->isChecked() && !system->isChecked());

        dark->trigger();
        QVERIFY(paletteIsDark());
        system->trigger();
        QVERIFY(paletteIsDark()); // the system still says dark
        QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("system"));
    }
};

QTEST_MAIN(TestTheme)
#include "tst_theme.moc"

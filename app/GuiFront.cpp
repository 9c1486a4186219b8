#include "GuiFront.h"

#include "KeychainTokens.h"
#include "Logging.h"
#include "MainWindow.h"
#include "PostgresPassword.h"
#include "RedisPassword.h"
#include "SignalWatcher.h"
#include "WindowManager.h"
#include "host/EngineHost.h"

#include <QApplication>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>

namespace cdc {

namespace {

constexpr int screenshotDelayMs = 5000;

} // namespace

GuiFront::GuiFront(AppOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{}

int GuiFront::run()
{
    if (m_options.authTokensFromKeychain) {
        if (const auto error = loadTokensFromKeychain(m_options.server)) {
            qCCritical(lcServer).noquote() << *error;
            QMessageBox::critical(nullptr, QObject::tr("Cannot start the server"), *error);
            return ExitCode::runtimeFailure;
        }
    }
    // Only when this computer's server will run: a window on a remote server alone asks nothing.
    if (m_options.connectTo.isEmpty()) {
        if (m_options.server.postgres)
            qCInfo(lcIngest).noquote() << resolvePostgresPassword(*m_options.server.postgres,
                                                                  QProcessEnvironment::systemEnvironment());
        if (m_options.server.cluster)
            qCInfo(lcServer).noquote() << resolveRedisPassword(*m_options.server.cluster,
                                                               QProcessEnvironment::systemEnvironment());
    }

    EngineHost engine(m_options.liveViewRows);
    WindowManager windows(engine, m_options.server, m_options.liveViewRows, connectionTokenStore());
    windows.setWindowSetup([](MainWindow *window) {
        window->setPostgresPasswordHandler([window](pg::PostgresConfig &config, const QString &typed) {
            const QString warning = applyTypedPassword(config, typed, QProcessEnvironment::systemEnvironment());
            if (!warning.isEmpty())
                QMessageBox::warning(window, QObject::tr("Password not stored"), warning);
        });
    });
    QList<MainWindow *> opened;
    QSettings settings;
    for (const QString &target : std::as_const(m_options.connectTo)) {
        QString error;
        MainWindow *window = windows.openConnection(profileForConnectArgument(settings, target), false, &error);
        if (!window) {
            qCCritical(lcServer).noquote() << "--connect" << target << ":" << error;
            QMessageBox::critical(nullptr, QObject::tr("Cannot connect"), QStringLiteral("%1: %2").arg(target, error));
            return ExitCode::usage;
        }
        opened.append(window);
    }
    if (opened.isEmpty())
        opened.append(windows.openThisComputer());

    MainWindow *first = opened.constFirst();
    auto *watcher = new SignalWatcher(this);
    connect(watcher, &SignalWatcher::terminationRequested, this, [](const QString &name) {
        qCInfo(lcServer).noquote() << "received" << name << "- stopping";
        QApplication::closeAllWindows();
    });
    if (!m_options.screenshotPath.isEmpty()) {
        QTimer::singleShot(screenshotDelayMs, first, [first, path = m_options.screenshotPath] {
            if (!first->grab().save(path))
                qCWarning(lcServer).noquote() << "could not write the screenshot to" << path;
            QApplication::closeAllWindows();
        });
    }
    for (MainWindow *window : std::as_const(opened))
        window->show();
    const int code = QApplication::exec();
    qCInfo(lcServer) << "stopped";
    return code;
}

} // namespace cdc

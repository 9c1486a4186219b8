#include "GuiFront.h"

#include "KeychainTokens.h"
#include "Logging.h"
#include "MainWindow.h"
#include "PostgresPassword.h"
#include "RedisPassword.h"
#include "SignalWatcher.h"
#include "host/EngineHost.h"

#include <QApplication>
#include <QMessageBox>
#include <QTimer>

namespace cdc {

namespace {
constexpr int screenshotDelayMs = 5000;
}

GuiFront::GuiFront(AppOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{}

int GuiFront::run()
{
    EngineHost engine(m_options.liveViewRows);
    MainWindow window(engine, m_options.liveViewRows);
    auto *watcher = new SignalWatcher(this);
    connect(watcher, &SignalWatcher::terminationRequested, &window, [&window](const QString &name) {
        qCInfo(lcServer).noquote() << "received" << name << "- stopping";
        window.close();
    });
    if (!m_options.screenshotPath.isEmpty()) {
        QTimer::singleShot(screenshotDelayMs, &window, [&window, path = m_options.screenshotPath] {
            if (!window.grab().save(path))
                qCWarning(lcServer).noquote() << "could not write the screenshot to" << path;
            window.close();
        });
    }
    window.setPostgresPasswordHandler([&window](pg::PostgresConfig &config, const QString &typed) {
        const QString warning = applyTypedPassword(config, typed, QProcessEnvironment::systemEnvironment());
        if (!warning.isEmpty())
            QMessageBox::warning(&window, QObject::tr("Password not stored"), warning);
    });
    if (m_options.authTokensFromKeychain) {
        if (const auto error = loadTokensFromKeychain(m_options.server)) {
            qCCritical(lcServer).noquote() << *error;
            QMessageBox::critical(&window, QObject::tr("Cannot start the server"), *error);
            return ExitCode::runtimeFailure;
        }
    }
    window.show();
    if (m_options.server.postgres)
        qCInfo(lcIngest).noquote() << resolvePostgresPassword(*m_options.server.postgres,
                                                              QProcessEnvironment::systemEnvironment());
    if (m_options.server.cluster)
        qCInfo(lcServer).noquote() << resolveRedisPassword(*m_options.server.cluster,
                                                           QProcessEnvironment::systemEnvironment());
    engine.start(m_options.server);
    const int code = QApplication::exec();
    qCInfo(lcServer) << "stopped";
    return code;
}

} // namespace cdc

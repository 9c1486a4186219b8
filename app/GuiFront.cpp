#include "GuiFront.h"

#include "Logging.h"
#include "MainWindow.h"
#include "PostgresPassword.h"
#include "SignalWatcher.h"
#include "host/EngineHost.h"

#include "Keychain.h"

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
        if (typed.isEmpty()) {
            qCInfo(lcIngest).noquote() << resolvePostgresPassword(config, QProcessEnvironment::systemEnvironment());
            return;
        }
        config.password = typed;
        const QString key = pg::parseTarget(config.dsn).keychainKey();
        const keychain::Result stored = keychain::write(key, typed);
        if (stored.status != keychain::Result::Status::Ok)
            QMessageBox::warning(&window, QObject::tr("Password not stored"),
                                 QObject::tr("%1.\n\nThe password is used until CDC Scope quits, but not kept. On "
                                             "a host without a keychain, set CDCSCOPE_PG_PASSWORD or use ~/.pgpass.")
                                     .arg(stored.message));
        else
            qCInfo(lcIngest).noquote() << "postgres: stored the password for" << key << "in the system keychain";
    });
    window.show();
    if (m_options.server.postgres)
        qCInfo(lcIngest).noquote() << resolvePostgresPassword(*m_options.server.postgres,
                                                              QProcessEnvironment::systemEnvironment());
    engine.start(m_options.server);
    const int code = QApplication::exec();
    qCInfo(lcServer) << "stopped";
    return code;
}

} // namespace cdc

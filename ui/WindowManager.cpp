#include "WindowManager.h"

#include "MainWindow.h"
#include "host/EngineHost.h"
#include "remote/RemoteSource.h"

#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

namespace cdc {

WindowManager::WindowManager(EngineHost &engine, ServerConfig config, qsizetype liveViewRows, TokenStore tokens,
                             QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_config(std::move(config))
    , m_liveViewRows(liveViewRows)
    , m_tokens(std::move(tokens))
{}

void WindowManager::ensureEngineStarted()
{
    if (!m_engine.isStarted())
        m_engine.start(m_config);
}

MainWindow *WindowManager::openThisComputer()
{
    ensureEngineStarted();
    return adopt(new MainWindow(m_engine, m_liveViewRows));
}

MainWindow *WindowManager::openConnection(RemoteProfile profile, bool forgetToken, QString *error)
{
    auto resolved = resolveProfile(profile);
    if (const auto *problem = std::get_if<QString>(&resolved)) {
        if (error)
            *error = *problem;
        return nullptr;
    }
    QString keychainProblem; // storing or forgetting the token typed: said at once
    QString unreadToken;     // looking for a stored one: said only if the server then wants one
    if (!profile.token.isEmpty() && m_tokens.write)
        keychainProblem = m_tokens.write(profile.keychainKey(), profile.token);
    else if (forgetToken && m_tokens.remove)
        keychainProblem = m_tokens.remove(profile.keychainKey());
    else if (profile.token.isEmpty() && m_tokens.read)
        unreadToken = m_tokens.read(profile.keychainKey(), &profile.token);
    QSettings settings;
    saveProfile(settings, profile); // never the token: RemoteProfile's fields but that one
    ResolvedProfile ready = std::get<ResolvedProfile>(resolved);
    ready.profile.token = profile.token;

    auto *source = new RemoteSource(ready);
    auto *window = adopt(new MainWindow(*source, m_engine, m_liveViewRows));
    source->setParent(window);
    source->open();
    // Said, never asked: a modal box here would block --connect on a machine without a keychain.
    if (!keychainProblem.isEmpty())
        window->statusBar()->showMessage(
            tr("The keychain did not answer for %1 (%2): the token, if any, is used for this window only")
                .arg(profile.name, keychainProblem),
            15000);
    // A window that needs no token has nothing to say about a keychain it could not read; one the
    // server refuses may have lost its stored token there.
    if (!unreadToken.isEmpty())
        connect(source, &MonitorSource::statusChanged, window, [window, unreadToken](const ConnectionStatus &status) {
            if (status.state == ConnectionStatus::State::Refused)
                window->statusBar()->showMessage(
                    tr("%1 — a token stored for this connection could not be read from the keychain (%2)")
                        .arg(status.text, unreadToken),
                    15000);
        });
    return window;
}

QList<MainWindow *> WindowManager::windows() const
{
    QList<MainWindow *> open;
    for (const QPointer<MainWindow> &window : m_windows)
        if (window)
            open.append(window);
    return open;
}

MainWindow *WindowManager::adopt(MainWindow *window)
{
    window->setAttribute(Qt::WA_DeleteOnClose);
    m_windows.append(window);
    if (m_setup)
        m_setup(window);
    connect(window, &MainWindow::newWindowRequested, this, [this] { openThisComputer()->show(); });
    connect(window, &MainWindow::engineStartNeeded, this, &WindowManager::ensureEngineStarted);
    connect(window, &MainWindow::connectRequested, this,
            [this, window](const RemoteProfile &profile, bool forgetToken) {
                QString error;
                if (MainWindow *opened = openConnection(profile, forgetToken, &error))
                    opened->show();
                else
                    QMessageBox::warning(window, tr("Cannot connect"), error);
            });
    return window;
}

} // namespace cdc

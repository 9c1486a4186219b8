#pragma once

#include "ServerConfig.h"
#include "remote/RemoteProfile.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace cdc {

class EngineHost;
class MainWindow;

// Where connection tokens live: the system keychain, installed by the app (ui does not link it).
// Each returns an error in words, or empty.
struct TokenStore
{
    std::function<QString(const QString &key, QByteArray *token)> read; // not found: empty token, no error
    std::function<QString(const QString &key, const QByteArray &token)> write;
    std::function<QString(const QString &key)> remove;
};

// The windows of one process: each shows this computer's engine or one remote server, side by
// side. The engine is started with the first window that shows it (or the first capture imported
// into it), so `cdcscope --connect` alone opens no port.
class WindowManager : public QObject
{
    Q_OBJECT

public:
    WindowManager(EngineHost &engine, ServerConfig config, qsizetype liveViewRows, TokenStore tokens,
                  QObject *parent = nullptr);

    MainWindow *openThisComputer();
    // Stores a typed token in the keychain (or forgets it), saves the profile, reads its token back
    // when none was typed, and opens a window on it. Null with `error` set when the profile is wrong.
    MainWindow *openConnection(RemoteProfile profile, bool forgetToken, QString *error = nullptr);

    // Run on every window as it opens (the app installs its keychain handlers this way).
    void setWindowSetup(std::function<void(MainWindow *)> setup) { m_setup = std::move(setup); }

    QList<MainWindow *> windows() const;
    void ensureEngineStarted();

private:
    MainWindow *adopt(MainWindow *window);

    EngineHost &m_engine;
    ServerConfig m_config;
    qsizetype m_liveViewRows;
    TokenStore m_tokens;
    QList<QPointer<MainWindow>> m_windows;
    std::function<void(MainWindow *)> m_setup;
};

} // namespace cdc

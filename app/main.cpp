#include "ClientCommands.h"
#include "CommandLine.h"
#include "GuiFront.h"
#include "HeadlessFront.h"
#include "KeychainTokens.h"
#include "LogFormat.h"
#include "PostgresPassword.h"

#include <QApplication>
#include <QIcon>
#include <QSettings>

#include <cstdio>

#include <sys/resource.h>

namespace {

// Every connection is a file descriptor: take the hard limit the system allows rather than the
// soft default (often 1024), so --max-connections, not the process, is what caps them.
void raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// A window needs a display; without one, say what to do instead of letting Qt abort.
bool displayAvailable()
{
    return !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

// The icon compiled in (app/CMakeLists.txt), for desktops whose theme does not have the installed one.
QIcon applicationIcon()
{
    QIcon icon;
    for (const int size : {16, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/io.github.cdcscope.CdcScope-%1.png").arg(size), QSize(size, size));
    return icon;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setOrganizationName(QStringLiteral("CDC Scope"));
    QCoreApplication::setApplicationName(QStringLiteral("cdcscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CDCSCOPE_VERSION));

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    if (arguments.value(1) == u"diff") {
        // Two captures compared offline: no server, no display.
        QCoreApplication app(argc, argv);
        return cdc::client::runDiffCommandLine(arguments);
    }
    if (arguments.size() > 1 && cdc::client::isClientCommand(arguments.at(1))) {
        // tail, publish, travel, export, import: a client of a running server, no display needed.
        QCoreApplication app(argc, argv);
        return cdc::client::runClientCommandLine(arguments);
    }
    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // `configPath` empty: the user's own file (the window's Settings dialog writes it).
    const QString configPath = cdc::explicitConfigFile(arguments, environment);
    const QSettings configFile = configPath.isEmpty() ? QSettings() : QSettings(configPath, QSettings::IniFormat);
    const cdc::CommandLineOutcome outcome = cdc::parseCommandLine(arguments, environment, &configFile);
    if (outcome.action == cdc::CommandLineOutcome::Action::ExitNow) {
        std::FILE *stream = outcome.exitCode == cdc::ExitCode::ok ? stdout : stderr;
        std::fprintf(stream, "%s\n", qPrintable(outcome.message));
        return outcome.exitCode;
    }
    cdc::installLogFormat(outcome.options.logFormat);
    raiseFileLimit();

    if (!outcome.options.storeAuthTokensFrom.isEmpty()) {
        QCoreApplication app(argc, argv); // the keychain answers through the event loop
        return cdc::storeTokensInKeychain(outcome.options.storeAuthTokensFrom, stdout, stderr);
    }
    if (outcome.options.passwordAction != cdc::AppOptions::PasswordAction::None) {
        QCoreApplication app(argc, argv); // the keychain answers through the event loop
        return cdc::runPasswordAction(outcome.options, stdin, stdout, stderr);
    }

    if (outcome.options.headless) {
        // QCoreApplication: no display needed, no Widgets code path loaded.
        QCoreApplication app(argc, argv);
        cdc::HeadlessFront front(outcome.options);
        return front.run();
    }
    if (!displayAvailable()) {
        std::fprintf(stderr, "cdcscope: no display (DISPLAY and WAYLAND_DISPLAY are not set); "
                             "run 'cdcscope --headless' for the server alone\n");
        return cdc::ExitCode::runtimeFailure;
    }
    QApplication app(argc, argv);
    QApplication::setDesktopFileName(QStringLiteral("io.github.cdcscope.CdcScope"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.cdcscope.CdcScope"), applicationIcon()));
    cdc::GuiFront front(outcome.options);
    return front.run();
}

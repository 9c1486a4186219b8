#pragma once

#include "ServerConfig.h"

#include <QProcessEnvironment>
#include <QStringList>

class QSettings;

namespace cdc {

enum class LogFormat { Text, Json };

// Everything the command line decides: which front runs and the engine's configuration.
struct AppOptions
{
    bool headless = false;
    bool ingestStdin = false;
    LogFormat logFormat = LogFormat::Text;
    qsizetype liveViewRows = 100'000; // the window's live events ring
    QString screenshotPath;           // window: save a picture of itself there after a few seconds, then quit
    QStringList connectTo;            // window: remote servers to watch (profile names or URLs), no own server
    bool inMemory = false;            // no journal: a restart forgets everything
    QString dataDir;                  // where the journal lives; empty: the platform's app-data folder
    SyncLevel sync = SyncLevel::Normal;
    QString exportPath;     // write the retained events as a JSONL capture there and exit
    QString exportChannel;  // empty: every channel
    QString importPath;     // replay this JSONL capture into the running server
    QString importChannel;  // empty: each event into its recorded channel
    double importSpeed = 0; // 0: as fast as possible; N: N times the recorded pacing
    // --pg-set-password / --pg-forget-password: manage the keychain entry of --pg-dsn, then exit.
    enum class PasswordAction { None, Set, Forget } passwordAction = PasswordAction::None;
    // Whose password that is: --pg-*-password or --redis-*-password.
    enum class PasswordTarget { Postgres, Redis } passwordTarget = PasswordTarget::Postgres;
    // --auth-tokens keychain: the token set is read from the keychain when the server starts.
    bool authTokensFromKeychain = false;
    QString storeAuthTokensFrom; // --auth-store-tokens FILE: put it into the keychain, then exit
    QString tlsCertPath;         // --tls-cert / --tls-key: loaded into server.tls once both are known
    QString tlsKeyPath;
    bool redisAcceptVolatile = false; // folded into server.cluster once --redis is known
    QString redisAdvertiseUrl;
    QString redisCaFile;
    ServerConfig server;
};

struct CommandLineOutcome
{
    enum class Action { Run, ExitNow } action = Action::Run;
    int exitCode = 0;
    QString message; // printed before exiting: help, version, or one line naming the bad flag
    AppOptions options;
};

// Precedence: command-line flag > CDCSCOPE_* environment variable > `configFile` > the defaults.
// All three go through the same parsers and range checks; a bad value from any of them is refused
// with where it came from (the flag, the variable, or the file and key) and exit code 2.
CommandLineOutcome parseCommandLine(const QStringList &arguments, const QProcessEnvironment &environment,
                                    const QSettings *configFile = nullptr);

// The config file named by --config FILE (or --config=FILE) or CDCSCOPE_CONFIG; empty for the
// default one. Read before the full parse, because the config file is the base the flags override.
QString explicitConfigFile(const QStringList &arguments, const QProcessEnvironment &environment);

// Exit codes of the headless front (docs/configuration.md).
namespace ExitCode {
inline constexpr int ok = 0;
inline constexpr int runtimeFailure = 1;
inline constexpr int usage = 2;
} // namespace ExitCode

} // namespace cdc

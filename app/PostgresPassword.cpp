#include "PostgresPassword.h"

#include "Keychain.h"
#include "Logging.h"
#include "RedisPassword.h"

#include <termios.h>
#include <unistd.h>

namespace cdc {

namespace {

// One line from `in`, without its line break; with no echo when it is a terminal.
std::optional<QString> readSecretLine(std::FILE *in, std::FILE *err, const char *label)
{
    const int fd = fileno(in);
    const bool terminal = isatty(fd);
    termios saved{};
    if (terminal) {
        std::fprintf(err, "%s password: ", label);
        std::fflush(err);
        tcgetattr(fd, &saved);
        termios silent = saved;
        silent.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(fd, TCSANOW, &silent);
    }
    QByteArray line;
    int c = 0;
    while ((c = std::fgetc(in)) != EOF && c != '\n')
        line.append(char(c));
    if (terminal) {
        tcsetattr(fd, TCSANOW, &saved);
        std::fprintf(err, "\n");
    }
    if (line.endsWith('\r'))
        line.chop(1);
    if (c == EOF && line.isEmpty())
        return std::nullopt;
    return QString::fromUtf8(line);
}

} // namespace

QString resolvePostgresPassword(pg::PostgresConfig &config, const QProcessEnvironment &environment)
{
    if (environment.contains(QStringLiteral("CDCSCOPE_PG_PASSWORD"))) {
        config.password = environment.value(QStringLiteral("CDCSCOPE_PG_PASSWORD"));
        return QStringLiteral("postgres: password from CDCSCOPE_PG_PASSWORD");
    }
    const QString key = pg::parseTarget(config.dsn).keychainKey();
    const keychain::Result stored = keychain::read(key);
    if (stored.status == keychain::Result::Status::Ok) {
        config.password = stored.password;
        return QStringLiteral("postgres: password from the system keychain (%1)").arg(key);
    }
    config.password.clear();
    return QStringLiteral("postgres: %1 (%2); libpq's own PGPASSWORD or ~/.pgpass applies, if any")
        .arg(stored.message, key);
}

QString applyTypedPassword(pg::PostgresConfig &config, const QString &typed, const QProcessEnvironment &environment)
{
    if (typed.isEmpty()) {
        qCInfo(lcIngest).noquote() << resolvePostgresPassword(config, environment);
        return {};
    }
    config.password = typed;
    const QString key = pg::parseTarget(config.dsn).keychainKey();
    const keychain::Result stored = keychain::write(key, typed);
    if (stored.status == keychain::Result::Status::Ok) {
        qCInfo(lcIngest).noquote() << "postgres: stored the password for" << key << "in the system keychain";
        return {};
    }
    return QStringLiteral("%1.\n\nThe password is used until CDC Scope quits, but not kept. On a host without a "
                          "keychain, set CDCSCOPE_PG_PASSWORD or use ~/.pgpass.")
        .arg(stored.message);
}

int runPasswordAction(const AppOptions &options, std::FILE *in, std::FILE *out, std::FILE *err)
{
    const bool forRedis = options.passwordTarget == AppOptions::PasswordTarget::Redis;
    const QString key = forRedis ? redisKeychainKey(options.server.cluster->redis)
                                 : pg::parseTarget(options.server.postgres->dsn).keychainKey();
    const char *label = forRedis ? "Redis" : "PostgreSQL";
    keychain::Result result;
    if (options.passwordAction == AppOptions::PasswordAction::Set) {
        const auto password = readSecretLine(in, err, label);
        if (!password || password->isEmpty()) {
            std::fprintf(err, "cdcscope: no password on stdin; nothing stored\n");
            return ExitCode::usage;
        }
        result = keychain::write(key, *password);
        if (result.status == keychain::Result::Status::Ok) {
            std::fprintf(out, "stored the password for %s in the system keychain (service %s)\n", qPrintable(key),
                         keychain::service);
            return ExitCode::ok;
        }
    } else {
        result = keychain::remove(key);
        if (result.status == keychain::Result::Status::Ok || result.status == keychain::Result::Status::NotFound) {
            std::fprintf(out, "%s: no password for %s in the system keychain any more\n", "cdcscope", qPrintable(key));
            return ExitCode::ok;
        }
    }
    const char *instead = forRedis ? " On a host without a keychain, set CDCSCOPE_REDIS_PASSWORD (docs/cluster.md)."
                                   : " On a host without a keychain, set CDCSCOPE_PG_PASSWORD or use ~/.pgpass "
                                     "(docs/postgres.md).";
    std::fprintf(err, "cdcscope: %s.%s\n", qPrintable(result.message),
                 result.status == keychain::Result::Status::Unavailable ? instead : "");
    return ExitCode::runtimeFailure;
}

} // namespace cdc

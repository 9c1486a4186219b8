#include "PostgresConfig.h"

#include <QRegularExpression>

#include <libpq-fe.h>

#include <memory>

namespace cdc::pg {

namespace {

using ConninfoOptions = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

ConninfoOptions parse(const QString &dsn, QString *error)
{
    char *message = nullptr;
    ConninfoOptions options(PQconninfoParse(dsn.toUtf8().constData(), &message), &PQconninfoFree);
    if (!options && error)
        *error = message ? QString::fromUtf8(message).trimmed() : QStringLiteral("out of memory");
    PQfreemem(message);
    return options;
}

QString valueOf(const PQconninfoOption *options, const char *keyword)
{
    for (const PQconninfoOption *option = options; option && option->keyword; ++option)
        if (qstrcmp(option->keyword, keyword) == 0 && option->val && *option->val)
            return QString::fromUtf8(option->val);
    return {};
}

} // namespace

std::optional<QString> checkDsn(const QString &dsn)
{
    if (dsn.trimmed().isEmpty())
        return QStringLiteral("the PostgreSQL DSN is empty; give one like \"host=localhost dbname=app user=cdc\"");
    QString error;
    const ConninfoOptions options = parse(dsn, &error);
    if (!options)
        return QStringLiteral("the PostgreSQL DSN cannot be parsed: %1").arg(error);
    if (!valueOf(options.get(), "password").isEmpty())
        return QStringLiteral("the PostgreSQL DSN contains a password; remove it and store the password with "
                              "`cdcscope --pg-set-password` (system keychain) or set CDCSCOPE_PG_PASSWORD "
                              "(docs/postgres.md)");
    if (!valueOf(options.get(), "replication").isEmpty())
        return QStringLiteral("the PostgreSQL DSN sets `replication`; leave it out, CDC Scope sets it itself");
    return std::nullopt;
}

PostgresTarget parseTarget(const QString &dsn)
{
    const ConninfoOptions given = parse(dsn, nullptr);
    const ConninfoOptions defaults(PQconndefaults(), &PQconninfoFree);
    const auto pick = [&](const char *keyword) {
        const QString value = valueOf(given.get(), keyword);
        return value.isEmpty() ? valueOf(defaults.get(), keyword) : value;
    };
    PostgresTarget target;
    target.user = pick("user");
    target.host = pick("host");
    if (target.host.isEmpty())
        target.host = pick("hostaddr");
    if (target.host.isEmpty())
        target.host = QStringLiteral("localhost");
    target.port = pick("port");
    if (target.port.isEmpty())
        target.port = QStringLiteral("5432");
    target.dbname = pick("dbname");
    if (target.dbname.isEmpty())
        target.dbname = target.user;
    return target;
}

QString PostgresTarget::keychainKey() const
{
    return QStringLiteral("postgres://%1@%2:%3/%4").arg(user, host, port, dbname);
}

bool isValidSlotName(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[a-z0-9_]{1,63}$"));
    return valid.match(name).hasMatch();
}

} // namespace cdc::pg

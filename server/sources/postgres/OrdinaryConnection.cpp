#include "OrdinaryConnection.h"

#include <libpq-fe.h>

#include <vector>

namespace cdc::pg {

PGconn *connectOrdinary(const PostgresConfig &config, const char *applicationName, const char *connectTimeout,
                        const char *options)
{
    const QByteArray dsn = config.dsn.toUtf8();
    const QByteArray password = config.password.toUtf8();
    // The keywords after the DSN override what it says (expand_dbname); UTF-8 whatever the
    // server's encoding, as the replication stream's text is read.
    std::vector<const char *> keywords{"dbname", "application_name", "connect_timeout", "client_encoding", "options"};
    std::vector<const char *> values{dsn.constData(), applicationName, connectTimeout, "UTF8", options};
    if (!password.isEmpty()) {
        keywords.push_back("password");
        values.push_back(password.constData());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    return PQconnectdbParams(keywords.data(), values.data(), 1);
}

} // namespace cdc::pg

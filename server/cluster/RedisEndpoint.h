#pragma once

#include <QString>

#include <variant>

namespace cdc {

// Where Redis is, from a --redis URL (docs/cluster.md):
//   redis://[user[:password]@]host[:port][/db]    plain TCP (port 6379 by default)
//   rediss://...                                   the same over TLS
//   unix:///path/to/redis.sock[?db=N]              a Unix socket
// A password in the URL is allowed (as redis-cli takes it) but the keychain or
// CDCSCOPE_REDIS_PASSWORD keep it out of process listings and shell history.
struct RedisEndpoint
{
    enum class Transport { Tcp, Tls, Unix };
    Transport transport = Transport::Tcp;
    QString host;
    quint16 port = 6379;
    QString socketPath;
    int database = 0;
    QString user;
    QString password;
    // rediss://: PEM file of the CA that signed Redis' certificate, trusted besides the system's.
    QString caFile;

    // The URL without its password: for logs, /health and the keychain entry's name.
    QString display() const;
};

// The endpoint, or a message naming what is wrong with the URL.
std::variant<RedisEndpoint, QString> parseRedisUrl(const QString &text);

} // namespace cdc

#include "RedisPassword.h"

#include "Keychain.h"

namespace cdc {

QString redisKeychainKey(const RedisEndpoint &endpoint)
{
    RedisEndpoint named = endpoint;
    named.password.clear();
    return QStringLiteral("redis:") + named.display();
}

QString resolveRedisPassword(ClusterConfig &config, const QProcessEnvironment &environment)
{
    if (environment.contains(QStringLiteral("CDCSCOPE_REDIS_PASSWORD"))) {
        config.redis.password = environment.value(QStringLiteral("CDCSCOPE_REDIS_PASSWORD"));
        return QStringLiteral("redis: password from CDCSCOPE_REDIS_PASSWORD");
    }
    if (!config.redis.password.isEmpty())
        return QStringLiteral("redis: password from the --redis URL (the keychain keeps it out of process listings)");
    const QString key = redisKeychainKey(config.redis);
    const keychain::Result stored = keychain::read(key);
    if (stored.status == keychain::Result::Status::Ok) {
        config.redis.password = stored.password;
        return QStringLiteral("redis: password from the system keychain (%1)").arg(key);
    }
    return QStringLiteral("redis: no password (%1: %2)").arg(key, stored.message);
}

} // namespace cdc

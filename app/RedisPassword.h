#pragma once

#include "cluster/ClusterConfig.h"

#include <QProcessEnvironment>

namespace cdc {

// Where cluster mode's Redis password comes from, in this order (docs/cluster.md):
//   1. CDCSCOPE_REDIS_PASSWORD, when set (empty: no password);
//   2. the password in the --redis URL, if it has one;
//   3. the system keychain entry "redis:<url without password>" (service "cdcscope");
//   4. none: Redis without AUTH.
// Fills `config.redis.password` and returns a log line saying which one applied (never the password).
QString resolveRedisPassword(ClusterConfig &config, const QProcessEnvironment &environment);

// The keychain entry's name for this Redis.
QString redisKeychainKey(const RedisEndpoint &endpoint);

} // namespace cdc

#pragma once

#include "ByteBudget.h"
#include "CorsPolicy.h"
#include "HostPolicy.h"
#include "ServerConfig.h"

namespace cdc {

// The settings a connection is served under, fixed when the front door that accepted it started
// listening: a copy of the engine's configuration that the connection threads only read, so a
// reconfigure on the engine thread never changes a value under a connection that is using it.
struct ConnectionSettings
{
    explicit ConnectionSettings(ServerConfig serverConfig)
        : config(std::move(serverConfig))
        , cors(config.allowedOrigins)
        , hosts(config.bindAddress, config.allowedHosts)
        , bodyBudget(std::make_shared<ByteBudget>(config.bodyBudgetBytes))
    {}
    ConnectionSettings(const ConnectionSettings &) = delete; // cors refers to config
    ConnectionSettings &operator=(const ConnectionSettings &) = delete;

    const ServerConfig config;
    const CorsPolicy cors;
    const HostPolicy hosts;
    // What the connections served under these settings may hold of request bodies, together.
    const std::shared_ptr<ByteBudget> bodyBudget;
};

} // namespace cdc

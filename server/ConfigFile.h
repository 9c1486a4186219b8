#pragma once

#include "ServerConfig.h"

class QSettings;

namespace cdc {

// The config file (QSettings, INI on Linux: ~/.config/CDC Scope/cdcscope.conf) holds the same
// settings as the flags. It sits between the defaults and the environment in precedence, and the
// window's settings dialog writes it.
void loadServerConfig(const QSettings &settings, ServerConfig &config);
void saveServerConfig(QSettings &settings, const ServerConfig &config);

} // namespace cdc

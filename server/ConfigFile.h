#pragma once

#include "ServerConfig.h"

class QSettings;

namespace cdc {

// The config file (QSettings, INI on Linux: ~/.config/CDC Scope/cdcscope.conf) holds the same
// settings as the flags; the window's settings dialog writes it here. It is read by the command
// line (app/CommandLine.cpp's configKeys), through the flags' own parsers and range checks: a key
// written here must be listed there.
void saveServerConfig(QSettings &settings, const ServerConfig &config);

} // namespace cdc

#pragma once

#include "ServerConfig.h"
#include "WindowManager.h"

#include <cstdio>
#include <optional>

namespace cdc {

// The token set of --auth-tokens keychain lives in the system keychain (service "cdcscope",
// account "auth-tokens") as the same JSON as a token file.
inline constexpr auto authTokensKeychainAccount = "auth-tokens";

// Reads and checks the stored set into `config`; the error says what to do.
std::optional<QString> loadTokensFromKeychain(ServerConfig &config);

// --auth-store-tokens FILE: checks the file, stores it, and returns the exit code.
int storeTokensInKeychain(const QString &path, std::FILE *out, std::FILE *err);

// The window's connection tokens (File > Connect, --connect), each under its profile's
// keychainKey(); a missing entry is no error, since a server may need no token.
TokenStore connectionTokenStore();

} // namespace cdc

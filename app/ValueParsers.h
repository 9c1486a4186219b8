#pragma once

#include <QString>

#include <chrono>
#include <optional>

namespace cdc {

// The value forms every flag and CDCSCOPE_* variable shares, for the server's options and the
// client subcommands alike.

// A whole number within [minimum, maximum].
std::optional<qint64> parseCount(const QString &text, qint64 minimum, qint64 maximum);

// "1048576", "512KiB", "16M", "1GiB": K, M and G are powers of 1024.
std::optional<qint64> parseByteSize(const QString &text);

// "30s", "500ms", "2m", "12h", "7d"; a bare number is seconds. At least 1 ms, at most maxMs.
std::optional<std::chrono::milliseconds> parseDuration(const QString &text, double maxMs = 7 * 24 * 3600 * 1000.0);

// "1", "true", "yes", "on" (any case) switch a setting on; anything else off.
bool parseSwitchValue(const QString &text);

} // namespace cdc

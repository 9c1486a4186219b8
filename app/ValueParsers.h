#pragma once

#include <QString>

#include <chrono>
#include <optional>
#include <variant>

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

// The checks the server's settings and the client commands share, each refused in the same words
// ("'x' is not a positive whole number"): the value, or why not.
template <typename T> using Checked = std::variant<T, QString>;
Checked<qint64> checkPositiveCount(const QString &text);
Checked<std::chrono::milliseconds> checkDuration(const QString &text);
// An import's pace: 0 as fast as possible, 1 the recorded pacing, 2 twice as fast.
Checked<double> checkSpeedFactor(const QString &text);

} // namespace cdc

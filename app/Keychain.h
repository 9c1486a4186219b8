#pragma once

#include <QString>

#include <chrono>

namespace cdc::keychain {

// The system keychain (Secret Service on Linux, through QtKeychain) under service "cdcscope".
// Each call waits in a local event loop for at most `timeout`: a keychain that is locked and would
// prompt, or does not answer, reports TimedOut instead of hanging the caller. QtKeychain's
// plain-text fallback stays off: with no keychain the answer is Unavailable, never a file.

inline constexpr auto service = "cdcscope";
inline constexpr std::chrono::milliseconds defaultTimeout{5000};

struct Result
{
    enum class Status { Ok, NotFound, Unavailable, TimedOut, Failed } status = Status::Failed;
    QString password; // Ok from read() only
    QString message;  // what went wrong, in words
};

Result read(const QString &key, std::chrono::milliseconds timeout = defaultTimeout);
Result write(const QString &key, const QString &password, std::chrono::milliseconds timeout = defaultTimeout);
Result remove(const QString &key, std::chrono::milliseconds timeout = defaultTimeout);

} // namespace cdc::keychain

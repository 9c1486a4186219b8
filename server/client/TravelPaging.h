#pragma once

#include <QJsonObject>

#include <optional>

namespace cdc::client {

// Reading more history than one travel returns, the same way in every client of ours: pages of the
// protocol's largest limit, each starting after the last seq the one before delivered, and a
// refusal for asking too often (`rate_limited`) answered by asking again once the server's
// per-connection bucket has refilled — never by giving up.
namespace travel_paging {

inline constexpr qint64 pageLimit = 50'000;   // the protocol's largest travel
inline constexpr int rateLimitRetryMs = 1100; // the travel rate bucket refills within a second

// Whether an error frame asks the client to slow down rather than refusing the travel.
bool isRateLimited(const QJsonObject &errorFrame);

// After a page's ack: where the next page starts (after `lastSeq`, the last event received), or
// nothing when this page was the last. `received`: the page's events; `asked`: its limit.
std::optional<qint64> nextPageAfter(const QJsonObject &ack, qint64 received, qint64 asked, qint64 lastSeq);

} // namespace travel_paging

} // namespace cdc::client

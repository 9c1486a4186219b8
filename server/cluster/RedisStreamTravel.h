#pragma once

#include "store/TravelQuery.h"

#include <functional>

namespace cdc {

class EventStore;
class RedisFollower;
class RedisLink;

// A travel read from the channels' Redis streams (the travel script, one per channel): what the
// window no longer holds, or never held because this instance did not track the channel. Each
// channel's range says gap when the stream was trimmed before the match, has a hole, or is of
// another epoch than the window's. `window` is this instance's store, for what it knows was lost.
void travelFromStream(RedisLink &link, const RedisFollower &follower, const EventStore &window,
                      const QStringList &channels, const TravelWindow &query, const TravelLimits &limits,
                      std::function<void(const TravelResult &)> done);

} // namespace cdc

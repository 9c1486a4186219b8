#pragma once

#include <QByteArray>

namespace cdc {

class EventStore;
class SessionHub;
struct Access;
struct ServerMetrics;

// GET /metrics: Prometheus text exposition format 0.0.4 of the counters (ServerMetrics) and of the
// live gauges read from the store and the hub. Per-channel series for the `channelSeries` busiest
// channels (most events assigned); the rest summed into cdcscope_other_channels_*, so a scrape
// stays small however many channels there are. `viewer`: what the scraping token may see; channels
// it may not read are only summed, and clients are named only with the monitor right.
QByteArray renderPrometheus(const ServerMetrics &metrics, const EventStore &store, const SessionHub &hub,
                            int channelSeries, const Access &viewer);

} // namespace cdc

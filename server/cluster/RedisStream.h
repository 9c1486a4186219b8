#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace cdc {

class EventStore;
struct RedisReply;

// How cluster mode lays a channel out in Redis (docs/cluster.md): keys that share the hash tag
// {channel}, so one channel is one slot on a Redis Cluster, and stream entries "<seq>-0".
namespace redis_stream {

// "cdcscope:{orders}:meta", ":stream", ":live", ":idem:<sha1>".
QByteArray keyOf(const QString &channel, const char *part);

struct Entry
{
    qint64 seq = 0;
    qint64 tsMs = 0;
    QByteArray payload;
};

// XRANGE's {id, {'t', ts, 'p', payload}}.
std::optional<Entry> entryOf(const RedisReply &reply);
std::vector<Entry> entriesOf(const RedisReply &reply, qsizetype from = 0);

// Adopts consecutive stream entries into `store`, one call per run of equal ts_ms (a batch). A
// hole inside the range (entries deleted by hand) restarts the window after it, marked as lost:
// the window's seqs must stay contiguous. Returns the seqs lost that way.
qint64 adoptEntries(EventStore &store, const QString &channel, const std::vector<Entry> &entries);

} // namespace redis_stream

} // namespace cdc

#include "RedisStream.h"

#include "RedisReply.h"
#include "store/EventStore.h"

namespace cdc::redis_stream {

namespace {

// "<seq>-0" stream ids: the seq is the id's first part.
qint64 seqOfId(const QByteArray &id)
{
    const qsizetype dash = id.indexOf('-');
    return id.left(dash < 0 ? id.size() : dash).toLongLong();
}

} // namespace

QByteArray keyOf(const QString &channel, const char *part)
{
    return "cdcscope:{" + channel.toUtf8() + "}:" + part;
}

std::optional<Entry> entryOf(const RedisReply &reply)
{
    if (!reply.isArray() || reply.elements.size() != 2 || !reply.elements[1].isArray())
        return std::nullopt;
    Entry entry;
    entry.seq = seqOfId(reply.elements[0].text);
    const QList<RedisReply> &fields = reply.elements[1].elements;
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].text == "t")
            entry.tsMs = fields[i + 1].toInteger();
        else if (fields[i].text == "p")
            entry.payload = fields[i + 1].text;
    }
    return entry;
}

std::vector<Entry> entriesOf(const RedisReply &reply, qsizetype from)
{
    std::vector<Entry> entries;
    entries.reserve(size_t(std::max<qsizetype>(0, reply.elements.size() - from)));
    for (qsizetype i = from; i < reply.elements.size(); ++i)
        if (auto entry = entryOf(reply.elements[i]))
            entries.push_back(std::move(*entry));
    return entries;
}

qint64 adoptEntries(EventStore &store, const QString &channel, const std::vector<Entry> &entries)
{
    qint64 lost = 0;
    size_t begin = 0;
    while (begin < entries.size()) {
        const ChannelLog *log = store.channel(channel);
        const qint64 next = (log ? log->lastSeq() : 0) + 1;
        if (entries[begin].seq != next && log && log->lastSeq() > 0) {
            lost += entries[begin].seq - next;
            store.restartChannelAt(channel, entries[begin].seq - 1, entries[begin].tsMs);
            store.markHistoryLost(channel);
        } else if (entries[begin].seq != next) {
            store.restartChannelAt(channel, entries[begin].seq - 1, 0);
        }
        size_t end = begin + 1;
        while (end < entries.size() && entries[end].tsMs == entries[begin].tsMs &&
               entries[end].seq == entries[end - 1].seq + 1)
            ++end;
        QList<QByteArray> payloads;
        payloads.reserve(qsizetype(end - begin));
        for (size_t i = begin; i < end; ++i)
            payloads.append(entries[i].payload);
        store.adopt(channel, entries[begin].seq, entries[begin].tsMs, payloads);
        begin = end;
    }
    return lost;
}

} // namespace cdc::redis_stream

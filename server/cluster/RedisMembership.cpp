#include "RedisMembership.h"

#include "RedisLink.h"
#include "ServerMetrics.h"
#include "protocol/JsonWriter.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace cdc {

namespace {

constexpr int announceIntervalMs = 5000;
constexpr qint64 memberSilenceMs = 15'000; // an instance silent this long has left the cluster
const QByteArray membersKey = QByteArrayLiteral("cdcscope:instances");

} // namespace

RedisMembership::RedisMembership(RedisLink &link, ServerMetrics &metrics, QObject *parent)
    : QObject(parent)
    , m_link(link)
    , m_metrics(metrics)
{
    connect(&m_timer, &QTimer::timeout, this, &RedisMembership::announce);
}

void RedisMembership::announceAs(Announcement announcement)
{
    m_announcement = std::move(announcement);
    m_timer.start(announceIntervalMs);
    announce();
}

void RedisMembership::leave()
{
    m_timer.stop();
    m_announcement.url.clear();
    if (m_link.isReady())
        m_link.send({QByteArrayLiteral("HDEL"), membersKey, m_metrics.cluster.instanceId.toUtf8()},
                    [](const RedisReply &) {});
    m_link.flush(); // the process may exit before the event loop writes it
}

void RedisMembership::announce()
{
    if (!m_link.isReady() || m_announcement.url.isEmpty())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    JsonWriter entry;
    entry.beginObject()
        .field("url", QStringView(m_announcement.url))
        .field("clients", qint64(m_announcement.clients ? m_announcement.clients() : 0))
        .field("channels", qint64(m_announcement.channels ? m_announcement.channels() : 0))
        .field("last_seen_ms", now)
        .endObject();
    m_link.send({QByteArrayLiteral("HSET"), membersKey, m_metrics.cluster.instanceId.toUtf8(), entry.take()},
                [](const RedisReply &) {});
    m_link.send({QByteArrayLiteral("HGETALL"), membersKey}, [this, now](const RedisReply &reply) {
        if (reply.isError())
            return;
        QList<ClusterMember> seen;
        RedisConnection::Args stale{QByteArrayLiteral("HDEL"), membersKey};
        for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
            const QJsonObject fields = QJsonDocument::fromJson(reply.elements[i + 1].text).object();
            ClusterMember member{QString::fromUtf8(reply.elements[i].text),
                                 fields.value(QStringLiteral("url")).toString(),
                                 fields.value(QStringLiteral("clients")).toInteger(),
                                 fields.value(QStringLiteral("channels")).toInteger(),
                                 fields.value(QStringLiteral("last_seen_ms")).toInteger(),
                                 false};
            member.isThisInstance = member.id == m_metrics.cluster.instanceId;
            if (now - member.lastSeenMs > memberSilenceMs)
                stale.append(reply.elements[i].text);
            else
                seen.append(member);
        }
        if (stale.size() > 2)
            m_link.send(stale, [](const RedisReply &) {});
        std::sort(seen.begin(), seen.end(), [](const ClusterMember &a, const ClusterMember &b) { return a.id < b.id; });
        m_metrics.cluster.members = seen;
    });
}

} // namespace cdc

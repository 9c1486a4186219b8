#pragma once

#include <QObject>
#include <QTimer>

#include <functional>

namespace cdc {

class RedisLink;
struct ServerMetrics;

// The instances of a cluster, for GET /cluster and the window's Cluster view: each announces its
// URL, clients and tracked channels in one Redis hash every few seconds, reads everyone's, and
// drops the entries that stopped announcing.
class RedisMembership : public QObject
{
    Q_OBJECT

public:
    RedisMembership(RedisLink &link, ServerMetrics &metrics, QObject *parent = nullptr);

    struct Announcement
    {
        QString url;
        std::function<int()> clients;
        std::function<qsizetype()> channels;
    };
    void announceAs(Announcement announcement);
    // Removes this instance from the hash (on a clean stop).
    void leave();

private:
    void announce();

    RedisLink &m_link;
    ServerMetrics &m_metrics;
    Announcement m_announcement;
    QTimer m_timer;
};

} // namespace cdc

#pragma once

#include "RedisConnection.h"
#include "store/TravelQuery.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>
#include <memory>

namespace cdc {

class EventStore;
class RedisLink;
struct ServerMetrics;

// Keeps this instance's window (its EventStore) of every tracked channel current with Redis:
//
//   live      Pub/Sub messages go into the window in seq order; one past the next expected seq
//             first fills the hole from the stream (XRANGE); a periodic check of every tracked
//             channel's counter catches what a dropped Pub/Sub connection missed.
//   epoch     per channel; a new one means Redis lost the channel's history: logged, counted,
//             and the next travel's ack says gap.
class RedisFollower : public QObject
{
    Q_OBJECT

public:
    RedisFollower(RedisLink &link, EventStore &window, ServerMetrics &metrics, QObject *parent = nullptr);
    ~RedisFollower() override;

    // Opens the Pub/Sub connection and starts the periodic check; after RedisLink::start.
    void start();
    void track(const QString &channel);
    qsizetype trackedCount() const { return m_tracked.size(); }

    // Events Redis assigned `firstSeq`.. in `epoch` (a publish's reply, a Pub/Sub message).
    struct Delivery
    {
        QByteArray epoch;
        qint64 firstSeq = 0;
        qint64 tsMs = 0;
        QList<QByteArray> payloads;
    };
    void receive(const QString &channel, Delivery delivery);

    // Whether the window answers this travel exactly as the stream would.
    bool windowCovers(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits) const;
    // What the window knows of a channel, for a travel from the stream: its epoch (empty if
    // untracked) and the newest seq it holds, past which the read must not go.
    QByteArray knownEpoch(const QString &channel) const;
    std::optional<qint64> trackedUpTo(const QString &channel) const;

private:
    struct Tracked
    {
        bool initialized = false;
        bool filling = false;
        bool checking = false; // its counter is being read
        QByteArray epoch;
        std::deque<Delivery> waiting; // arrived while initializing or filling, in arrival order
    };

    void connectPubSub();
    void onPush(const RedisReply &push);
    void initialize(const QString &channel);
    void fill(const QString &channel, qint64 fromSeq, qint64 toSeq);
    void drain(const QString &channel);
    void startNewEpoch(const QString &channel, qint64 redisSeq, const QByteArray &epoch);
    void restartAfterLostHistory(const QString &channel, Tracked &tracked, const QByteArray &epoch,
                                 qint64 epochStartSeq);
    void checkCounters();
    void checkChannel(const QString &channel);
    qint64 lastSeqOf(const QString &channel) const;

    RedisLink &m_link;
    EventStore &m_window;
    ServerMetrics &m_metrics;
    std::unique_ptr<RedisConnection> m_pubsub;
    QHash<QString, Tracked> m_tracked;
    QTimer m_checkTimer;
    int m_pubsubRetryMs = 250;
};

} // namespace cdc

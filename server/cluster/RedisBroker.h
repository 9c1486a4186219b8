#pragma once

#include "ClusterConfig.h"
#include "RedisConnection.h"
#include "protocol/PublishRequest.h"
#include "store/EventStore.h"
#include "store/TravelQuery.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

namespace cdc {

struct ServerMetrics;
struct RetentionLimits;

// What a cluster publish came to: receipts in the batch's order, or an HTTP error.
struct ClusterPublishOutcome
{
    QList<AppendReceipt> receipts;
    bool replayed = false; // every part answered from an earlier request with the same key
    int errorStatus = 0;   // 0: stored
    QString errorCode;
    QString errorMessage;
};

// Cluster mode's engine (Centrifugo's Redis engine is the model): Redis is the store of record,
// and this instance's EventStore is a window onto the channels it tracks — those its clients
// subscribe to and those it publishes to.
//
//   publish   one EVALSHA per channel of a batch (redis_scripts::publish): seqs, ts_ms, stream,
//             Pub/Sub, idempotency record, atomically; the reply's events go into the window.
//   live      Pub/Sub messages go into the window in seq order; one past the next expected seq
//             first fills the hole from the stream (XRANGE); a periodic check of every tracked
//             channel's counter catches what a dropped Pub/Sub connection missed.
//   travel    from the window when it covers the request, else from the stream.
//   epoch     per channel; a new one means Redis lost the channel's history: logged, counted,
//             and the next travel's ack says gap.
//
// Lives on the engine thread, like the store.
class RedisBroker : public QObject
{
    Q_OBJECT

public:
    RedisBroker(const ClusterConfig &config, EventStore &store, ServerMetrics &metrics, QObject *parent = nullptr);
    ~RedisBroker() override;

    // Connects, checks that Redis keeps what it acknowledges, loads the scripts; blocks (running
    // the event loop) until ready or refused, at most `timeoutMs`.
    bool start(int timeoutMs, QString *errorMessage);

    using PublishDone = std::function<void(const ClusterPublishOutcome &)>;
    // `idempotencyKey` empty: none. The key is scoped by the caller (per token).
    void publish(const PublishBatch &batch, const QByteArray &idempotencyKey, const QByteArray &fingerprint,
                 PublishDone done);

    // Keeps this instance's window of `channel` current from now on.
    void track(const QString &channel);

    // Whether the window answers this travel exactly as the stream would.
    bool windowCovers(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits) const;
    // Travel from the stream; the events stay valid while `holder` lives.
    using TravelDone = std::function<void(const TravelResult &result, std::shared_ptr<EventStore> holder)>;
    void travel(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits, TravelDone done);

    // Announced in Redis every few seconds (the Cluster view): this instance's URL and clients.
    void setAnnouncement(QString url, std::function<int()> clientCount);
    // Removes this instance from the announced members (on a clean stop).
    void leave();

private:
    struct Delivery
    {
        QByteArray epoch;
        qint64 firstSeq = 0;
        qint64 tsMs = 0;
        QList<QByteArray> payloads;
    };
    struct Tracked
    {
        bool initialized = false;
        bool filling = false;
        bool checking = false; // its counter is being read
        QByteArray epoch;
        std::deque<Delivery> waiting; // arrived while initializing or filling, in arrival order
    };

    void connectCommand();
    void connectPubSub();
    void onCommandReady();
    void checkPersistence(std::function<void(const QString &refusal)> done);
    void loadScripts(std::function<void(const QString &error)> done);
    void runScript(const QByteArray &script, const QByteArray &sha, const RedisConnection::Args &keysAndArgs,
                   RedisConnection::Callback callback);
    void onPush(const RedisReply &push);
    void initialize(const QString &channel);
    void receive(const QString &channel, Delivery delivery);
    void fill(const QString &channel, qint64 fromSeq, qint64 toSeq);
    void drain(const QString &channel);
    void startNewEpoch(const QString &channel, qint64 redisSeq, const QByteArray &epoch);
    void restartAfterLostHistory(const QString &channel, Tracked &tracked, const QByteArray &epoch,
                                 qint64 epochStartSeq);
    void checkCounters();
    void checkChannel(const QString &channel);
    void announce();
    void setState(bool up, const QString &state);
    qint64 lastSeqOf(const QString &channel) const;

    ClusterConfig m_config;
    EventStore &m_store;
    ServerMetrics &m_metrics;
    std::unique_ptr<RedisConnection> m_command;
    std::unique_ptr<RedisConnection> m_pubsub;
    QByteArray m_publishSha;
    QByteArray m_travelSha;
    QHash<QString, Tracked> m_tracked;
    QTimer m_checkTimer;
    QTimer m_announceTimer;
    QString m_announceUrl;
    std::function<int()> m_clientCount;
    int m_commandRetryMs = 250;
    int m_pubsubRetryMs = 250;
};

} // namespace cdc

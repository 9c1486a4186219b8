#pragma once

#include "MonitorTypes.h"
#include "ServerConfig.h"
#include "protocol/PayloadMask.h"
#include "protocol/PublishRequest.h"
#include "store/EventStore.h"
#include "store/TravelQuery.h"

#include <QObject>
#include <QSemaphore>
#include <QThread>
#include <QUrl>

namespace cdc {

class EngineWorker;

// Runs the engine on its own thread for a front that has an event loop of its own (the desktop
// window). Every call returns at once; results come back as queued signals on the caller's thread.
// The window never stalls delivery, and delivery never stalls the window.
class EngineHost : public QObject
{
    Q_OBJECT

public:
    explicit EngineHost(qsizetype liveEventCapacity, QObject *parent = nullptr);
    // Closes every client with 1001 (waiting up to a few seconds) and joins the engine thread.
    ~EngineHost() override;

    // First start, or a restart with new settings: clients get 1001, retained events stay.
    // Answered by listening() or listenFailed(); the engine keeps running either way.
    void start(const ServerConfig &config);
    void publish(const PublishBatch &batch);
    // The same store query as a WebSocket travel; an empty `channels` means every channel.
    // Returns the id that travelFinished() will carry.
    int travel(const QStringList &channels, const TravelWindow &window);
    void disconnectClient(quint64 sessionId);
    // The channel's last events' times (docs/latency.md); eventTimesArrived() follows.
    void requestEventTimes(const QString &channel);
    // Writes the retained events of `channels` (empty: all) as a JSONL capture, with `mask` applied
    // to every payload; exported() follows.
    void exportCapture(const QStringList &channels, const QString &path, const PayloadMask &mask = {});
    // Replays a capture (speed 0: as fast as possible); imported() follows when it is done.
    void importCapture(const QString &path, const QString &channelOverride, double speed);
    void setLiveEventCapacity(qsizetype capacity);
    // Starts (`table` and chunk size 0: the configured one), pauses, resumes or cancels a backfill of
    // the PostgreSQL source; backfillRefused() says why when it could not (the status shows the rest).
    enum class BackfillCommand { Start, Pause, Resume, Cancel };
    void orderBackfill(const QString &table, BackfillCommand command);

    const ServerConfig &config() const { return m_config; }
    QUrl webSocketUrl() const { return m_webSocketUrl; }
    bool isListening() const { return !m_webSocketUrl.isEmpty(); }
    // start() was called at least once (a window on a remote server may never start the engine).
    bool isStarted() const { return m_started; }

Q_SIGNALS:
    void listening(const QUrl &webSocketUrl);
    void listenFailed(const QString &error);
    void eventsArrived(const QList<cdc::LiveEvent> &events);
    void snapshotTaken(const cdc::EngineSnapshot &snapshot);
    // After the window's publish is durable (receipts), or refused (error: why).
    void published(const QList<cdc::AppendReceipt> &receipts, const QString &error);
    void travelFinished(int requestId, const cdc::TravelResult &result);
    void eventTimesArrived(const QString &channel, const QList<cdc::EventTiming> &events);
    void exported(const QString &path, qint64 events, const QString &error);
    void imported(const QString &path, qint64 events, qint64 skippedLines, const QString &error);
    void backfillRefused(const QString &reason);

private:
    ServerConfig m_config;
    QUrl m_webSocketUrl;
    QThread m_thread;
    EngineWorker *m_worker; // lives on m_thread
    QSemaphore m_shutDown;
    int m_nextTravelId = 1;
    bool m_started = false;
};

} // namespace cdc

Q_DECLARE_METATYPE(cdc::TravelResult)
Q_DECLARE_METATYPE(cdc::AppendReceipt)

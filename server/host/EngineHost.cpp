#include "EngineHost.h"

#include "CdcServer.h"
#include "Logging.h"
#include "MonitorFeed.h"
#include "broker/Broker.h"
#include "net/Mailbox.h"
#include "net/SessionHub.h"
#include "sources/BackfillControl.h"
#include "sources/CaptureImport.h"
#include "store/Capture.h"

#include <QPointer>
#include <QSaveFile>
#include <QTimer>

#include <memory>

namespace cdc {

namespace {
// How long clients get to answer the 1001 close before a restart or shutdown goes on anyway.
constexpr int closeGraceMs = 3000;
} // namespace

// The engine-thread half of EngineHost: owns the server and the monitor feed.
class EngineWorker : public QObject
{
    Q_OBJECT

public:
    explicit EngineWorker(qsizetype liveEventCapacity)
        : m_liveEventCapacity(liveEventCapacity)
    {}

    // The window's requests, run on the engine thread in the order they were made.
    Mailbox &inbox() { return m_inbox; }

    void start(const ServerConfig &config)
    {
        if (!m_server) {
            m_server = std::make_unique<CdcServer>(config);
            m_feed = std::make_unique<MonitorFeed>(*m_server, m_liveEventCapacity);
            connect(m_feed.get(), &MonitorFeed::eventsArrived, this, &EngineWorker::eventsArrived);
            connect(m_feed.get(), &MonitorFeed::snapshotTaken, this, &EngineWorker::snapshotTaken);
            listen();
            return;
        }
        stopThen([this, config] {
            m_server->reconfigure(config);
            listen();
        });
    }

    void shutDown(QSemaphore *done)
    {
        if (!m_server) {
            done->release();
            return;
        }
        stopThen([this, done] {
            m_feed.reset();
            m_server.reset();
            done->release();
        });
    }

    void publish(const PublishBatch &batch)
    {
        // Refused, it says what the command line and a remote window say (PublishRefusal::describe).
        if (m_server)
            m_server->broker().publish(batch, {}, [this](const PublishOutcome &outcome) {
                Q_EMIT published(outcome.receipts, outcome.refusal ? outcome.refusal->describe() : QString());
            });
    }

    void travel(int requestId, QStringList channels, const TravelWindow &window)
    {
        if (!m_server)
            return;
        if (channels.isEmpty()) {
            for (const ChannelLog *log : m_server->store().channels())
                channels.append(log->id());
            channels.sort();
        }
        // Through the broker, as a client's travel goes: in cluster mode it reaches the Redis stream,
        // for channels this instance never tracked too.
        m_server->broker().travel(channels, window, m_server->config().travel,
                                  [self = QPointer<EngineWorker>(this), requestId](const TravelResult &result) {
                                      if (self)
                                          Q_EMIT self->travelFinished(requestId, result);
                                  });
    }

    void eventTimes(const QString &channel)
    {
        if (m_server)
            Q_EMIT eventTimesArrived(channel, m_server->sessions().eventTimes(channel));
    }

    void orderBackfill(const QString &table, EngineHost::BackfillCommand command)
    {
        BackfillControl *backfills = m_server ? m_server->backfills() : nullptr;
        if (!backfills) {
            Q_EMIT backfillRefused(QStringLiteral("this engine has no PostgreSQL source: add one in File ▸ Settings"));
            return;
        }
        using Command = EngineHost::BackfillCommand;
        const BackfillControl::Answer answer =
            command == Command::Start ? backfills->startBackfill(table, 0)
                                      : backfills->controlBackfill(table, command == Command::Pause    ? BackfillControl::Action::Pause
                                                                          : command == Command::Resume ? BackfillControl::Action::Resume
                                                                                                       : BackfillControl::Action::Cancel);
        if (!answer.backfill)
            Q_EMIT backfillRefused(answer.message);
    }

    void disconnectClient(quint64 sessionId)
    {
        if (m_server)
            m_server->sessions().disconnectSession(sessionId, QStringLiteral("disconnected from the CDC Scope window"));
    }

    void exportCapture(const QStringList &channels, const QString &path, const PayloadMask &mask)
    {
        if (!m_server)
            return;
        QByteArray capture = cdc::exportCapture(m_server->store(), channels, {});
        if (!mask.isEmpty()) {
            QByteArray masked;
            for (const QByteArray &line : capture.split('\n'))
                if (!line.isEmpty())
                    masked.append(mask.applyToEventJson(line)).append('\n');
            capture = std::move(masked);
        }
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(capture) != capture.size() || !file.commit())
            Q_EMIT exported(path, 0, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        else
            Q_EMIT exported(path, capture.count('\n'), QString());
    }

    void importCapture(const QString &path, const QString &channelOverride, double speed)
    {
        if (!m_server)
            return;
        auto *import = new CaptureImport(
            m_server->broker(), path, channelOverride.isEmpty() ? std::nullopt : std::optional(channelOverride), speed, this);
        connect(import, &CaptureImport::finished, this, [this, import, path](qint64 events, qint64 skipped) {
            Q_EMIT imported(path, events, skipped, QString());
            import->deleteLater();
        });
        QString error;
        if (!import->start(&error)) {
            Q_EMIT imported(path, 0, 0, error);
            import->deleteLater();
        }
    }

    void setLiveEventCapacity(qsizetype capacity)
    {
        m_liveEventCapacity = capacity;
        if (m_feed)
            m_feed->setMaxPendingEvents(capacity);
    }

Q_SIGNALS:
    void listening(const QUrl &webSocketUrl);
    void listenFailed(const QString &error);
    void eventsArrived(const QList<cdc::LiveEvent> &events);
    void snapshotTaken(const cdc::EngineSnapshot &snapshot);
    void published(const QList<cdc::AppendReceipt> &receipts, const QString &error);
    void travelFinished(int requestId, const cdc::TravelResult &result);
    void eventTimesArrived(const QString &channel, const QList<cdc::EventTiming> &events);
    void exported(const QString &path, qint64 events, const QString &error);
    void backfillRefused(const QString &reason);
    void imported(const QString &path, qint64 events, qint64 skippedLines, const QString &error);

private:
    void listen()
    {
        QString error;
        if (m_server->start(&error))
            Q_EMIT listening(m_server->webSocketUrl());
        else
            Q_EMIT listenFailed(error);
    }

    // Stops listening, closes the clients with 1001, and runs `next` once they are gone (or the
    // grace period is over: a peer that never answers must not hold the window hostage).
    void stopThen(std::function<void()> next)
    {
        auto shared = std::make_shared<std::function<void()>>(std::move(next));
        // `stopped` is emitted from deep inside a closing socket's signal chain; `next` may
        // destroy those very objects, so it always runs from a fresh event-loop turn.
        auto once = [this, shared] {
            QMetaObject::invokeMethod(
                this,
                [shared] {
                    if (*shared)
                        std::exchange(*shared, nullptr)();
                },
                Qt::QueuedConnection);
        };
        if (!m_server->isListening() && m_server->sessions().sessionCount() == 0) {
            once();
            return;
        }
        connect(m_server.get(), &CdcServer::stopped, this, once, Qt::SingleShotConnection);
        // Sessions abort themselves if their peer ignores the close (WsSession), so by now any
        // straggler is on its way out.
        QTimer::singleShot(closeGraceMs, this, once);
        m_server->stop();
    }

    Mailbox m_inbox{this};
    qsizetype m_liveEventCapacity;
    std::unique_ptr<CdcServer> m_server;
    std::unique_ptr<MonitorFeed> m_feed;
};

EngineHost::EngineHost(qsizetype liveEventCapacity, QObject *parent)
    : QObject(parent)
    , m_worker(new EngineWorker(liveEventCapacity))
{
    qRegisterMetaType<cdc::LiveEvent>();
    qRegisterMetaType<QList<cdc::LiveEvent>>();
    qRegisterMetaType<cdc::EngineSnapshot>();
    qRegisterMetaType<cdc::TravelResult>();
    qRegisterMetaType<QList<cdc::EventTiming>>();
    qRegisterMetaType<QList<cdc::AppendReceipt>>();

    m_thread.setObjectName(QStringLiteral("cdc-engine"));
    m_worker->moveToThread(&m_thread);
    connect(m_worker, &EngineWorker::listening, this, [this](const QUrl &url) {
        m_webSocketUrl = url;
        Q_EMIT listening(url);
    });
    connect(m_worker, &EngineWorker::listenFailed, this, [this](const QString &error) {
        m_webSocketUrl.clear();
        Q_EMIT listenFailed(error);
    });
    connect(m_worker, &EngineWorker::eventsArrived, this, &EngineHost::eventsArrived);
    connect(m_worker, &EngineWorker::snapshotTaken, this, &EngineHost::snapshotTaken);
    connect(m_worker, &EngineWorker::published, this, &EngineHost::published);
    connect(m_worker, &EngineWorker::travelFinished, this, &EngineHost::travelFinished);
    connect(m_worker, &EngineWorker::eventTimesArrived, this, &EngineHost::eventTimesArrived);
    connect(m_worker, &EngineWorker::exported, this, &EngineHost::exported);
    connect(m_worker, &EngineWorker::backfillRefused, this, &EngineHost::backfillRefused);
    connect(m_worker, &EngineWorker::imported, this, &EngineHost::imported);
    m_thread.start();
}

EngineHost::~EngineHost()
{
    m_worker->inbox().post([this] { m_worker->shutDown(&m_shutDown); });
    m_shutDown.tryAcquire(1, closeGraceMs + 1000);
    QMetaObject::invokeMethod(
        m_worker, [this] { delete m_worker; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void EngineHost::start(const ServerConfig &config)
{
    m_config = config;
    m_started = true;
    m_webSocketUrl.clear();
    m_worker->inbox().post([worker = m_worker, config] { worker->start(config); });
}

void EngineHost::publish(const PublishBatch &batch)
{
    m_worker->inbox().post([worker = m_worker, batch] { worker->publish(batch); });
}

int EngineHost::travel(const QStringList &channels, const TravelWindow &window)
{
    const int id = m_nextTravelId++;
    m_worker->inbox().post([worker = m_worker, id, channels, window] { worker->travel(id, channels, window); });
    return id;
}

void EngineHost::requestEventTimes(const QString &channel)
{
    m_worker->inbox().post([worker = m_worker, channel] { worker->eventTimes(channel); });
}

void EngineHost::orderBackfill(const QString &table, BackfillCommand command)
{
    m_worker->inbox().post([worker = m_worker, table, command] { worker->orderBackfill(table, command); });
}

void EngineHost::disconnectClient(quint64 sessionId)
{
    m_worker->inbox().post([worker = m_worker, sessionId] { worker->disconnectClient(sessionId); });
}

void EngineHost::exportCapture(const QStringList &channels, const QString &path, const PayloadMask &mask)
{
    m_worker->inbox().post([worker = m_worker, channels, path, mask] { worker->exportCapture(channels, path, mask); });
}

void EngineHost::importCapture(const QString &path, const QString &channelOverride, double speed)
{
    m_worker->inbox().post(
        [worker = m_worker, path, channelOverride, speed] { worker->importCapture(path, channelOverride, speed); });
}

void EngineHost::setLiveEventCapacity(qsizetype capacity)
{
    m_worker->inbox().post([worker = m_worker, capacity] { worker->setLiveEventCapacity(capacity); });
}

} // namespace cdc

#include "EngineHost.moc"

#pragma once

#include "ServerConfig.h"
#include "ServerMetrics.h"
#include "net/ServerNotice.h"
#include "sources/SchemaLog.h"
#include "store/EventStore.h"
#include "store/Journal.h"

#include <QObject>
#include <QUrl>

#include <memory>

namespace cdc {

class BackfillControl;
class Broker;
class ConnectionThreads;
class FrontDoor;
class HttpApi;
class SessionHub;
namespace pg {
class PostgresSource;
}

// The engine: store, sessions, and the network front, wired together. One instance lives on one
// thread (the main thread headless, a dedicated thread under the GUI); everything it owns is
// touched only from there.
class CdcServer : public QObject
{
    Q_OBJECT

public:
    explicit CdcServer(ServerConfig config, QObject *parent = nullptr);
    // With another store of record than the configuration's (a test's fake Broker): `makeBroker`
    // builds it over this server's store, metrics and settings.
    using BrokerFactory =
        std::function<std::unique_ptr<Broker>(EventStore &window, ServerMetrics &metrics, const ServerConfig &config)>;
    CdcServer(ServerConfig config, const BrokerFactory &makeBroker, QObject *parent = nullptr);
    ~CdcServer() override;

    // Opens the journal (the first time) and starts listening; on failure the message says why
    // (for example "address already in use", or what is wrong with the journal).
    bool start(QString *errorMessage = nullptr);
    const Journal *journal() const { return m_journal.get(); }
    // Opens the journal (if configured) and restores the store, without listening.
    bool openStorage(QString *errorMessage);
    // Stops accepting and closes every WebSocket with 1001; `stopped` follows once all are gone.
    void stop();
    // Takes new settings while stopped; start() then listens with them. The retained events stay
    // (the new retention applies to them at once), so a settings change loses no history.
    void reconfigure(const ServerConfig &config);
    bool isListening() const;

    QUrl webSocketUrl() const;
    QUrl httpUrl() const;
    quint16 port() const;

    // Broker::publish with the outcome in words (tests, tools): `done` runs once the events are
    // durable — committed to the journal, or confirmed by Redis in cluster mode — with their
    // receipts, or with the reason they were not stored. Without `done`, a refusal is logged.
    using PublishDone = std::function<void(const QList<AppendReceipt> &receipts, const QString &error)>;
    void publish(const PublishBatch &batch, PublishDone done = {});
    // The store of record (LocalBroker, or RedisBroker in cluster mode): chosen once, here.
    Broker &broker() { return *m_broker; }

    const ServerConfig &config() const { return m_config; }
    EventStore &store() { return m_store; }
    SessionHub &sessions() { return *m_hub; }
    SchemaLog &schemas() { return m_schemas; }
    // The PostgreSQL source's backfills; null without a source.
    BackfillControl *backfills();
    const ServerMetrics &metrics() const { return m_metrics; }

Q_SIGNALS:
    void stopped();
    // A source (PostgreSQL) changed state or made progress.
    void sourceStatusChanged(const cdc::SourceStatus &status);
    // A client cut or a connection refused, with why (the window's Notices).
    void noticed(const cdc::ServerNotice &notice);

private:
    bool openJournal(QString *errorMessage);
    // Opens the journal and gives it to the store; why not, if it could not be used.
    std::optional<QString> attachJournal(const JournalOptions &options);
    void startSources();

    ServerConfig m_config;
    ServerMetrics m_metrics;
    EventStore m_store;
    SchemaLog m_schemas; // the sources' schema changes, by channel (GET /channels/{id}/schema)
    // Before the hub and the API, which use it; after the store, which it fills.
    std::unique_ptr<Broker> m_broker;
    // The threads that own every connection; stopped first on destruction, before the engine
    // objects their calls reach.
    std::unique_ptr<ConnectionThreads> m_threads;
    std::unique_ptr<SessionHub> m_hub;
    std::unique_ptr<HttpApi> m_api;
    std::unique_ptr<FrontDoor> m_frontDoor;
    std::unique_ptr<Journal> m_journal;
    // After the store: stopping it confirms upstream only what the store made durable.
    std::unique_ptr<pg::PostgresSource> m_postgres;
    bool m_stopping = false;
};

} // namespace cdc

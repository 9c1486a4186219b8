#include "CdcServer.h"

#include "Logging.h"
#include "broker/LocalBroker.h"
#include "cluster/RedisBroker.h"
#include "net/ConnectionThreads.h"
#include "net/FrontDoor.h"
#include "net/HttpApi.h"
#include "net/SessionHub.h"
#include "protocol/WsWire.h"
#include "sources/postgres/PostgresSource.h"

#include <QElapsedTimer>

namespace cdc {

namespace {

// The store's limits: the retention settings, and as many forgotten channels remembered as the
// server may hold channels (--max-channels), since both are names publishers choose.
RetentionLimits storeLimits(const ServerConfig &config)
{
    RetentionLimits limits = config.retention;
    limits.maxTombstones = config.maxChannels;
    return limits;
}

// The one place that knows which store of record this server has.
std::unique_ptr<Broker> makeBroker(EventStore &store, ServerMetrics &metrics, const ServerConfig &config)
{
    if (config.cluster)
        return std::make_unique<RedisBroker>(*config.cluster, store, metrics, config);
    return std::make_unique<LocalBroker>(store, metrics, config);
}

} // namespace

CdcServer::CdcServer(ServerConfig config, QObject *parent)
    : CdcServer(std::move(config), &makeBroker, parent)
{
}

CdcServer::CdcServer(ServerConfig config, const BrokerFactory &makeBroker, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_store(storeLimits(m_config))
    , m_broker(makeBroker(m_store, m_metrics, m_config))
    , m_threads(std::make_unique<ConnectionThreads>(m_config, m_metrics))
    , m_hub(std::make_unique<SessionHub>(m_store, m_metrics, m_config, *m_threads, *m_broker))
    , m_api(std::make_unique<HttpApi>(m_store, *m_hub, m_metrics, m_config, *m_broker, m_schemas))
    , m_frontDoor(std::make_unique<FrontDoor>(m_config, *m_threads))
{
    m_threads->serve(m_api.get());
    connect(m_threads.get(), &ConnectionThreads::noticed, this, &CdcServer::noticed);
    connect(m_hub.get(), &SessionHub::noticed, this, &CdcServer::noticed);
    connect(m_hub.get(), &SessionHub::allClosed, this, [this] {
        if (m_stopping)
            Q_EMIT stopped();
    });
}

CdcServer::~CdcServer()
{
    // What was accepted in this last event-loop turn still goes into the journal, and the source
    // confirms it upstream before its thread ends.
    m_store.commitNow();
    m_api->setBackfillControl(nullptr);
    m_postgres.reset();
    // The connections reach into the API and the hub: they end first, with their threads.
    m_frontDoor.reset();
    m_threads->stop();
    m_api.reset();
    m_hub.reset();
    m_threads.reset();
    m_broker.reset();
}

bool CdcServer::openJournal(QString *errorMessage)
{
    const JournalOptions &options = *m_config.journal;
    QElapsedTimer loading;
    loading.start();
    std::optional<QString> problem = attachJournal(options);
    if (problem && m_config.resetUnreadableJournal) {
        const auto aside = Journal::moveAside(options.path);
        if (aside.index() == 1) {
            *errorMessage = std::get<1>(aside);
            return false;
        }
        qCWarning(lcServer).noquote() << "journal could not be used (" << *problem << "); moved it to"
                                      << std::get<0>(aside) << "and started an empty one";
        problem = attachJournal(options);
    }
    if (problem) {
        *errorMessage = *problem;
        return false;
    }
    qCInfo(lcServer).noquote() << "journal" << m_journal->path() << "(sync" << syncLevelName(options.sync)
                               << "):" << m_store.totalEvents() << "events in" << m_store.channelCount()
                               << "channels restored in" << loading.elapsed() << "ms";
    return true;
}

std::optional<QString> CdcServer::attachJournal(const JournalOptions &options)
{
    auto opened = Journal::open(options);
    if (auto *error = std::get_if<QString>(&opened))
        return *error;
    m_journal = std::move(std::get<std::unique_ptr<Journal>>(opened));
    if (auto refusal = m_store.attachJournal(m_journal.get(), m_config.acceptJournalLoss)) {
        m_journal.reset();
        return refusal;
    }
    return std::nullopt;
}

bool CdcServer::openStorage(QString *errorMessage)
{
    QString journalError;
    if (m_config.journal && !m_journal && !openJournal(&journalError)) {
        if (errorMessage)
            *errorMessage = journalError;
        return false;
    }
    return true;
}

bool CdcServer::start(QString *errorMessage)
{
    m_stopping = false;
    if (!openStorage(errorMessage))
        return false;
    if (!m_broker->start(10'000, errorMessage))
        return false;
    QString reason;
    if (!m_frontDoor->listen(&reason)) {
        if (errorMessage)
            *errorMessage = QStringLiteral("cannot listen on %1:%2: %3")
                                .arg(m_config.bindAddress.toString())
                                .arg(m_config.port)
                                .arg(reason);
        return false;
    }
    qCInfo(lcServer).noquote() << "listening on" << webSocketUrl().toString() << "and" << httpUrl().toString();
    m_broker->serve({webSocketUrl().toString(), [this] { return int(m_hub->sessionCount()); },
                     [this](const QString &channel) { return m_hub->subscriberCount(channel) > 0; }});
    if (!m_config.bindAddress.isLoopback() && !m_config.accessControl)
        qCWarning(lcServer).noquote()
            << "listening on" << m_config.bindAddress.toString()
            << "without authentication: anyone who can reach this port can read and publish every channel. "
               "Start with --auth-tokens (docs/security.md), or bind 127.0.0.1.";
    else if (m_config.accessControl)
        qCInfo(lcServer).noquote() << "authentication on:" << m_config.accessControl->size() << "token(s)";
    startSources();
    return true;
}

BackfillControl *CdcServer::backfills()
{
    return m_postgres.get();
}

void CdcServer::startSources()
{
    if (!m_config.postgres || m_postgres)
        return;
    // The source resumes from the store's positions: make them the durable ones first.
    m_store.commitNow();
    m_postgres = std::make_unique<pg::PostgresSource>(*m_config.postgres, *m_broker, m_schemas);
    connect(m_postgres.get(), &pg::PostgresSource::statusChanged, this, [this](const SourceStatus &status) {
        m_metrics.sources.insert(status.name, status);
        Q_EMIT sourceStatusChanged(status);
    });
    m_metrics.sources.insert(m_postgres->status().name, m_postgres->status());
    m_api->setBackfillControl(m_postgres.get());
    m_postgres->start();
}

void CdcServer::stop()
{
    m_stopping = true;
    if (m_postgres) {
        m_store.commitNow();
        m_api->setBackfillControl(nullptr);
        m_postgres.reset(); // confirms what is durable and ends the replication connection
        m_metrics.sources.clear();
    }
    m_frontDoor->stopListening();
    m_broker->leave();
    m_hub->closeAll(ws::CloseCode::goingAway, QStringLiteral("server shutting down"));
}

void CdcServer::reconfigure(const ServerConfig &config)
{
    Q_ASSERT(!isListening());
    // The hub, the API and the front door hold references to m_config: they see the new values.
    m_frontDoor.reset();
    m_config = config;
    m_store.setLimits(storeLimits(m_config));
    m_hub->applyConfig();
    m_frontDoor = std::make_unique<FrontDoor>(m_config, *m_threads);
}

bool CdcServer::isListening() const
{
    return m_frontDoor->isListening();
}

quint16 CdcServer::port() const
{
    return m_frontDoor->port();
}

QUrl CdcServer::httpUrl() const
{
    QUrl url;
    url.setScheme(m_config.tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(m_frontDoor->address().toString());
    url.setPort(port());
    url.setPath(QStringLiteral("/"));
    return url;
}

QUrl CdcServer::webSocketUrl() const
{
    QUrl url = httpUrl();
    url.setScheme(m_config.tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setPath(QStringLiteral("/ws"));
    return url;
}

void CdcServer::publish(const PublishBatch &batch, PublishDone done)
{
    m_broker->publish(batch, {}, [done = std::move(done)](const PublishOutcome &outcome) {
        const QString error = outcome.refusal ? outcome.refusal->message : QString();
        if (done)
            return done(outcome.receipts, error);
        if (!error.isEmpty())
            qCWarning(lcIngest).noquote() << "events not stored:" << error;
    });
}

} // namespace cdc

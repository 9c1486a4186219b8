#include "EmbeddedSource.h"

#include "host/EngineHost.h"

namespace cdc {

EmbeddedSource::EmbeddedSource(EngineHost &engine, QObject *parent)
    : MonitorSource(parent)
    , m_engine(engine)
{
    connect(&m_engine, &EngineHost::eventsArrived, this, &MonitorSource::eventsArrived);
    connect(&m_engine, &EngineHost::snapshotTaken, this, &MonitorSource::snapshotTaken);
    connect(&m_engine, &EngineHost::published, this, &MonitorSource::published);
    connect(&m_engine, &EngineHost::travelFinished, this, &MonitorSource::travelFinished);
    connect(&m_engine, &EngineHost::eventTimesArrived, this, &MonitorSource::eventTimesArrived);
    connect(&m_engine, &EngineHost::backfillRefused, this,
            [this](const QString &reason) { Q_EMIT noticed(tr("Backfill refused: %1").arg(reason)); });
    connect(&m_engine, &EngineHost::listening, this,
            [this](const QUrl &url) { setStatus(ConnectionStatus::State::Connected, url, tr("listening")); });
    connect(&m_engine, &EngineHost::listenFailed, this,
            [this](const QString &error) { setStatus(ConnectionStatus::State::NotListening, {}, error); });
    if (m_engine.isListening())
        m_status = {ConnectionStatus::State::Connected, m_engine.webSocketUrl(), tr("listening")};
}

QString EmbeddedSource::title() const
{
    return tr("This computer");
}

SourceOffers EmbeddedSource::offers() const
{
    return {true, true, true, true, {}};
}

qint64 EmbeddedSource::maxTravelLimit() const
{
    return m_engine.config().travel.maxLimit;
}

void EmbeddedSource::publish(const PublishBatch &batch)
{
    m_engine.publish(batch);
}

int EmbeddedSource::travel(const QStringList &channels, const TravelWindow &window)
{
    return m_engine.travel(channels, window);
}

void EmbeddedSource::disconnectClient(quint64 sessionId)
{
    m_engine.disconnectClient(sessionId);
}

void EmbeddedSource::orderBackfill(const QString &table, BackfillCommand command)
{
    static_assert(int(EngineHost::BackfillCommand::Cancel) == int(BackfillCommand::Cancel), "the same commands");
    m_engine.orderBackfill(table, EngineHost::BackfillCommand(int(command)));
}

void EmbeddedSource::requestEventTimes(const QString &channel)
{
    m_engine.requestEventTimes(channel);
}

void EmbeddedSource::setStatus(ConnectionStatus::State state, const QUrl &url, const QString &text)
{
    m_status = {state, url, text};
    Q_EMIT statusChanged(m_status);
}

} // namespace cdc

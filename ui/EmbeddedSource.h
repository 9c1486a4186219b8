#pragma once

#include "MonitorSource.h"

namespace cdc {

class EngineHost;

// The engine running in this process, as a window's source. Several windows may share one engine.
class EmbeddedSource : public MonitorSource
{
    Q_OBJECT

public:
    explicit EmbeddedSource(EngineHost &engine, QObject *parent = nullptr);

    QString title() const override;
    SourceOffers offers() const override;
    ConnectionStatus status() const override { return m_status; }
    qint64 maxTravelLimit() const override;

    void publish(const PublishBatch &batch) override;
    int travel(const QStringList &channels, const TravelWindow &window) override;
    void subscribe(const QString &) override {} // every channel of the engine is shown already
    void disconnectClient(quint64 sessionId) override;
    void requestEventTimes(const QString &channel) override;
    void orderBackfill(const QString &table, BackfillCommand command) override;

    EngineHost &engine() const { return m_engine; }

private:
    void setStatus(ConnectionStatus::State state, const QUrl &url, const QString &text);

    EngineHost &m_engine;
    ConnectionStatus m_status;
};

} // namespace cdc

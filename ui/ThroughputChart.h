#pragma once

#include "host/MonitorTypes.h"

#include <QChartView>

class QLineSeries;
class QDateTimeAxis;
class QValueAxis;

namespace cdc {

// Events in per second and deliveries out per second over the last five minutes, from the
// engine's snapshots (one point per snapshot interval, never per event).
class ThroughputChart : public QChartView
{
    Q_OBJECT

public:
    explicit ThroughputChart(QWidget *parent = nullptr);

    void addSnapshot(const EngineSnapshot &snapshot);
    QLineSeries *eventsInSeries() const { return m_in; }
    QLineSeries *deliveriesSeries() const { return m_out; }
    double latestEventsPerSecond() const { return m_latestIn; }

private:
    QLineSeries *m_in;
    QLineSeries *m_out;
    QDateTimeAxis *m_time;
    QValueAxis *m_rate;
    EngineSnapshot m_previous;
    double m_latestIn = 0;
    double m_peak = 10;
};

} // namespace cdc

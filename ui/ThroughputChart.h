#pragma once

#include "host/MonitorTypes.h"

#include <QChartView>
#include <QHash>

class QLineSeries;
class QDateTimeAxis;
class QValueAxis;

namespace cdc {

// Events in per second — in all and for each of the busiest channels — and deliveries out per
// second over the last five minutes, from the engine's snapshots (one point per snapshot interval,
// never per event). The rate axis fits the highest point shown, spikes included; the chart follows
// the window's theme.
class ThroughputChart : public QChartView
{
    Q_OBJECT

public:
    // Channels charted on their own; the rest are in the total.
    static constexpr int chartedChannels = 6;

    explicit ThroughputChart(QWidget *parent = nullptr);

    void addSnapshot(const EngineSnapshot &snapshot);
    QLineSeries *eventsInSeries() const { return m_in; }
    QLineSeries *deliveriesSeries() const { return m_out; }
    // The series of `channel`, if it is charted.
    QLineSeries *channelSeries(const QString &channel) const { return m_channels.value(channel); }
    QValueAxis *rateAxis() const { return m_rate; }
    double latestEventsPerSecond() const { return m_latestIn; }

private:
    QLineSeries *addSeries(const QString &name);
    void applyTheme();

    QLineSeries *m_in;
    QLineSeries *m_out;
    QHash<QString, QLineSeries *> m_channels;
    QDateTimeAxis *m_time;
    QValueAxis *m_rate;
    EngineSnapshot m_previous;
    double m_latestIn = 0;
};

} // namespace cdc

#include "ThroughputChart.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QValueAxis>

namespace cdc {

namespace {
constexpr qint64 windowMs = 5 * 60 * 1000;
}

// The chart is handed to the base constructor: QChartView(parent) would make a default chart that
// setChart() later releases without deleting (a leak of a whole scene per window).
ThroughputChart::ThroughputChart(QWidget *parent)
    : QChartView(new QChart, parent)
    , m_in(new QLineSeries)
    , m_out(new QLineSeries)
    , m_time(new QDateTimeAxis)
    , m_rate(new QValueAxis)
{
    QChart *chart = this->chart();
    m_in->setName(tr("Events in/s"));
    m_out->setName(tr("Deliveries out/s"));
    chart->addSeries(m_in);
    chart->addSeries(m_out);
    m_time->setFormat(QStringLiteral("HH:mm:ss"));
    m_time->setTickCount(6);
    m_rate->setLabelFormat(QStringLiteral("%.0f"));
    m_rate->setRange(0, m_peak);
    chart->addAxis(m_time, Qt::AlignBottom);
    chart->addAxis(m_rate, Qt::AlignLeft);
    for (QLineSeries *series : {m_in, m_out}) {
        series->attachAxis(m_time);
        series->attachAxis(m_rate);
    }
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setMargins(QMargins(4, 4, 4, 4));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(now - windowMs), QDateTime::fromMSecsSinceEpoch(now));
    setRenderHint(QPainter::Antialiasing);
}

void ThroughputChart::addSnapshot(const EngineSnapshot &snapshot)
{
    if (m_previous.takenAtMs > 0 && snapshot.takenAtMs > m_previous.takenAtMs) {
        const double seconds = double(snapshot.takenAtMs - m_previous.takenAtMs) / 1000.0;
        m_latestIn = double(snapshot.eventsIn - m_previous.eventsIn) / seconds;
        const double out = double(snapshot.deliveriesOut - m_previous.deliveriesOut) / seconds;
        const auto x = double(snapshot.takenAtMs);
        m_in->append(x, m_latestIn);
        m_out->append(x, out);
        for (QLineSeries *series : {m_in, m_out})
            while (series->count() > 0 && series->at(0).x() < x - windowMs)
                series->remove(0);
        m_peak = std::max({m_peak * 0.98, m_latestIn * 1.1, out * 1.1, 10.0});
        m_rate->setRange(0, m_peak);
        m_time->setRange(QDateTime::fromMSecsSinceEpoch(snapshot.takenAtMs - windowMs),
                         QDateTime::fromMSecsSinceEpoch(snapshot.takenAtMs));
    }
    m_previous = snapshot;
}

} // namespace cdc

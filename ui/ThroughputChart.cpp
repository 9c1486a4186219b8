#include "ThroughputChart.h"

#include "Theme.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>

namespace cdc {

namespace {
constexpr qint64 windowMs = 5 * 60 * 1000;
}

// The chart is handed to the base constructor: QChartView(parent) would make a default chart that
// setChart() later releases without deleting (a leak of a whole scene per window).
ThroughputChart::ThroughputChart(QWidget *parent)
    : QChartView(new QChart, parent)
    , m_time(new QDateTimeAxis)
    , m_rate(new QValueAxis)
{
    QChart *chart = this->chart();
    m_time->setFormat(QStringLiteral("HH:mm:ss"));
    m_time->setTickCount(6);
    m_rate->setLabelFormat(QStringLiteral("%.0f"));
    m_rate->setRange(0, 10);
    chart->addAxis(m_time, Qt::AlignBottom);
    chart->addAxis(m_rate, Qt::AlignLeft);
    m_in = addSeries(tr("Events in/s (all)"));
    m_out = addSeries(tr("Deliveries out/s"));
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setMargins(QMargins(4, 4, 4, 4));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(now - windowMs), QDateTime::fromMSecsSinceEpoch(now));
    setRenderHint(QPainter::Antialiasing);
    applyTheme();
    connect(&Theme::instance(), &Theme::changed, this, &ThroughputChart::applyTheme);
}

QLineSeries *ThroughputChart::addSeries(const QString &name)
{
    auto *series = new QLineSeries;
    series->setName(name);
    chart()->addSeries(series);
    series->attachAxis(m_time);
    series->attachAxis(m_rate);
    return series;
}

void ThroughputChart::applyTheme()
{
    // setTheme() recolours the series too: the totals are drawn thicker again after it.
    chart()->setTheme(Theme::instance().isDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart()->setBackgroundBrush(palette().base());
    for (QLineSeries *total : {m_in, m_out}) {
        QPen pen = total->pen();
        pen.setWidthF(2.5);
        total->setPen(pen);
    }
}

void ThroughputChart::addSnapshot(const EngineSnapshot &snapshot)
{
    const auto x = double(snapshot.takenAtMs);
    if (m_previous.takenAtMs > 0 && snapshot.takenAtMs > m_previous.takenAtMs) {
        const double seconds = double(snapshot.takenAtMs - m_previous.takenAtMs) / 1000.0;
        m_latestIn = double(snapshot.eventsIn - m_previous.eventsIn) / seconds;
        m_in->append(x, m_latestIn);
        m_out->append(x, double(snapshot.deliveriesOut - m_previous.deliveriesOut) / seconds);
    }
    m_previous = snapshot;

    // The busiest channels get a line of their own (once charted, a channel keeps it); their rates
    // come with the snapshot.
    QList<ChannelStats> busiest = snapshot.channels;
    std::sort(busiest.begin(), busiest.end(),
              [](const ChannelStats &a, const ChannelStats &b) { return a.eventsPerSecond > b.eventsPerSecond; });
    for (const ChannelStats &channel : busiest) {
        if (m_channels.size() >= chartedChannels || channel.eventsPerSecond <= 0)
            break;
        if (!m_channels.contains(channel.id))
            m_channels.insert(channel.id, addSeries(channel.id));
    }
    QHash<QString, double> rates;
    for (const ChannelStats &channel : snapshot.channels)
        rates.insert(channel.id, channel.eventsPerSecond);
    for (auto it = m_channels.cbegin(); it != m_channels.cend(); ++it)
        it.value()->append(x, rates.value(it.key()));

    // Five minutes shown, and the axis fits the highest point among them.
    double highest = 10;
    const auto keepWindow = [&](QLineSeries *series) {
        int old = 0;
        while (old < series->count() && series->at(old).x() < x - windowMs)
            ++old;
        if (old > 0)
            series->removePoints(0, old);
        for (const QPointF &point : series->points())
            highest = std::max(highest, point.y());
    };
    keepWindow(m_in);
    keepWindow(m_out);
    for (QLineSeries *series : std::as_const(m_channels))
        keepWindow(series);
    m_rate->setRange(0, highest * 1.1);
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(snapshot.takenAtMs - windowMs),
                     QDateTime::fromMSecsSinceEpoch(snapshot.takenAtMs));
}

} // namespace cdc

#include "SourcesPanel.h"

#include "Theme.h"

#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLabel>
#include <QLineSeries>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>

namespace cdc {

SourcesPanel::SourcesPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(makeSourcesModel(this))
    , m_table(makeSnapshotTable(m_model, this))
    , m_hint(new QLabel(tr("No source streams into this server. On this computer, add a PostgreSQL connection in "
                           "File ▸ Settings; a headless server takes --pg-dsn (docs/postgres.md)."),
                        this))
    , m_warnings(new QLabel(this))
    , m_chart(new QChartView(new QChart, this))
    , m_retained(new QLineSeries)
    , m_time(new QDateTimeAxis)
    , m_mib(new QValueAxis)
{
    m_table->setObjectName(QStringLiteral("sourcesTable"));
    m_hint->setObjectName(QStringLiteral("sourcesHint"));
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_hint);
    layout->addWidget(m_table);
    // What the user should fix upstream stays in view, not in a column cut off at the edge.
    m_warnings->setObjectName(QStringLiteral("sourcesWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->setTextFormat(Qt::RichText);
    layout->addWidget(m_warnings);
    // Retained WAL over the last hour: a slot that holds WAL climbs here long before a disk fills.
    m_chart->setObjectName(QStringLiteral("retainedWalChart"));
    m_retained->setName(tr("WAL retained by the slot (MiB), last hour"));
    QChart *chart = m_chart->chart();
    chart->addSeries(m_retained);
    m_time->setFormat(QStringLiteral("HH:mm"));
    m_time->setTickCount(4);
    m_mib->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(m_time, Qt::AlignBottom);
    chart->addAxis(m_mib, Qt::AlignLeft);
    m_retained->attachAxis(m_time);
    m_retained->attachAxis(m_mib);
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->setMinimumHeight(140);
    m_chart->setRenderHint(QPainter::Antialiasing);
    const auto theme = [this] {
        m_chart->chart()->setTheme(Theme::instance().isDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    };
    theme();
    connect(&Theme::instance(), &Theme::changed, this, theme);
    layout->addWidget(m_chart);
    setSources({});
}

void SourcesPanel::setSources(const QList<SourceStatus> &sources)
{
    m_model->setRows(sources);
    m_hint->setVisible(sources.isEmpty());
    m_table->setVisible(!sources.isEmpty());
    QStringList warnings;
    for (const SourceStatus &source : sources)
        for (const QString &warning : source.warnings)
            // The slot's own warnings (WAL the server may run out of disk for) in red, the rest amber.
            warnings.append(QStringLiteral("<span style=\"color:%1\">⚠ %2</span>")
                                .arg(warning.startsWith(u"the slot") ? errorColour() : warningColour(),
                                     warning.toHtmlEscaped()));
    m_warnings->setText(warnings.join(QStringLiteral("<br>")));
    m_warnings->setVisible(!warnings.isEmpty());

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!sources.isEmpty() && sources.front().retainedWalBytes) {
        m_retained->append(double(now), double(*sources.front().retainedWalBytes) / double(1 << 20));
        constexpr qint64 hourMs = 3'600'000;
        int old = 0;
        while (old < m_retained->count() && m_retained->at(old).x() < double(now - hourMs))
            ++old;
        if (old > 0)
            m_retained->removePoints(0, old);
        double highest = 1;
        for (const QPointF &point : m_retained->points())
            highest = std::max(highest, point.y());
        m_mib->setRange(0, highest * 1.1);
        m_time->setRange(QDateTime::fromMSecsSinceEpoch(now - hourMs), QDateTime::fromMSecsSinceEpoch(now));
    }
    m_chart->setVisible(!sources.isEmpty());
}

} // namespace cdc

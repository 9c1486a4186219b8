#include "SourcesPanel.h"

#include "Theme.h"

#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
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
    , m_backfillsModel(makeBackfillsModel(this))
    , m_backfills(makeSnapshotTable(m_backfillsModel, this))
    , m_backfillButton(new QPushButton(tr("Backfill table…"), this))
    , m_pause(new QPushButton(tr("Pause"), this))
    , m_resume(new QPushButton(tr("Resume"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
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
    // Backfills: the rows that were there before the slot, read while the stream goes on.
    m_backfills->setObjectName(QStringLiteral("backfillsTable"));
    m_backfills->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_backfills->setSelectionMode(QAbstractItemView::SingleSelection);
    m_backfills->setMaximumHeight(120);
    layout->addWidget(m_backfills);
    auto *buttons = new QHBoxLayout;
    m_backfillButton->setObjectName(QStringLiteral("backfillTableButton"));
    m_backfillButton->setToolTip(tr("Read a table's existing rows as op \"read\" events while changes stream on "
                                    "(docs/postgres.md, Backfill)"));
    m_pause->setObjectName(QStringLiteral("pauseBackfillButton"));
    m_resume->setObjectName(QStringLiteral("resumeBackfillButton"));
    m_cancel->setObjectName(QStringLiteral("cancelBackfillButton"));
    buttons->addWidget(m_backfillButton);
    buttons->addStretch();
    for (QPushButton *button : {m_pause, m_resume, m_cancel})
        buttons->addWidget(button);
    layout->addLayout(buttons);
    connect(m_backfillButton, &QPushButton::clicked, this, &SourcesPanel::askForBackfill);
    const auto act = [this](BackfillAction action) {
        if (const QString table = selectedBackfill(); !table.isEmpty())
            Q_EMIT backfillActionRequested(table, action);
    };
    connect(m_pause, &QPushButton::clicked, this, [act] { act(BackfillAction::Pause); });
    connect(m_resume, &QPushButton::clicked, this, [act] { act(BackfillAction::Resume); });
    connect(m_cancel, &QPushButton::clicked, this, [act] { act(BackfillAction::Cancel); });
    connect(m_backfills->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &SourcesPanel::updateBackfillButtons);
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

void SourcesPanel::askForBackfill()
{
    bool ok = false;
    const QString table = QInputDialog::getText(this, tr("Backfill table"),
                                                tr("Table to read (schema.table; it needs a primary key and must be in "
                                                   "the publication):"),
                                                QLineEdit::Normal, QStringLiteral("public."), &ok)
                              .trimmed();
    if (ok && !table.isEmpty())
        Q_EMIT backfillRequested(table);
}

QString SourcesPanel::selectedBackfill() const
{
    const QModelIndexList rows = m_backfills->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_backfillsModel->rowAt(rows.first().row()).table;
}

void SourcesPanel::updateBackfillButtons()
{
    const QModelIndexList rows = m_backfills->selectionModel()->selectedRows();
    const QString state = rows.isEmpty() ? QString() : m_backfillsModel->rowAt(rows.first().row()).state;
    m_pause->setEnabled(state == u"running");
    m_resume->setEnabled(state == u"paused" || state == u"failed");
    m_cancel->setEnabled(state == u"running" || state == u"paused");
}

void SourcesPanel::setSources(const QList<SourceStatus> &sources)
{
    m_model->setRows(sources);
    QList<BackfillStatus> backfills;
    for (const SourceStatus &source : sources)
        backfills += source.backfills;
    m_backfillsModel->setRows(backfills);
    m_backfills->setVisible(!backfills.isEmpty());
    m_backfillButton->setVisible(!sources.isEmpty());
    for (QPushButton *button : {m_pause, m_resume, m_cancel})
        button->setVisible(!backfills.isEmpty());
    updateBackfillButtons();
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

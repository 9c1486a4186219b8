#include "TravelResultView.h"

#include "TimeDisplay.h"

#include "EventDetailPane.h"
#include "EventFilterProxy.h"
#include "EventRingModel.h"
#include "EventTableView.h"
#include "FilterBar.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

namespace cdc {

namespace {

QString describeWindow(const TravelWindow &window, qint64 limit)
{
    QStringList parts;
    if (window.sinceSeq)
        parts.append(QStringLiteral("since_seq %1").arg(*window.sinceSeq));
    if (window.sinceTsMs)
        parts.append(QStringLiteral("since %1")
                         .arg(TimeDisplay::format(*window.sinceTsMs, QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")) + u' ' +
                              TimeDisplay::zoneName()));
    if (parts.isEmpty())
        parts.append(QStringLiteral("newest"));
    parts.append(QStringLiteral("limit %1").arg(limit));
    return parts.join(QStringLiteral(", "));
}

} // namespace

TravelResultView::TravelResultView(const QStringList &channels, const TravelWindow &window, const TravelResult &result,
                                   QWidget *parent)
    : QWidget(parent)
    , m_model(new EventRingModel(std::max<qsizetype>(1, result.events.size()), this))
    , m_proxy(new EventFilterProxy(this))
    , m_table(new EventTableView(this))
    , m_filterBar(new FilterBar(m_proxy, this))
    , m_detail(new EventDetailPane(this))
    , m_summary(new QLabel(this))
{
    m_model->append(result.events);
    m_proxy->setSourceModel(m_model);
    m_table->setModel(m_proxy);
    m_table->horizontalHeader()->resizeSection(EventRingModel::TimeColumn, 110);

    QStringList ranges;
    for (const TravelChannelRange &range : result.channels)
        ranges.append(QStringLiteral("%1 retains %2–%3%4")
                          .arg(range.channel,
                               range.oldestSeq ? QString::number(*range.oldestSeq) : QStringLiteral("none"),
                               range.newestSeq ? QString::number(*range.newestSeq) : QStringLiteral("none"),
                               range.gap ? tr(" (gap: history was lost)") : QString()));
    m_summary->setObjectName(QStringLiteral("travelSummary"));
    m_summary->setWordWrap(true);
    m_summary->setText(tr("<b>%1</b> · %2 · count %3 · %4 · %5<br>%6")
                           .arg(channels.isEmpty() ? tr("all channels") : channels.join(QStringLiteral(", ")),
                                describeWindow(window, result.effectiveLimit))
                           .arg(result.events.size())
                           .arg(result.truncated ? tr("truncated: more matched") : tr("complete"),
                                result.anyGap() ? tr("<span style='color:#c0392b'>gap</span>") : tr("no gap"),
                                ranges.join(QStringLiteral("; ")).toHtmlEscaped()));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_filterBar);
    layout->addWidget(splitter);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const QModelIndex row = m_proxy->mapToSource(current);
                if (row.isValid())
                    m_detail->showEvent(m_model->eventAt(row.row()));
            });
}

QString TravelResultView::summary() const
{
    return m_summary->text();
}

} // namespace cdc

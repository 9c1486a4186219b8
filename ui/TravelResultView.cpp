#include "TravelResultView.h"

#include "GapMarker.h"
#include "TimeDisplay.h"

#include "EventDetailPane.h"
#include "EventFilterProxy.h"
#include "EventRingModel.h"
#include "EventTableView.h"
#include "FilterBar.h"

#include "Theme.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
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
    , m_channels(channels)
    , m_model(new EventRingModel(1, this))
    , m_proxy(new EventFilterProxy(this))
    , m_table(new EventTableView(this))
    , m_filterBar(new FilterBar(m_proxy, this))
    , m_detail(new EventDetailPane(this))
    , m_summary(new QLabel(this))
    , m_older(new QPushButton(tr("◀ Older"), this))
    , m_newer(new QPushButton(tr("Newer ▶"), this))
{
    m_proxy->setSourceModel(m_model);
    m_table->setModel(m_proxy);
    m_summary->setObjectName(QStringLiteral("travelSummary"));
    m_summary->setWordWrap(true);
    m_older->setObjectName(QStringLiteral("olderPage"));
    m_newer->setObjectName(QStringLiteral("newerPage"));
    connect(m_older, &QPushButton::clicked, this, [this] { Q_EMIT pageRequested(m_channels, m_olderPage); });
    connect(m_newer, &QPushButton::clicked, this, [this] { Q_EMIT pageRequested(m_channels, m_newerPage); });

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    auto *top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_older, 0, Qt::AlignTop);
    top->addWidget(m_newer, 0, Qt::AlignTop);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_filterBar);
    layout->addWidget(splitter);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const QModelIndex row = m_proxy->mapToSource(current);
                if (row.isValid())
                    m_detail->showEvent(m_model->eventAt(row.row()));
            });
    showResult(window, result);
}

void TravelResultView::showResult(const TravelWindow &window, const TravelResult &result)
{
    m_model->clear();
    m_model->setCapacity(std::max<qsizetype>(1, result.events.size()));
    m_model->append(result.events);
    m_detail->showNothing();
    markSchemaChanges(m_schemaNotes);

    QStringList ranges;
    for (const TravelChannelRange &range : result.channels)
        ranges.append(QStringLiteral("%1 retains %2–%3%4")
                          .arg(range.channel,
                               range.oldestSeq ? QString::number(*range.oldestSeq) : QStringLiteral("none"),
                               range.newestSeq ? QString::number(*range.newestSeq) : QStringLiteral("none"),
                               range.gap ? tr(" (gap: history was lost)") : QString()));
    m_summary->setText(tr("<b>%1</b> · %2 · count %3 · %4 · %5<br>%6")
                           .arg(m_channels.isEmpty() ? tr("all channels") : m_channels.join(QStringLiteral(", ")),
                                describeWindow(window, result.effectiveLimit))
                           .arg(result.events.size())
                           .arg(result.truncated ? tr("truncated: more matched") : tr("complete"),
                                result.anyGap() ? tr("<span style='color:%1'>gap</span>").arg(errorColour())
                                                : tr("no gap"),
                                ranges.join(QStringLiteral("; ")).toHtmlEscaped()));
    pageAround(window, result);
}

void TravelResultView::markSchemaChanges(const QList<SchemaNote> &notes)
{
    m_schemaNotes = notes;
    for (const SchemaNote &note : notes) {
        if (!m_channels.isEmpty() && !m_channels.contains(note.channel))
            continue;
        // Only before a change this page shows: a replay never grows a row of its own.
        for (int row = 0; row < m_model->rowCount(); ++row) {
            const LiveEvent &event = m_model->eventAt(row);
            if (event.channel == note.channel && event.event.seq == note.seq) {
                m_model->setCapacity(m_model->capacity() + 1);
                m_model->insertBefore(note.channel, note.seq,
                                      makeGapMarker(note.channel, note.atMs,
                                                    tr("%1 (before seq %2)").arg(note.describe()).arg(note.seq)));
                break;
            }
        }
    }
}

void TravelResultView::pageAround(const TravelWindow &window, const TravelResult &result)
{
    // Pages go by seq, which orders one channel's history: a replay of every channel pages by
    // replaying one of them.
    m_older->setEnabled(false);
    m_newer->setEnabled(false);
    const QString onlyOneChannel = tr("Pages go through one channel at a time: replay a single channel to page");
    m_older->setToolTip(m_channels.size() == 1 ? tr("The events before the first shown") : onlyOneChannel);
    m_newer->setToolTip(m_channels.size() == 1 ? tr("The events after the last shown") : onlyOneChannel);
    if (m_channels.size() != 1 || result.channels.isEmpty() || result.events.isEmpty())
        return;
    const TravelChannelRange &range = result.channels.front();
    const qint64 limit = result.effectiveLimit;
    const qint64 first = result.events.front().event.seq;
    const qint64 last = result.events.back().event.seq;
    if (range.oldestSeq && first > *range.oldestSeq) {
        // The `limit` seqs before the first shown: after `since`, as many as lie before `first`.
        const qint64 since = std::max<qint64>(*range.oldestSeq - 1, first - 1 - limit);
        m_olderPage = {since, std::nullopt, first - 1 - since};
        m_older->setEnabled(true);
    }
    if (range.newestSeq && last < *range.newestSeq) {
        m_newerPage = {last, std::nullopt, window.limit ? window.limit : std::optional<qint64>(limit)};
        m_newer->setEnabled(true);
    }
}

QString TravelResultView::summary() const
{
    return m_summary->text();
}

} // namespace cdc

#include "LiveEventsView.h"

#include "GapMarker.h"

#include "ColourLegend.h"
#include "EventDetailPane.h"
#include "EventFilterProxy.h"
#include "EventRingModel.h"
#include "EventTableView.h"
#include "FilterBar.h"
#include "WelcomePage.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace cdc {

LiveEventsView::LiveEventsView(qsizetype capacity, QWidget *parent)
    : QWidget(parent)
    , m_model(new EventRingModel(capacity, this))
    , m_proxy(new EventFilterProxy(this))
    , m_table(new EventTableView(this))
    , m_detail(new EventDetailPane(this))
    , m_channel(new QComboBox(this))
    , m_filterBar(new FilterBar(m_proxy, this))
    , m_pause(new QPushButton(tr("Pause"), this))
    , m_pauseLabel(new QLabel(this))
    , m_autoScroll(new QCheckBox(tr("Auto-scroll"), this))
    , m_pages(new QStackedWidget(this))
    , m_welcome(new WelcomePage(this))
{
    m_proxy->setSourceModel(m_model);
    m_table->setModel(m_proxy);

    m_channel->setObjectName(QStringLiteral("channelFilter"));
    m_channel->addItem(tr("All channels"), QString());
    m_channel->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Pause the view (Space); events keep being collected"));
    m_autoScroll->setChecked(true);
    auto *clearButton = new QPushButton(tr("Clear"), this);
    clearButton->setToolTip(tr("Clear the view (Ctrl+L)"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_channel);
    bar->addWidget(m_filterBar, 1);
    bar->addWidget(m_pause);
    bar->addWidget(m_pauseLabel);
    bar->addWidget(m_autoScroll);
    bar->addWidget(clearButton);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *rows = new QWidget(this); // the table with its colours' key under it
    auto *rowsLayout = new QVBoxLayout(rows);
    rowsLayout->setContentsMargins(0, 0, 0, 0);
    rowsLayout->setSpacing(2);
    rowsLayout->addWidget(m_table);
    rowsLayout->addWidget(new ColourLegend(rows));
    splitter->addWidget(rows);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    // Until the first event, the welcome page in place of the rows (an empty table says nothing).
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(splitter);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_pages);

    connect(m_channel, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setChannel(m_channel->currentData().toString()); });
    connect(m_pause, &QPushButton::toggled, this, &LiveEventsView::setPaused);
    connect(clearButton, &QPushButton::clicked, this, &LiveEventsView::clear);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LiveEventsView::showCurrent);
    // The row being read stays, whatever arrives (and through a pause and its resume).
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        const QModelIndex row = m_proxy->mapToSource(current);
        m_model->setHeld(row.isValid() ? m_model->serialAt(row.row()) : 0);
    });
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *republish = new QAction(tr("Republish…"), m_table);
    republish->setObjectName(QStringLiteral("republishAction"));
    connect(republish, &QAction::triggered, this, [this] {
        if (const auto event = selectedEvent())
            Q_EMIT republishRequested(*event);
    });
    m_table->addAction(republish);
    auto *follow = new QAction(tr("Follow this row"), m_table);
    follow->setObjectName(QStringLiteral("followRowAction"));
    follow->setToolTip(tr("Every change of the row this event changes: live, in the server's buffer and in captures"));
    connect(follow, &QAction::triggered, this, [this] {
        if (const auto event = selectedEvent())
            Q_EMIT followRowRequested(*event);
    });
    m_table->addAction(follow);
    auto *pin = new QAction(tr("Pin / unpin"), m_table);
    pin->setObjectName(QStringLiteral("pinAction"));
    pin->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M)); // Wireshark's Mark packet
    pin->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    pin->setToolTip(tr("A pinned row stays in the view until unpinned, and is listed in the Pinned tab"));
    connect(pin, &QAction::triggered, this, [this] {
        const QModelIndex row = m_proxy->mapToSource(m_table->currentIndex());
        if (!row.isValid() || isGapMarker(m_model->eventAt(row.row())))
            return;
        if (m_model->isPinned(row.row()))
            Q_EMIT unpinRequested(m_model->serialAt(row.row()));
        else
            Q_EMIT pinRequested(m_model->eventAt(row.row()), m_model->serialAt(row.row()));
    });
    m_table->addAction(pin);
    updatePauseLabel();
}

void LiveEventsView::append(const QList<LiveEvent> &events)
{
    if (!events.isEmpty() && m_pages->currentWidget() == m_welcome)
        m_pages->setCurrentIndex(1);
    if (isPaused()) {
        m_backlog.insert(m_backlog.end(), events.cbegin(), events.cend());
        while (qsizetype(m_backlog.size()) > m_model->capacity()) {
            m_backlog.pop_front();
            ++m_droppedWhilePaused;
        }
        updatePauseLabel();
        return;
    }
    m_model->append(events);
    if (m_autoScroll->isChecked())
        m_table->scrollToBottom();
}

void LiveEventsView::noteSchemaChange(const SchemaNote &note)
{
    const LiveEvent marker =
        makeGapMarker(note.channel, note.atMs, tr("%1 (before seq %2)").arg(note.describe()).arg(note.seq));
    if (isPaused()) {
        const auto at = std::find_if(m_backlog.begin(), m_backlog.end(), [&note](const LiveEvent &event) {
            return event.channel == note.channel && event.event.seq == note.seq;
        });
        if (at != m_backlog.end()) {
            m_backlog.insert(at, marker);
            return;
        }
    }
    m_model->insertBefore(note.channel, note.seq, marker);
}

void LiveEventsView::setKnownChannels(const QStringList &channels)
{
    m_table->fitChannels(channels);
    for (const QString &channel : channels)
        if (m_channel->findData(channel) < 0)
            m_channel->addItem(channel, channel);
}

void LiveEventsView::setCapacity(qsizetype capacity)
{
    m_model->setCapacity(capacity);
}

void LiveEventsView::focusFilter()
{
    m_filterBar->focus();
}

QLineEdit *LiveEventsView::textFilter() const
{
    return m_filterBar->textFilter();
}

QCheckBox *LiveEventsView::regexToggle() const
{
    return m_filterBar->regexToggle();
}

bool LiveEventsView::isPaused() const
{
    return m_pause->isChecked();
}

void LiveEventsView::setPaused(bool paused)
{
    if (m_pause->isChecked() != paused) {
        m_pause->setChecked(paused); // re-enters through toggled()
        return;
    }
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    if (!paused && !m_backlog.empty()) {
        const QList<LiveEvent> backlog(m_backlog.begin(), m_backlog.end());
        m_backlog.clear();
        m_droppedWhilePaused = 0;
        append(backlog);
    }
    updatePauseLabel();
}

void LiveEventsView::updatePauseLabel()
{
    QString text;
    if (isPaused())
        text = m_droppedWhilePaused > 0
                   ? tr("%n new while paused (the oldest %1 will not be shown)", nullptr, int(m_backlog.size()))
                         .arg(m_droppedWhilePaused)
                   : tr("%n new while paused", nullptr, int(m_backlog.size()));
    m_pauseLabel->setText(text);
}

void LiveEventsView::clear()
{
    m_model->clear();
    m_backlog.clear();
    m_droppedWhilePaused = 0;
    m_detail->showNothing();
    updatePauseLabel();
}

std::optional<LiveEvent> LiveEventsView::selectedEvent() const
{
    const QModelIndex current = m_proxy->mapToSource(m_table->currentIndex());
    if (!current.isValid() || isGapMarker(m_model->eventAt(current.row())))
        return std::nullopt;
    return m_model->eventAt(current.row());
}

void LiveEventsView::showCurrent()
{
    const QModelIndex current = m_proxy->mapToSource(m_table->currentIndex());
    if (current.isValid())
        m_detail->showEvent(m_model->eventAt(current.row()));
    else
        m_detail->showNothing();
}

} // namespace cdc

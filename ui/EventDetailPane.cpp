#include "EventDetailPane.h"

#include "ChangeDiffView.h"
#include "EventTimingView.h"
#include "GapMarker.h"
#include "MaskSettings.h"
#include "detail/PagedTextView.h"
#include "detail/PayloadReading.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDialog>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPromise>
#include <QPushButton>
#include <QTabWidget>
#include <QThreadPool>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace cdc {

namespace {

// A container with more children than this stays closed when an event opens: expanding 100 000
// array items would lay out 100 000 rows before the first is drawn.
constexpr qsizetype openedChildren = 200;
// How long one slice of a search may hold the GUI thread.
constexpr qint64 searchSliceMs = 15;

} // namespace

EventDetailPane::EventDetailPane(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_find(new QLineEdit(this))
    , m_findResult(new QLabel(this))
    , m_tree(new QTreeView(this))
    , m_treeModel(new JsonTreeModel(this))
    , m_pretty(new QCheckBox(tr("Pretty"), this))
    , m_raw(new PagedTextView(this))
    , m_change(new ChangeDiffView(this))
    , m_tabs(new QTabWidget(this))
    , m_reading(new QFutureWatcher<PayloadReading>(this))
{
    m_tree->setModel(m_treeModel);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->header()->resizeSection(0, 220);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    const auto addTreeAction = [this](const QString &text, const QString &name, auto act) {
        auto *action = new QAction(text, m_tree);
        action->setObjectName(name);
        connect(action, &QAction::triggered, this, [this, act] {
            if (const QModelIndex current = m_tree->currentIndex(); current.isValid())
                act(current.siblingAtColumn(0));
        });
        m_tree->addAction(action);
    };
    addTreeAction(tr("Copy value"), QStringLiteral("copyValueAction"), [](const QModelIndex &index) {
        QApplication::clipboard()->setText(index.data(JsonTreeModel::WholeValueRole).toString());
    });
    addTreeAction(tr("Copy path"), QStringLiteral("copyPathAction"), [](const QModelIndex &index) {
        QApplication::clipboard()->setText(index.data(JsonTreeModel::PathRole).toString());
    });
    addTreeAction(tr("Show whole value"), QStringLiteral("showWholeValueAction"),
                  [this](const QModelIndex &index) { showWholeValue(index); });

    m_find->setObjectName(QStringLiteral("findInPayload"));
    m_find->setPlaceholderText(tr("Find in payload (Enter: next)"));
    m_find->setClearButtonEnabled(true);
    connect(m_find, &QLineEdit::returnPressed, this, [this] { findNext(m_find->text()); });
    auto *payloadPage = new QWidget(this);
    auto *findRow = new QHBoxLayout;
    findRow->addWidget(m_find, 1);
    findRow->addWidget(m_findResult);
    auto *payloadLayout = new QVBoxLayout(payloadPage);
    payloadLayout->setContentsMargins(0, 0, 0, 0);
    payloadLayout->addLayout(findRow);
    payloadLayout->addWidget(m_tree);

    m_pretty->setObjectName(QStringLiteral("prettyRawToggle"));
    m_pretty->setToolTip(tr("Indent the frame, one member a line; every token stays as sent"));
    connect(m_pretty, &QCheckBox::toggled, this, [this] {
        if (m_event)
            read(*m_event);
    });
    auto *rawPage = new QWidget(this);
    auto *rawLayout = new QVBoxLayout(rawPage);
    rawLayout->setContentsMargins(0, 0, 0, 0);
    rawLayout->addWidget(m_pretty);
    rawLayout->addWidget(m_raw);

    m_change->hide(); // a tab only while a row change is shown
    m_tabs->addTab(payloadPage, tr("Payload"));
    m_tabs->addTab(rawPage, tr("Raw frame"));
    auto *copy = new QPushButton(tr("Copy raw"), this);
    copy->setObjectName(QStringLiteral("copyRawButton"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(rawText()); });
    connect(m_reading, &QFutureWatcher<PayloadReading>::finished, this, [this] {
        if (!m_reading->isCanceled() && m_reading->future().resultCount() > 0)
            present(m_reading->result());
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(copy);
    layout->addLayout(header);
    layout->addWidget(m_tabs);
    showNothing();
}

EventDetailPane::~EventDetailPane()
{
    m_reading->cancel(); // a reading still queued is not started
}

void EventDetailPane::enableTiming()
{
    if (m_timing)
        return;
    m_timing = new EventTimingView(this);
    m_timing->setObjectName(QStringLiteral("eventTiming"));
    m_tabs->addTab(m_timing, tr("Timing"));
}

void EventDetailPane::showNothing()
{
    m_reading->cancel();
    m_event.reset();
    ++m_search;
    if (m_timing)
        m_timing->clearEvent();
    m_title->setText(tr("Select an event to see it in full."));
    m_treeModel->setTree(nullptr);
    m_raw->setText({});
    m_findResult->clear();
    showChangeTab(false);
}

void EventDetailPane::showChangeTab(bool shown)
{
    const int index = m_tabs->indexOf(m_change);
    if (shown && index < 0) {
        m_tabs->insertTab(0, m_change, tr("Change"));
        m_tabs->setCurrentIndex(0);
    } else if (!shown && index >= 0) {
        m_tabs->removeTab(index);
        m_change->clear();
        m_change->hide(); // out of the tabs it would float over the pane
    }
}

QString EventDetailPane::rawText() const
{
    return m_raw->text();
}

void EventDetailPane::showEvent(const LiveEvent &live)
{
    if (isGapMarker(live)) {
        showNothing();
        m_title->setText(tr("%1 · missing events").arg(live.channel));
        m_raw->setText(gapNotice(live));
        Q_EMIT shown();
        return;
    }
    m_title->setText(tr("%1 · seq %2 · %3 bytes · reading…")
                         .arg(live.channel)
                         .arg(live.event.seq)
                         .arg(live.event.payload().size()));
    read(live);
    if (m_timing)
        m_timing->ask(live.channel, live.event.seq);
}

void EventDetailPane::read(const LiveEvent &event)
{
    m_reading->cancel();
    m_event = event;
    // The worker gets its own copies: the event's bytes are shared read-only, and its own mask
    // (built from the patterns' text, so no compiled expression is shared between threads).
    auto promise = std::make_shared<QPromise<PayloadReading>>();
    m_reading->setFuture(promise->future());
    promise->start();
    QThreadPool::globalInstance()->start(
        [promise, event, patterns = MaskSettings::current().patterns(), pretty = m_pretty->isChecked()] {
            if (!promise->isCanceled())
                promise->addResult(readPayload(event, PayloadMask(patterns), pretty));
            promise->finish();
        });
}

void EventDetailPane::present(const PayloadReading &reading)
{
    if (!m_event)
        return;
    const LiveEvent &live = *m_event;
    ++m_search;
    m_findResult->clear();
    if (reading.change) {
        m_change->showChange(*reading.change);
        showChangeTab(true);
    } else {
        showChangeTab(false);
    }
    m_title->setText(
        tr("%1 · seq %2 · %3 bytes").arg(live.channel).arg(live.event.seq).arg(live.event.payload().size()));
    m_raw->setText(reading.raw);
    m_treeModel->setTree(reading.tree);
    expandOpening();
    Q_EMIT shown();
}

void EventDetailPane::expandOpening()
{
    const JsonTree *tree = m_treeModel->tree();
    if (!tree)
        return;
    // The top and, as before, its members, unless one holds so many that laying it out would stall.
    const QModelIndex top = m_treeModel->index(0, 0);
    m_tree->expand(top);
    const JsonOutline &outline = tree->outline();
    for (qsizetype child = outline.firstChild(0); child >= 0; child = outline.node(child).next)
        if (outline.node(child).isContainer() && outline.node(child).childCount <= openedChildren)
            m_tree->expand(m_treeModel->indexOf(child));
}

void EventDetailPane::findNext(const QString &text)
{
    const JsonTree *tree = m_treeModel->tree();
    if (!tree || text.isEmpty())
        return;
    const QModelIndex current = m_tree->currentIndex();
    const qsizetype from = current.isValid() ? qsizetype(current.internalId()) + 1 : 0;
    m_findResult->setText(tr("searching…"));
    searchSlice(text, from, 0, ++m_search);
}

void EventDetailPane::searchSlice(const QString &text, qsizetype from, qsizetype scanned, quint64 search)
{
    const JsonTree *tree = m_treeModel->tree();
    if (search != m_search || !tree)
        return;
    const JsonOutline &outline = tree->outline();
    const qsizetype count = outline.size();
    QElapsedTimer slice;
    slice.start();
    for (; scanned < count; ++scanned) {
        const qsizetype node = (from + scanned) % count;
        const JsonOutline::Node &at = outline.node(node);
        const bool hit = QString::fromUtf8(at.key.data(), qsizetype(at.key.size())).contains(text, Qt::CaseInsensitive)
                         || (!at.isContainer() && QString::fromUtf8(at.text).contains(text, Qt::CaseInsensitive));
        if (hit) {
            const QModelIndex found = m_treeModel->indexOf(node);
            m_tree->setCurrentIndex(found); // expands nothing by itself: open the way to it
            for (QModelIndex up = found.parent(); up.isValid(); up = up.parent())
                m_tree->expand(up);
            m_tree->scrollTo(found);
            m_findResult->setText(tr("found at %1").arg(tree->path(node)));
            Q_EMIT searched(true);
            return;
        }
        if ((scanned & 255) == 0 && slice.elapsed() > searchSliceMs) {
            QTimer::singleShot(0, this, [=, this] { searchSlice(text, from, scanned + 1, search); });
            return;
        }
    }
    m_findResult->setText(tr("not found"));
    Q_EMIT searched(false);
}

void EventDetailPane::showWholeValue(const QModelIndex &index)
{
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(index.data(JsonTreeModel::PathRole).toString());
    auto *text = new PagedTextView(dialog);
    text->setText(index.data(JsonTreeModel::WholeValueRole).toString());
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    dialog->resize(720, 480);
    dialog->show();
}

} // namespace cdc

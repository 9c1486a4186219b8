#include "EventDetailPane.h"

#include "ChangeDiffView.h"
#include "EventTimingView.h"
#include "GapMarker.h"
#include "MaskSettings.h"
#include "inspect/ChangeReading.h"

#include "host/MonitorTypes.h"
#include "protocol/JsonText.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cdc {

EventDetailPane::EventDetailPane(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_tree(new QTreeWidget(this))
    , m_raw(new QPlainTextEdit(this))
    , m_change(new ChangeDiffView(this))
    , m_tabs(new QTabWidget(this))
{
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Key"), tr("Value")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_raw->setReadOnly(true);
    m_raw->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_raw->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_change->hide(); // a tab only while a row change is shown
    m_tabs->addTab(m_tree, tr("Payload"));
    m_tabs->addTab(m_raw, tr("Raw frame"));
    auto *copy = new QPushButton(tr("Copy raw"), this);
    copy->setObjectName(QStringLiteral("copyRawButton"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(rawText()); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(copy);
    layout->addLayout(header);
    layout->addWidget(m_tabs);
    showNothing();
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
    if (m_timing)
        m_timing->clearEvent();
    m_title->setText(tr("Select an event to see it in full."));
    m_tree->clear();
    m_raw->clear();
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
    return m_raw->toPlainText();
}

void EventDetailPane::showEvent(const LiveEvent &live)
{
    if (isGapMarker(live)) {
        m_title->setText(tr("%1 · missing events").arg(live.channel));
        m_raw->setPlainText(gapNotice(live));
        m_tree->clear();
        showChangeTab(false);
        if (m_timing)
            m_timing->clearEvent();
        return;
    }
    const PayloadMask &mask = MaskSettings::current();
    const QByteArray payload = mask.apply(live.event.payload());
    if (const auto change = readChange(payload)) {
        m_change->showChange(*change);
        showChangeTab(true);
    } else {
        showChangeTab(false);
    }
    m_title->setText(
        tr("%1 · seq %2 · %3 bytes").arg(live.channel).arg(live.event.seq).arg(live.event.payload().size()));
    m_raw->setPlainText(QString::fromUtf8(mask.applyToEventJson(live.event.json())));
    m_tree->clear();
    // The tree shows the payload as published: members in their order, duplicates included, and
    // every value's text as written (a 40-digit number stays 40 digits).
    auto read = JsonOutline::read(payload, maxJsonDepth);
    if (const auto *outline = std::get_if<JsonOutline>(&read))
        addJson(m_tree->invisibleRootItem(), QStringLiteral("payload"), *outline, 0);
    m_tree->expandToDepth(1);
    if (m_timing)
        m_timing->ask(live.channel, live.event.seq);
}

void EventDetailPane::addJson(QTreeWidgetItem *parent, const QString &key, const JsonOutline &outline, qsizetype index)
{
    const JsonOutline::Node &node = outline.node(index);
    auto *item = new QTreeWidgetItem(parent, {key});
    if (node.kind == JsonKind::Object)
        item->setText(1, tr("{%n key(s)}", nullptr, int(node.childCount)));
    else if (node.kind == JsonKind::Array)
        item->setText(1, tr("[%n item(s)]", nullptr, int(node.childCount)));
    else
        item->setText(1, QString::fromUtf8(node.text));
    qsizetype position = 0;
    for (qsizetype child = outline.firstChild(index); child >= 0; child = outline.node(child).next, ++position) {
        const std::string &name = outline.node(child).key;
        addJson(item,
                node.kind == JsonKind::Object ? QString::fromUtf8(name.data(), qsizetype(name.size()))
                                              : QString::number(position),
                outline, child);
    }
}

} // namespace cdc

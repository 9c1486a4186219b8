#include "EventDetailPane.h"

#include "host/MonitorTypes.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
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
{
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Key"), tr("Value")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_raw->setReadOnly(true);
    m_raw->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_raw->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *tabs = new QTabWidget(this);
    tabs->addTab(m_tree, tr("Payload"));
    tabs->addTab(m_raw, tr("Raw frame"));
    auto *copy = new QPushButton(tr("Copy raw"), this);
    copy->setObjectName(QStringLiteral("copyRawButton"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(rawText()); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(copy);
    layout->addLayout(header);
    layout->addWidget(tabs);
    showNothing();
}

void EventDetailPane::showNothing()
{
    m_title->setText(tr("Select an event to see it in full."));
    m_tree->clear();
    m_raw->clear();
}

QString EventDetailPane::rawText() const
{
    return m_raw->toPlainText();
}

void EventDetailPane::showEvent(const LiveEvent &live)
{
    m_title->setText(tr("%1 · seq %2 · %3 bytes").arg(live.channel).arg(live.event.seq).arg(live.event.payload().size()));
    m_raw->setPlainText(QString::fromUtf8(live.event.json()));
    m_tree->clear();
    // The payload is any JSON value; wrapping it in an array lets QJsonDocument parse scalars too.
    const QByteArray wrapped = '[' + live.event.payload().toByteArray() + ']';
    const QJsonValue payload = QJsonDocument::fromJson(wrapped).array().at(0);
    addJson(m_tree->invisibleRootItem(), QStringLiteral("payload"), payload);
    m_tree->expandToDepth(1);
}

void EventDetailPane::addJson(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value)
{
    auto *item = new QTreeWidgetItem(parent, {key});
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        item->setText(1, tr("{%n key(s)}", nullptr, int(object.size())));
        for (auto it = object.begin(); it != object.end(); ++it)
            addJson(item, it.key(), it.value());
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        item->setText(1, tr("[%n item(s)]", nullptr, int(array.size())));
        for (qsizetype i = 0; i < array.size(); ++i)
            addJson(item, QString::number(i), array.at(i));
    } else {
        const QByteArray compact = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
        item->setText(1, QString::fromUtf8(compact.mid(1, compact.size() - 2)));
    }
}

} // namespace cdc

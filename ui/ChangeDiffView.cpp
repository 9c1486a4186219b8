#include "ChangeDiffView.h"

#include "Theme.h"
#include "detail/JsonTree.h"
#include "inspect/ChangeReading.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cdc {

namespace {

enum Column { NameColumn, OldColumn, NewColumn, ExplanationColumn };

QString explanation(const ColumnChange &column, const ChangeReading &change)
{
    switch (column.kind) {
    case ColumnChange::Kind::Changed:
        return ChangeDiffView::tr("changed");
    case ColumnChange::Kind::Unchanged:
        return ChangeDiffView::tr("unchanged");
    case ColumnChange::Kind::Set:
        if (change.operation == u"insert")
            return ChangeDiffView::tr("inserted");
        if (change.operation == u"read")
            return ChangeDiffView::tr("read by a snapshot: the row as it was when capture began");
        return ChangeDiffView::tr("new value; the old one was not sent");
    case ColumnChange::Kind::Removed:
        return ChangeDiffView::tr("deleted");
    case ColumnChange::Kind::ToastUnchanged:
        return ChangeDiffView::tr("unchanged: a large (TOASTed) value PostgreSQL does not send again");
    }
    return {};
}

} // namespace

ChangeDiffView::ChangeDiffView(QWidget *parent)
    : QWidget(parent)
    , m_note(new QLabel(this))
    , m_table(new QTreeWidget(this))
{
    m_note->setObjectName(QStringLiteral("changeNote"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: %1").arg(warningColour()));
    m_table->setObjectName(QStringLiteral("changeTable"));
    m_table->setRootIsDecorated(false);
    m_table->setColumnCount(4);
    m_table->setHeaderLabels({tr("Column"), tr("Old"), tr("New"), tr("")});
    m_table->header()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_note);
    layout->addWidget(m_table);
    connect(&Theme::instance(), &Theme::changed, this, [this] {
        m_note->setStyleSheet(QStringLiteral("color: %1").arg(warningColour()));
        if (m_shown)
            showChange(ChangeReading(*m_shown)); // drawn again in the theme's colours
    });
}

void ChangeDiffView::showChange(const ChangeReading &change)
{
    m_shown = change;
    m_table->clear();
    m_note->setText(change.oldRowNote);
    m_note->setVisible(!change.oldRowNote.isEmpty());
    for (const ColumnChange &column : change.columns) {
        // A value that was not sent is said to be missing, never shown as empty.
        // A long value shows its beginning; the Payload tab has all of it.
        const QString before = column.before ? elidedValueText(*column.before) : tr("(not sent)");
        const QString after = column.after
                                  ? elidedValueText(*column.after)
                                  : (column.kind == ColumnChange::Kind::Removed ? QString() : tr("(not sent)"));
        auto *item = new QTreeWidgetItem(m_table, {column.name, before, after, explanation(column, change)});
        if (column.kind == ColumnChange::Kind::Changed) {
            QFont bold = item->font(NameColumn);
            bold.setBold(true);
            item->setFont(NameColumn, bold);
            item->setForeground(NewColumn, QColor(Theme::instance().isDark() ? QStringLiteral("#7ee787")
                                                                              : QStringLiteral("#0b6e2e")));
        }
        if (!column.before)
            item->setForeground(OldColumn, Qt::gray);
    }
}

void ChangeDiffView::clear()
{
    m_shown.reset();
    m_table->clear();
    m_note->clear();
    m_note->hide();
}

} // namespace cdc

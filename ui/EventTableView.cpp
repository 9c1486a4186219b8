#include "EventTableView.h"

#include "EventFilterProxy.h"
#include "EventRingModel.h"
#include "RowColours.h"

#include <QHeaderView>
#include <QStyledItemDelegate>

namespace cdc {

namespace {

// Names keep both ends when narrow (dbz.inventory.customers and …orders stay apart); the payload
// column keeps its beginning, which is where a summary says what happened.
class MiddleElidingDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideMiddle;
    }
};

} // namespace

EventTableView::EventTableView(QWidget *parent)
    : QTableView(parent)
{
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setWordWrap(false);
    auto *names = new MiddleElidingDelegate(this);
    for (const int column : {int(EventRingModel::ChannelColumn), int(EventRingModel::TableColumn), int(EventRingModel::KeyColumn)})
        setItemDelegateForColumn(column, names);
    setAlternatingRowColors(true);
    verticalHeader()->setVisible(false);
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    horizontalHeader()->setToolTip(tr("Drag a divider to resize a column; double-click it to fit the rows shown"));
    connect(&RowColours::instance(), &RowColours::changed, viewport(), qOverload<>(&QWidget::update));
    // Sorted by a click on Time, Channel, Seq or Size (again: the other way); rows start in the
    // order they arrived. The other columns would need every payload read to sort.
    horizontalHeader()->setSectionsClickable(true);
    connect(horizontalHeader(), &QHeaderView::sectionClicked, this, [this](int column) {
        auto *proxy = qobject_cast<QSortFilterProxyModel *>(model());
        if (!proxy || !EventFilterProxy::isSortable(column))
            return;
        const Qt::SortOrder order = proxy->sortColumn() == column && proxy->sortOrder() == Qt::AscendingOrder
                                        ? Qt::DescendingOrder
                                        : Qt::AscendingOrder;
        horizontalHeader()->setSortIndicatorShown(true);
        horizontalHeader()->setSortIndicator(column, order);
        proxy->sort(column, order);
    });
}

void EventTableView::setModel(QAbstractItemModel *model)
{
    QTableView::setModel(model);
    // Sized for what the columns hold (the rows are not measured: there may be 100 000 of them).
    const auto fit = [this](int column, const QString &sample) {
        horizontalHeader()->resizeSection(column, fontMetrics().horizontalAdvance(sample) + 24);
    };
    // Narrow enough that the payload, where a row says what happened, keeps most of the width.
    fit(EventRingModel::TimeColumn, QStringLiteral("00:00:00.000 (UTC)"));
    fit(EventRingModel::ChannelColumn, QStringLiteral("inventory.orders"));
    fit(EventRingModel::SeqColumn, QStringLiteral("●9999999"));
    fit(EventRingModel::TableColumn, QStringLiteral("public.orders"));
    fit(EventRingModel::KeyColumn, QStringLiteral("id=123456"));
    fit(EventRingModel::SizeColumn, QStringLiteral("1048576"));
}

void EventTableView::fitChannels(const QStringList &channels)
{
    int widest = horizontalHeader()->sectionSize(EventRingModel::ChannelColumn);
    for (const QString &channel : channels)
        widest = std::max(widest, fontMetrics().horizontalAdvance(channel) + 24);
    horizontalHeader()->resizeSection(EventRingModel::ChannelColumn, std::min(widest, 320));
}

} // namespace cdc

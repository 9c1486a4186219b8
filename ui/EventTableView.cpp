#include "EventTableView.h"

#include "EventRingModel.h"
#include "RowColours.h"

#include <QHeaderView>

namespace cdc {

EventTableView::EventTableView(QWidget *parent)
    : QTableView(parent)
{
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setWordWrap(false);
    // dbz.inventory.customers and dbz.inventory.orders stay apart when the column is narrow.
    setTextElideMode(Qt::ElideMiddle);
    setAlternatingRowColors(true);
    verticalHeader()->setVisible(false);
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    horizontalHeader()->setToolTip(tr("Drag a divider to resize a column; double-click it to fit the rows shown"));
    connect(&RowColours::instance(), &RowColours::changed, viewport(), qOverload<>(&QWidget::update));
}

void EventTableView::setModel(QAbstractItemModel *model)
{
    QTableView::setModel(model);
    // Sized for what the columns hold (the rows are not measured: there may be 100 000 of them).
    const auto fit = [this](int column, const QString &sample) {
        horizontalHeader()->resizeSection(column, fontMetrics().horizontalAdvance(sample) + 24);
    };
    fit(EventRingModel::TimeColumn, QStringLiteral("00:00:00.000 (UTC)"));
    fit(EventRingModel::ChannelColumn, QStringLiteral("inventory.customers"));
    fit(EventRingModel::SeqColumn, QStringLiteral("99 9999 999"));
    fit(EventRingModel::TableColumn, QStringLiteral("public.customers"));
    fit(EventRingModel::KeyColumn, QStringLiteral("id=1234567"));
    fit(EventRingModel::SizeColumn, QStringLiteral("16777216"));
}

void EventTableView::fitChannels(const QStringList &channels)
{
    int widest = horizontalHeader()->sectionSize(EventRingModel::ChannelColumn);
    for (const QString &channel : channels)
        widest = std::max(widest, fontMetrics().horizontalAdvance(channel) + 24);
    horizontalHeader()->resizeSection(EventRingModel::ChannelColumn, std::min(widest, 320));
}

} // namespace cdc

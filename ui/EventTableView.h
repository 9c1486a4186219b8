#pragma once

#include <QTableView>

namespace cdc {

// A QTableView set up for event rows (EventRingModel's columns): uniform row heights (so 100 000
// rows scroll without measuring each), whole-row selection, columns sized for what they hold and
// resizable, names (channel, table, key) elided in the middle, rows coloured by operation (RowColours), a
// stretching payload column.
class EventTableView : public QTableView
{
    Q_OBJECT

public:
    explicit EventTableView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    // Widens the Channel column to the longest of `channels` (up to a limit; the rest is elided).
    void fitChannels(const QStringList &channels);
};

} // namespace cdc

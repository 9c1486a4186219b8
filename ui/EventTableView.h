#pragma once

#include <QTableView>

namespace cdc {

// A QTableView set up for event rows: uniform row heights (so 100 000 rows scroll without
// measuring each), whole-row selection, a stretching payload column.
class EventTableView : public QTableView
{
    Q_OBJECT

public:
    explicit EventTableView(QWidget *parent = nullptr);
};

} // namespace cdc

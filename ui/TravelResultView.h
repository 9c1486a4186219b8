#pragma once

#include "store/TravelQuery.h"

#include <QWidget>

class QLabel;

namespace cdc {

class EventDetailPane;
class EventRingModel;
class EventTableView;

// One replay's outcome in its own tab: the ack summary (count, truncated, gap, retained ranges)
// over the replayed events.
class TravelResultView : public QWidget
{
    Q_OBJECT

public:
    TravelResultView(const QStringList &channels, const TravelWindow &window, const TravelResult &result,
                     QWidget *parent = nullptr);

    EventRingModel *model() const { return m_model; }
    QString summary() const;

private:
    EventRingModel *m_model;
    EventTableView *m_table;
    EventDetailPane *m_detail;
    QLabel *m_summary;
};

} // namespace cdc

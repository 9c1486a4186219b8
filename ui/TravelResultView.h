#pragma once

#include "store/TravelQuery.h"

#include <QWidget>

class QLabel;

namespace cdc {

class EventDetailPane;
class EventFilterProxy;
class EventRingModel;
class FilterBar;
class EventTableView;

// One replay's outcome in its own tab: the ack summary (count, truncated, gap, retained ranges)
// over the replayed events, which the filter bar narrows down.
class TravelResultView : public QWidget
{
    Q_OBJECT

public:
    TravelResultView(const QStringList &channels, const TravelWindow &window, const TravelResult &result,
                     QWidget *parent = nullptr);

    EventRingModel *model() const { return m_model; }
    EventFilterProxy *proxy() const { return m_proxy; }
    FilterBar *filterBar() const { return m_filterBar; }
    QString summary() const;

private:
    EventRingModel *m_model;
    EventFilterProxy *m_proxy;
    EventTableView *m_table;
    FilterBar *m_filterBar;
    EventDetailPane *m_detail;
    QLabel *m_summary;
};

} // namespace cdc

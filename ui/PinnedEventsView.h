#pragma once

#include "host/MonitorTypes.h"

#include <QHash>
#include <QWidget>

namespace cdc {

class EventDetailPane;
class EventRingModel;
class EventTableView;

// The Pinned tab: every row pinned in the live view, kept here until unpinned, whatever the live
// view drops; selecting one shows it in full.
class PinnedEventsView : public QWidget
{
    Q_OBJECT

public:
    static constexpr qsizetype maxPins = 1000;

    explicit PinnedEventsView(QWidget *parent = nullptr);

    // False when `maxPins` are pinned already.
    bool pin(const LiveEvent &event, quint64 liveSerial);
    void unpin(quint64 liveSerial);
    qsizetype count() const;
    EventRingModel *model() const { return m_model; }
    EventTableView *table() const { return m_table; }

Q_SIGNALS:
    // Unpinned here (right-click > Unpin): the live view's row may go again.
    void unpinned(quint64 liveSerial);
    void countChanged(qsizetype count);

private:
    EventRingModel *m_model;
    EventTableView *m_table;
    EventDetailPane *m_detail;
    QHash<quint64, quint64> m_pinnedSerialByLive; // live row's serial → this model's
};

} // namespace cdc

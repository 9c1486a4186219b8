#pragma once

#include "host/MonitorTypes.h"

#include <QAbstractTableModel>

#include <deque>

namespace cdc {

// Events as table rows, oldest first, keeping at most `capacity` (the oldest scroll away). Backs
// the live events view and every travel result. Only visible rows are ever formatted: the view
// asks for them, nothing is precomputed per event.
class EventRingModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, ChannelColumn, SeqColumn, SizeColumn, PayloadColumn, ColumnCount };
    enum Role { PayloadRole = Qt::UserRole + 1, ChannelRole };

    explicit EventRingModel(qsizetype capacity, QObject *parent = nullptr);

    void append(const QList<LiveEvent> &events);
    void clear();
    void setCapacity(qsizetype capacity);
    // The time zone shown changed: the time column and its header are drawn again.
    void refreshTimes();
    // The mask changed: payloads are drawn again.
    void refreshPayloads();
    qsizetype capacity() const { return m_capacity; }
    const LiveEvent &eventAt(int row) const { return m_events[size_t(row)]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void dropOldest(qsizetype count);
    QVariant gapMarkerData(const LiveEvent &marker, int column, int role) const;

    qsizetype m_capacity;
    std::deque<LiveEvent> m_events;
};

} // namespace cdc

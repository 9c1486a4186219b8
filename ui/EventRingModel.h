#pragma once

#include "host/MonitorTypes.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QHash>
#include <QSet>

#include <deque>
#include <vector>

namespace cdc {

// Events as table rows, oldest first, keeping at most `capacity`. Backs the live events view and
// every travel result.
//
// What stays when it is full: the busiest channels give up their oldest rows first, so a quiet
// channel keeps its last rows beside one publishing thousands a second (each channel keeps at
// least an equal share of the rows); pinned rows and the held one (the row the user has selected)
// are never dropped.
//
// Only visible rows are ever formatted: the view asks for them, nothing is precomputed per event;
// a row's reading (summary, table, key, operation) is kept once made, for the rows on screen, so
// repainting does not read payloads again.
class EventRingModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, ChannelColumn, SeqColumn, TableColumn, KeyColumn, SizeColumn, PayloadColumn, ColumnCount };
    enum Role { OperationRole = Qt::UserRole + 1 }; // insert, update, …; empty when not a row change
    // Payloads above this are summarized by their first bytes, not read as a change: reading
    // 16 MiB for one table cell would stop the window (the detail pane reads them off-thread).
    static constexpr qsizetype readSummaryBytes = 256 * 1024;

    explicit EventRingModel(qsizetype capacity, QObject *parent = nullptr);

    void append(const QList<LiveEvent> &events);
    void clear();
    void setCapacity(qsizetype capacity);
    // The time zone shown changed: the time column and its header are drawn again.
    void refreshTimes();
    // The mask changed: payloads are drawn again.
    void refreshPayloads();
    qsizetype capacity() const { return m_capacity; }
    const LiveEvent &eventAt(int row) const { return m_rows[size_t(row)].live; }
    // A row's number in the order rows arrived, never reused (not even after clear()).
    quint64 serialAt(int row) const { return m_rows[size_t(row)].serial; }
    // The row holding `serial`, or -1 when it has gone.
    int rowOfSerial(quint64 serial) const;
    // Draws one row again (its filter verdict came in).
    void redrawRow(int row);
    // A marker row (GapMarker) right before `channel`'s event `seq`, if that row is here; after the
    // channel's last row if the event has not come yet. False when it scrolled away (nothing shown).
    bool insertBefore(const QString &channel, qint64 seq, const LiveEvent &marker);
    // The row kept whatever arrives (the selected one); 0: none.
    void setHeld(quint64 serial) { m_held = serial; }
    void setPinned(quint64 serial, bool pinned);
    bool isPinned(int row) const { return m_pinned.contains(serialAt(row)); }
    void removeSerial(quint64 serial);
    // How many rows each channel has in the model.
    qsizetype rowsOf(const QString &channel) const { return m_perChannel.value(channel); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // refreshPayloads(): what every payload reads as changed.
    void payloadsRedrawn();

private:
    struct Row
    {
        LiveEvent live;
        quint64 serial = 0;
    };
    // What a row's payload says, read once when it is first drawn.
    struct RowReading
    {
        QString summary;
        QString table;
        QString key;
        QString operation;
    };

    void makeRoom(qsizetype rows);
    void removeRows(const std::vector<int> &ascending);
    bool isHeld(const Row &row) const { return row.serial == m_held || m_pinned.contains(row.serial); }
    const RowReading &reading(int row) const;
    QVariant gapMarkerData(const LiveEvent &marker, int column, int role) const;
    static RowReading read(const LiveEvent &live);

    qsizetype m_capacity;
    std::deque<Row> m_rows;
    quint64 m_nextSerial = 2; // even for arrivals, so a marker put before row s takes s - 1
    QHash<QString, qsizetype> m_perChannel;
    QSet<quint64> m_pinned;
    quint64 m_held = 0;
    mutable QCache<quint64, RowReading> m_readings{4096}; // by serial
};

} // namespace cdc

#include "EventRingModel.h"

#include "GapMarker.h"
#include "MaskSettings.h"
#include "TimeDisplay.h"
#include "inspect/ChangeReading.h"

#include <QColor>
#include <QDateTime>

namespace cdc {

namespace {
constexpr qsizetype summaryChars = 240;
}

EventRingModel::EventRingModel(qsizetype capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max<qsizetype>(1, capacity))
{}

void EventRingModel::append(const QList<LiveEvent> &events)
{
    if (events.isEmpty())
        return;
    // Of a batch larger than the ring only its newest rows would survive: skip the rest.
    const qsizetype skip = std::max<qsizetype>(0, events.size() - m_capacity);
    const qsizetype incoming = events.size() - skip;
    dropOldest(qsizetype(m_events.size()) + incoming - m_capacity);
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(incoming) - 1);
    m_events.insert(m_events.end(), events.cbegin() + skip, events.cend());
    endInsertRows();
}

void EventRingModel::dropOldest(qsizetype count)
{
    count = std::min<qsizetype>(count, qsizetype(m_events.size()));
    if (count <= 0)
        return;
    beginRemoveRows({}, 0, int(count) - 1);
    m_events.erase(m_events.begin(), m_events.begin() + count);
    endRemoveRows();
}

void EventRingModel::refreshTimes()
{
    Q_EMIT headerDataChanged(Qt::Horizontal, TimeColumn, TimeColumn);
    if (!m_events.empty())
        Q_EMIT dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn));
}

void EventRingModel::refreshPayloads()
{
    if (!m_events.empty())
        Q_EMIT dataChanged(index(0, PayloadColumn), index(rowCount() - 1, PayloadColumn));
}

void EventRingModel::clear()
{
    beginResetModel();
    m_events.clear();
    endResetModel();
}

void EventRingModel::setCapacity(qsizetype capacity)
{
    m_capacity = std::max<qsizetype>(1, capacity);
    dropOldest(qsizetype(m_events.size()) - m_capacity);
}

int EventRingModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventRingModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventRingModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_events.size()))
        return {};
    const LiveEvent &live = m_events[size_t(index.row())];
    if (isGapMarker(live))
        return gapMarkerData(live, index.column(), role);
    if (role == PayloadRole) // what filters match: masked values cannot be searched for either
        return MaskSettings::current().apply(live.event.payload());
    if (role == ChannelRole)
        return live.channel;
    if (role == Qt::TextAlignmentRole && (index.column() == SeqColumn || index.column() == SizeColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == TimeColumn)
        return QStringLiteral("%1 · ts_ms %2")
            .arg(TimeDisplay::format(live.event.tsMs, QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")),
                 QString::number(live.event.tsMs));
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn:
        return TimeDisplay::format(live.event.tsMs, QStringLiteral("HH:mm:ss.zzz"));
    case ChannelColumn:
        return live.channel;
    case SeqColumn:
        return live.event.seq;
    case SizeColumn:
        return live.event.payload().size();
    case PayloadColumn: {
        const QByteArray masked = MaskSettings::current().apply(live.event.payload());
        const QByteArrayView payload = masked;
        // A row change reads as one ("update public.orders id=42: amount 1 → 2"); the rest as text.
        if (const auto change = readChange(payload))
            return change->summary();
        QString summary = QString::fromUtf8(payload.first(std::min(payload.size(), summaryChars)));
        if (payload.size() > summaryChars)
            summary += u'…';
        return summary;
    }
    default:
        return {};
    }
}

QVariant EventRingModel::gapMarkerData(const LiveEvent &marker, int column, int role) const
{
    // A row that stands out and says, in the payload column, which seqs are missing and why.
    if (role == Qt::BackgroundRole)
        return QColor(0xfd, 0xec, 0xc8);
    if (role == Qt::ForegroundRole)
        return QColor(0x8a, 0x4b, 0x00);
    if (role == PayloadRole)
        return gapNotice(marker).toUtf8();
    if (role == ChannelRole)
        return marker.channel;
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case TimeColumn:
        return TimeDisplay::format(marker.event.tsMs, QStringLiteral("HH:mm:ss.zzz"));
    case ChannelColumn:
        return marker.channel;
    case SeqColumn:
        return tr("gap");
    case PayloadColumn:
        return gapNotice(marker);
    default:
        return {};
    }
}

QVariant EventRingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time (%1)").arg(TimeDisplay::zoneName());
    case ChannelColumn:
        return tr("Channel");
    case SeqColumn:
        return tr("Seq");
    case SizeColumn:
        return tr("Size");
    case PayloadColumn:
        return tr("Payload");
    default:
        return {};
    }
}

} // namespace cdc

#include "EventRingModel.h"

#include "GapMarker.h"
#include "MaskSettings.h"
#include "RowColours.h"
#include "Theme.h"
#include "TimeDisplay.h"
#include "host/FairShare.h"
#include "inspect/ChangeReading.h"

#include <QColor>
#include <QDateTime>
#include <QIcon>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

#include <algorithm>

namespace cdc {

namespace {

constexpr qsizetype summaryChars = 240;

QIcon pinIcon()
{
    static const QIcon icon = [] {
        QPixmap pixmap(12, 12);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0xd9, 0x48, 0x3b));
        painter.drawEllipse(QRectF(1.5, 0.5, 9, 9));
        painter.setBrush(QColor(0x6b, 0x6b, 0x6b));
        painter.drawRect(QRectF(5.25, 8, 1.5, 4));
        return QIcon(pixmap);
    }();
    return icon;
}

} // namespace

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
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(incoming) - 1);
    for (auto event = events.cbegin() + skip; event != events.cend(); ++event) {
        m_rows.push_back({*event, std::exchange(m_nextSerial, m_nextSerial + 2)});
        ++m_perChannel[event->channel];
    }
    endInsertRows();
    // Then the room, from old and new rows alike: a batch of one busy channel as large as the
    // view still leaves a quiet channel its rows.
    makeRoom(qsizetype(m_rows.size()) - m_capacity);
}

void EventRingModel::makeRoom(qsizetype rows)
{
    removeRows(fairDrop(
        int(m_rows.size()), rows, m_perChannel, [this](int row) -> const QString & { return m_rows[size_t(row)].live.channel; },
        [this](int row) { return isHeld(m_rows[size_t(row)]); }));
}

void EventRingModel::removeRows(const std::vector<int> &ascending)
{
    // From the last run back, so the rows before each run keep their numbers.
    for (size_t end = ascending.size(); end > 0;) {
        size_t start = end - 1;
        while (start > 0 && ascending[start - 1] == ascending[start] - 1)
            --start;
        const int first = ascending[start], last = ascending[end - 1];
        beginRemoveRows({}, first, last);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
        endRemoveRows();
        end = start;
    }
}

int EventRingModel::rowOfSerial(quint64 serial) const
{
    const auto at = std::lower_bound(m_rows.cbegin(), m_rows.cend(), serial,
                                     [](const Row &row, quint64 wanted) { return row.serial < wanted; });
    return at != m_rows.cend() && at->serial == serial ? int(at - m_rows.cbegin()) : -1;
}

bool EventRingModel::insertBefore(const QString &channel, qint64 seq, const LiveEvent &marker)
{
    int at = int(m_rows.size());
    qint64 newest = 0; // the channel's newest seq here
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        const LiveEvent &live = m_rows[size_t(row)].live;
        if (live.channel != channel || isGapMarker(live))
            continue;
        newest = std::max(newest, live.event.seq);
        if (live.event.seq == seq)
            at = row;
        if (live.event.seq < seq)
            break;
    }
    if (at == int(m_rows.size()) && newest >= seq)
        return false; // the event it precedes scrolled away
    const quint64 serial = at < int(m_rows.size()) ? m_rows[size_t(at)].serial - 1
                                                   : std::exchange(m_nextSerial, m_nextSerial + 2);
    beginInsertRows({}, at, at);
    m_rows.insert(m_rows.begin() + at, {marker, serial});
    ++m_perChannel[channel];
    endInsertRows();
    makeRoom(qsizetype(m_rows.size()) - m_capacity);
    return true;
}

void EventRingModel::redrawRow(int row)
{
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void EventRingModel::setPinned(quint64 serial, bool pinned)
{
    if (pinned)
        m_pinned.insert(serial);
    else
        m_pinned.remove(serial);
    if (const int row = rowOfSerial(serial); row >= 0)
        Q_EMIT dataChanged(index(row, SeqColumn), index(row, SeqColumn), {Qt::DecorationRole});
}

void EventRingModel::removeSerial(quint64 serial)
{
    const int row = rowOfSerial(serial);
    if (row < 0)
        return;
    const QString channel = m_rows[size_t(row)].live.channel;
    if (--m_perChannel[channel] <= 0)
        m_perChannel.remove(channel);
    m_pinned.remove(serial);
    removeRows({row});
}

void EventRingModel::refreshTimes()
{
    Q_EMIT headerDataChanged(Qt::Horizontal, TimeColumn, TimeColumn);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn));
}

void EventRingModel::refreshPayloads()
{
    m_readings.clear();
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, TableColumn), index(rowCount() - 1, PayloadColumn));
    Q_EMIT payloadsRedrawn();
}

void EventRingModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_perChannel.clear();
    m_pinned.clear();
    m_held = 0;
    m_readings.clear();
    endResetModel();
}

void EventRingModel::setCapacity(qsizetype capacity)
{
    m_capacity = std::max<qsizetype>(1, capacity);
    makeRoom(qsizetype(m_rows.size()) - m_capacity);
}

int EventRingModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EventRingModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventRingModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const LiveEvent &live = m_rows[size_t(index.row())].live;
    if (isGapMarker(live))
        return gapMarkerData(live, index.column(), role);
    switch (role) {
    case Qt::TextAlignmentRole:
        if (index.column() == SeqColumn || index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn)
            return QStringLiteral("%1 · ts_ms %2")
                .arg(TimeDisplay::format(live.event.tsMs, QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")),
                     QString::number(live.event.tsMs));
        if (index.column() == SeqColumn && isPinned(index.row()))
            return tr("Pinned: kept until unpinned (the Pinned tab lists it)");
        return {};
    case Qt::DecorationRole:
        if (index.column() == SeqColumn && isPinned(index.row()))
            return pinIcon();
        return {};
    case Qt::BackgroundRole:
        if (const QColor colour = RowColours::instance().background(reading(index.row()).operation); colour.isValid())
            return colour;
        return {};
    case OperationRole:
        return reading(index.row()).operation;
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case TimeColumn:
        return TimeDisplay::format(live.event.tsMs, QStringLiteral("HH:mm:ss.zzz"));
    case ChannelColumn:
        return live.channel;
    case SeqColumn:
        return live.event.seq;
    case TableColumn:
        return reading(index.row()).table;
    case KeyColumn:
        return reading(index.row()).key;
    case SizeColumn:
        return live.event.payload().size();
    case PayloadColumn:
        return reading(index.row()).summary;
    default:
        return {};
    }
}

const EventRingModel::RowReading &EventRingModel::reading(int row) const
{
    const quint64 serial = m_rows[size_t(row)].serial;
    if (const RowReading *known = m_readings.object(serial))
        return *known;
    auto *made = new RowReading(read(m_rows[size_t(row)].live));
    m_readings.insert(serial, made);
    return *made;
}

EventRingModel::RowReading EventRingModel::read(const LiveEvent &live)
{
    const PayloadMask &mask = MaskSettings::current();
    QByteArrayView payload = live.event.payload();
    if (payload.size() > readSummaryBytes && !mask.isEmpty())
        return {tr("(%1 payload: select it to read it, masked)").arg(QLocale().formattedDataSize(payload.size())),
                {}, {}, {}};
    QByteArray masked;
    if (payload.size() <= readSummaryBytes) {
        masked = mask.apply(payload);
        payload = masked;
        // A row change reads as one ("update public.orders id=42: amount 1 → 2"); the rest as text.
        if (const auto change = readChange(payload))
            return {change->summary(), change->table, change->key, change->operation};
    }
    QString summary = QString::fromUtf8(payload.first(std::min(payload.size(), summaryChars)));
    if (payload.size() > summaryChars)
        summary += u'…';
    return {summary, {}, {}, {}};
}

QVariant EventRingModel::gapMarkerData(const LiveEvent &marker, int column, int role) const
{
    // A row that stands out and says, in the payload column, which seqs are missing and why (or,
    // in the schema colour, how a table's shape changed).
    const bool schema = gapNotice(marker).startsWith(u"schema change:");
    if (role == Qt::BackgroundRole) {
        if (schema)
            if (const QColor colour = RowColours::instance().background(QStringLiteral("schema")); colour.isValid())
                return colour;
        return QColor(0xfd, 0xec, 0xc8);
    }
    if (role == Qt::ForegroundRole)
        return schema && Theme::instance().isDark() ? QColor(0xff, 0xe6, 0x99) : QColor(0x8a, 0x4b, 0x00);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case TimeColumn:
        return TimeDisplay::format(marker.event.tsMs, QStringLiteral("HH:mm:ss.zzz"));
    case ChannelColumn:
        return marker.channel;
    case SeqColumn:
        return schema ? tr("schema") : tr("gap");
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
    case TableColumn:
        return tr("Table");
    case KeyColumn:
        return tr("Key");
    case SizeColumn:
        return tr("Size");
    case PayloadColumn:
        return tr("Payload");
    default:
        return {};
    }
}

} // namespace cdc

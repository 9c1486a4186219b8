#include "NoticesModel.h"

#include "Theme.h"
#include "TimeDisplay.h"

#include <QColor>

namespace cdc {

QString noticeKindName(Notice::Kind kind)
{
    switch (kind) {
    case Notice::Kind::SlowConsumerCut:
        return NoticesModel::tr("slow consumer cut");
    case Notice::Kind::ConnectionRefused:
        return NoticesModel::tr("connection refused");
    case Notice::Kind::Gap:
        return NoticesModel::tr("gap");
    case Notice::Kind::HistoryRestart:
        return NoticesModel::tr("new history");
    case Notice::Kind::SchemaChange:
        return NoticesModel::tr("schema change");
    case Notice::Kind::ServerRefused:
        return NoticesModel::tr("refused by the server");
    case Notice::Kind::SourceWarning:
        return NoticesModel::tr("source warning");
    case Notice::Kind::Other:
        break;
    }
    return NoticesModel::tr("note");
}

void NoticesModel::add(const Notice &notice)
{
    if (qsizetype(m_notices.size()) >= capacity) {
        beginRemoveRows({}, 0, 0);
        m_notices.pop_front();
        endRemoveRows();
    }
    const int row = int(m_notices.size());
    beginInsertRows({}, row, row);
    m_notices.push_back(notice);
    endInsertRows();
    ++m_total;
    Q_EMIT added(notice);
}

void NoticesModel::refreshTimes()
{
    Q_EMIT headerDataChanged(Qt::Horizontal, TimeColumn, TimeColumn);
    if (!m_notices.empty())
        Q_EMIT dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn));
}

int NoticesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_notices.size());
}

int NoticesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NoticesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Notice &notice = m_notices[size_t(index.row())];
    if (role == Qt::ForegroundRole && index.column() == SeverityColumn) {
        const bool dark = Theme::instance().isDark();
        switch (notice.severity) {
        case Notice::Severity::Error:
            return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb3, 0x26, 0x1e);
        case Notice::Severity::Warning:
            return dark ? QColor(0xff, 0xc8, 0x57) : QColor(0x8a, 0x4b, 0x00);
        case Notice::Severity::Note:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && index.column() == TextColumn)
        return notice.text;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn:
        return TimeDisplay::format(notice.atMs, QStringLiteral("HH:mm:ss.zzz"));
    case SeverityColumn:
        switch (notice.severity) {
        case Notice::Severity::Error:
            return tr("error");
        case Notice::Severity::Warning:
            return tr("warning");
        case Notice::Severity::Note:
            return tr("note");
        }
        return {};
    case KindColumn:
        return noticeKindName(notice.kind);
    case WhereColumn:
        return notice.where;
    case TextColumn:
        return notice.text;
    default:
        return {};
    }
}

QVariant NoticesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time (%1)").arg(TimeDisplay::zoneName());
    case SeverityColumn:
        return tr("Severity");
    case KindColumn:
        return tr("What");
    case WhereColumn:
        return tr("Where");
    case TextColumn:
        return tr("Why");
    default:
        return {};
    }
}

} // namespace cdc

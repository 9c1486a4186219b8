#pragma once

#include <QAbstractTableModel>
#include <QColor>
#include <QList>
#include <QStringList>
#include <QVariant>

#include <functional>

namespace cdc {

// A table refreshed from periodic snapshots: rows keyed by an id, so an unchanged set of rows gets
// one ranged dataChanged per refresh instead of a reset (selection and scroll position survive).
// Qt::UserRole holds each cell's sort value.
template <typename Row> class SnapshotTableModel : public QAbstractTableModel
{
public:
    struct Column
    {
        QString title;
        std::function<QVariant(const Row &)> display;
        std::function<QVariant(const Row &)> sortValue; // defaults to display
    };

    SnapshotTableModel(QList<Column> columns, std::function<QString(const Row &)> key, QObject *parent = nullptr)
        : QAbstractTableModel(parent)
        , m_columns(std::move(columns))
        , m_key(std::move(key))
    {}

    void setRows(const QList<Row> &rows)
    {
        QStringList keys;
        keys.reserve(rows.size());
        for (const Row &row : rows)
            keys.append(m_key(row));
        if (keys == m_keys) {
            m_rows = rows;
            if (!m_rows.isEmpty())
                Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, int(m_columns.size()) - 1));
            return;
        }
        beginResetModel();
        m_rows = rows;
        m_keys = keys;
        endResetModel();
    }

    const Row &rowAt(int row) const { return m_rows[row]; }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_columns.size());
    }

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override
    {
        if (!index.isValid() || index.row() >= m_rows.size())
            return {};
        const Column &column = m_columns[index.column()];
        const Row &row = m_rows[index.row()];
        if (role == Qt::DisplayRole)
            return column.display(row);
        if (role == Qt::UserRole)
            return column.sortValue ? column.sortValue(row) : column.display(row);
        if (role == Qt::TextAlignmentRole && index.column() > 0)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        if ((role == Qt::ForegroundRole || role == Qt::ToolTipRole) && m_attention) {
            const QString reason = m_attention(row);
            if (!reason.isEmpty())
                return role == Qt::ToolTipRole ? QVariant(reason) : QVariant(QColor(0xd3, 0x2f, 0x2f));
        }
        return {};
    }

    // Rows that need a look are drawn in red, with the reason as their tooltip (empty: none).
    void setAttention(std::function<QString(const Row &)> reason) { m_attention = std::move(reason); }

    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override
    {
        if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section < m_columns.size())
            return m_columns[section].title;
        return QAbstractTableModel::headerData(section, orientation, role);
    }

private:
    QList<Column> m_columns;
    std::function<QString(const Row &)> m_key;
    std::function<QString(const Row &)> m_attention;
    QList<Row> m_rows;
    QStringList m_keys;
};

} // namespace cdc

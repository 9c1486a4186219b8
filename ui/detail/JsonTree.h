#pragma once

#include "protocol/JsonText.h"

#include <QAbstractItemModel>
#include <QByteArray>
#include <QColor>

#include <memory>
#include <vector>

namespace cdc {

// A payload's JSON outline with what a tree view needs to walk it in constant time both ways
// (each node's parent, its row among its siblings, its children by row). Built once per selected
// event off the GUI thread, then only read.
class JsonTree
{
public:
    // Nothing when `payload` is not JSON (a stored payload always is).
    static std::shared_ptr<const JsonTree> build(QByteArray payload);

    const JsonOutline &outline() const { return m_outline; }
    qsizetype nodeCount() const { return qsizetype(m_parent.size()); }
    qsizetype parentOf(qsizetype node) const { return m_parent[size_t(node)]; }
    qsizetype rowOf(qsizetype node) const { return m_row[size_t(node)]; }
    qsizetype childAt(qsizetype node, qsizetype row) const
    {
        return m_children[size_t(m_firstChildSlot[size_t(node)] + row)];
    }
    // The member name or array position a node has in its parent ("payload" for the top).
    QString label(qsizetype node) const;
    // How to reach it from the top, as JavaScript would: payload.after.items[3]["odd name"].
    QString path(qsizetype node) const;

private:
    explicit JsonTree(QByteArray payload);

    QByteArray m_payload; // the outline's text views point into it
    JsonOutline m_outline;
    std::vector<qsizetype> m_parent;
    std::vector<qsizetype> m_row;
    std::vector<qsizetype> m_firstChildSlot; // where a node's children start in m_children
    std::vector<qsizetype> m_children;
};

// A value's text for a cell: whole up to `bytes`, else its beginning and how much more there is
// (laying out megabytes in one cell would stop the window).
QString elidedValueText(QByteArrayView text, qsizetype bytes = 2'000);

// A JSON value's colour by kind, in the light or the dark theme.
QColor jsonKindColor(JsonKind kind, bool dark);

// The tree of one payload for a QTreeView: Key and Value columns, values as written (a long one
// elided, its whole text one role away), coloured by kind in the window's theme. Only the rows
// the view shows are ever formatted, so a 16 MiB payload opens as fast as a small one.
class JsonTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Role { PathRole = Qt::UserRole + 1, WholeValueRole, NodeRole };
    static constexpr qsizetype shownValueBytes = 2'000;

    using QAbstractItemModel::QAbstractItemModel;

    void setTree(std::shared_ptr<const JsonTree> tree);
    const JsonTree *tree() const { return m_tree.get(); }
    QModelIndex indexOf(qsizetype node) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant valueText(const JsonOutline::Node &node) const;

    std::shared_ptr<const JsonTree> m_tree;
};

} // namespace cdc

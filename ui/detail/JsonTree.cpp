#include "JsonTree.h"

#include "Theme.h"

#include <QColor>

#include <cctype>

namespace cdc {

namespace {

// Cuts `text` to at most `bytes` without splitting a UTF-8 sequence.
QByteArrayView firstWholeCharacters(QByteArrayView text, qsizetype bytes)
{
    if (text.size() <= bytes)
        return text;
    while (bytes > 0 && (quint8(text[bytes]) & 0xC0) == 0x80)
        --bytes;
    return text.first(bytes);
}

bool isIdentifier(const std::string &name)
{
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())))
        return false;
    for (const char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$')
            return false;
    return true;
}

} // namespace

std::shared_ptr<const JsonTree> JsonTree::build(QByteArray payload)
{
    std::shared_ptr<JsonTree> tree(new JsonTree(std::move(payload)));
    if (tree->m_parent.empty())
        return nullptr;
    return tree;
}

JsonTree::JsonTree(QByteArray payload)
    : m_payload(std::move(payload))
{
    auto read = JsonOutline::read(m_payload, maxJsonDepth);
    auto *outline = std::get_if<JsonOutline>(&read);
    if (!outline)
        return;
    m_outline = std::move(*outline);
    const size_t count = size_t(m_outline.size());
    m_parent.assign(count, -1);
    m_row.assign(count, 0);
    m_firstChildSlot.assign(count, 0);
    m_children.reserve(count);
    for (qsizetype node = 0; node < qsizetype(count); ++node) {
        m_firstChildSlot[size_t(node)] = qsizetype(m_children.size());
        qsizetype row = 0;
        for (qsizetype child = m_outline.firstChild(node); child >= 0; child = m_outline.node(child).next) {
            m_parent[size_t(child)] = node;
            m_row[size_t(child)] = row++;
            m_children.push_back(child);
        }
    }
}

QString JsonTree::label(qsizetype node) const
{
    const qsizetype parent = parentOf(node);
    if (parent < 0)
        return QStringLiteral("payload");
    if (m_outline.node(parent).kind == JsonKind::Array)
        return QString::number(rowOf(node));
    const std::string &key = m_outline.node(node).key;
    return QString::fromUtf8(key.data(), qsizetype(key.size()));
}

QString JsonTree::path(qsizetype node) const
{
    QStringList steps;
    for (qsizetype at = node; parentOf(at) >= 0; at = parentOf(at)) {
        if (m_outline.node(parentOf(at)).kind == JsonKind::Array) {
            steps.prepend(QStringLiteral("[%1]").arg(rowOf(at)));
            continue;
        }
        const std::string &key = m_outline.node(at).key;
        const QString name = QString::fromUtf8(key.data(), qsizetype(key.size()));
        if (isIdentifier(key)) {
            steps.prepend(u'.' + name);
        } else {
            QString quoted = name;
            quoted.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
            steps.prepend(QStringLiteral("[\"%1\"]").arg(quoted));
        }
    }
    return QStringLiteral("payload") + steps.join(QString());
}

void JsonTreeModel::setTree(std::shared_ptr<const JsonTree> tree)
{
    beginResetModel();
    m_tree = std::move(tree);
    endResetModel();
}

QModelIndex JsonTreeModel::indexOf(qsizetype node) const
{
    if (!m_tree || node < 0)
        return {};
    return createIndex(int(m_tree->rowOf(node)), 0, quintptr(node));
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const qsizetype node = parent.isValid() ? m_tree->childAt(qsizetype(parent.internalId()), row) : 0;
    return createIndex(row, column, quintptr(node));
}

QModelIndex JsonTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || !m_tree)
        return {};
    return indexOf(m_tree->parentOf(qsizetype(child.internalId())));
}

int JsonTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!m_tree)
        return 0;
    if (!parent.isValid())
        return 1;
    if (parent.column() != 0)
        return 0;
    return int(m_tree->outline().node(qsizetype(parent.internalId())).childCount);
}

int JsonTreeModel::columnCount(const QModelIndex &) const
{
    return 2;
}

QVariant JsonTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_tree)
        return {};
    const qsizetype at = qsizetype(index.internalId());
    const JsonOutline::Node &node = m_tree->outline().node(at);
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == 0 ? QVariant(m_tree->label(at)) : valueText(node);
    case Qt::ForegroundRole:
        if (index.column() == 0 || node.isContainer())
            return {};
        return jsonKindColor(node.kind, Theme::instance().isDark());
    case Qt::ToolTipRole:
        if (index.column() == 1 && node.text.size() > shownValueBytes)
            return tr("%1 bytes; right-click > Show whole value").arg(node.text.size());
        return {};
    case PathRole:
        return m_tree->path(at);
    case WholeValueRole:
        return QString::fromUtf8(node.text);
    case NodeRole:
        return at;
    default:
        return {};
    }
}

QVariant JsonTreeModel::valueText(const JsonOutline::Node &node) const
{
    if (node.kind == JsonKind::Object)
        return tr("{%n key(s)}", nullptr, int(node.childCount));
    if (node.kind == JsonKind::Array)
        return tr("[%n item(s)]", nullptr, int(node.childCount));
    return elidedValueText(node.text, shownValueBytes);
}

QString elidedValueText(QByteArrayView text, qsizetype bytes)
{
    const QByteArrayView shown = firstWholeCharacters(text, bytes);
    if (shown.size() == text.size())
        return QString::fromUtf8(text);
    return JsonTreeModel::tr("%1… (%2 more bytes)").arg(QString::fromUtf8(shown)).arg(text.size() - shown.size());
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == 0 ? tr("Key") : tr("Value");
}

QColor jsonKindColor(JsonKind kind, bool dark)
{
    // GitHub's syntax colours: readable on white and on the dark theme's #2b2d31.
    switch (kind) {
    case JsonKind::String:
        return dark ? QColor(0x7e, 0xe7, 0x87) : QColor(0x11, 0x63, 0x29);
    case JsonKind::Number:
        return dark ? QColor(0x79, 0xc0, 0xff) : QColor(0x05, 0x50, 0xae);
    case JsonKind::Boolean:
    case JsonKind::Null:
        return dark ? QColor(0xd2, 0xa8, 0xff) : QColor(0x82, 0x50, 0xdf);
    default:
        return {};
    }
}

} // namespace cdc

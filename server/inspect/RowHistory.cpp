#include "RowHistory.h"

#include "protocol/JsonWriter.h"

#include <QStringList>

#include <algorithm>

namespace cdc {

namespace {

// "id=42,tenant=\"a\"" and "id=42, tenant=a" name the same key.
QStringList keyParts(const QString &key)
{
    QStringList parts;
    for (const QString &part : key.split(u',', Qt::SkipEmptyParts)) {
        const qsizetype equals = part.indexOf(u'=');
        QString name = part.left(equals).trimmed();
        QString value = equals < 0 ? QString() : part.mid(equals + 1).trimmed();
        if (value.size() >= 2 && value.startsWith(u'"') && value.endsWith(u'"'))
            value = value.mid(1, value.size() - 2);
        parts.append(name + u'=' + value);
    }
    return parts;
}

} // namespace

bool RowIdentity::matches(const ChangeReading &change) const
{
    if (change.operation == u"truncate" || change.key.isEmpty())
        return false;
    const bool sameTable = change.table == table || (!table.contains(u'.') && change.table.section(u'.', -1) == table);
    return sameTable && keyParts(change.key) == keyParts(key);
}

bool RowTimeline::offer(const QString &channel, qint64 seq, qint64 tsMs, QByteArrayView payload, const QString &origin)
{
    auto change = readChange(payload);
    if (!change || !m_row.matches(*change))
        return false;
    const auto before = [&](const RowVersion &version) {
        return std::tie(version.tsMs, version.channel, version.seq) < std::tie(tsMs, channel, seq);
    };
    const auto at = std::partition_point(m_versions.begin(), m_versions.end(), before);
    if (at != m_versions.end() && at->channel == channel && at->seq == seq)
        return false; // seen already (live and replayed, say)
    const qsizetype index = at - m_versions.begin();
    m_versions.insert(index, RowVersion{channel, seq, tsMs, origin, std::move(*change), {}, {}, {}});
    recomputeRowsFrom(index);
    return true;
}

void RowTimeline::recomputeRowsFrom(qsizetype index)
{
    // A version inserted in the middle changes what the later ones carried over.
    for (qsizetype i = index; i < m_versions.size(); ++i) {
        RowVersion &version = m_versions[i];
        version.rowAfter = version.change.newRow;
        version.sincePrevious.clear();
        version.changedColumns.clear();
        for (const ColumnChange &column : version.change.columns)
            if (column.kind == ColumnChange::Kind::Changed)
                version.changedColumns.append(column.name);
        if (i == 0)
            continue;
        const auto &previous = m_versions[i - 1].rowAfter;
        for (const ColumnChange &column : version.change.columns) {
            if (column.kind != ColumnChange::Kind::ToastUnchanged)
                continue;
            const auto known = std::find_if(previous.cbegin(), previous.cend(),
                                            [&column](const auto &entry) { return entry.first == column.name; });
            const auto mine = std::find_if(version.rowAfter.begin(), version.rowAfter.end(),
                                           [&column](const auto &entry) { return entry.first == column.name; });
            if (known != previous.cend() && mine != version.rowAfter.end())
                mine->second = known->second;
        }
        if (previous.isEmpty() || version.rowAfter.isEmpty())
            continue;
        QStringList differences;
        version.changedColumns.clear();
        for (const auto &column : version.rowAfter) {
            // Not a structured binding: clang (the fuzz build) cannot capture one before C++20's P1091.
            const QString &name = column.first;
            const QByteArray &value = column.second;
            const auto was = std::find_if(previous.cbegin(), previous.cend(),
                                          [&name](const auto &entry) { return entry.first == name; });
            if (was != previous.cend() && was->second == value)
                continue;
            version.changedColumns.append(name);
            const QString before = was == previous.cend() ? QString() : QString::fromUtf8(was->second) + u' ';
            differences.append(name + u' ' + before + QStringLiteral("→ ") + QString::fromUtf8(value));
        }
        version.sincePrevious = differences.isEmpty() ? QStringLiteral("no value changed") : differences.join(u", ");
    }
}

QString RowVersion::describe() const
{
    if (sincePrevious.isEmpty())
        return change.summary();
    return change.operation + u' ' + change.table + u' ' + change.key + QStringLiteral(": ") + sincePrevious;
}

QByteArray RowVersion::rowAfterJson() const
{
    if (rowAfter.isEmpty())
        return {};
    JsonWriter writer;
    writer.beginObject();
    for (const auto &[name, value] : rowAfter)
        writer.key(QStringView(name)).rawValue(value);
    writer.endObject();
    return writer.take();
}

} // namespace cdc

#pragma once

#include "ChangeReading.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cdc {

// One table row, named as users name it: its table ("public.orders", or "orders" for any schema)
// and its key as ChangeReading writes it ("id=42"; quotes around a string value optional).
struct RowIdentity
{
    QString table;
    QString key;

    bool matches(const ChangeReading &change) const;
};

// One change of the row, with the row as it stood after it.
struct RowVersion
{
    QString channel;
    qint64 seq = 0;
    qint64 tsMs = 0;
    QString origin; // where it was seen first: "live", "travel", a capture's file name
    ChangeReading change;
    // The row after this change in its column order (name, token), every value as published; an
    // unchanged TOASTed value is carried over from the version before when known. Empty after a
    // delete.
    QList<std::pair<QString, QByteArray>> rowAfter;

    // What changed since the version before, when the timeline has it: the columns whose values
    // differ between the two rows, so an update whose old values were not sent still reads as
    // "amount 2.00 → 2.50". Empty for the first version, a delete, or nothing known before.
    QString sincePrevious;
    // The columns this change changed: against the version before when the timeline has it,
    // otherwise as the change itself says (old and new both sent and different).
    QStringList changedColumns;

    // rowAfter as a JSON object; empty after a delete.
    QByteArray rowAfterJson() const;
    // One line: "update public.orders id=42: amount 2.00 → 2.50", from sincePrevious when known.
    QString describe() const;
};

// The timeline of one row from whatever events it is offered — live, replayed, from captures — in
// the server's order (ts_ms, channel, seq), each event once however many times it is offered.
class RowTimeline
{
public:
    explicit RowTimeline(RowIdentity row)
        : m_row(std::move(row))
    {}

    const RowIdentity &row() const { return m_row; }
    // Keeps the event if it changes this row; true when it was new to the timeline.
    bool offer(const QString &channel, qint64 seq, qint64 tsMs, QByteArrayView payload, const QString &origin);
    const QList<RowVersion> &versions() const { return m_versions; }

private:
    void recomputeRowsFrom(qsizetype index);

    RowIdentity m_row;
    QList<RowVersion> m_versions;
};

} // namespace cdc

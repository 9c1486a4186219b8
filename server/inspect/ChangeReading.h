#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace cdc {

// A payload read as a row change, when it is one: the PostgreSQL source's own shape
// (op/schema/table/new/old), Debezium's (op c/u/d/t, and r for a snapshot read; before/after,
// source), Supabase's
// (type, record/old_record) and Sequin's (action, record, changes, metadata). Values stay the tokens as published; nothing is re-serialized.

struct ColumnChange
{
    enum class Kind {
        Changed,        // old and new differ
        Unchanged,      // old and new are the same
        Set,            // an insert's value, or an update's whose old value was not sent
        Removed,        // a delete's old value
        ToastUnchanged, // an unchanged TOASTed value PostgreSQL did not send again
    };
    QString name;
    std::optional<QByteArray> before;
    std::optional<QByteArray> after;
    Kind kind = Kind::Set;
};

struct ChangeReading
{
    QString operation; // insert, update, delete, truncate, read (a snapshot's row, Debezium's "r")
    QString table;     // schema.table, or the table alone when no schema is given
    QString key;       // "id=42", empty when the payload does not say
    // Changed columns first, then the rest, each group in the row's order.
    QList<ColumnChange> columns;
    // The new row's columns as sent, in its order (name, token); empty for a delete or truncate.
    QList<std::pair<QString, QByteArray>> newRow;
    // Why old values are missing, in words; empty when the old row was sent whole (or is not needed).
    QString oldRowNote;
    // A schema change (operation "schema", --pg-schema-events): what changed, in words.
    QStringList schemaChanges;

    // One line for a table row: "update public.orders id=42: amount 1 → 2, status".
    QString summary() const;
};

std::optional<ChangeReading> readChange(QByteArrayView payload);

} // namespace cdc

#include "ChangeReading.h"

#include "protocol/JsonText.h"

#include <QHash>

#include <algorithm>

namespace cdc {

namespace {

constexpr qsizetype shortValue = 24; // longer values show by column name only in a summary
const QByteArray debeziumUnavailable = "\"__debezium_unavailable_value\"";

// An object's members as (name, token), in order; empty for anything else.
QList<std::pair<QString, QByteArray>> membersOf(const JsonOutline &outline, qsizetype object)
{
    QList<std::pair<QString, QByteArray>> members;
    if (object < 0 || outline.node(object).kind != JsonKind::Object)
        return members;
    for (qsizetype child = outline.firstChild(object); child >= 0; child = outline.node(child).next) {
        const std::string &key = outline.node(child).key;
        members.append({QString::fromUtf8(key.data(), qsizetype(key.size())), outline.node(child).text.toByteArray()});
    }
    return members;
}

QString stringAt(const JsonOutline &outline, qsizetype index)
{
    if (index < 0 || outline.node(index).kind != JsonKind::String)
        return {};
    const std::string &text = outline.node(index).string;
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

bool isObject(const JsonOutline &outline, qsizetype index)
{
    return index >= 0 && outline.node(index).kind == JsonKind::Object;
}

bool isToastMarker(const QByteArray &token)
{
    return token == "{\"unchanged_toast\":true}" || token == debeziumUnavailable;
}

std::optional<QByteArray> valueOf(const QList<std::pair<QString, QByteArray>> &members, const QString &name)
{
    for (const auto &[key, value] : members)
        if (key == name)
            return value;
    return std::nullopt;
}

QString keyText(const QList<std::pair<QString, QByteArray>> &columns)
{
    QStringList parts;
    for (const auto &[name, value] : columns)
        parts.append(name + u'=' + QString::fromUtf8(value));
    return parts.join(u',');
}

// "schema.table" from an object's "schema" and "table" members ("table" alone without a schema).
QString qualifiedTable(const JsonOutline &outline, qsizetype object)
{
    const QString schema = stringAt(outline, outline.member(object, "schema"));
    return (schema.isEmpty() ? QString() : schema + u'.') + stringAt(outline, outline.member(object, "table"));
}

// "id=42" from the row that has one (the new row, else the old), empty without an id column.
QString idKey(const QList<std::pair<QString, QByteArray>> &newRow, const QList<std::pair<QString, QByteArray>> &oldRow)
{
    const auto id = valueOf(newRow.isEmpty() ? oldRow : newRow, QStringLiteral("id"));
    return id ? QStringLiteral("id=") + QString::fromUtf8(*id) : QString();
}

// The columns of one change from its old and new rows (either may be absent).
void compare(ChangeReading &change, const QList<std::pair<QString, QByteArray>> &oldRow, bool oldSent,
             const QList<std::pair<QString, QByteArray>> &newRow, bool newSent)
{
    QList<ColumnChange> changed;
    QList<ColumnChange> rest;
    if (!newSent) { // a delete: the old row is all there is
        for (const auto &[name, value] : oldRow)
            rest.append({name, value, std::nullopt, ColumnChange::Kind::Removed});
        change.columns = rest;
        return;
    }
    change.newRow = newRow;
    for (const auto &[name, value] : newRow) {
        const std::optional<QByteArray> before = valueOf(oldRow, name);
        const bool created = change.operation == u"insert" || change.operation == u"read";
        if (isToastMarker(value))
            rest.append({name, before, std::nullopt, ColumnChange::Kind::ToastUnchanged});
        else if (!oldSent && before && *before == value) // a key sent as the old row, and the same
            rest.append({name, before, value, ColumnChange::Kind::Unchanged});
        else if (!before || !oldSent)
            (created ? rest : changed).append({name, before, value, ColumnChange::Kind::Set});
        else if (*before != value)
            changed.append({name, before, value, ColumnChange::Kind::Changed});
        else
            rest.append({name, before, value, ColumnChange::Kind::Unchanged});
    }
    change.columns = changed + rest;
}

std::optional<ChangeReading> readPostgres(const JsonOutline &outline)
{
    const QString op = stringAt(outline, outline.member(0, "op"));
    if (op != u"insert" && op != u"update" && op != u"delete" && op != u"truncate")
        return std::nullopt;
    ChangeReading change;
    change.operation = op;
    change.table = qualifiedTable(outline, 0);
    const qsizetype oldAt = outline.member(0, "old");
    const qsizetype newAt = outline.member(0, "new");
    const auto oldRow = membersOf(outline, oldAt);
    const auto newRow = membersOf(outline, newAt);
    if (op == u"truncate")
        return change;
    // The source sends `old` per the replica identity: the whole row with FULL, else only the key
    // (and for an update only when the key changed). A partial old row is the key.
    const bool oldIsWhole =
        isObject(outline, oldAt) && (op == u"delete" ? oldRow.size() > 0 : oldRow.size() >= newRow.size());
    if (op == u"update" && !isObject(outline, oldAt))
        change.oldRowNote =
            QStringLiteral("old values not sent: the table's replica identity is DEFAULT (only the key, "
                           "and only when it changes); REPLICA IDENTITY FULL sends the whole old row");
    else if (op == u"update" && !oldIsWhole)
        change.oldRowNote =
            std::all_of(oldRow.cbegin(), oldRow.cend(),
                        [&newRow](const auto &column) { return valueOf(newRow, column.first) == column.second; })
                ? QStringLiteral("only the key was sent as the old row, and it did not change: other old values "
                                 "are not sent (REPLICA IDENTITY FULL sends the whole old row)")
                : QStringLiteral("only the old key was sent (the key changed; replica identity DEFAULT)");
    else if (op == u"delete" && oldRow.size() < 2)
        change.oldRowNote = QStringLiteral("only the key of the deleted row was sent (replica identity DEFAULT)");
    compare(change, oldRow, op == u"update" ? oldIsWhole : true, newRow, isObject(outline, newAt));
    if (isObject(outline, oldAt) && !oldIsWhole)
        change.key = keyText(oldRow);
    else
        change.key = idKey(newRow, oldRow);
    return change;
}

std::optional<ChangeReading> readDebezium(const JsonOutline &outline, qsizetype envelope)
{
    const QString op = stringAt(outline, outline.member(envelope, "op"));
    // "r" is a row read by a snapshot, not an insert: the row was there before capture began.
    static const QHash<QString, QString> operations{{QStringLiteral("c"), QStringLiteral("insert")},
                                                    {QStringLiteral("r"), QStringLiteral("read")},
                                                    {QStringLiteral("u"), QStringLiteral("update")},
                                                    {QStringLiteral("d"), QStringLiteral("delete")},
                                                    {QStringLiteral("t"), QStringLiteral("truncate")}};
    if (!operations.contains(op))
        return std::nullopt;
    ChangeReading change;
    change.operation = operations.value(op);
    const qsizetype source = outline.member(envelope, "source");
    if (isObject(outline, source))
        change.table = qualifiedTable(outline, source);
    const qsizetype beforeAt = outline.member(envelope, "before");
    const qsizetype afterAt = outline.member(envelope, "after");
    const auto before = membersOf(outline, beforeAt);
    const auto after = membersOf(outline, afterAt);
    const bool beforeSent = isObject(outline, beforeAt);
    if (change.operation == u"update" && !beforeSent)
        change.oldRowNote = QStringLiteral("\"before\" is null: the table's replica identity sends no old row "
                                           "(REPLICA IDENTITY FULL would)");
    compare(change, before, beforeSent, after, isObject(outline, afterAt));
    change.key = idKey(after, before);
    return change;
}

std::optional<ChangeReading> readSupabase(const JsonOutline &outline)
{
    const QString type = stringAt(outline, outline.member(0, "type")).toLower();
    if (type != u"insert" && type != u"update" && type != u"delete")
        return std::nullopt;
    ChangeReading change;
    change.operation = type;
    change.table = qualifiedTable(outline, 0);
    const qsizetype oldAt = outline.member(0, "old_record");
    const qsizetype newAt = outline.member(0, "record");
    const auto oldRow = membersOf(outline, oldAt);
    const auto newRow = membersOf(outline, newAt);
    // Supabase sends the primary key alone in old_record unless the replica identity is FULL.
    const bool oldIsWhole = isObject(outline, oldAt) && (type == u"delete" || oldRow.size() >= newRow.size());
    if (type == u"update" && !oldIsWhole)
        change.oldRowNote = QStringLiteral("old_record holds only the key: the table's replica identity is DEFAULT "
                                           "(REPLICA IDENTITY FULL sends the whole old row)");
    compare(change, oldRow, oldIsWhole, newRow, isObject(outline, newAt) && type != u"delete");
    change.key = idKey(newRow, oldRow);
    return change;
}

// Sequin's message: "action" (insert, update, delete, read), "record" (the row now; a delete's
// row as it was), "changes" (an update's changed columns, their old values), "metadata".
std::optional<ChangeReading> readSequin(const JsonOutline &outline)
{
    const QString action = stringAt(outline, outline.member(0, "action"));
    if (action != u"insert" && action != u"update" && action != u"delete" && action != u"read")
        return std::nullopt;
    ChangeReading change;
    change.operation = action;
    const qsizetype metadata = outline.member(0, "metadata");
    if (isObject(outline, metadata)) {
        const QString schema = stringAt(outline, outline.member(metadata, "table_schema"));
        change.table = (schema.isEmpty() ? QString() : schema + u'.') +
                       stringAt(outline, outline.member(metadata, "table_name"));
    }
    const auto record = membersOf(outline, outline.member(0, "record"));
    if (action == u"delete") {
        compare(change, record, true, {}, false);
        change.key = idKey({}, record);
        return change;
    }
    // The old row is the record with the changed columns' old values: whole, as Sequin meant it.
    auto oldRow = record;
    const auto changes = membersOf(outline, outline.member(0, "changes"));
    for (auto &[name, value] : oldRow)
        for (const auto &[changedName, oldValue] : changes)
            if (changedName == name)
                value = oldValue;
    compare(change, oldRow, action == u"update", record, true);
    change.key = idKey(record, oldRow);
    return change;
}

} // namespace

QString ChangeReading::summary() const
{
    QString line = operation + u' ' + table;
    if (operation == u"schema")
        return line + u": " + schemaChanges.join(QStringLiteral("; "));
    if (!key.isEmpty())
        line += u' ' + key;
    QStringList parts;
    for (const ColumnChange &column : columns) {
        if (column.kind != ColumnChange::Kind::Changed &&
            !(operation == u"update" && column.kind == ColumnChange::Kind::Set))
            continue;
        const bool fits = column.after && column.after->size() <= shortValue &&
                          (!column.before || column.before->size() <= shortValue);
        if (!fits)
            parts.append(column.name);
        else if (column.kind == ColumnChange::Kind::Changed)
            parts.append(QStringLiteral("%1 %2 → %3")
                             .arg(column.name, QString::fromUtf8(*column.before), QString::fromUtf8(*column.after)));
        else
            parts.append(column.name + u'=' + QString::fromUtf8(*column.after));
    }
    if (operation == u"update")
        line += parts.isEmpty() ? QStringLiteral(": no column changed")
                                : u": " + parts.join(QStringLiteral(", ")) +
                                      (oldRowNote.isEmpty() ? QString() : QStringLiteral(" (old values not sent)"));
    return line;
}

std::optional<ChangeReading> readChange(QByteArrayView payload)
{
    auto read = JsonOutline::read(payload, 3);
    const auto *outline = std::get_if<JsonOutline>(&read);
    if (!outline || outline->root().kind != JsonKind::Object)
        return std::nullopt;
    if (stringAt(*outline, outline->member(0, "op")) == u"schema") { // the PostgreSQL source's schema change
        ChangeReading change;
        change.operation = QStringLiteral("schema");
        change.table = qualifiedTable(*outline, 0);
        const qsizetype list = outline->member(0, "changes");
        for (qsizetype item = list >= 0 ? outline->firstChild(list) : -1; item >= 0; item = outline->node(item).next)
            change.schemaChanges.append(stringAt(*outline, item));
        return change;
    }
    if (outline->member(0, "new") >= 0 || outline->member(0, "old") >= 0 ||
        stringAt(*outline, outline->member(0, "op")) == u"truncate")
        if (auto change = readPostgres(*outline))
            return change;
    if (outline->member(0, "before") >= 0 || outline->member(0, "after") >= 0)
        return readDebezium(*outline, 0);
    // Debezium with schemas on: the envelope sits in "payload".
    const qsizetype envelope = outline->member(0, "payload");
    if (isObject(*outline, envelope) &&
        (outline->member(envelope, "before") >= 0 || outline->member(envelope, "after") >= 0))
        return readDebezium(*outline, envelope);
    if (outline->member(0, "action") >= 0 && outline->member(0, "record") >= 0)
        if (auto change = readSequin(*outline))
            return change;
    if (outline->member(0, "record") >= 0 || outline->member(0, "old_record") >= 0)
        return readSupabase(*outline);
    return std::nullopt;
}

} // namespace cdc

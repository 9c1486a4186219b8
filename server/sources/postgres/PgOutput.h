#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>
#include <variant>
#include <vector>

namespace cdc::pg {

// Decoding of PostgreSQL's built-in logical replication plugin `pgoutput` (protocol version 1)
// into CDC events. Pure functions over bytes: the replication connection feeds it the payload of
// each XLogData message. See https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html

using Lsn = quint64;

QString formatLsn(Lsn lsn); // "0/16B3748"

// PostgreSQL timestamps count microseconds from 2000-01-01 UTC.
qint64 pgTimestampToUnixMs(qint64 pgMicros);

struct Column
{
    QString name;
    quint32 typeOid = 0;
    qint32 typmod = -1; // numeric(12,2), varchar(80): the precision, length; -1 none
    bool isKey = false;
};

// A column's type as PostgreSQL writes it (format_type), for the built-in types; "type 16394"
// for others (an enum, a domain).
QString typeText(quint32 typeOid, qint32 typmod);

struct Relation
{
    quint32 oid = 0;
    QString schema;
    QString table;
    char replicaIdentity = 'd'; // d default, n nothing, f full, i index
    std::vector<Column> columns;
};

// One column's value in a tuple: null, unchanged TOAST (the value was not sent), or text.
struct Value
{
    enum class Kind { Null, UnchangedToast, Text } kind = Kind::Null;
    QByteArray text;
};
using Tuple = std::vector<Value>;

struct Begin
{
    Lsn finalLsn = 0;
    qint64 commitTsMs = 0;
    quint32 xid = 0;
};
struct Commit
{
    Lsn commitLsn = 0;
    Lsn endLsn = 0;
    qint64 commitTsMs = 0;
};
struct Change
{
    enum class Op { Insert, Update, Delete } op = Op::Insert;
    quint32 relation = 0;
    std::optional<Tuple> oldTuple; // per the replica identity: key columns ('K') or the whole row ('O')
    bool oldIsKeyOnly = false;
    std::optional<Tuple> newTuple;
};
struct Truncate
{
    std::vector<quint32> relations;
    bool cascade = false;
    bool restartIdentity = false;
};
// pg_logical_emit_message's record, sent with the `messages` option (PostgreSQL 14+): a
// transactional one inside its transaction, any other where it was written in the WAL.
struct LogicalMessage
{
    bool transactional = false;
    Lsn lsn = 0;
    QString prefix;
    QByteArray content;
};
struct Ignored
{
    char tag = 0; // Origin, Type: nothing to publish
};

using Message = std::variant<Begin, Commit, Relation, Change, Truncate, LogicalMessage, Ignored>;

// Decodes one pgoutput message; the error says which message and what is wrong with it.
std::variant<Message, QString> decode(const QByteArray &data);

// A column value as JSON, typed by its PostgreSQL type: integers and exact numerics as numbers,
// booleans, json/jsonb as JSON, NULL as null, anything else as a string.
QByteArray valueToJson(const Value &value, quint32 typeOid);

} // namespace cdc::pg

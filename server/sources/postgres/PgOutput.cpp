#include "PgOutput.h"

#include "protocol/JsonText.h"
#include "protocol/JsonWriter.h"

#include <QRegularExpression>
#include <QtEndian>

namespace cdc::pg {

namespace {

// Type OIDs from pg_type.dat (stable across versions).
constexpr quint32 boolOid = 16, int8Oid = 20, int2Oid = 21, int4Oid = 23, oidOid = 26, jsonOid = 114, float4Oid = 700,
                  float8Oid = 701, numericOid = 1700, jsonbOid = 3802;

// Reads big-endian fields; any read past the end marks the reader failed.
class Reader
{
public:
    explicit Reader(const QByteArray &data)
        : m_data(data)
    {}

    bool failed() const { return m_failed; }
    bool atEnd() const { return m_position >= m_data.size(); }

    template <typename T> T read()
    {
        if (m_position + qsizetype(sizeof(T)) > m_data.size()) {
            m_failed = true;
            return T{};
        }
        const T value = qFromBigEndian<T>(m_data.constData() + m_position);
        m_position += sizeof(T);
        return value;
    }
    char byte() { return char(read<quint8>()); }
    QString string()
    {
        const qsizetype end = m_data.indexOf('\0', m_position);
        if (end < 0) {
            m_failed = true;
            return {};
        }
        const QString text = QString::fromUtf8(m_data.constData() + m_position, end - m_position);
        m_position = end + 1;
        return text;
    }
    QByteArray bytes(qint32 length)
    {
        if (length < 0 || m_position + length > m_data.size()) {
            m_failed = true;
            return {};
        }
        const QByteArray out = m_data.mid(m_position, length);
        m_position += length;
        return out;
    }

private:
    const QByteArray &m_data;
    qsizetype m_position = 0;
    bool m_failed = false;
};

Tuple readTuple(Reader &reader)
{
    Tuple tuple;
    const qint16 count = reader.read<qint16>();
    for (qint16 i = 0; i < count && !reader.failed(); ++i) {
        Value value;
        switch (reader.byte()) {
        case 'n':
            value.kind = Value::Kind::Null;
            break;
        case 'u':
            value.kind = Value::Kind::UnchangedToast;
            break;
        case 't':
        case 'b':
            value.kind = Value::Kind::Text;
            value.text = reader.bytes(reader.read<qint32>());
            break;
        default:
            return {}; // unknown kind: the caller reports the message as malformed
        }
        tuple.push_back(std::move(value));
    }
    return tuple;
}

} // namespace

QString formatLsn(Lsn lsn)
{
    return QStringLiteral("%1/%2").arg(quint32(lsn >> 32), 0, 16).arg(quint32(lsn), 0, 16).toUpper();
}

qint64 pgTimestampToUnixMs(qint64 pgMicros)
{
    constexpr qint64 epochOffsetMs = 946'684'800'000; // 2000-01-01T00:00:00Z in Unix ms
    return pgMicros / 1000 + epochOffsetMs;
}

std::variant<Message, QString> decode(const QByteArray &data)
{
    Reader reader(data);
    const char tag = reader.byte();
    Message message;
    switch (tag) {
    case 'B': {
        Begin begin;
        begin.finalLsn = reader.read<quint64>();
        begin.commitTsMs = pgTimestampToUnixMs(reader.read<qint64>());
        begin.xid = reader.read<quint32>();
        message = begin;
        break;
    }
    case 'C': {
        Commit commit;
        reader.byte(); // flags, unused
        commit.commitLsn = reader.read<quint64>();
        commit.endLsn = reader.read<quint64>();
        commit.commitTsMs = pgTimestampToUnixMs(reader.read<qint64>());
        message = commit;
        break;
    }
    case 'R': {
        Relation relation;
        relation.oid = reader.read<quint32>();
        relation.schema = reader.string();
        relation.table = reader.string();
        relation.replicaIdentity = reader.byte();
        const qint16 count = reader.read<qint16>();
        for (qint16 i = 0; i < count && !reader.failed(); ++i) {
            Column column;
            column.isKey = (reader.byte() & 1) != 0;
            column.name = reader.string();
            column.typeOid = reader.read<quint32>();
            column.typmod = reader.read<qint32>();
            relation.columns.push_back(std::move(column));
        }
        message = relation;
        break;
    }
    case 'I':
    case 'U':
    case 'D': {
        Change change;
        change.op = tag == 'I' ? Change::Op::Insert : tag == 'U' ? Change::Op::Update : Change::Op::Delete;
        change.relation = reader.read<quint32>();
        char part = reader.byte();
        if (part == 'K' || part == 'O') {
            change.oldIsKeyOnly = part == 'K';
            change.oldTuple = readTuple(reader);
            if (tag != 'D')
                part = reader.byte();
        }
        if (part == 'N')
            change.newTuple = readTuple(reader);
        else if (tag != 'D')
            return QStringLiteral("pgoutput %1 message without its new tuple").arg(QLatin1Char(tag));
        message = change;
        break;
    }
    case 'T': {
        Truncate truncate;
        const qint32 count = reader.read<qint32>();
        const quint8 options = reader.read<quint8>();
        truncate.cascade = options & 1;
        truncate.restartIdentity = options & 2;
        for (qint32 i = 0; i < count && !reader.failed(); ++i)
            truncate.relations.push_back(reader.read<quint32>());
        message = truncate;
        break;
    }
    case 'M': {
        LogicalMessage logical;
        logical.transactional = (reader.byte() & 1) != 0;
        logical.lsn = reader.read<quint64>();
        logical.prefix = reader.string();
        logical.content = reader.bytes(reader.read<qint32>());
        message = logical;
        break;
    }
    case 'O':
    case 'Y':
        message = Ignored{tag};
        break;
    default:
        return QStringLiteral("unknown pgoutput message '%1' (0x%2)")
            .arg(QLatin1Char(tag))
            .arg(quint8(tag), 2, 16, QLatin1Char('0'));
    }
    if (reader.failed())
        return QStringLiteral("truncated pgoutput '%1' message (%2 bytes)").arg(QLatin1Char(tag)).arg(data.size());
    return message;
}

QByteArray valueToJson(const Value &value, quint32 typeOid)
{
    if (value.kind == Value::Kind::Null)
        return QByteArrayLiteral("null");
    if (value.kind == Value::Kind::UnchangedToast)
        return QByteArrayLiteral("{\"unchanged_toast\":true}");
    const QByteArray &text = value.text;
    switch (typeOid) {
    case boolOid:
        return text == "t" ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case int2Oid:
    case int4Oid:
    case int8Oid:
    case oidOid:
        return text; // PostgreSQL's text form of an integer is a valid JSON number
    case numericOid:
    case float4Oid:
    case float8Oid: {
        // Finite values are JSON numbers as written (exact: no float round trip); NaN and
        // Infinity have no JSON number, so they stay strings.
        static const QRegularExpression number(QStringLiteral("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$"));
        if (number.match(QString::fromLatin1(text)).hasMatch())
            return text;
        break;
    }
    case jsonOid:
    case jsonbOid: {
        // PostgreSQL's own text, compacted (json keeps newlines as typed; a frame stays one line)
        // and otherwise as PostgreSQL wrote it: key order, duplicate keys of json, every digit.
        auto compact = compactJsonText(text);
        if (auto *json = std::get_if<QByteArray>(&compact))
            return std::move(*json);
        break;
    }
    default:
        break;
    }
    QByteArray quoted;
    JsonWriter::appendQuoted(quoted, QString::fromUtf8(text));
    return quoted;
}

QString typeText(quint32 typeOid, qint32 typmod)
{
    // typmod carries VARHDRSZ (4): numeric packs (precision << 16 | scale), varchar the length.
    const qint32 modifier = typmod >= 4 ? typmod - 4 : -1;
    switch (typeOid) {
    case 16: return QStringLiteral("boolean");
    case 17: return QStringLiteral("bytea");
    case 20: return QStringLiteral("bigint");
    case 21: return QStringLiteral("smallint");
    case 23: return QStringLiteral("integer");
    case 25: return QStringLiteral("text");
    case 114: return QStringLiteral("json");
    case 700: return QStringLiteral("real");
    case 701: return QStringLiteral("double precision");
    case 1082: return QStringLiteral("date");
    case 1083: return QStringLiteral("time without time zone");
    case 1114: return QStringLiteral("timestamp without time zone");
    case 1184: return QStringLiteral("timestamp with time zone");
    case 2950: return QStringLiteral("uuid");
    case 3802: return QStringLiteral("jsonb");
    case 1042:
        return modifier >= 0 ? QStringLiteral("character(%1)").arg(modifier) : QStringLiteral("character");
    case 1043:
        return modifier >= 0 ? QStringLiteral("character varying(%1)").arg(modifier)
                             : QStringLiteral("character varying");
    case 1700:
        return modifier >= 0 ? QStringLiteral("numeric(%1,%2)").arg(modifier >> 16).arg(modifier & 0xffff)
                             : QStringLiteral("numeric");
    default:
        return QStringLiteral("type %1").arg(typeOid);
    }
}

} // namespace cdc::pg

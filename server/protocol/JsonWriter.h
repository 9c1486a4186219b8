#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

#include <optional>
#include <string_view>
#include <vector>

namespace cdc {

// Writes compact JSON in insertion order. The protocol's frames are specified with a key order
// (QJsonObject would sort the keys), and building bytes directly keeps serialization off the
// heap-heavy QJson DOM on the hot path.
class JsonWriter
{
public:
    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();

    JsonWriter &key(std::string_view name); // a fixed ASCII name, written as is
    JsonWriter &key(QStringView name);      // any text, escaped

    JsonWriter &value(QStringView text);
    JsonWriter &value(std::string_view latin1Text);
    JsonWriter &value(const char *latin1Text) { return value(std::string_view(latin1Text)); }
    JsonWriter &value(qint64 number);
    JsonWriter &value(int number) { return value(qint64(number)); }
    JsonWriter &value(bool flag);
    JsonWriter &null();
    // Inserts already-serialized JSON (for example a stored payload) verbatim.
    JsonWriter &rawValue(const QByteArray &json);

    template <typename T> JsonWriter &field(std::string_view name, const T &v) { return key(name).value(v); }

    // null when empty: the protocol echoes omitted request fields as null.
    template <typename T> JsonWriter &optionalField(std::string_view name, const std::optional<T> &v)
    {
        key(name);
        return v ? value(*v) : null();
    }

    QByteArray take() { return std::move(m_out); }
    // Room for `bytes` more, for a writer that knows roughly how much it will write.
    void reserve(qsizetype bytes) { m_out.reserve(m_out.size() + bytes); }
    const QByteArray &bytes() const { return m_out; }

    static void appendQuoted(QByteArray &out, QStringView text);

private:
    void separate();

    QByteArray m_out;
    std::vector<bool> m_firstInScope;
    bool m_afterKey = false;
};

} // namespace cdc

#include "JsonWriter.h"

#include <charconv>

namespace cdc {

namespace {
constexpr char hexDigits[] = "0123456789abcdef";
}

void JsonWriter::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_firstInScope.empty()) {
        if (!m_firstInScope.back())
            m_out.append(',');
        m_firstInScope.back() = false;
    }
}

JsonWriter &JsonWriter::beginObject()
{
    separate();
    m_out.append('{');
    m_firstInScope.push_back(true);
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    m_out.append('}');
    m_firstInScope.pop_back();
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    separate();
    m_out.append('[');
    m_firstInScope.push_back(true);
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    m_out.append(']');
    m_firstInScope.pop_back();
    return *this;
}

JsonWriter &JsonWriter::key(std::string_view name)
{
    separate();
    m_out.append('"').append(name.data(), qsizetype(name.size())).append("\":");
    m_afterKey = true;
    return *this;
}

JsonWriter &JsonWriter::key(QStringView name)
{
    separate();
    appendQuoted(m_out, name);
    m_out.append(':');
    m_afterKey = true;
    return *this;
}

JsonWriter &JsonWriter::value(QStringView text)
{
    separate();
    appendQuoted(m_out, text);
    return *this;
}

JsonWriter &JsonWriter::value(std::string_view latin1Text)
{
    return value(QStringView(QString::fromLatin1(latin1Text.data(), qsizetype(latin1Text.size()))));
}

JsonWriter &JsonWriter::value(qint64 number)
{
    separate();
    char digits[24];
    m_out.append(digits, std::to_chars(digits, digits + sizeof digits, number).ptr - digits);
    return *this;
}

JsonWriter &JsonWriter::value(bool flag)
{
    separate();
    m_out.append(flag ? "true" : "false");
    return *this;
}

JsonWriter &JsonWriter::null()
{
    separate();
    m_out.append("null");
    return *this;
}

JsonWriter &JsonWriter::rawValue(const QByteArray &json)
{
    separate();
    m_out.append(json);
    return *this;
}

void JsonWriter::appendQuoted(QByteArray &out, QStringView text)
{
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out.append('"');
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        switch (byte) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default:
            if (byte < 0x20) {
                const char escaped[] = {'\\', 'u', '0', '0', hexDigits[byte >> 4], hexDigits[byte & 0xF]};
                out.append(escaped, sizeof escaped);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
}

} // namespace cdc

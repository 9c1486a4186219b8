#include "CompactJsonReader.h"

#include <QLocale>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <string_view>

namespace cdc {

namespace {

// Qt's own limit is 1 024; payloads this deep are left to it.
constexpr int maxDepth = 64;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isContinuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

} // namespace

void CompactJsonReader::skipSpace()
{
    while (m_at != m_end && (*m_at == ' ' || *m_at == '\n' || *m_at == '\r' || *m_at == '\t'))
        ++m_at;
}

bool CompactJsonReader::take(char token)
{
    skipSpace();
    if (m_at == m_end || *m_at != token)
        return false;
    ++m_at;
    return true;
}

bool CompactJsonReader::plainString(const char *&begin, const char *&end)
{
    if (!take('"'))
        return false;
    begin = m_at;
    while (m_at != m_end) {
        const auto c = static_cast<unsigned char>(*m_at);
        if (c == '"') {
            end = m_at++;
            return true;
        }
        if (c == '\\' || c < 0x20 || c >= 0x80)
            return false;
        ++m_at;
    }
    return false;
}

bool CompactJsonReader::readValue(QByteArray &out, int depth)
{
    if (depth > maxDepth)
        return false;
    skipSpace();
    if (m_at == m_end)
        return false;
    switch (*m_at) {
    case '{':
        return readObject(out, depth);
    case '[':
        return readArray(out, depth);
    case '"':
        return readString(out, false);
    case 't':
        return readLiteral(out, "true", 4);
    case 'f':
        return readLiteral(out, "false", 5);
    case 'n':
        return readLiteral(out, "null", 4);
    default:
        return readNumber(out);
    }
}

bool CompactJsonReader::readObject(QByteArray &out, int depth)
{
    ++m_at; // {
    out.append('{');
    if (take('}')) {
        out.append('}');
        return true;
    }
    const std::size_t firstMember = m_members.size();
    for (;;) {
        skipSpace();
        if (m_at == m_end || *m_at != '"')
            return false;
        Member member{out.size(), 0, 0};
        if (!readString(out, true))
            return false;
        member.keyEnd = out.size();
        if (!take(':'))
            return false;
        out.append(':');
        if (!readValue(out, depth + 1))
            return false;
        member.end = out.size();
        m_members.push_back(member);
        if (take(',')) {
            out.append(',');
            continue;
        }
        if (take('}'))
            break;
        return false;
    }
    sortMembers(out, firstMember);
    m_members.resize(firstMember);
    out.append('}');
    return true;
}

// Qt keeps an object's keys sorted and, of equal keys, the last. Members were written in the
// order they came; put them in Qt's order when they were not already (each key is ASCII without
// escapes, so comparing bytes compares what Qt compares).
void CompactJsonReader::sortMembers(QByteArray &out, std::size_t firstMember)
{
    const auto key = [&out](const Member &member) {
        return std::string_view(out.constData() + member.begin + 1, std::size_t(member.keyEnd - member.begin - 2));
    };
    const auto members = m_members.begin() + std::ptrdiff_t(firstMember);
    const bool inOrder =
        std::adjacent_find(members, m_members.end(),
                           [&key](const Member &a, const Member &b) { return key(a) >= key(b); }) == m_members.end();
    if (inOrder)
        return;

    std::vector<Member> &sorted = m_sortScratch;
    sorted.assign(members, m_members.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&key](const Member &a, const Member &b) { return key(a) < key(b); });
    const qsizetype regionBegin = members->begin;
    const qsizetype regionEnd = m_members.back().end;
    QByteArray &text = m_textScratch;
    text.resize(0); // keeps the capacity: one allocation per reader, not per unsorted object
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i + 1 < sorted.size() && key(sorted[i]) == key(sorted[i + 1]))
            continue; // a later member with the same key wins
        if (!text.isEmpty())
            text.append(',');
        text.append(out.constData() + sorted[i].begin, sorted[i].end - sorted[i].begin);
    }
    out.replace(regionBegin, regionEnd - regionBegin, text);
}

bool CompactJsonReader::readArray(QByteArray &out, int depth)
{
    ++m_at; // [
    out.append('[');
    if (take(']')) {
        out.append(']');
        return true;
    }
    for (;;) {
        if (!readValue(out, depth + 1))
            return false;
        if (take(',')) {
            out.append(',');
            continue;
        }
        if (take(']')) {
            out.append(']');
            return true;
        }
        return false;
    }
}

// Copies the string as it came: its bytes are what Qt writes back, since only the escapes Qt
// itself writes (\" \\ \b \f \n \r \t) and well-formed UTF-8 are let through.
bool CompactJsonReader::readString(QByteArray &out, bool isKey)
{
    const char *begin = m_at++;
    while (m_at != m_end) {
        const auto c = static_cast<unsigned char>(*m_at);
        if (c == '"') {
            ++m_at;
            out.append(begin, m_at - begin);
            return true;
        }
        if (c == '\\') {
            if (isKey || m_end - m_at < 2)
                return false;
            switch (m_at[1]) {
            case '"':
            case '\\':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                m_at += 2;
                continue;
            default:
                return false; // \/ and \u come back from Qt as something else
            }
        }
        if (c < 0x20)
            return false; // Qt accepts a raw control character but writes it escaped
        if (c >= 0x80) {
            if (isKey || !readUtf8Sequence())
                return false;
            continue;
        }
        ++m_at;
    }
    return false;
}

// One well-formed UTF-8 sequence of a character Qt passes through unchanged: no overlong forms,
// no surrogates, nothing past U+10FFFF, and no noncharacters (left to Qt rather than relied on).
bool CompactJsonReader::readUtf8Sequence()
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(m_at);
    const std::ptrdiff_t available = m_end - m_at;
    const unsigned char lead = bytes[0];
    int length = 0;
    char32_t codePoint = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        codePoint = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        codePoint = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        codePoint = lead & 0x07;
    } else {
        return false;
    }
    if (available < length)
        return false;
    for (int i = 1; i < length; ++i) {
        if (!isContinuation(bytes[i]))
            return false;
        codePoint = (codePoint << 6) | (bytes[i] & 0x3F);
    }
    const bool overlong = (length == 3 && codePoint < 0x800) || (length == 4 && codePoint < 0x10000);
    const bool surrogate = codePoint >= 0xD800 && codePoint <= 0xDFFF;
    const bool nonCharacter = (codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE;
    if (overlong || surrogate || nonCharacter || codePoint > 0x10FFFF)
        return false;
    m_at += length;
    return true;
}

bool CompactJsonReader::skipDigits()
{
    const char *first = m_at;
    while (m_at != m_end && isDigit(*m_at))
        ++m_at;
    return m_at != first;
}

bool CompactJsonReader::readNumber(QByteArray &out)
{
    const char *begin = m_at;
    if (*m_at == '-')
        ++m_at;
    if (m_at != m_end && *m_at == '0')
        ++m_at; // no leading zeros: "01" is not a number
    else if (!skipDigits())
        return false;
    bool integral = true;
    if (m_at != m_end && *m_at == '.') {
        ++m_at;
        if (!skipDigits())
            return false;
        integral = false;
    }
    if (m_at != m_end && (*m_at == 'e' || *m_at == 'E')) {
        ++m_at;
        if (m_at != m_end && (*m_at == '+' || *m_at == '-'))
            ++m_at;
        if (!skipDigits())
            return false;
        integral = false;
    }
    if (m_at == m_end)
        return false; // Qt refuses a document that ends inside a number

    // As Qt: an integer that fits a qint64 is one; anything else becomes a double, and a double
    // that is a whole number within qint64's range is stored (and printed) as that integer.
    if (integral) {
        qint64 integer = 0;
        const auto [end, error] = std::from_chars(begin, m_at, integer);
        if (error == std::errc() && end == m_at) {
            if (integer == 0)
                out.append('0'); // "-0" too
            else
                out.append(begin, m_at - begin);
            return true;
        }
    }
    double number = 0;
    const auto [end, error] = std::from_chars(begin, m_at, number);
    if (error != std::errc() || end != m_at || !std::isfinite(number))
        return false; // out of range: left to Qt
    constexpr double twoTo63 = 9223372036854775808.0;
    if (std::trunc(number) == number && number >= -twoTo63 && number < twoTo63) {
        char digits[24];
        const auto printed = std::to_chars(std::begin(digits), std::end(digits), qint64(number));
        out.append(digits, printed.ptr - digits);
    } else {
        out.append(QByteArray::number(number, 'g', QLocale::FloatingPointShortest));
    }
    return true;
}

bool CompactJsonReader::readLiteral(QByteArray &out, const char *literal, std::size_t length)
{
    if (std::size_t(m_end - m_at) < length || std::string_view(m_at, length) != std::string_view(literal, length))
        return false;
    m_at += length;
    out.append(literal, qsizetype(length));
    return true;
}

} // namespace cdc

#pragma once

#include <QByteArray>

#include <cstddef>
#include <vector>

namespace cdc {

// Reads JSON text in one pass and writes, as it goes, exactly what Qt's compact writer makes of it
// after QJsonDocument::fromJson: no whitespace, object keys sorted (the last of equal keys kept),
// numbers as Qt prints them. It exists for the ingest path, where building Qt's tree and
// serializing it again cost most of a publish.
//
// It covers what payloads are made of — ASCII keys, UTF-8 strings, the escapes Qt writes back
// unchanged, integers and decimals — and *declines* the rest (\u and \/ escapes, control
// characters, keys outside ASCII, very deep nesting, anything malformed). A declined value goes to
// Qt's parser, which stays the one authority on what is valid JSON and on every error message;
// tests and a fuzz target check that the two agree wherever this reader answers.
class CompactJsonReader
{
public:
    CompactJsonReader(const char *begin, const char *end)
        : m_at(begin)
        , m_end(end)
    {
    }

    // Compacts the value at the cursor (after whitespace) onto `out`. False when declined; the
    // cursor and `out` are then unspecified.
    bool value(QByteArray &out) { return readValue(out, 0); }

    // Cursor movement for a caller that reads a structure around the values (the publish body).
    void skipSpace();
    bool take(char token); // skips space, then takes `token` if it is next
    bool atEnd() const { return m_at == m_end; }
    // A string without escapes or non-ASCII bytes: its content, without the quotes.
    bool plainString(const char *&begin, const char *&end);

private:
    // One member of an object being read: where its `"key":value` starts and ends in `out`.
    struct Member
    {
        qsizetype begin;
        qsizetype keyEnd; // one past the key's closing quote
        qsizetype end;
    };

    bool readValue(QByteArray &out, int depth);
    bool readObject(QByteArray &out, int depth);
    bool readArray(QByteArray &out, int depth);
    bool readString(QByteArray &out, bool isKey);
    bool readNumber(QByteArray &out);
    bool skipDigits(); // false when there was none
    bool readLiteral(QByteArray &out, const char *literal, std::size_t length);
    bool readUtf8Sequence();
    void sortMembers(QByteArray &out, std::size_t firstMember);

    const char *m_at;
    const char *m_end;
    // The members of the objects being read, innermost last (reused across objects).
    std::vector<Member> m_members;
    // Reused by sortMembers for objects whose keys arrive out of order.
    std::vector<Member> m_sortScratch;
    QByteArray m_textScratch;
};

} // namespace cdc

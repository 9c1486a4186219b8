#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cdc {

// Where and why a text is not valid JSON (RFC 8259, UTF-8).
struct JsonTextError
{
    qsizetype offset = 0; // bytes from the start of the text
    int line = 1;         // 1-based
    int column = 1;       // 1-based, in characters
    QString reason;

    // "<reason> at line L, column C"
    QString describe() const;
};

enum class JsonKind { Object, Array, String, Number, Boolean, Null };

// A validated JSON text with its outer containers outlined: every value down to `depth` levels
// as a node with its kind, its text exactly as written and, for strings and member keys, the
// unescaped value. What lies deeper is validated but not outlined. The text views point into the
// text given to read(), which must outlive the outline.
//
// The payload is evidence: nothing here converts a number or re-escapes a string; compact()
// only drops the whitespace between tokens.
class JsonOutline
{
public:
    struct Node
    {
        JsonKind kind = JsonKind::Null;
        QByteArrayView text; // as written, without surrounding whitespace
        std::string key;     // unescaped, when the node is an object member
        std::string string;  // unescaped, when the node is a string
        int depth = 0;       // 0 for the whole text
        qsizetype next = -1; // index of the next sibling, or -1
        qsizetype childCount = 0;

        bool isContainer() const { return kind == JsonKind::Object || kind == JsonKind::Array; }
    };

    // Validates all of `text`, outlining `depth` levels below the top (0: the top value alone).
    static std::variant<JsonOutline, JsonTextError> read(QByteArrayView text, int depth);

    const Node &root() const { return m_nodes.front(); }
    // Every outlined value, in document order: a container's children follow it.
    qsizetype size() const { return qsizetype(m_nodes.size()); }
    const Node &node(qsizetype index) const { return m_nodes[std::size_t(index)]; }
    // Index of a container's first child, or -1; then Node::next.
    qsizetype firstChild(qsizetype index) const { return m_nodes[std::size_t(index)].childCount > 0 ? index + 1 : -1; }
    // The first member of an object node named `key`, and how many there are by that name.
    qsizetype member(qsizetype object, std::string_view key, int *count = nullptr) const;

    // A value's text without whitespace between tokens; every token as written.
    static QByteArray compact(QByteArrayView validJson);

private:
    friend class JsonOutlineBuilder;
    std::vector<Node> m_nodes;
};

// One value found by JsonMemberLookup: its kind, its text as written, and for a string its
// unescaped text.
struct JsonMemberValue
{
    JsonKind kind = JsonKind::Null;
    QByteArrayView text; // a number's, as written
    std::string string;  // a string's, unescaped
};

// The value at `path` — object members from the top, the first member by each name — in a text
// already known to be valid JSON (a stored payload), or nothing. Reads only as far as the member
// (simdjson On-Demand) and builds no outline: for a field or two of many payloads.
std::optional<JsonMemberValue> findJsonMember(QByteArrayView validJson, std::initializer_list<std::string_view> path);

// Validates `text` as one JSON value and returns its compact form (JsonOutline::compact).
std::variant<QByteArray, JsonTextError> compactJsonText(QByteArrayView text);

// The deepest nesting of arrays and objects accepted, the top level included.
inline constexpr int maxJsonDepth = 1024;

} // namespace cdc

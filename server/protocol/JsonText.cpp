#include "JsonText.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace cdc {

namespace od = simdjson::ondemand;

namespace {

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && isJsonSpace(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isJsonSpace(text.back()))
        text.chop(1);
    return text;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? — checked on the text, never
// converted: simdjson's own number parsing refuses integers past 64 bits and values past a double,
// which are valid JSON that a payload may carry (numeric(38,10), a 128-bit key).
bool isJsonNumber(QByteArrayView token)
{
    qsizetype at = 0;
    const qsizetype size = token.size();
    const auto digits = [&] {
        const qsizetype start = at;
        while (at < size && isDigit(token[at]))
            ++at;
        return at > start;
    };
    if (at < size && token[at] == '-')
        ++at;
    if (at < size && token[at] == '0')
        ++at;
    else if (at >= size || token[at] < '1' || token[at] > '9' || !digits())
        return false;
    if (at < size && token[at] == '.') {
        ++at;
        if (!digits())
            return false;
    }
    if (at < size && (token[at] == 'e' || token[at] == 'E')) {
        ++at;
        if (at < size && (token[at] == '+' || token[at] == '-'))
            ++at;
        if (!digits())
            return false;
    }
    return at == size;
}

// Whether any byte is 0x20 or less, eight bytes at a time: (x - 0x21…) & ~x & 0x80… is non-zero
// exactly when some byte of x is below 0x21 (bytes from 0x80 up cannot trigger it). GCC's -O2
// leaves the plain byte loop scalar, and it was a tenth of an ingest.
bool hasByteBelow0x21(QByteArrayView text)
{
    const char *at = text.data();
    qsizetype left = text.size();
    for (; left >= 8; at += 8, left -= 8) {
        quint64 word;
        std::memcpy(&word, at, sizeof word);
        if ((word - 0x2121212121212121ULL) & ~word & 0x8080808080808080ULL)
            return true;
    }
    for (; left > 0; ++at, --left)
        if (static_cast<unsigned char>(*at) <= 0x20)
            return true;
    return false;
}

QString reasonFor(simdjson::error_code error)
{
    switch (error) {
    case simdjson::EMPTY:
        return QStringLiteral("no JSON value");
    case simdjson::UTF8_ERROR:
        return QStringLiteral("invalid UTF-8");
    case simdjson::UNESCAPED_CHARS:
        return QStringLiteral("a control character in a string must be escaped");
    case simdjson::UNCLOSED_STRING:
        return QStringLiteral("the string is not closed");
    case simdjson::STRING_ERROR:
        return QStringLiteral("invalid escape in a string");
    case simdjson::NUMBER_ERROR:
        return QStringLiteral("malformed number");
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
    case simdjson::INCORRECT_TYPE:
        return QStringLiteral("unexpected token (not a value)");
    case simdjson::DEPTH_ERROR:
        return QStringLiteral("nested deeper than %1 levels").arg(maxJsonDepth);
    case simdjson::TRAILING_CONTENT:
        return QStringLiteral("unexpected content after the JSON value");
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
        // simdjson says this, before reading, both of `{"a":1` and of `{"a":1} x`.
        return QStringLiteral("the object or array that starts here is not closed, or something follows it");
    default:
        return QStringLiteral("unexpected token (a missing or extra comma, colon, brace or bracket)");
    }
}

// The first invalid UTF-8 sequence, control character inside a string or unclosed string, for the
// errors simdjson finds in its first pass and reports without a position.
qsizetype locateScanError(QByteArrayView text)
{
    bool inString = false;
    qsizetype stringStart = 0;
    for (qsizetype at = 0; at < text.size(); ++at) {
        const auto byte = static_cast<unsigned char>(text[at]);
        if (byte >= 0x80) {
            const int length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0;
            if (length == 0 || byte > 0xF4 || at + length > text.size())
                return at;
            const auto second = static_cast<unsigned char>(text[at + 1]);
            const bool secondOk = (byte == 0xE0)   ? second >= 0xA0 && second <= 0xBF
                                  : (byte == 0xED) ? second >= 0x80 && second <= 0x9F
                                  : (byte == 0xF0) ? second >= 0x90 && second <= 0xBF
                                  : (byte == 0xF4) ? second >= 0x80 && second <= 0x8F
                                                   : (second & 0xC0) == 0x80;
            if (!secondOk)
                return at;
            for (int i = 2; i < length; ++i)
                if ((static_cast<unsigned char>(text[at + i]) & 0xC0) != 0x80)
                    return at;
            at += length - 1;
        } else if (inString) {
            if (byte < 0x20)
                return at;
            if (byte == '\\')
                ++at;
            else if (byte == '"')
                inString = false;
        } else if (byte == '"') {
            inString = true;
            stringStart = at;
        }
    }
    return inString ? stringStart : text.size();
}

JsonTextError errorAt(QByteArrayView text, qsizetype offset, QString reason)
{
    JsonTextError error;
    error.offset = std::clamp<qsizetype>(offset, 0, text.size());
    error.reason = std::move(reason);
    const QByteArrayView before = text.first(error.offset);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    error.line = int(before.count('\n')) + 1;
    // Characters, not bytes: count every byte that does not continue a UTF-8 sequence.
    error.column = 1 + int(std::count_if(before.begin() + lineStart, before.end(),
                                         [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
    return error;
}

// One parser per thread, reused: simdjson keeps its buffers between documents. A text larger than
// `keptCapacity` gets a parser of its own, so one huge body does not stay allocated.
struct ParserSlot
{
    static constexpr std::size_t keptCapacity = 1 << 20;
    // simdjson counts the document as a level; the walk enforces maxJsonDepth itself.
    static constexpr std::size_t parserDepth = maxJsonDepth + 2;
    od::parser parser = withDepth();

    static od::parser withDepth()
    {
        od::parser made;
        // Should this fail, iterate() allocates again and reports what went wrong.
        [[maybe_unused]] const auto error = made.allocate(4096, parserDepth);
        return made;
    }
    std::unique_ptr<char[]> padded;
    std::size_t paddedCapacity = 0;

    // `text` copied into a buffer with the SIMDJSON_PADDING bytes simdjson reads past the end.
    simdjson::padded_string_view pad(QByteArrayView text)
    {
        const std::size_t needed = std::size_t(text.size()) + simdjson::SIMDJSON_PADDING;
        if (needed > paddedCapacity || (paddedCapacity > 2 * keptCapacity && needed <= keptCapacity)) {
            paddedCapacity = std::max(needed, std::size_t(4096));
            padded = std::make_unique<char[]>(paddedCapacity);
        }
        std::copy(text.begin(), text.end(), padded.get());
        std::fill_n(padded.get() + text.size(), simdjson::SIMDJSON_PADDING, '\0');
        return simdjson::padded_string_view(padded.get(), std::size_t(text.size()), paddedCapacity);
    }
};

} // namespace

QString JsonTextError::describe() const
{
    return QStringLiteral("%1 at line %2, column %3").arg(reason).arg(line).arg(column);
}

// Walks a simdjson On-Demand document, touching every value so that all of it is validated
// (On-Demand checks only what is visited), and records the nodes of the outlined levels.
class JsonOutlineBuilder
{
public:
    JsonOutlineBuilder(od::document &document, const char *base, QByteArrayView text, int outlineDepth,
                       JsonOutline &outline)
        : m_document(document)
        , m_base(base)
        , m_text(text)
        , m_outlineDepth(outlineDepth)
        , m_nodes(outline.m_nodes)
    {}

    // `Value` is od::value, or od::document for the top (whose scalars only the document reads).
    template <typename Value> simdjson::error_code visit(Value &value, int depth, std::string_view key)
    {
        od::json_type type;
        if (const auto error = value.type().get(type))
            return error;
        // `depth` containers enclose this value; a container here makes it depth + 1 deep.
        if ((type == od::json_type::object || type == od::json_type::array) && depth + 1 > maxJsonDepth) {
            m_errorOffset = tokenOf(value).data() - m_base;
            return simdjson::DEPTH_ERROR;
        }
        const bool outlined = depth <= m_outlineDepth;
        qsizetype index = -1;
        if (outlined) {
            index = qsizetype(m_nodes.size());
            JsonOutline::Node &node = m_nodes.emplace_back();
            node.depth = depth;
            node.key = key;
            node.text = QByteArrayView(m_text.data() + (tokenOf(value).data() - m_base), 0);
        }
        const bool isContainer = type == od::json_type::object || type == od::json_type::array;
        simdjson::error_code error = simdjson::SUCCESS;
        JsonKind kind = JsonKind::Null;
        switch (type) {
        case od::json_type::object: {
            kind = JsonKind::Object;
            od::object object;
            if ((error = value.get_object().get(object)))
                break;
            qsizetype previous = -1;
            for (auto field : object) {
                std::string_view name;
                if ((error = field.unescaped_key().get(name)))
                    break;
                const qsizetype child = qsizetype(m_nodes.size());
                od::value member;
                if ((error = field.value().get(member)) || (error = visit(member, depth + 1, name)))
                    break;
                link(index, previous, child);
            }
            break;
        }
        case od::json_type::array: {
            kind = JsonKind::Array;
            od::array array;
            if ((error = value.get_array().get(array)))
                break;
            qsizetype previous = -1;
            for (auto element : array) {
                od::value item;
                if ((error = element.get(item)))
                    break;
                const qsizetype child = qsizetype(m_nodes.size());
                if ((error = visit(item, depth + 1, {})))
                    break;
                link(index, previous, child);
            }
            break;
        }
        case od::json_type::string: {
            kind = JsonKind::String;
            std::string_view unescaped;
            if (!(error = value.get_string().get(unescaped)) && outlined)
                m_nodes[std::size_t(index)].string = unescaped;
            break;
        }
        case od::json_type::number:
            kind = JsonKind::Number;
            if (!isJsonNumber(trimmed(QByteArrayView(tokenOf(value)))))
                error = simdjson::NUMBER_ERROR;
            break;
        case od::json_type::boolean: {
            kind = JsonKind::Boolean;
            bool ignored = false;
            error = value.get_bool().get(ignored);
            break;
        }
        case od::json_type::null: {
            kind = JsonKind::Null;
            bool isNull = false;
            if (!(error = value.is_null().get(isNull)) && !isNull)
                error = simdjson::N_ATOM_ERROR;
            break;
        }
        }
        if (error && !isContainer && m_errorOffset < 0)
            m_errorOffset = tokenOf(value).data() - m_base; // a scalar's fault is its own start
        if (error || !outlined)
            return error;
        JsonOutline::Node &node = m_nodes[std::size_t(index)];
        node.kind = kind;
        // A scalar is its one token; a container ends where the token after it starts. (Scalars
        // are not all consumed — a number is only checked — so only containers may ask.)
        const char *end =
            node.isContainer() ? m_text.data() + nextTokenOffset() : node.text.data() + tokenOf(value).size();
        node.text = trimmed(QByteArrayView(node.text.data(), end - node.text.data()));
        return simdjson::SUCCESS;
    }

    // Where a failed walk went wrong: the scalar that is malformed, or the token that does not fit.
    qsizetype errorOffset() { return m_errorOffset >= 0 ? m_errorOffset : nextTokenOffset(); }

    // Where the token after the value just visited starts (the end of the text when none is left).
    qsizetype nextTokenOffset()
    {
        const char *location = nullptr;
        if (m_document.current_location().get(location))
            return m_text.size();
        return qsizetype(location - m_base);
    }

private:
    static std::string_view tokenOf(od::value &value) { return value.raw_json_token(); }
    static std::string_view tokenOf(od::document &document)
    {
        std::string_view token;
        return document.raw_json_token().get(token) ? std::string_view() : token;
    }

    void link(qsizetype parent, qsizetype &previous, qsizetype child)
    {
        if (parent < 0 || child >= qsizetype(m_nodes.size()))
            return; // below the outline
        ++m_nodes[std::size_t(parent)].childCount;
        if (previous >= 0)
            m_nodes[std::size_t(previous)].next = child;
        previous = child;
    }

    od::document &m_document;
    const char *m_base;
    QByteArrayView m_text;
    int m_outlineDepth;
    std::vector<JsonOutline::Node> &m_nodes;
    qsizetype m_errorOffset = -1;
};

std::optional<JsonMemberValue> findJsonMember(QByteArrayView validJson, std::initializer_list<std::string_view> path)
{
    static thread_local ParserSlot slot;
    if (std::size_t(validJson.size()) > ParserSlot::keptCapacity || path.size() == 0)
        return std::nullopt; // not worth a parser of its own: a payload that large says no time
    const simdjson::padded_string_view padded = slot.pad(validJson);
    od::document document;
    od::object object;
    if (slot.parser.iterate(padded).get(document) || document.get_object().get(object))
        return std::nullopt;
    od::value value;
    std::size_t step = 0;
    for (const std::string_view key : path) {
        if (object.find_field_unordered(key).get(value))
            return std::nullopt;
        if (++step < path.size() && value.get_object().get(object))
            return std::nullopt;
    }
    od::json_type type;
    if (value.type().get(type))
        return std::nullopt;
    JsonMemberValue found;
    switch (type) {
    case od::json_type::number: {
        const std::string_view token = value.raw_json_token();
        found.kind = JsonKind::Number;
        found.text =
            trimmed(QByteArrayView(validJson.data() + (token.data() - padded.data()), qsizetype(token.size())));
        return found;
    }
    case od::json_type::string: {
        std::string_view unescaped;
        if (value.get_string().get(unescaped))
            return std::nullopt;
        found.kind = JsonKind::String;
        found.string = std::string(unescaped);
        return found;
    }
    default:
        return std::nullopt; // only numbers and strings are asked for
    }
}

std::variant<JsonOutline, JsonTextError> JsonOutline::read(QByteArrayView text, int depth)
{
    static thread_local ParserSlot slot;
    std::unique_ptr<ParserSlot> ownSlot;
    ParserSlot *use = &slot;
    if (std::size_t(text.size()) > ParserSlot::keptCapacity) {
        ownSlot = std::make_unique<ParserSlot>();
        if (ownSlot->parser.allocate(std::size_t(text.size()), ParserSlot::parserDepth))
            return errorAt(text, 0, QStringLiteral("out of memory for a JSON text of %1 bytes").arg(text.size()));
        use = ownSlot.get();
    }
    const simdjson::padded_string_view padded = use->pad(text);

    od::document document;
    if (const auto error = use->parser.iterate(padded).get(document)) {
        const bool scanError =
            error == simdjson::UTF8_ERROR || error == simdjson::UNESCAPED_CHARS || error == simdjson::UNCLOSED_STRING;
        return errorAt(text, scanError ? locateScanError(text) : 0, reasonFor(error));
    }
    JsonOutline outline;
    // Roughly one outlined value per 48 bytes of a batch of events; spares most reallocations.
    outline.m_nodes.reserve(std::size_t(std::min<qsizetype>(text.size() / 48 + 4, 1 << 16)));
    JsonOutlineBuilder builder(document, padded.data(), text, depth, outline);
    simdjson::error_code error = builder.visit(document, 0, {});
    if (!error) {
        // Nothing but whitespace may follow the value.
        const JsonOutline::Node &top = outline.root();
        const QByteArrayView rest = text.sliced(top.text.data() + top.text.size() - text.data());
        if (!trimmed(rest).isEmpty())
            return errorAt(text, trimmed(rest).data() - text.data(), reasonFor(simdjson::TRAILING_CONTENT));
    }
    if (error) {
        const bool scanError = error == simdjson::UTF8_ERROR || error == simdjson::UNESCAPED_CHARS;
        return errorAt(text, scanError ? locateScanError(text) : builder.errorOffset(), reasonFor(error));
    }
    return outline;
}

qsizetype JsonOutline::member(qsizetype object, std::string_view key, int *count) const
{
    qsizetype found = -1;
    int seen = 0;
    for (qsizetype child = firstChild(object); child >= 0; child = node(child).next) {
        if (node(child).key != key)
            continue;
        if (found < 0)
            found = child;
        ++seen;
    }
    if (count)
        *count = seen;
    return found;
}

QByteArray JsonOutline::compact(QByteArrayView validJson)
{
    // Machine-made JSON mostly has no whitespace at all: then the text is already compact and the
    // minifier (the costliest step of a publish) is skipped. In valid JSON every byte up to 0x20
    // is whitespace or a space inside a string; either only sends the text through the minifier,
    // which keeps what is inside strings.
    if (!hasByteBelow0x21(validJson))
        return validJson.toByteArray();
    QByteArray out(validJson.size(), Qt::Uninitialized);
    std::size_t length = 0;
    if (simdjson::minify(validJson.data(), std::size_t(validJson.size()), out.data(), length))
        return validJson.toByteArray(); // cannot happen for a valid text; keep it as written
    out.truncate(qsizetype(length));
    return out;
}

std::variant<QByteArray, JsonTextError> compactJsonText(QByteArrayView text)
{
    auto read = JsonOutline::read(text, 0);
    if (auto *error = std::get_if<JsonTextError>(&read))
        return std::move(*error);
    return JsonOutline::compact(std::get<JsonOutline>(read).root().text);
}

} // namespace cdc

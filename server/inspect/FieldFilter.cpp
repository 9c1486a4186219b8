#include "FieldFilter.h"

#include "protocol/JsonText.h"

#include <QList>

#include <algorithm>
#include <optional>

namespace cdc {

QString FilterError::describe() const
{
    return QStringLiteral("column %1: %2").arg(column).arg(message);
}

namespace {

constexpr int maxPathDepth = 16; // how deep a path may reach into the payload

struct Token
{
    enum class Kind { End, Name, Envelope, String, Number, Operator, Punct } kind = Kind::End;
    QString text; // a name, a string's value, a number or operator as written
    int column = 1;
};

// A value: from the payload (its outline node's text) or written in the filter.
struct Value
{
    JsonKind kind = JsonKind::Null;
    QString string;   // for strings: the unescaped text
    QByteArray token; // as written: a number's digits, true/false/null, a container's JSON
    bool isNumber() const { return kind == JsonKind::Number; }
};

// A decimal number without an exponent, split so that two compare exactly, however many digits.
struct Decimal
{
    bool negative = false;
    QByteArray whole;    // no leading zeros
    QByteArray fraction; // no trailing zeros
};

std::optional<Decimal> decimalOf(const QByteArray &token)
{
    if (token.contains('e') || token.contains('E'))
        return std::nullopt;
    Decimal number;
    QByteArray digits = token;
    if (digits.startsWith('-')) {
        number.negative = true;
        digits.remove(0, 1);
    }
    const qsizetype dot = digits.indexOf('.');
    number.whole = dot < 0 ? digits : digits.left(dot);
    number.fraction = dot < 0 ? QByteArray() : digits.mid(dot + 1);
    while (number.whole.startsWith('0'))
        number.whole.remove(0, 1);
    while (number.fraction.endsWith('0'))
        number.fraction.chop(1);
    if (number.whole.isEmpty() && number.fraction.isEmpty())
        number.negative = false; // -0 is 0
    return number;
}

int compareDecimals(const Decimal &a, const Decimal &b)
{
    if (a.negative != b.negative)
        return a.negative ? -1 : 1;
    const int sign = a.negative ? -1 : 1;
    if (a.whole.size() != b.whole.size())
        return sign * (a.whole.size() < b.whole.size() ? -1 : 1);
    if (const int whole = a.whole.compare(b.whole))
        return sign * (whole < 0 ? -1 : 1);
    const int fraction = a.fraction.compare(b.fraction); // "5" < "51": shorter is smaller when a prefix
    return sign * (fraction < 0 ? -1 : fraction > 0 ? 1 : 0);
}

// <0, 0, >0 by value: exactly for plain decimals, as doubles once an exponent is written.
std::optional<int> compareNumbers(const QByteArray &a, const QByteArray &b)
{
    const auto exactA = decimalOf(a), exactB = decimalOf(b);
    if (exactA && exactB)
        return compareDecimals(*exactA, *exactB);
    bool okA = false, okB = false;
    const double x = a.toDouble(&okA), y = b.toDouble(&okB);
    if (!okA || !okB)
        return std::nullopt;
    return x < y ? -1 : x > y ? 1 : 0;
}

} // namespace

struct FieldFilter::Node
{
    enum class Kind { Or, And, Not, Compare, In, Exists, Contains } kind = Kind::Compare;
    enum class Op { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual } op = Op::Equal;
    std::shared_ptr<const Node> left, right; // Or/And/Not
    // Compare/In/Exists/Contains: the field's path ("$seq" for the envelope) and the literal(s).
    QStringList path;
    bool envelope = false;
    QList<Value> literals;
};

namespace {

using Node = FieldFilter::Node;
using NodePtr = std::shared_ptr<const Node>;

class Lexer
{
public:
    explicit Lexer(QStringView text)
        : m_text(text)
    {}

    std::variant<QList<Token>, FilterError> run()
    {
        QList<Token> tokens;
        while (true) {
            while (m_at < m_text.size() && m_text[m_at].isSpace())
                ++m_at;
            const int column = int(m_at) + 1;
            if (m_at >= m_text.size()) {
                tokens.append({Token::Kind::End, {}, column});
                return tokens;
            }
            const QChar c = m_text[m_at];
            if (c == u'"' || c == u'\'') {
                auto string = readString(c);
                if (auto *error = std::get_if<FilterError>(&string))
                    return *error;
                tokens.append({Token::Kind::String, std::get<QString>(string), column});
            } else if (c.isDigit() || (c == u'-' && m_at + 1 < m_text.size() && m_text[m_at + 1].isDigit())) {
                tokens.append({Token::Kind::Number, readNumber(), column});
            } else if (c.isLetter() || c == u'_' || c == u'$') {
                const qsizetype start = m_at++;
                while (m_at < m_text.size() && (m_text[m_at].isLetterOrNumber() || m_text[m_at] == u'_'))
                    ++m_at;
                const QString word = m_text.mid(start, m_at - start).toString();
                if (c == u'$' && word.size() == 1)
                    return FilterError{column, QStringLiteral("'$' must be followed by $channel, $seq or $ts_ms")};
                tokens.append({c == u'$' ? Token::Kind::Envelope : Token::Kind::Name, word, column});
            } else {
                const QStringView two = m_text.mid(m_at, 2);
                if (two == u"==" || two == u"!=" || two == u"<=" || two == u">=" || two == u"&&" || two == u"||") {
                    tokens.append({Token::Kind::Operator, two.toString(), column});
                    m_at += 2;
                } else if (c == u'<' || c == u'>' || c == u'!') {
                    tokens.append({Token::Kind::Operator, QString(c), column});
                    ++m_at;
                } else if (c == u'=') {
                    return FilterError{column, QStringLiteral("'=' is not an operator here; did you mean '=='?")};
                } else if (QStringView(u"().,[]").contains(c)) {
                    tokens.append({Token::Kind::Punct, QString(c), column});
                    ++m_at;
                } else {
                    return FilterError{column, QStringLiteral("unexpected '%1'").arg(c)};
                }
            }
        }
    }

private:
    std::variant<QString, FilterError> readString(QChar quote)
    {
        const int column = int(m_at) + 1;
        QString value;
        for (++m_at; m_at < m_text.size(); ++m_at) {
            const QChar c = m_text[m_at];
            if (c == quote) {
                ++m_at;
                return value;
            }
            if (c != u'\\') {
                value += c;
                continue;
            }
            if (++m_at >= m_text.size())
                break;
            switch (m_text[m_at].unicode()) {
            case 'n':
                value += u'\n';
                break;
            case 't':
                value += u'\t';
                break;
            case 'r':
                value += u'\r';
                break;
            case 'u': {
                bool ok = false;
                const uint code = m_text.mid(m_at + 1, 4).toUInt(&ok, 16);
                if (!ok || m_at + 4 >= m_text.size())
                    return FilterError{int(m_at), QStringLiteral("\\u needs four hex digits")};
                value += QChar(char16_t(code));
                m_at += 4;
                break;
            }
            default:
                value += m_text[m_at]; // \" \' \\ and anything else as itself
            }
        }
        return FilterError{column, QStringLiteral("the string is not closed")};
    }

    QString readNumber()
    {
        const qsizetype start = m_at++;
        while (m_at < m_text.size() &&
               (m_text[m_at].isDigit() || m_text[m_at] == u'.' || m_text[m_at] == u'e' || m_text[m_at] == u'E' ||
                ((m_text[m_at] == u'+' || m_text[m_at] == u'-') &&
                 (m_text[m_at - 1] == u'e' || m_text[m_at - 1] == u'E'))))
            ++m_at;
        return m_text.mid(start, m_at - start).toString();
    }

    QStringView m_text;
    qsizetype m_at = 0;
};

class Parser
{
public:
    explicit Parser(QList<Token> tokens)
        : m_tokens(std::move(tokens))
    {}

    std::variant<NodePtr, FilterError> run()
    {
        if (peek().kind == Token::Kind::End)
            return FilterError{peek().column, QStringLiteral("the filter is empty")};
        NodePtr root = orExpression();
        if (!m_error && peek().kind != Token::Kind::End)
            fail(QStringLiteral("expected 'and', 'or' or the end, found %1").arg(describe(peek())));
        if (m_error)
            return *m_error;
        return root;
    }

private:
    const Token &peek() const { return m_tokens[m_at]; }
    Token take() { return m_tokens[std::min(m_at++, m_tokens.size() - 1)]; }
    bool isWord(const Token &token, QStringView word) const
    {
        return token.kind == Token::Kind::Name && token.text.compare(word, Qt::CaseInsensitive) == 0;
    }
    bool isPunct(const Token &token, QStringView punct) const
    {
        return token.kind == Token::Kind::Punct && token.text == punct;
    }
    static QString describe(const Token &token)
    {
        switch (token.kind) {
        case Token::Kind::End:
            return QStringLiteral("the end");
        case Token::Kind::String:
            return QStringLiteral("the string \"%1\"").arg(token.text);
        default:
            return u'\'' + token.text + u'\'';
        }
    }
    NodePtr fail(const QString &message, int column = 0)
    {
        if (!m_error)
            m_error = FilterError{column ? column : peek().column, message};
        return nullptr;
    }
    bool failed(const QString &message, int column)
    {
        fail(message, column);
        return false;
    }

    NodePtr orExpression()
    {
        NodePtr left = andExpression();
        while (!m_error && (isWord(peek(), u"or") || peek().text == u"||")) {
            take();
            auto node = std::make_shared<Node>();
            node->kind = Node::Kind::Or;
            node->left = left;
            node->right = andExpression();
            left = node;
        }
        return left;
    }

    NodePtr andExpression()
    {
        NodePtr left = unary();
        while (!m_error && (isWord(peek(), u"and") || peek().text == u"&&")) {
            take();
            auto node = std::make_shared<Node>();
            node->kind = Node::Kind::And;
            node->left = left;
            node->right = unary();
            left = node;
        }
        return left;
    }

    NodePtr unary()
    {
        if (m_error)
            return nullptr;
        if (isWord(peek(), u"not") || (peek().kind == Token::Kind::Operator && peek().text == u"!")) {
            take();
            auto node = std::make_shared<Node>();
            node->kind = Node::Kind::Not;
            node->left = unary();
            return node;
        }
        if (isPunct(peek(), u"(")) {
            take();
            NodePtr inner = orExpression();
            if (!m_error && !isPunct(take(), u")"))
                return fail(QStringLiteral("expected ')' to close the '(' before"), m_tokens[m_at - 1].column);
            return inner;
        }
        if ((isWord(peek(), u"exists") || isWord(peek(), u"contains")) && isPunct(m_tokens[m_at + 1], u"("))
            return function();
        if (peek().kind == Token::Kind::Name && isPunct(m_tokens[m_at + 1], u"("))
            return fail(QStringLiteral("unknown function %1(): the functions are exists(field) and contains(field, "
                                       "\"text\")")
                            .arg(peek().text));
        return comparison();
    }

    NodePtr function()
    {
        const Token name = take();
        take(); // (
        auto node = std::make_shared<Node>();
        node->kind = isWord(name, u"exists") ? Node::Kind::Exists : Node::Kind::Contains;
        if (!readPath(*node))
            return nullptr;
        if (node->kind == Node::Kind::Contains) {
            if (!isPunct(take(), u","))
                return fail(QStringLiteral("contains() takes a field and a text: contains(note, \"refund\")"),
                            m_tokens[m_at - 1].column);
            if (peek().kind != Token::Kind::String)
                return fail(QStringLiteral("contains() needs a quoted text as its second argument"));
            node->literals.append({JsonKind::String, take().text, {}});
        }
        if (!isPunct(take(), u")"))
            return fail(QStringLiteral("expected ')' after the argument of %1()").arg(name.text),
                        m_tokens[m_at - 1].column);
        return node;
    }

    bool readPath(Node &node)
    {
        const Token first = take();
        if (first.kind == Token::Kind::Envelope) {
            if (first.text != u"$channel" && first.text != u"$seq" && first.text != u"$ts_ms")
                return failed(
                    QStringLiteral("unknown envelope field %1: $channel, $seq and $ts_ms are known").arg(first.text),
                    first.column);
            node.envelope = true;
            node.path = {first.text};
            return true;
        }
        if (first.kind != Token::Kind::Name && first.kind != Token::Kind::String)
            return failed(QStringLiteral("expected a field name, found %1").arg(describe(first)), first.column);
        node.path = {first.text};
        while (isPunct(peek(), u".") || isPunct(peek(), u"[")) {
            const Token separator = take();
            const Token segment = take();
            if (separator.text == u"." && segment.kind != Token::Kind::Name && segment.kind != Token::Kind::String)
                return failed(QStringLiteral("expected a field name after '.'"), segment.column);
            if (separator.text == u"[") {
                bool ok = false;
                segment.text.toUInt(&ok);
                if (segment.kind != Token::Kind::Number || !ok || !isPunct(take(), u"]"))
                    return failed(QStringLiteral("expected an index and ']' after '['"), segment.column);
            }
            node.path.append(segment.text);
            if (node.path.size() > maxPathDepth)
                return failed(QStringLiteral("a path may reach %1 levels deep").arg(maxPathDepth), segment.column);
        }
        return true;
    }

    std::optional<Value> literal()
    {
        const Token token = take();
        switch (token.kind) {
        case Token::Kind::String:
            return Value{JsonKind::String, token.text, {}};
        case Token::Kind::Number: {
            bool ok = false;
            token.text.toDouble(&ok);
            if (!ok) {
                fail(QStringLiteral("%1 is not a number").arg(token.text), token.column);
                return std::nullopt;
            }
            return Value{JsonKind::Number, {}, token.text.toLatin1()};
        }
        case Token::Kind::Name:
            if (isWord(token, u"true") || isWord(token, u"false"))
                return Value{JsonKind::Boolean, {}, token.text.toLower().toLatin1()};
            if (isWord(token, u"null"))
                return Value{JsonKind::Null, {}, QByteArrayLiteral("null")};
            fail(QStringLiteral("expected a value (a \"string\", a number, true, false or null), found %1; "
                                "comparing two fields is not supported")
                     .arg(describe(token)),
                 token.column);
            return std::nullopt;
        default:
            fail(QStringLiteral("expected a value, found %1").arg(describe(token)), token.column);
            return std::nullopt;
        }
    }

    NodePtr comparison()
    {
        auto node = std::make_shared<Node>();
        const int fieldColumn = peek().column;
        if (!readPath(*node))
            return nullptr;
        const Token op = peek();
        if (isWord(op, u"in")) {
            take();
            node->kind = Node::Kind::In;
            if (!isPunct(take(), u"("))
                return fail(QStringLiteral("expected '(' and a list after 'in': op in (\"insert\", \"update\")"),
                            m_tokens[m_at - 1].column);
            for (;;) {
                auto value = literal();
                if (!value)
                    return nullptr;
                node->literals.append(*value);
                if (!isPunct(peek(), u","))
                    break;
                take();
            }
            if (!isPunct(take(), u")"))
                return fail(QStringLiteral("expected ',' or ')' in the list"), m_tokens[m_at - 1].column);
            return node;
        }
        static const QList<std::pair<QString, Node::Op>> operators{
            {QStringLiteral("=="), Node::Op::Equal},  {QStringLiteral("!="), Node::Op::NotEqual},
            {QStringLiteral("<"), Node::Op::Less},    {QStringLiteral("<="), Node::Op::LessEqual},
            {QStringLiteral(">"), Node::Op::Greater}, {QStringLiteral(">="), Node::Op::GreaterEqual}};
        const auto found = std::find_if(operators.cbegin(), operators.cend(), [&op](const auto &entry) {
            return op.kind == Token::Kind::Operator && entry.first == op.text;
        });
        if (found == operators.cend())
            return fail(QStringLiteral("a field alone is not a condition: compare it (%1 == …) or ask exists(%1)")
                            .arg(node->path.join(u'.')),
                        fieldColumn);
        take();
        node->op = found->second;
        if (peek().kind == Token::Kind::End)
            return fail(QStringLiteral("expected a value after '%1'").arg(op.text));
        auto value = literal();
        if (!value)
            return nullptr;
        node->literals.append(*value);
        return node;
    }

    QList<Token> m_tokens;
    qsizetype m_at = 0;
    std::optional<FilterError> m_error;
};

// The payload's value at `path`, when it has one.
std::optional<Value> lookUp(const JsonOutline &outline, const QStringList &path)
{
    qsizetype at = 0;
    for (const QString &segment : path) {
        const JsonOutline::Node &node = outline.node(at);
        if (node.kind == JsonKind::Object) {
            at = outline.member(at, segment.toStdString());
        } else if (node.kind == JsonKind::Array) {
            bool ok = false;
            qsizetype index = segment.toUInt(&ok);
            if (!ok)
                return std::nullopt;
            qsizetype child = outline.firstChild(at);
            while (child >= 0 && index-- > 0)
                child = outline.node(child).next;
            at = child;
        } else {
            return std::nullopt;
        }
        if (at < 0)
            return std::nullopt;
    }
    const JsonOutline::Node &found = outline.node(at);
    Value value{found.kind, {}, found.text.toByteArray()};
    if (found.kind == JsonKind::String)
        value.string = QString::fromStdString(found.string);
    else if (found.isContainer())
        value.token = JsonOutline::compact(found.text);
    return value;
}

std::optional<Value> envelopeValue(const QString &name, const FilterEnvelope &envelope)
{
    if (name == u"$channel")
        return Value{JsonKind::String, envelope.channel.toString(), {}};
    return Value{JsonKind::Number, {}, QByteArray::number(name == u"$seq" ? envelope.seq : envelope.tsMs)};
}

// <0, 0, >0 when comparable (numbers by value, strings by text, the rest by equal tokens); nothing
// when not (a number and a string, say).
std::optional<int> compare(const Value &field, const Value &literal)
{
    if (field.isNumber() && literal.isNumber())
        return compareNumbers(field.token, literal.token);
    if (field.kind == JsonKind::String && literal.kind == JsonKind::String)
        return field.string.compare(literal.string);
    if (field.kind == literal.kind && !field.isNumber())
        return field.token == literal.token ? std::optional(0) : std::nullopt;
    return std::nullopt;
}

struct Evaluator
{
    const JsonOutline *outline; // null when the payload is not JSON
    const FilterEnvelope &envelope;

    std::optional<Value> field(const Node &node) const
    {
        if (node.envelope)
            return envelopeValue(node.path.first(), envelope);
        return outline ? lookUp(*outline, node.path) : std::nullopt;
    }

    bool operator()(const Node &node) const
    {
        switch (node.kind) {
        case Node::Kind::Or:
            return (*this)(*node.left) || (*this)(*node.right);
        case Node::Kind::And:
            return (*this)(*node.left) && (*this)(*node.right);
        case Node::Kind::Not:
            return !(*this)(*node.left);
        case Node::Kind::Exists:
            return field(node).has_value();
        case Node::Kind::Contains: {
            const auto value = field(node);
            if (!value)
                return false;
            const QString &needle = node.literals.first().string;
            return value->kind == JsonKind::String
                       ? value->string.contains(needle, Qt::CaseInsensitive)
                       : QString::fromUtf8(value->token).contains(needle, Qt::CaseInsensitive);
        }
        case Node::Kind::In: {
            const auto value = field(node);
            return value && std::any_of(node.literals.cbegin(), node.literals.cend(),
                                        [&value](const Value &literal) { return compare(*value, literal) == 0; });
        }
        case Node::Kind::Compare: {
            const auto value = field(node);
            if (!value)
                return node.op == Node::Op::NotEqual;
            const auto order = compare(*value, node.literals.first());
            switch (node.op) {
            case Node::Op::Equal:
                return order == 0;
            case Node::Op::NotEqual:
                return order != 0;
            case Node::Op::Less:
                return order && *order < 0;
            case Node::Op::LessEqual:
                return order && *order <= 0;
            case Node::Op::Greater:
                return order && *order > 0;
            case Node::Op::GreaterEqual:
                return order && *order >= 0;
            }
        }
        }
        return false;
    }
};

} // namespace

std::variant<FieldFilter, FilterError> FieldFilter::parse(QStringView expression)
{
    auto tokens = Lexer(expression).run();
    if (auto *error = std::get_if<FilterError>(&tokens))
        return *error;
    auto root = Parser(std::get<QList<Token>>(std::move(tokens))).run();
    if (auto *error = std::get_if<FilterError>(&root))
        return *error;
    FieldFilter filter;
    filter.m_expression = expression.toString();
    filter.m_root = std::get<NodePtr>(std::move(root));
    return filter;
}

bool FieldFilter::matches(QByteArrayView payload, const FilterEnvelope &envelope) const
{
    if (!m_root)
        return true;
    auto read = JsonOutline::read(payload, maxPathDepth);
    const JsonOutline *outline = std::get_if<JsonOutline>(&read);
    return Evaluator{outline, envelope}(*m_root);
}

} // namespace cdc

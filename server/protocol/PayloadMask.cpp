#include "PayloadMask.h"

#include "JsonText.h"

#include <algorithm>

namespace cdc {

namespace {

struct Range
{
    qsizetype from;
    qsizetype size;
};

void collect(const JsonOutline &outline, qsizetype index, const PayloadMask &mask, const char *base,
             QList<Range> &masked)
{
    const JsonOutline::Node &node = outline.node(index);
    for (qsizetype child = outline.firstChild(index); child >= 0; child = outline.node(child).next) {
        const JsonOutline::Node &member = outline.node(child);
        if (node.kind == JsonKind::Object &&
            mask.matches(QString::fromUtf8(member.key.data(), qsizetype(member.key.size())))) {
            masked.append({member.text.data() - base, member.text.size()});
            continue; // nothing under a masked value is shown anyway
        }
        collect(outline, child, mask, base, masked);
    }
}

} // namespace

PayloadMask::PayloadMask(const QStringList &patterns)
{
    for (const QString &pattern : patterns) {
        const QString trimmed = pattern.trimmed();
        if (trimmed.isEmpty())
            continue;
        m_text.append(trimmed);
        m_patterns.append(QRegularExpression(QRegularExpression::wildcardToRegularExpression(trimmed),
                                             QRegularExpression::CaseInsensitiveOption));
    }
}

bool PayloadMask::matches(QStringView name) const
{
    return std::any_of(
        m_patterns.cbegin(), m_patterns.cend(),
        [text = name.toString()](const QRegularExpression &pattern) { return pattern.match(text).hasMatch(); });
}

QByteArray PayloadMask::apply(QByteArrayView payload) const
{
    if (isEmpty())
        return payload.toByteArray();
    auto read = JsonOutline::read(payload, maxJsonDepth);
    const auto *outline = std::get_if<JsonOutline>(&read);
    if (!outline)
        return payload.toByteArray();
    QList<Range> masked;
    collect(*outline, 0, *this, payload.data(), masked);
    if (masked.isEmpty())
        return payload.toByteArray();
    // Spliced in order: the text between masked values is copied as it was.
    QByteArray out;
    out.reserve(payload.size());
    qsizetype at = 0;
    for (const Range &range : std::as_const(masked)) {
        out.append(payload.sliced(at, range.from - at)).append(maskedValue);
        at = range.from + range.size;
    }
    out.append(payload.sliced(at));
    return out;
}

QByteArray PayloadMask::applyToEventJson(QByteArrayView json) const
{
    if (isEmpty())
        return json.toByteArray();
    auto read = JsonOutline::read(json, 2);
    const auto *outline = std::get_if<JsonOutline>(&read);
    const qsizetype data = outline ? outline->member(0, "data") : -1;
    const qsizetype payload = data >= 0 ? outline->member(data, "payload") : -1;
    if (payload < 0)
        return json.toByteArray();
    const QByteArrayView text = outline->node(payload).text;
    const qsizetype from = text.data() - json.data();
    return json.first(from).toByteArray() + apply(text) + json.sliced(from + text.size()).toByteArray();
}

} // namespace cdc

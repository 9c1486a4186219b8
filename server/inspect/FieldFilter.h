#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <memory>
#include <variant>

namespace cdc {

// Where a filter expression is wrong and why, for the filter box and `tail --filter`.
struct FilterError
{
    int column = 1; // 1-based, in characters of the expression
    QString message;

    // "column 9: expected a value after '=='"
    QString describe() const;
};

// An event's envelope, reachable from a filter as $channel, $seq and $ts_ms.
struct FilterEnvelope
{
    QStringView channel;
    qint64 seq = 0;
    qint64 tsMs = 0;
};

// A condition on an event's fields, as users write it in the live view, replays and `cdcscope tail`:
//
//   table == "orders" and new.amount > 100
//   op in ("delete", "truncate") or not exists(old)
//   contains(new.note, "refund") and $channel != "audit"
//
// Paths reach into the payload (`new.lines[0].sku`, `new."first name"`); `$channel`, `$seq` and
// `$ts_ms` are the envelope's. Comparisons: == != < <= > >= and `in (…)`; numbers compare by
// value, strings by their text; a field that is absent satisfies only `!=` (ask `exists(f)`).
// `and` binds tighter than `or`; `not`, parentheses. The payload is read where it lies: nothing is
// re-serialized or converted to match (docs/window.md#field-filters).
class FieldFilter
{
public:
    static std::variant<FieldFilter, FilterError> parse(QStringView expression);

    bool matches(QByteArrayView payload, const FilterEnvelope &envelope) const;
    const QString &expression() const { return m_expression; }

    struct Node;

private:
    QString m_expression;
    std::shared_ptr<const Node> m_root;
};

} // namespace cdc

#pragma once

#include "host/MonitorTypes.h"
#include "inspect/FieldFilter.h"
#include "protocol/PayloadMask.h"

#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <optional>

namespace cdc {

// What a filter bar asks of events, as plain values: a worker thread builds its own EventMatcher
// from it, so no compiled expression is shared between threads.
struct EventFilterSpec
{
    enum class Mode { Text, Regex, Fields };
    Mode mode = Mode::Text;
    QString text; // the substring, the regular expression or the field filter
    QStringList maskPatterns;

    bool matchesEverything() const { return text.trimmed().isEmpty(); }
};

// Whether an event's payload, masked as the window shows it, matches a filter: a plain
// case-insensitive substring, a regular expression or a field filter (FieldFilter). A filter
// cannot find what the mask hides.
class EventMatcher
{
public:
    // `spec` must be valid (FilterBar checks what the user types before it becomes a spec).
    explicit EventMatcher(const EventFilterSpec &spec);

    bool matches(const LiveEvent &event) const;

private:
    EventFilterSpec::Mode m_mode;
    QString m_text;
    QByteArray m_asciiText; // the substring, when it is ASCII: searched in the UTF-8 bytes as they are
    QRegularExpression m_regex;
    std::optional<FieldFilter> m_fields;
    PayloadMask m_mask;
};

} // namespace cdc

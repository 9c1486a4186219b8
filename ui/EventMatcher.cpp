#include "EventMatcher.h"

#include "GapMarker.h"

#include <QLatin1StringView>

namespace cdc {

EventMatcher::EventMatcher(const EventFilterSpec &spec)
    : m_mode(spec.mode)
    , m_text(spec.text)
    , m_mask(spec.maskPatterns)
{
    switch (m_mode) {
    case EventFilterSpec::Mode::Text: {
        bool ascii = true;
        for (const QChar c : m_text)
            ascii = ascii && c.unicode() < 0x80;
        if (ascii)
            m_asciiText = m_text.toLatin1();
        break;
    }
    case EventFilterSpec::Mode::Regex:
        m_regex = QRegularExpression(m_text, QRegularExpression::CaseInsensitiveOption);
        break;
    case EventFilterSpec::Mode::Fields:
        if (auto parsed = FieldFilter::parse(m_text); std::holds_alternative<FieldFilter>(parsed))
            m_fields = std::get<FieldFilter>(std::move(parsed));
        break;
    }
}

bool EventMatcher::matches(const LiveEvent &live) const
{
    QByteArray masked;
    QByteArrayView payload = live.event.payload();
    if (isGapMarker(live)) {
        masked = gapNotice(live).toUtf8();
        payload = masked;
    } else if (!m_mask.isEmpty()) {
        masked = m_mask.apply(payload);
        payload = masked;
    }
    switch (m_mode) {
    case EventFilterSpec::Mode::Fields:
        return m_fields && m_fields->matches(payload, {live.channel, live.event.seq, live.event.tsMs});
    case EventFilterSpec::Mode::Regex:
        return m_regex.match(QString::fromUtf8(payload)).hasMatch();
    case EventFilterSpec::Mode::Text:
        // An ASCII needle folds only ASCII letters, so the UTF-8 bytes can be searched as Latin-1.
        if (!m_asciiText.isNull())
            return QLatin1StringView(payload).contains(QLatin1StringView(m_asciiText), Qt::CaseInsensitive);
        return QString::fromUtf8(payload).contains(m_text, Qt::CaseInsensitive);
    }
    return true;
}

} // namespace cdc

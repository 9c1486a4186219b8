#include "EventFilterProxy.h"

#include "EventRingModel.h"

namespace cdc {

EventFilterProxy::EventFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{}

void EventFilterProxy::setChannel(const QString &channel)
{
    if (channel == m_channel)
        return;
    m_channel = channel;
    invalidateFilter();
}

bool EventFilterProxy::setPattern(const QString &pattern, bool isRegex)
{
    m_patternError.clear();
    if (isRegex) {
        QRegularExpression regex(pattern, QRegularExpression::CaseInsensitiveOption);
        if (!regex.isValid()) {
            m_patternError = regex.errorString();
            return false;
        }
        m_regex = regex;
    }
    m_text = pattern;
    m_useRegex = isRegex;
    invalidateFilter();
    return true;
}

void EventFilterProxy::setFieldFilter(std::optional<FieldFilter> filter)
{
    m_fieldFilter = std::move(filter);
    invalidateFilter();
}

bool EventFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_channel.isEmpty() && index.data(EventRingModel::ChannelRole).toString() != m_channel)
        return false;
    if (m_fieldFilter) {
        FilterEnvelope envelope;
        if (const auto *events = qobject_cast<const EventRingModel *>(sourceModel())) {
            const LiveEvent &event = events->eventAt(sourceRow);
            envelope = {event.channel, event.event.seq, event.event.tsMs};
        }
        return m_fieldFilter->matches(index.data(EventRingModel::PayloadRole).toByteArray(), envelope);
    }
    if (m_text.isEmpty())
        return true;
    const QString payload = QString::fromUtf8(index.data(EventRingModel::PayloadRole).toByteArray());
    return m_useRegex ? m_regex.match(payload).hasMatch() : payload.contains(m_text, Qt::CaseInsensitive);
}

} // namespace cdc

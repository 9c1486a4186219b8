#include "EventFilterProxy.h"

#include "EventRingModel.h"
#include "MaskSettings.h"

#include <QPromise>
#include <QThreadPool>

namespace cdc {

namespace {

// Matches `events` on a worker thread with a matcher of its own; stops early when cancelled.
void matchOnWorker(const std::shared_ptr<QPromise<FilterVerdicts>> &promise, const EventFilterSpec &spec,
                   const std::vector<LiveEvent> &events, const std::vector<quint64> &serials, quint64 generation)
{
    promise->start();
    const EventMatcher matcher(spec);
    FilterVerdicts verdicts;
    verdicts.generation = generation;
    verdicts.firstSerial = serials.front();
    verdicts.lastSerial = serials.back();
    for (size_t i = 0; i < events.size(); ++i) {
        if ((i & 255) == 0 && promise->isCanceled())
            break;
        if (matcher.matches(events[i]))
            verdicts.matching.push_back(serials[i]);
    }
    if (!promise->isCanceled())
        promise->addResult(std::move(verdicts));
    promise->finish();
}

} // namespace

EventFilterProxy::EventFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{}

EventFilterProxy::~EventFilterProxy()
{
    if (m_pending)
        m_pending->cancel();
}

void EventFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    QSortFilterProxyModel::setSourceModel(model);
    m_events = qobject_cast<EventRingModel *>(model);
    Q_ASSERT(m_events);
    // A new mask changes what every payload reads as: the filter is worked out again.
    connect(m_events, &EventRingModel::payloadsRedrawn, this, [this] { setSpec(m_spec); });
}

void EventFilterProxy::setChannel(const QString &channel)
{
    if (channel == m_channel)
        return;
    m_channel = channel;
    invalidateFilter(); // the verdicts stand: the channel is not part of them
}

bool EventFilterProxy::setPattern(const QString &pattern, bool isRegex)
{
    m_patternError.clear();
    if (isRegex) {
        const QRegularExpression regex(pattern, QRegularExpression::CaseInsensitiveOption);
        if (!regex.isValid()) {
            m_patternError = regex.errorString();
            return false;
        }
    }
    setSpec({isRegex ? EventFilterSpec::Mode::Regex : EventFilterSpec::Mode::Text, pattern, {}});
    return true;
}

void EventFilterProxy::setFieldFilter(std::optional<FieldFilter> filter)
{
    if (filter)
        setSpec({EventFilterSpec::Mode::Fields, filter->expression(), {}});
    else
        setSpec({EventFilterSpec::Mode::Text, QString(), {}});
}

void EventFilterProxy::setSpec(EventFilterSpec spec)
{
    spec.maskPatterns = MaskSettings::current().patterns();
    m_spec = std::move(spec);
    ++m_generation;
    m_verdicts.clear();
    m_verdictBase = 0;
    if (m_pending) {
        m_pending->cancel();
        m_pending->deleteLater();
        m_pending = nullptr;
    }
    if (m_spec.matchesEverything()) {
        m_matcher.reset();
        invalidateFilter();
        Q_EMIT filtering(false);
        return;
    }
    m_matcher = std::make_unique<EventMatcher>(m_spec);
    const int rows = m_events ? m_events->rowCount() : 0;
    if (rows == 0) {
        invalidateFilter();
        Q_EMIT filtering(false);
        return;
    }
    // The rows shown now are matched on the worker; the view keeps the last filter until then.
    std::vector<LiveEvent> events;
    std::vector<quint64> serials;
    events.reserve(size_t(rows));
    serials.reserve(size_t(rows));
    for (int row = 0; row < rows; ++row) {
        events.push_back(m_events->eventAt(row));
        serials.push_back(m_events->serialAt(row));
    }
    m_verdictBase = serials.front();
    m_verdicts.assign(size_t(serials.back() - serials.front() + 1), Verdict::Pending);
    matchInBackground(std::move(events), std::move(serials), true);
    Q_EMIT filtering(true);
}

void EventFilterProxy::matchInBackground(std::vector<LiveEvent> events, std::vector<quint64> serials, bool wholeView)
{
    auto promise = std::make_shared<QPromise<FilterVerdicts>>();
    auto *watcher = new QFutureWatcher<FilterVerdicts>(this);
    watcher->setFuture(promise->future());
    connect(watcher, &QFutureWatcher<FilterVerdicts>::finished, this, [this, watcher, wholeView] {
        if (!watcher->isCanceled() && watcher->future().resultCount() > 0)
            takeVerdicts(watcher->result(), wholeView);
        if (m_pending == watcher)
            m_pending = nullptr;
        watcher->deleteLater();
    });
    if (wholeView)
        m_pending = watcher;
    QThreadPool::globalInstance()->start(
        [promise, spec = m_spec, events = std::move(events), serials = std::move(serials), generation = m_generation] {
            matchOnWorker(promise, spec, events, serials, generation);
        });
}

void EventFilterProxy::takeVerdicts(const FilterVerdicts &verdicts, bool wholeView)
{
    if (verdicts.generation != m_generation)
        return; // an older filter's
    auto matching = verdicts.matching.cbegin();
    for (quint64 serial = verdicts.firstSerial; serial <= verdicts.lastSerial; ++serial) {
        const bool match = matching != verdicts.matching.cend() && *matching == serial;
        if (match)
            ++matching;
        if (serial >= m_verdictBase)
            setVerdict(serial, match ? Verdict::Match : Verdict::Miss);
    }
    if (wholeView) {
        invalidateFilter();
        Q_EMIT filtering(false);
        return;
    }
    // One large row: its source row is redrawn, which filters it again.
    if (const int row = m_events->rowOfSerial(verdicts.firstSerial); row >= 0)
        m_events->redrawRow(row);
}

EventFilterProxy::Verdict EventFilterProxy::verdict(quint64 serial) const
{
    if (serial < m_verdictBase || serial - m_verdictBase >= m_verdicts.size())
        return Verdict::Unknown;
    return m_verdicts[size_t(serial - m_verdictBase)];
}

void EventFilterProxy::setVerdict(quint64 serial, Verdict verdict) const
{
    if (m_verdicts.empty())
        m_verdictBase = serial;
    if (serial < m_verdictBase)
        return;
    // Rows that left the model take their verdicts with them.
    const quint64 oldest = m_events->rowCount() > 0 ? m_events->serialAt(0) : serial;
    while (!m_verdicts.empty() && m_verdictBase < oldest) {
        m_verdicts.pop_front();
        ++m_verdictBase;
    }
    if (m_verdicts.empty())
        m_verdictBase = std::min(oldest, serial);
    const size_t at = size_t(serial - m_verdictBase);
    if (at >= m_verdicts.size())
        m_verdicts.resize(at + 1, Verdict::Unknown);
    m_verdicts[at] = verdict;
}

bool EventFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    const LiveEvent &event = m_events->eventAt(sourceRow);
    if (!m_channel.isEmpty() && event.channel != m_channel)
        return false;
    if (!m_matcher)
        return true;
    const quint64 serial = m_events->serialAt(sourceRow);
    switch (verdict(serial)) {
    case Verdict::Match:
        return true;
    case Verdict::Miss:
    case Verdict::Pending:
        return false;
    case Verdict::Unknown:
        break;
    }
    if (event.event.payload().size() > inlineMatchBytes) {
        setVerdict(serial, Verdict::Pending);
        // Started once QSortFilterProxyModel is done with the rows it is filtering.
        QMetaObject::invokeMethod(
            const_cast<EventFilterProxy *>(this),
            [this, serial, event, generation = m_generation] {
                if (generation == m_generation)
                    const_cast<EventFilterProxy *>(this)->matchInBackground({event}, {serial}, false);
            },
            Qt::QueuedConnection);
        return false;
    }
    const bool match = m_matcher->matches(event);
    setVerdict(serial, match ? Verdict::Match : Verdict::Miss);
    return match;
}

bool EventFilterProxy::isSortable(int column)
{
    return column == EventRingModel::TimeColumn || column == EventRingModel::ChannelColumn ||
           column == EventRingModel::SeqColumn || column == EventRingModel::SizeColumn;
}

bool EventFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const LiveEvent &a = m_events->eventAt(left.row());
    const LiveEvent &b = m_events->eventAt(right.row());
    // Ties keep the order the rows arrived in.
    const auto arrival = [&] { return m_events->serialAt(left.row()) < m_events->serialAt(right.row()); };
    switch (left.column()) {
    case EventRingModel::TimeColumn:
        return a.event.tsMs != b.event.tsMs ? a.event.tsMs < b.event.tsMs : arrival();
    case EventRingModel::ChannelColumn:
        return a.channel != b.channel ? a.channel < b.channel : arrival();
    case EventRingModel::SeqColumn:
        return a.event.seq != b.event.seq ? a.event.seq < b.event.seq : arrival();
    case EventRingModel::SizeColumn:
        return a.event.payload().size() != b.event.payload().size() ? a.event.payload().size() < b.event.payload().size()
                                                                    : arrival();
    default:
        return arrival();
    }
}

} // namespace cdc

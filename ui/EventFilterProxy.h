#pragma once

#include "EventMatcher.h"

#include <QFutureWatcher>
#include <QSortFilterProxyModel>

#include <deque>
#include <memory>
#include <optional>

namespace cdc {

class EventRingModel;

// The verdicts of one filter over rows already shown, worked out off the GUI thread.
struct FilterVerdicts
{
    quint64 generation = 0;
    std::vector<quint64> matching; // row serials, ascending
    quint64 firstSerial = 0;       // the rows read: [firstSerial, lastSerial]
    quint64 lastSerial = 0;
};

// Hides events of other channels and events whose payload does not match the filter (EventMatcher:
// text, regular expression or field filter; masked fields masked).
//
// The window never waits for a filter: a new one is worked out over the rows already shown on a
// worker thread, while the view keeps the old one, and applied in one step when done (filtering()
// says when it starts and ends); a keystroke that comes first drops that work. Rows arriving
// meanwhile are matched as they come, each verdict kept, so scrolling or a new row never matches
// one twice. A payload too large to match in passing goes to the worker alone and appears when
// its verdict is in.
class EventFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    // Larger payloads are matched on the worker thread only.
    static constexpr qsizetype inlineMatchBytes = 64 * 1024;

    explicit EventFilterProxy(QObject *parent = nullptr);
    ~EventFilterProxy() override;

    void setSourceModel(QAbstractItemModel *model) override;
    void setChannel(const QString &channel); // empty: every channel
    // Returns false (and leaves the filter as it was) when `isRegex` and the pattern is invalid.
    bool setPattern(const QString &pattern, bool isRegex);
    QString patternError() const { return m_patternError; }
    // A field filter instead of the text; nothing: back to the text.
    void setFieldFilter(std::optional<FieldFilter> filter);
    // A filter being worked out over the rows already shown.
    bool isFiltering() const { return m_pending != nullptr; }

    // Time, Channel, Seq and Size sort (by the events' own fields, never by reading payloads);
    // the other columns keep the order rows arrived in.
    static bool isSortable(int column);

Q_SIGNALS:
    void filtering(bool busy);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    enum class Verdict : quint8 { Unknown, Match, Miss, Pending };

    void setSpec(EventFilterSpec spec);
    void matchInBackground(std::vector<LiveEvent> events, std::vector<quint64> serials, bool wholeView);
    void takeVerdicts(const FilterVerdicts &verdicts, bool wholeView);
    Verdict verdict(quint64 serial) const;
    void setVerdict(quint64 serial, Verdict verdict) const;

    EventRingModel *m_events = nullptr;
    QString m_channel;
    EventFilterSpec m_spec;
    std::unique_ptr<EventMatcher> m_matcher; // the GUI thread's, for rows as they arrive; none: all match
    QString m_patternError;
    quint64 m_generation = 0;
    // Verdicts by row serial from m_verdictBase on; rows that scrolled away are dropped from the front.
    mutable std::deque<Verdict> m_verdicts;
    mutable quint64 m_verdictBase = 0;
    QFutureWatcher<FilterVerdicts> *m_pending = nullptr; // the whole view being matched
};

} // namespace cdc

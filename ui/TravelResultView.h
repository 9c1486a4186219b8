#pragma once

#include "sources/SchemaLog.h"
#include "store/TravelQuery.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace cdc {

class EventDetailPane;
class EventFilterProxy;
class EventRingModel;
class FilterBar;
class EventTableView;

// One replay's outcome in its own tab: the ack summary (count, truncated, gap, retained ranges)
// over the replayed events, which the filter bar narrows down; ◀ Older and Newer ▶ replace them
// with the page before or after (of one channel, by seq).
class TravelResultView : public QWidget
{
    Q_OBJECT

public:
    TravelResultView(const QStringList &channels, const TravelWindow &window, const TravelResult &result,
                     QWidget *parent = nullptr);

    EventRingModel *model() const { return m_model; }
    EventFilterProxy *proxy() const { return m_proxy; }
    FilterBar *filterBar() const { return m_filterBar; }
    QString summary() const;
    // Shows the answer to `window` in place of what was shown (a page of the same replay).
    void showResult(const TravelWindow &window, const TravelResult &result);
    // Marker rows for the schema changes among the rows shown, before the change each precedes.
    void markSchemaChanges(const QList<cdc::SchemaNote> &notes);
    QPushButton *olderButton() const { return m_older; }
    QPushButton *newerButton() const { return m_newer; }

Q_SIGNALS:
    // ◀ Older / Newer ▶: the page before the first event shown, or after the last.
    void pageRequested(const QStringList &channels, const cdc::TravelWindow &window);

private:
    void pageAround(const TravelWindow &window, const TravelResult &result);

    QStringList m_channels;
    EventRingModel *m_model;
    EventFilterProxy *m_proxy;
    EventTableView *m_table;
    FilterBar *m_filterBar;
    EventDetailPane *m_detail;
    QLabel *m_summary;
    QPushButton *m_older;
    QPushButton *m_newer;
    TravelWindow m_olderPage;
    TravelWindow m_newerPage;
    QList<SchemaNote> m_schemaNotes; // marked again on each page
};

} // namespace cdc

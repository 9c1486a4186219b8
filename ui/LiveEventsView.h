#pragma once

#include "host/MonitorTypes.h"

#include <QWidget>

#include <deque>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace cdc {

class EventDetailPane;
class EventFilterProxy;
class FilterBar;
class EventRingModel;
class EventTableView;
class WelcomePage;

// The live events tab: a bounded, virtualized table of every event as it arrives, with a channel
// filter and the filter bar (text, regex or fields), pause (events keep being collected; the backlog count shows),
// auto-scroll, clear, and a detail pane for the selected event.
class LiveEventsView : public QWidget
{
    Q_OBJECT

public:
    explicit LiveEventsView(qsizetype capacity, QWidget *parent = nullptr);

    void append(const QList<LiveEvent> &events);
    // A marker row before the event the schema change precedes (held back with it while paused).
    void noteSchemaChange(const cdc::SchemaNote &note);
    void setKnownChannels(const QStringList &channels);
    void setCapacity(qsizetype capacity);

    void focusFilter();
    void setPaused(bool paused);
    void togglePause() { setPaused(!isPaused()); }
    bool isPaused() const;
    qsizetype backlog() const { return qsizetype(m_backlog.size()); }
    void clear();
    // The selected event, if a row (not a gap marker) is selected.
    std::optional<LiveEvent> selectedEvent() const;
    // Shows the selected event in the detail pane again (after the mask changed).
    void showSelected() { showCurrent(); }

Q_SIGNALS:
    // Right-click > Republish… on a row.
    void republishRequested(const cdc::LiveEvent &event);
    // Right-click > Follow this row on a row change.
    void followRowRequested(const cdc::LiveEvent &event);
    // Right-click > Pin / unpin (Ctrl+M) on a row: `serial` is its row's in model().
    void pinRequested(const cdc::LiveEvent &event, quint64 serial);
    void unpinRequested(quint64 serial);

public:
    EventRingModel *model() const { return m_model; }
    EventFilterProxy *proxy() const { return m_proxy; }
    EventTableView *table() const { return m_table; }
    EventDetailPane *detail() const { return m_detail; }
    QComboBox *channelFilter() const { return m_channel; }
    FilterBar *filterBar() const { return m_filterBar; }
    QLineEdit *textFilter() const;
    QCheckBox *regexToggle() const;
    QLabel *pauseLabel() const { return m_pauseLabel; }
    // Shown until the first event arrives.
    WelcomePage *welcome() const { return m_welcome; }

private:
    void updatePauseLabel();
    void showCurrent();

    EventRingModel *m_model;
    EventFilterProxy *m_proxy;
    EventTableView *m_table;
    EventDetailPane *m_detail;
    QComboBox *m_channel;
    FilterBar *m_filterBar;
    QPushButton *m_pause;
    QLabel *m_pauseLabel;
    QCheckBox *m_autoScroll;
    QStackedWidget *m_pages;
    WelcomePage *m_welcome;
    std::deque<LiveEvent> m_backlog;
    qint64 m_droppedWhilePaused = 0; // arrived while paused past what the view holds
};

} // namespace cdc

#pragma once

#include "host/MonitorTypes.h"

#include <QFutureWatcher>
#include <QWidget>

#include <optional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTabWidget;
class QTreeView;

namespace cdc {

class ChangeDiffView;
class EventTimingView;
class JsonTreeModel;
class PagedTextView;
struct PayloadReading;

// One event in full: for a row change its column diff first (ChangeDiffView), the payload as a
// JSON tree coloured by kind, with search, copy value and copy path, and the raw frame (paged,
// pretty-printed on request), with copy.
//
// The payload is read on a worker thread (PayloadReading) and shown when ready (shown()): the
// window stays live while a 16 MiB event is opened, and selecting another event drops the reading
// of the one before.
class EventDetailPane : public QWidget
{
    Q_OBJECT

public:
    explicit EventDetailPane(QWidget *parent = nullptr);
    ~EventDetailPane() override;

    void showEvent(const LiveEvent &event);
    void showNothing();
    // The whole raw text of the shown event (every page).
    QString rawText() const;
    QTreeView *tree() const { return m_tree; }
    JsonTreeModel *treeModel() const { return m_treeModel; }
    ChangeDiffView *changeView() const { return m_change; }
    PagedTextView *raw() const { return m_raw; }
    QLineEdit *findField() const { return m_find; }
    QCheckBox *prettyToggle() const { return m_pretty; }
    // Finds the next key or value holding `text` (case-insensitive) after the current node, and
    // selects it; the search runs in slices, so a large payload never stops the window.
    void findNext(const QString &text);
    // A Timing tab (the live view's pane): each shown event's times, asked of the source through
    // timing()'s timesWanted().
    void enableTiming();
    EventTimingView *timing() const { return m_timing; }
    QTabWidget *tabs() const { return m_tabs; }

Q_SIGNALS:
    // The selected event's reading is on screen.
    void shown();
    // findNext() ended: found or not.
    void searched(bool found);

private:
    void read(const LiveEvent &event);
    void present(const PayloadReading &reading);
    void showChangeTab(bool shown);
    void expandOpening();
    void searchSlice(const QString &text, qsizetype from, qsizetype scanned, quint64 search);
    void showWholeValue(const QModelIndex &index);

    QLabel *m_title;
    QLineEdit *m_find;
    QLabel *m_findResult;
    QTreeView *m_tree;
    JsonTreeModel *m_treeModel;
    QCheckBox *m_pretty;
    PagedTextView *m_raw;
    ChangeDiffView *m_change;
    QTabWidget *m_tabs;
    EventTimingView *m_timing = nullptr;
    QFutureWatcher<PayloadReading> *m_reading;
    std::optional<LiveEvent> m_event; // the one shown or being read
    quint64 m_search = 0;             // the search running; a newer one stops it
};

} // namespace cdc

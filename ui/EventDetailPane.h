#pragma once

#include "host/MonitorTypes.h"

#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;
class QPlainTextEdit;
class QLabel;
class QTabWidget;

namespace cdc {

class ChangeDiffView;
class EventTimingView;
class JsonOutline;

// One event in full: for a row change its column diff first (ChangeDiffView), a collapsible JSON
// tree of its payload and the raw frame text, with copy.
class EventDetailPane : public QWidget
{
    Q_OBJECT

public:
    explicit EventDetailPane(QWidget *parent = nullptr);

    void showEvent(const LiveEvent &event);
    void showNothing();
    QString rawText() const;
    QTreeWidget *tree() const { return m_tree; }
    ChangeDiffView *changeView() const { return m_change; }
    // A Timing tab (the live view's pane): each shown event's times, asked of the source through
    // timing()'s timesWanted().
    void enableTiming();
    EventTimingView *timing() const { return m_timing; }
    QTabWidget *tabs() const { return m_tabs; }

private:
    void showChangeTab(bool shown);
    static void addJson(QTreeWidgetItem *parent, const QString &key, const JsonOutline &outline, qsizetype index);

    QLabel *m_title;
    QTreeWidget *m_tree;
    QPlainTextEdit *m_raw;
    ChangeDiffView *m_change;
    QTabWidget *m_tabs;
    EventTimingView *m_timing = nullptr;
};

} // namespace cdc

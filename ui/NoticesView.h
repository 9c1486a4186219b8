#pragma once

#include "MonitorSource.h"
#include "NoticesModel.h"

#include <QSet>
#include <QWidget>

class QTableView;
class QToolButton;

namespace cdc {

// The Notices dock: every noteworthy thing the window saw, with its time and where — clients the
// server cut and why, connections it refused, gaps and new histories in the live view, the server
// refusing this window, sources' warnings — and a badge for the status bar with their count, which
// brings the dock forward. It reads what the source already sends (snapshots, events, status).
class NoticesView : public QWidget
{
    Q_OBJECT

public:
    explicit NoticesView(QWidget *parent = nullptr);

    void takeSnapshot(const EngineSnapshot &snapshot);
    void takeEvents(const QList<LiveEvent> &events);
    void takeStatus(const ConnectionStatus &status);

    NoticesModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    // "⚠ 3 notices", for the status bar; clicked(): show the dock.
    QToolButton *badge() const { return m_badge; }

private:
    void updateBadge();

    NoticesModel *m_model;
    QTableView *m_table;
    QToolButton *m_badge;
    QSet<QString> m_sourceWarnings;  // "source\nwarning" already listed
    ConnectionStatus::State m_lastState = ConnectionStatus::State::Connecting;
};

} // namespace cdc

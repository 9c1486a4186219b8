#pragma once

#include "MonitorModels.h"

#include <QWidget>

class QChartView;
class QDateTimeAxis;
class QLabel;
class QPushButton;
class QLineSeries;
class QTableView;
class QValueAxis;

namespace cdc {

// The Sources dock: each upstream source (PostgreSQL) with its state, LSNs, lag, last error and
// the slot's health, below them its warnings (what to fix upstream; the slot's in red), its backfills
// with their progress and controls (Backfill table…, Pause, Resume, Cancel), and a small chart of
// the WAL the slot retained over the last hour; or a hint on how to add one when there is none.
class SourcesPanel : public QWidget
{
    Q_OBJECT

public:
    explicit SourcesPanel(QWidget *parent = nullptr);

    void setSources(const QList<SourceStatus> &sources);

    enum class BackfillAction { Pause, Resume, Cancel };

    SourcesModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLabel *hint() const { return m_hint; }
    QLabel *warnings() const { return m_warnings; }
    QLineSeries *retainedWal() const { return m_retained; }
    BackfillsModel *backfills() const { return m_backfillsModel; }
    QTableView *backfillsTable() const { return m_backfills; }
    // Asks for a table's name, then backfillRequested().
    void askForBackfill();

Q_SIGNALS:
    void backfillRequested(const QString &table);
    void backfillActionRequested(const QString &table, cdc::SourcesPanel::BackfillAction action);

private:
    void updateBackfillButtons();
    QString selectedBackfill() const;

    SourcesModel *m_model;
    QTableView *m_table;
    QLabel *m_hint;
    QLabel *m_warnings;
    BackfillsModel *m_backfillsModel;
    QTableView *m_backfills;
    QPushButton *m_backfillButton;
    QPushButton *m_pause;
    QPushButton *m_resume;
    QPushButton *m_cancel;
    QChartView *m_chart;
    QLineSeries *m_retained;
    QDateTimeAxis *m_time;
    QValueAxis *m_mib;
};

} // namespace cdc

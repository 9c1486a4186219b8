#pragma once

#include "MonitorModels.h"

#include <QWidget>

class QChartView;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QTableView;
class QValueAxis;

namespace cdc {

// The Sources dock: each upstream source (PostgreSQL) with its state, LSNs, lag, last error and
// the slot's health, below them its warnings (what to fix upstream; the slot's in red), and a small
// chart of the WAL the slot retained over the last hour; or a hint on how to add one when there is none.
class SourcesPanel : public QWidget
{
    Q_OBJECT

public:
    explicit SourcesPanel(QWidget *parent = nullptr);

    void setSources(const QList<SourceStatus> &sources);

    SourcesModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLabel *hint() const { return m_hint; }
    QLabel *warnings() const { return m_warnings; }
    QLineSeries *retainedWal() const { return m_retained; }

private:
    SourcesModel *m_model;
    QTableView *m_table;
    QLabel *m_hint;
    QLabel *m_warnings;
    QChartView *m_chart;
    QLineSeries *m_retained;
    QDateTimeAxis *m_time;
    QValueAxis *m_mib;
};

} // namespace cdc

#pragma once

#include "MonitorModels.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace cdc {

// The Sources dock: each upstream source (PostgreSQL) with its state, LSNs, lag and last error,
// and below them its warnings (what to fix upstream); or a hint on how to add one when there is none.
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

private:
    SourcesModel *m_model;
    QTableView *m_table;
    QLabel *m_hint;
    QLabel *m_warnings;
};

} // namespace cdc

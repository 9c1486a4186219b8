#include "SourcesPanel.h"

#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace cdc {

SourcesPanel::SourcesPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(makeSourcesModel(this))
    , m_table(makeSnapshotTable(m_model, this))
    , m_hint(new QLabel(tr("No source streams into this server. Add a PostgreSQL connection in File ▸ Settings, "
                           "or start with --pg-dsn (docs/postgres.md)."),
                        this))
{
    m_table->setObjectName(QStringLiteral("sourcesTable"));
    m_hint->setObjectName(QStringLiteral("sourcesHint"));
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_hint);
    layout->addWidget(m_table);
    setSources({});
}

void SourcesPanel::setSources(const QList<SourceStatus> &sources)
{
    m_model->setRows(sources);
    m_hint->setVisible(sources.isEmpty());
    m_table->setVisible(!sources.isEmpty());
}

} // namespace cdc

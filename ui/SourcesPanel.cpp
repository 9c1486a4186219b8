#include "SourcesPanel.h"

#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace cdc {

SourcesPanel::SourcesPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(makeSourcesModel(this))
    , m_table(makeSnapshotTable(m_model, this))
    , m_hint(new QLabel(tr("No source streams into this server. On this computer, add a PostgreSQL connection in "
                           "File ▸ Settings; a headless server takes --pg-dsn (docs/postgres.md)."),
                        this))
    , m_warnings(new QLabel(this))
{
    m_table->setObjectName(QStringLiteral("sourcesTable"));
    m_hint->setObjectName(QStringLiteral("sourcesHint"));
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_hint);
    layout->addWidget(m_table);
    // What the user should fix upstream stays in view, not in a column cut off at the edge.
    m_warnings->setObjectName(QStringLiteral("sourcesWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->setStyleSheet(QStringLiteral("color: #b9770e"));
    layout->addWidget(m_warnings);
    setSources({});
}

void SourcesPanel::setSources(const QList<SourceStatus> &sources)
{
    m_model->setRows(sources);
    m_hint->setVisible(sources.isEmpty());
    m_table->setVisible(!sources.isEmpty());
    QStringList warnings;
    for (const SourceStatus &source : sources)
        for (const QString &warning : source.warnings)
            warnings.append(QStringLiteral("⚠ %1").arg(warning));
    m_warnings->setText(warnings.join(u'\n'));
    m_warnings->setVisible(!warnings.isEmpty());
}

} // namespace cdc

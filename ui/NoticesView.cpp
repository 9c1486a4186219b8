#include "NoticesView.h"

#include "GapMarker.h"

#include <QDateTime>
#include <QHeaderView>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace cdc {

NoticesView::NoticesView(QWidget *parent)
    : QWidget(parent)
    , m_model(new NoticesModel(this))
    , m_table(new QTableView(this))
    , m_badge(new QToolButton(this))
{
    m_table->setModel(m_model);
    m_table->setObjectName(QStringLiteral("noticesTable"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->resizeSection(NoticesModel::TimeColumn, 110);
    m_table->horizontalHeader()->resizeSection(NoticesModel::SeverityColumn, 70);
    m_table->horizontalHeader()->resizeSection(NoticesModel::KindColumn, 130);
    m_table->horizontalHeader()->resizeSection(NoticesModel::WhereColumn, 180);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);

    m_badge->setObjectName(QStringLiteral("noticesBadge"));
    m_badge->setAutoRaise(true);
    m_badge->setToolTip(tr("Notices: clients cut, connections refused, gaps, new histories, source warnings"));
    connect(m_model, &NoticesModel::added, this, [this] {
        updateBadge();
        m_table->scrollToBottom();
    });
    updateBadge();
}

void NoticesView::updateBadge()
{
    m_badge->setText(m_model->total() == 0 ? tr("No notices") : tr("⚠ %n notice(s)", nullptr, int(m_model->total())));
}

void NoticesView::takeSnapshot(const EngineSnapshot &snapshot)
{
    for (const ServerNotice &notice : snapshot.notices) {
        const bool cut = notice.kind == ServerNotice::Kind::SlowConsumerCut;
        m_model->add({notice.atMs, cut ? Notice::Severity::Warning : Notice::Severity::Note,
                      cut ? Notice::Kind::SlowConsumerCut : Notice::Kind::ConnectionRefused, notice.subject,
                      notice.text});
    }
    if (snapshot.noticesNotShown > 0)
        m_model->add({snapshot.takenAtMs, Notice::Severity::Warning, Notice::Kind::Other, QString(),
                      tr("%n more notice(s) in half a second not listed one by one (a flood of refused connections?)",
                         nullptr, int(snapshot.noticesNotShown))});
    for (const SchemaNote &note : snapshot.schemaChanges)
        m_model->add({note.atMs, Notice::Severity::Warning, Notice::Kind::SchemaChange, note.channel,
                      tr("%1 (before seq %2)").arg(note.describe()).arg(note.seq)});
    // A source's warning is listed once, when it first appears.
    QSet<QString> current;
    for (const SourceStatus &source : snapshot.sources) {
        for (const QString &warning : source.warnings) {
            const QString key = source.name + u'\n' + warning;
            current.insert(key);
            if (!m_sourceWarnings.contains(key))
                m_model->add({snapshot.takenAtMs, Notice::Severity::Warning, Notice::Kind::SourceWarning, source.name,
                              warning});
        }
    }
    m_sourceWarnings = current;
}

void NoticesView::takeEvents(const QList<LiveEvent> &events)
{
    for (const LiveEvent &event : events) {
        if (!isGapMarker(event))
            continue;
        const QString notice = gapNotice(event);
        const bool restart = notice.startsWith(u"RESTART");
        m_model->add({event.event.tsMs, Notice::Severity::Warning,
                      restart ? Notice::Kind::HistoryRestart : Notice::Kind::Gap, event.channel, notice});
    }
}

void NoticesView::takeStatus(const ConnectionStatus &status)
{
    if (status.state == ConnectionStatus::State::Refused && m_lastState != ConnectionStatus::State::Refused)
        m_model->add({QDateTime::currentMSecsSinceEpoch(), Notice::Severity::Error, Notice::Kind::ServerRefused,
                      status.url.toString(), status.text});
    m_lastState = status.state;
}

} // namespace cdc

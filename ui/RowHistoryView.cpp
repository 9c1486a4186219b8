#include "RowHistoryView.h"

#include "MonitorSource.h"
#include "TimeDisplay.h"
#include "inspect/CaptureDiff.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cdc {

namespace {

enum Column { SeqColumn, TimeColumn, ChangeColumn, RowColumn, OriginColumn, ColumnCount };

} // namespace

RowHistoryView::RowHistoryView(MonitorSource &source, const QString &channel, RowIdentity row,
                               const QList<LiveEvent> &seen, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_channel(channel)
    , m_row(row)
    , m_timeline(std::move(row))
    , m_summary(new QLabel(this))
    , m_table(new QTableWidget(0, ColumnCount, this))
{
    m_summary->setObjectName(QStringLiteral("rowHistorySummary"));
    m_table->setObjectName(QStringLiteral("rowHistoryTable"));
    m_table->setHorizontalHeaderLabels({tr("Seq"), tr("Time"), tr("Change"), tr("Row after"), tr("Seen in")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(ChangeColumn, QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(RowColumn, QHeaderView::Stretch);
    auto *addCaptureButton = new QPushButton(tr("Add capture…"), this);
    addCaptureButton->setToolTip(tr("Look for this row's changes in a recorded or exported capture (JSONL) too"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(addCaptureButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table);

    connect(addCaptureButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Add capture"), {}, tr("Captures (*.jsonl)"));
        if (path.isEmpty())
            return;
        if (const QString error = addCapture(path); !error.isEmpty())
            m_summary->setText(error);
    });
    connect(&m_source, &MonitorSource::eventsArrived, this, &RowHistoryView::offerLive);
    connect(&m_source, &MonitorSource::travelFinished, this, &RowHistoryView::onTravelFinished);
    connect(&m_source, &MonitorSource::travelFailed, this, [this](int requestId, const QString &error) {
        if (requestId == m_travelId)
            m_summary->setText(tr("%1 — the server's buffer could not be read: %2").arg(title(), error));
    });
    for (const LiveEvent &event : seen)
        m_timeline.offer(event.channel, event.event.seq, event.event.tsMs, event.event.payload(), tr("live"));
    refresh();
    requestBufferPage();
}

QString RowHistoryView::title() const
{
    return tr("%1 %2 in %3").arg(m_timeline.row().table, m_timeline.row().key, m_channel);
}

void RowHistoryView::offerLive(const QList<LiveEvent> &events)
{
    bool changed = false;
    for (const LiveEvent &event : events)
        if (event.channel == m_channel)
            changed |=
                m_timeline.offer(event.channel, event.event.seq, event.event.tsMs, event.event.payload(), tr("live"));
    if (changed)
        refresh();
}

void RowHistoryView::requestBufferPage()
{
    TravelWindow window;
    window.sinceSeq = m_bufferAfterSeq;
    window.limit = m_source.maxTravelLimit();
    m_travelId = m_source.travel({m_channel}, window);
}

void RowHistoryView::onTravelFinished(int requestId, const TravelResult &result)
{
    if (requestId != m_travelId)
        return;
    bool changed = false;
    for (const ChannelEvent &replayed : result.events) {
        changed |= m_timeline.offer(replayed.channel, replayed.event.seq, replayed.event.tsMs, replayed.event.payload(),
                                    tr("server buffer"));
        m_bufferAfterSeq = std::max(m_bufferAfterSeq, replayed.event.seq);
    }
    if (changed)
        refresh();
    if (result.truncated && !result.events.isEmpty())
        return requestBufferPage(); // more history than one travel returns
    m_travelId = -1;
}

QString RowHistoryView::addCapture(const QString &path)
{
    auto read = readCaptureFile(path);
    if (const auto *error = std::get_if<QString>(&read))
        return *error;
    const QString origin = QFileInfo(path).fileName();
    for (const CaptureEntry &entry : std::get<QList<CaptureEntry>>(read))
        if (entry.channel == m_channel)
            m_timeline.offer(entry.channel, entry.seq, entry.tsMs, entry.payload, origin);
    refresh();
    return {};
}

void RowHistoryView::noteSchemaChanges(const QList<SchemaNote> &notes)
{
    for (const SchemaNote &note : notes)
        if (note.channel == m_channel && note.table == m_row.table)
            m_schemaNotes.append(note);
    std::sort(m_schemaNotes.begin(), m_schemaNotes.end(),
              [](const SchemaNote &a, const SchemaNote &b) { return a.seq < b.seq; });
    refresh();
}

void RowHistoryView::refresh()
{
    const QList<RowVersion> &versions = m_timeline.versions();
    m_summary->setText(tr("<b>%1</b> · %n change(s)", nullptr, int(versions.size())).arg(title().toHtmlEscaped()));
    // The row's versions, each schema change of its table before the first version it shaped.
    QList<QStringList> lines;
    auto note = m_schemaNotes.cbegin();
    const auto schemaLine = [](const SchemaNote &schema) {
        return QStringList{tr("schema"), TimeDisplay::format(schema.atMs, QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")),
                           schema.describe(), QString(), tr("the source")};
    };
    for (const RowVersion &version : versions) {
        for (; note != m_schemaNotes.cend() && note->seq <= version.seq; ++note)
            lines.append(schemaLine(*note));
        const QByteArray after = version.rowAfterJson();
        lines.append({QString::number(version.seq),
                      TimeDisplay::format(version.tsMs, QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")), version.describe(),
                      after.isEmpty() ? tr("(row deleted)") : QString::fromUtf8(after), version.origin});
    }
    for (; note != m_schemaNotes.cend(); ++note) // since the row's last change
        lines.append(schemaLine(*note));
    m_table->setRowCount(int(lines.size()));
    for (int row = 0; row < lines.size(); ++row) {
        for (int column = 0; column < ColumnCount; ++column) {
            auto *item = new QTableWidgetItem(lines[row][column]);
            if (column == RowColumn || column == ChangeColumn)
                item->setToolTip(lines[row][column]);
            m_table->setItem(row, column, item);
        }
    }
    m_table->resizeColumnToContents(SeqColumn);
    m_table->resizeColumnToContents(TimeColumn);
}

} // namespace cdc

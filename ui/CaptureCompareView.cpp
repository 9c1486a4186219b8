#include "CaptureCompareView.h"

#include "detail/PagedTextView.h"
#include "detail/PayloadReading.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cdc {

namespace {

enum Column { KindColumn, ChannelColumn, KeyColumn, AColumn, BColumn, FieldsColumn, ColumnCount };

QStringList fieldsIn(const QLineEdit *box)
{
    QStringList fields;
    for (const QString &field : box->text().split(u',', Qt::SkipEmptyParts))
        if (!field.trimmed().isEmpty())
            fields.append(field.trimmed());
    return fields;
}

// "line 12: {…}" for the side that holds the event; empty for the side that does not.
QString sideText(const QList<CaptureEntry> &entries, int line)
{
    for (const CaptureEntry &entry : entries)
        if (entry.line == line)
            return QStringLiteral("line %1: %2").arg(line).arg(QString::fromUtf8(entry.payload));
    return {};
}

QString token(const std::optional<QByteArray> &value)
{
    return value ? QString::fromUtf8(*value) : QStringLiteral("(absent)");
}

} // namespace

CaptureCompareView::CaptureCompareView(const QString &pathA, const QString &pathB, QWidget *parent)
    : QWidget(parent)
    , m_pathA(pathA)
    , m_pathB(pathB)
    , m_summary(new QLabel(this))
    , m_keys(new QLineEdit(this))
    , m_ignored(new QLineEdit(this))
    , m_table(new QTableWidget(0, ColumnCount, this))
    , m_pairA(new PagedTextView(this))
    , m_pairB(new PagedTextView(this))
{
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_keys->setObjectName(QStringLiteral("compareKeys"));
    m_keys->setPlaceholderText(
        tr("id (pairs events by these fields; empty: by the key the row changes carry, else by order)"));
    m_ignored->setObjectName(QStringLiteral("compareIgnored"));
    m_ignored->setPlaceholderText(tr("commit_ts_ms, lsn (left out of the comparison)"));
    m_table->setObjectName(QStringLiteral("compareTable"));
    m_table->setHorizontalHeaderLabels({tr("Difference"), tr("Channel"), tr("Key"),
                                        tr("A: %1").arg(QFileInfo(pathA).fileName()),
                                        tr("B: %1").arg(QFileInfo(pathB).fileName()), tr("Fields")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(AColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(BColumn, QHeaderView::Stretch);
    auto *again = new QPushButton(tr("Compare"), this);

    auto *fields = new QFormLayout;
    fields->addRow(tr("Key fields:"), m_keys);
    fields->addRow(tr("Ignore fields:"), m_ignored);
    auto *top = new QHBoxLayout;
    top->addLayout(fields, 1);
    top->addWidget(again, 0, Qt::AlignBottom);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addLayout(top);
    // The pair selected, whole: A's payload beside B's, indented.
    m_pairA->setObjectName(QStringLiteral("comparePairA"));
    m_pairB->setObjectName(QStringLiteral("comparePairB"));
    auto *pair = new QSplitter(Qt::Horizontal, this);
    pair->addWidget(m_pairA);
    pair->addWidget(m_pairB);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(pair);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 1);
    layout->addWidget(split);
    connect(m_table, &QTableWidget::currentCellChanged, this, [this](int row) { showPair(row); });

    connect(again, &QPushButton::clicked, this, &CaptureCompareView::compare);
    connect(m_keys, &QLineEdit::returnPressed, this, &CaptureCompareView::compare);
    connect(m_ignored, &QLineEdit::returnPressed, this, &CaptureCompareView::compare);
    compare();
}

QString CaptureCompareView::summary() const
{
    return m_summary->text();
}

bool CaptureCompareView::compare()
{
    auto a = readCaptureFile(m_pathA);
    auto b = readCaptureFile(m_pathB);
    for (const auto *read : {&a, &b}) {
        if (const auto *error = std::get_if<QString>(read)) {
            m_summary->setText(*error);
            m_table->setRowCount(0);
            return false;
        }
    }
    m_entriesA = std::get<QList<CaptureEntry>>(std::move(a));
    m_entriesB = std::get<QList<CaptureEntry>>(std::move(b));
    // No key typed: the key the row changes carry, when every one carries the same.
    QStringList keys = fieldsIn(m_keys);
    m_pairedBy = keys.isEmpty() ? keyFieldsFound(m_entriesA, m_entriesB) : keys;
    show(diffCaptures(m_entriesA, m_entriesB, {m_pairedBy, fieldsIn(m_ignored)}), m_entriesA, m_entriesB);
    if (keys.isEmpty())
        m_summary->setText(m_summary->text() + u' '
                           + (m_pairedBy.isEmpty()
                                  ? tr("Paired by order within each channel and operation (the payloads carry no "
                                       "common key; type key fields to pair by them).")
                                  : tr("Paired by key <b>%1</b>, found in the payloads.")
                                        .arg(m_pairedBy.join(QStringLiteral(", ")).toHtmlEscaped())));
    showPair(m_table->currentRow());
    return true;
}

void CaptureCompareView::show(const CaptureDiff &diff, const QList<CaptureEntry> &a, const QList<CaptureEntry> &b)
{
    struct Row
    {
        QString kind;
        CaptureDiff::Identity identity;
        int lineA = 0;
        int lineB = 0;
        QString fields;
        QColor color;
    };
    QList<Row> rows;
    m_rowLines.clear();
    for (const auto &missing : diff.missing)
        rows.append({tr("missing from B"), missing.identity, missing.line, 0, {}, QColor(0xc0, 0x39, 0x2b)});
    for (const auto &extra : diff.extra)
        rows.append({tr("extra in B"), extra.identity, 0, extra.line, {}, QColor(0x27, 0xae, 0x60)});
    for (const auto &changed : diff.changed) {
        QStringList fields;
        for (const CaptureDiff::FieldChange &field : changed.fields)
            fields.append(QStringLiteral("%1 %2 → %3").arg(field.path, token(field.before), token(field.after)));
        rows.append({tr("changed"), changed.identity, changed.lineA, changed.lineB, fields.join(QStringLiteral("; ")),
                     QColor(0xd3, 0x8b, 0x00)});
    }
    for (const auto &moved : diff.reordered)
        rows.append({tr("reordered"), moved.identity, moved.lineA, moved.lineB, {}, QColor(0x29, 0x80, 0xb9)});

    m_table->setRowCount(int(rows.size()));
    for (int index = 0; index < rows.size(); ++index) {
        const Row &row = rows[index];
        m_rowLines.append({row.lineA, row.lineB});
        const QStringList cells{row.kind,
                                row.identity.channel,
                                (row.identity.operation.isEmpty() ? QString() : row.identity.operation + u' ') +
                                    row.identity.key,
                                row.lineA ? sideText(a, row.lineA) : QString(),
                                row.lineB ? sideText(b, row.lineB) : QString(),
                                row.fields};
        for (int column = 0; column < ColumnCount; ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            item->setToolTip(cells[column]);
            if (column == KindColumn)
                item->setForeground(row.color);
            m_table->setItem(index, column, item);
        }
    }
    m_table->resizeColumnToContents(KindColumn);
    m_summary->setText(
        diff.isEqual()
            ? tr("<b>Equal</b>: %1 events in A and %2 in B pair up, same payloads, same order.")
                  .arg(diff.eventsA)
                  .arg(diff.eventsB)
            : tr("<b>Different</b> (A %1 events, B %2): %3 missing from B, %4 extra in B, %5 changed, %6 reordered.")
                  .arg(diff.eventsA)
                  .arg(diff.eventsB)
                  .arg(diff.missing.size())
                  .arg(diff.extra.size())
                  .arg(diff.changed.size())
                  .arg(diff.reordered.size()));
}

void CaptureCompareView::showPair(int row)
{
    const auto payloadAt = [](const QList<CaptureEntry> &entries, int line, const QString &side) -> QString {
        if (line == 0)
            return tr("(not in %1)").arg(side);
        for (const CaptureEntry &entry : entries)
            if (entry.line == line)
                return tr("%1, line %2:\n").arg(side).arg(line) + QString::fromUtf8(prettyJson(entry.payload));
        return QString();
    };
    if (row < 0 || row >= m_rowLines.size()) {
        m_pairA->setText({});
        m_pairB->setText({});
        return;
    }
    m_pairA->setText(payloadAt(m_entriesA, m_rowLines[row].first, QStringLiteral("A")));
    m_pairB->setText(payloadAt(m_entriesB, m_rowLines[row].second, QStringLiteral("B")));
}

} // namespace cdc

#include "CaptureCompareView.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
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
{
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_keys->setObjectName(QStringLiteral("compareKeys"));
    m_keys->setPlaceholderText(tr("id (pairs events by these fields; empty: by order)"));
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
    layout->addWidget(m_table);

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
    const auto &entriesA = std::get<QList<CaptureEntry>>(a);
    const auto &entriesB = std::get<QList<CaptureEntry>>(b);
    show(diffCaptures(entriesA, entriesB, {fieldsIn(m_keys), fieldsIn(m_ignored)}), entriesA, entriesB);
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

} // namespace cdc

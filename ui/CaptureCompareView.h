#pragma once

#include "inspect/CaptureDiff.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QTableWidget;

namespace cdc {

class PagedTextView;

// Two captures side by side, compared as CDC traffic (CaptureDiff, the same comparison as
// `cdcscope diff`): each difference on a row with what capture A and capture B hold — missing
// from B, extra in B, changed (field by field) or reordered — and the key and ignored fields to
// compare by, applied again on Compare. Without key fields typed, events pair by the key their
// row changes carry (`id`, the replica identity's columns) when they all carry one; the pair
// selected shows below, both payloads whole.
class CaptureCompareView : public QWidget
{
    Q_OBJECT

public:
    CaptureCompareView(const QString &pathA, const QString &pathB, QWidget *parent = nullptr);

    // Reads both files and compares them with the fields in the boxes; false with the reason shown.
    bool compare();
    QString summary() const;
    QTableWidget *table() const { return m_table; }
    // The fields the last comparison paired by: typed, or found in the payloads; none: by order.
    const QStringList &pairedBy() const { return m_pairedBy; }
    PagedTextView *pairA() const { return m_pairA; }
    PagedTextView *pairB() const { return m_pairB; }
    QLineEdit *keyFields() const { return m_keys; }
    QLineEdit *ignoredFields() const { return m_ignored; }

private:
    void show(const CaptureDiff &diff, const QList<CaptureEntry> &a, const QList<CaptureEntry> &b);
    // Both sides of the difference on `row`, whole, below the table.
    void showPair(int row);

    QString m_pathA;
    QString m_pathB;
    QLabel *m_summary;
    QLineEdit *m_keys;
    QLineEdit *m_ignored;
    QTableWidget *m_table;
    PagedTextView *m_pairA;
    PagedTextView *m_pairB;
    QList<CaptureEntry> m_entriesA;
    QList<CaptureEntry> m_entriesB;
    QStringList m_pairedBy;
    QList<std::pair<int, int>> m_rowLines; // each row's line in A and in B (0: not there)
};

} // namespace cdc

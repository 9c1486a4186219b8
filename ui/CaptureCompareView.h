#pragma once

#include "inspect/CaptureDiff.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QTableWidget;

namespace cdc {

// Two captures side by side, compared as CDC traffic (CaptureDiff, the same comparison as
// `cdcscope diff`): each difference on a row with what capture A and capture B hold — missing
// from B, extra in B, changed (field by field) or reordered — and the key and ignored fields to
// compare by, applied again on Compare.
class CaptureCompareView : public QWidget
{
    Q_OBJECT

public:
    CaptureCompareView(const QString &pathA, const QString &pathB, QWidget *parent = nullptr);

    // Reads both files and compares them with the fields in the boxes; false with the reason shown.
    bool compare();
    QString summary() const;
    QTableWidget *table() const { return m_table; }
    QLineEdit *keyFields() const { return m_keys; }
    QLineEdit *ignoredFields() const { return m_ignored; }

private:
    void show(const CaptureDiff &diff, const QList<CaptureEntry> &a, const QList<CaptureEntry> &b);

    QString m_pathA;
    QString m_pathB;
    QLabel *m_summary;
    QLineEdit *m_keys;
    QLineEdit *m_ignored;
    QTableWidget *m_table;
};

} // namespace cdc

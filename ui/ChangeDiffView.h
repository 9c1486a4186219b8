#pragma once

#include "inspect/ChangeReading.h"

#include <QWidget>

#include <optional>

class QLabel;
class QTreeWidget;

namespace cdc {

// A row change column by column: old → new, changed columns first, and in words why a value is
// missing (an old row the replica identity did not send, an unchanged TOAST value).
class ChangeDiffView : public QWidget
{
    Q_OBJECT

public:
    explicit ChangeDiffView(QWidget *parent = nullptr);

    void showChange(const ChangeReading &change);
    void clear();

    QTreeWidget *table() const { return m_table; }
    QLabel *note() const { return m_note; }

private:
    QLabel *m_note;
    QTreeWidget *m_table;
    std::optional<ChangeReading> m_shown;
};

} // namespace cdc

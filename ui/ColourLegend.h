#pragma once

#include <QWidget>

class QToolButton;

namespace cdc {

// The key to the rows' colours (RowColours), under an event table: one chip per operation in the
// theme shown. Clicking a chip edits its colour for that theme; right-click resets them all or
// turns colouring off.
class ColourLegend : public QWidget
{
    Q_OBJECT

public:
    explicit ColourLegend(QWidget *parent = nullptr);

    QToolButton *chip(const QString &operation) const;

private:
    void refresh();
};

} // namespace cdc

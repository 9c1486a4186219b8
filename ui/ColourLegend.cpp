#include "ColourLegend.h"

#include "RowColours.h"
#include "Theme.h"

#include <QAction>
#include <QColorDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace cdc {

ColourLegend::ColourLegend(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("colourLegend"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(new QLabel(tr("Rows:"), this));
    for (const QString &operation : RowColours::operations()) {
        auto *chip = new QToolButton(this);
        chip->setObjectName(QStringLiteral("colour-%1").arg(operation));
        chip->setText(operation == u"read" ? tr("read (snapshot)") : operation);
        chip->setAutoRaise(false);
        chip->setToolTip(tr("Rows of a %1: click to choose their colour in this theme").arg(operation));
        connect(chip, &QToolButton::clicked, this, [this, operation] {
            RowColours &colours = RowColours::instance();
            const bool dark = Theme::instance().isDark();
            const QColor chosen = QColorDialog::getColor(colours.colour(operation, dark), this,
                                                         tr("Colour of %1 rows").arg(operation));
            if (chosen.isValid())
                colours.setColour(operation, dark, chosen);
        });
        layout->addWidget(chip);
    }
    layout->addStretch(1);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *enabled = new QAction(tr("Colour rows by operation"), this);
    enabled->setObjectName(QStringLiteral("colourRowsAction"));
    enabled->setCheckable(true);
    enabled->setChecked(RowColours::instance().isEnabled());
    connect(enabled, &QAction::toggled, &RowColours::instance(), &RowColours::setEnabled);
    addAction(enabled);
    auto *reset = new QAction(tr("Reset colours"), this);
    connect(reset, &QAction::triggered, &RowColours::instance(), &RowColours::resetToDefaults);
    addAction(reset);
    connect(&RowColours::instance(), &RowColours::changed, this, &ColourLegend::refresh);
    refresh();
}

QToolButton *ColourLegend::chip(const QString &operation) const
{
    return findChild<QToolButton *>(QStringLiteral("colour-%1").arg(operation));
}

void ColourLegend::refresh()
{
    const RowColours &colours = RowColours::instance();
    const bool dark = Theme::instance().isDark();
    for (const QString &operation : RowColours::operations()) {
        const QColor background = colours.colour(operation, dark);
        chip(operation)->setEnabled(colours.isEnabled());
        chip(operation)->setStyleSheet(
            QStringLiteral("QToolButton { background: %1; color: %2; border: 1px solid %3; border-radius: 3px; "
                           "padding: 0 6px; }")
                .arg(background.name(), dark ? QStringLiteral("#e6e6e6") : QStringLiteral("#1b1b1b"),
                     background.darker(130).name()));
    }
}

} // namespace cdc

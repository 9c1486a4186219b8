#pragma once

#include <QColor>
#include <QHash>
#include <QObject>
#include <QStringList>

namespace cdc {

// Colouring rules for event rows by what the change did (Wireshark's colouring rules, for CDC):
// insert, update, delete, read (a snapshot's row), truncate, schema. Each rule has a background
// for the light theme and one for the dark, both editable (View > Colouring rules…, or a click on
// the legend) and kept in the settings (`colours/<operation>/light|dark`); rows that are not
// changes keep the view's own colours. Colouring can be turned off (`colours/enabled`).
class RowColours : public QObject
{
    Q_OBJECT

public:
    // One per application, created on first use (after QApplication).
    static RowColours &instance();
    static const QStringList &operations();
    static QColor defaultColour(const QString &operation, bool dark);

    bool isEnabled() const { return m_enabled; }
    void setEnabled(bool enabled);
    // The background of a row whose change did `operation`, in the theme shown; none when colouring
    // is off or `operation` has no rule.
    QColor background(const QString &operation) const;
    QColor colour(const QString &operation, bool dark) const;
    void setColour(const QString &operation, bool dark, const QColor &colour);
    void resetToDefaults();

Q_SIGNALS:
    void changed();

private:
    RowColours();

    bool m_enabled = true;
    QHash<QString, QColor> m_saved; // the settings' rules, by their key: read once, not per row drawn
};

} // namespace cdc

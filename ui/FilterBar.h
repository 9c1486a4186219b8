#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QToolButton;

namespace cdc {

class EventFilterProxy;

// The filter row of every event view (the live view and each replay): a text box that searches
// payloads as text, as a regular expression (Regex) or as a field filter (Fields: FieldFilter's
// language, with errors pointed at their column), and the saved filters, one of which every view
// may start with (SavedFilters).
class FilterBar : public QWidget
{
    Q_OBJECT

public:
    explicit FilterBar(EventFilterProxy *proxy, QWidget *parent = nullptr);

    void focus();
    // Fields mode with `expression`, as picking a saved filter does.
    void useFieldFilter(const QString &expression);
    // Keeps the field filter in the box under `name` (replacing one of that name).
    void saveCurrentAs(const QString &name);
    // What is wrong with the text, as shown under the box; empty when it applies.
    QString error() const;
    // How the box is coloured: nothing typed, a filter that applies (green), one that does not (red).
    enum class State { Empty, Applied, Wrong };
    State state() const { return m_state; }

    QLineEdit *textFilter() const { return m_text; }
    QCheckBox *regexToggle() const { return m_regex; }
    QCheckBox *fieldsToggle() const { return m_fields; }
    QToolButton *savedButton() const { return m_saved; }

private:
    void apply();
    // The box's colours for its state, in the theme shown.
    void restyle();
    void fillSavedMenu();

    EventFilterProxy *m_proxy;
    QLineEdit *m_text;
    QCheckBox *m_regex;
    QCheckBox *m_fields;
    QToolButton *m_saved;
    QLabel *m_error;
    QLabel *m_busy;
    State m_state = State::Empty;
};

} // namespace cdc

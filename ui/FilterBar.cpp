#include "FilterBar.h"

#include "EventFilterProxy.h"
#include "SavedFilters.h"
#include "Theme.h"

#include <QActionGroup>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

namespace cdc {

FilterBar::FilterBar(EventFilterProxy *proxy, QWidget *parent)
    : QWidget(parent)
    , m_proxy(proxy)
    , m_text(new QLineEdit(this))
    , m_regex(new QCheckBox(tr("Regex"), this))
    , m_fields(new QCheckBox(tr("Fields"), this))
    , m_saved(new QToolButton(this))
    , m_error(new QLabel(this))
    , m_busy(new QLabel(tr("filtering…"), this))
{
    m_text->setObjectName(QStringLiteral("textFilter"));
    m_text->setPlaceholderText(tr("Filter payloads (Ctrl+F)"));
    m_text->setClearButtonEnabled(true);
    m_fields->setObjectName(QStringLiteral("fieldFilterToggle"));
    m_fields->setToolTip(tr("Filter by fields: table == \"orders\" and new.amount > 100, op in (\"delete\"), "
                            "exists(old), contains(new.note, \"refund\"), $channel, $seq, $ts_ms"));
    m_saved->setObjectName(QStringLiteral("savedFilters"));
    m_saved->setText(tr("Saved"));
    m_saved->setPopupMode(QToolButton::InstantPopup);
    m_saved->setMenu(new QMenu(m_saved));
    m_error->setObjectName(QStringLiteral("filterError"));
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    m_busy->setObjectName(QStringLiteral("filterBusy"));
    m_busy->setToolTip(tr("The new filter is being applied to the rows shown; the view keeps the last one until then"));
    m_busy->hide();
    connect(m_proxy, &EventFilterProxy::filtering, m_busy, &QLabel::setVisible);
    connect(&Theme::instance(), &Theme::changed, this, &FilterBar::restyle);

    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_text, 1);
    row->addWidget(m_busy);
    row->addWidget(m_regex);
    row->addWidget(m_fields);
    row->addWidget(m_saved);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(row);
    layout->addWidget(m_error);

    connect(m_text, &QLineEdit::textChanged, this, &FilterBar::apply);
    // Text, regex and fields are three readings of one box: one at a time.
    connect(m_regex, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            m_fields->setChecked(false);
        apply();
    });
    connect(m_fields, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            m_regex->setChecked(false);
        m_text->setPlaceholderText(on ? tr("Field filter: table == \"orders\" and new.amount > 100")
                                      : tr("Filter payloads (Ctrl+F)"));
        apply();
    });
    connect(m_saved->menu(), &QMenu::aboutToShow, this, &FilterBar::fillSavedMenu);

    if (const QString expression = SavedFilters::defaultExpression(); !expression.isEmpty())
        useFieldFilter(expression);
}

void FilterBar::focus()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

void FilterBar::useFieldFilter(const QString &expression)
{
    m_fields->setChecked(true);
    m_text->setText(expression);
}

void FilterBar::saveCurrentAs(const QString &name)
{
    SavedFilters::save({name, m_text->text()});
}

QString FilterBar::error() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void FilterBar::apply()
{
    const QString text = m_text->text();
    QString error;
    QString pointer; // the expression with a caret under the column at fault
    if (m_fields->isChecked() && !text.trimmed().isEmpty()) {
        auto parsed = FieldFilter::parse(text);
        if (const auto *wrong = std::get_if<FilterError>(&parsed)) {
            error = tr("Field filter, %1").arg(wrong->describe());
            pointer = text + u'\n' + QString(wrong->column - 1, u' ') + u'^';
        } else {
            m_proxy->setFieldFilter(std::get<FieldFilter>(std::move(parsed)));
        }
    } else {
        // Text or regex in place of any field filter; fields mode with an empty box shows everything.
        if (!m_proxy->setPattern(m_fields->isChecked() ? QString() : text, m_regex->isChecked()))
            error = tr("Invalid regular expression: %1").arg(m_proxy->patternError());
    }
    m_state = text.trimmed().isEmpty() ? State::Empty : error.isEmpty() ? State::Applied : State::Wrong;
    restyle();
    m_text->setToolTip(pointer.isEmpty()
                           ? error
                           : QStringLiteral("<pre>%1</pre>%2").arg(pointer.toHtmlEscaped(), error.toHtmlEscaped()));
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
}

void FilterBar::restyle()
{
    // As Wireshark's display filter: green while what is typed applies, red while it does not (the
    // last good filter stays applied, and why is said under the box); plain when empty.
    const bool dark = Theme::instance().isDark();
    switch (m_state) {
    case State::Empty:
        m_text->setStyleSheet(QString());
        break;
    case State::Applied:
        m_text->setStyleSheet(dark ? QStringLiteral("QLineEdit { background: #1e3a26; color: #e6f4ea; }")
                                   : QStringLiteral("QLineEdit { background: #d4f5dc; color: #0b3d1a; }"));
        break;
    case State::Wrong:
        m_text->setStyleSheet(dark ? QStringLiteral("QLineEdit { background: #4a2323; color: #fde8e8; }")
                                   : QStringLiteral("QLineEdit { background: #ffd7d5; color: #5c0b07; }"));
        break;
    }
}

void FilterBar::fillSavedMenu()
{
    QMenu *menu = m_saved->menu();
    menu->clear();
    const QList<SavedFilter> saved = SavedFilters::all();
    for (const SavedFilter &filter : saved) {
        QAction *use = menu->addAction(QStringLiteral("%1  —  %2").arg(filter.name, filter.expression));
        connect(use, &QAction::triggered, this, [this, expression = filter.expression] { useFieldFilter(expression); });
    }
    if (saved.isEmpty())
        menu->addAction(tr("No saved filters yet"))->setEnabled(false);
    menu->addSeparator();
    QAction *save = menu->addAction(tr("Save this filter…"));
    save->setEnabled(m_fields->isChecked() && !m_text->text().trimmed().isEmpty() && error().isEmpty());
    connect(save, &QAction::triggered, this, [this] {
        bool ok = false;
        const QString name =
            QInputDialog::getText(this, tr("Save filter"), tr("Name:"), QLineEdit::Normal, {}, &ok).trimmed();
        if (ok && !name.isEmpty())
            saveCurrentAs(name);
    });
    QMenu *startWith = menu->addMenu(tr("Every view starts with"));
    auto *choices = new QActionGroup(startWith);
    const QString current = SavedFilters::defaultName();
    QAction *none = startWith->addAction(tr("No filter"));
    none->setCheckable(true);
    none->setChecked(current.isEmpty());
    choices->addAction(none);
    connect(none, &QAction::triggered, this, [] { SavedFilters::setDefaultName({}); });
    for (const SavedFilter &filter : saved) {
        QAction *choice = startWith->addAction(filter.name);
        choice->setCheckable(true);
        choice->setChecked(filter.name == current);
        choices->addAction(choice);
        connect(choice, &QAction::triggered, this, [name = filter.name] { SavedFilters::setDefaultName(name); });
    }
    QMenu *forget = menu->addMenu(tr("Delete"));
    forget->setEnabled(!saved.isEmpty());
    for (const SavedFilter &filter : saved)
        connect(forget->addAction(filter.name), &QAction::triggered, this,
                [name = filter.name] { SavedFilters::remove(name); });
}

} // namespace cdc

#include "PagedTextView.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace cdc {

PagedTextView::PagedTextView(QWidget *parent)
    : QWidget(parent)
    , m_editor(new QPlainTextEdit(this))
    , m_pager(new QWidget(this))
    , m_previous(new QToolButton(m_pager))
    , m_next(new QToolButton(m_pager))
    , m_where(new QLabel(m_pager))
{
    m_editor->setReadOnly(true);
    m_editor->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_previous->setText(tr("◀ Previous"));
    m_previous->setObjectName(QStringLiteral("previousPage"));
    m_next->setText(tr("Next ▶"));
    m_next->setObjectName(QStringLiteral("nextPage"));
    auto *pagerLayout = new QHBoxLayout(m_pager);
    pagerLayout->setContentsMargins(0, 0, 0, 0);
    pagerLayout->addWidget(m_previous);
    pagerLayout->addWidget(m_where, 1);
    pagerLayout->addWidget(m_next);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_editor);
    layout->addWidget(m_pager);
    connect(m_previous, &QToolButton::clicked, this, [this] { showPage(m_page - 1); });
    connect(m_next, &QToolButton::clicked, this, [this] { showPage(m_page + 1); });
    setText({});
}

void PagedTextView::setText(QString text)
{
    m_text = std::move(text);
    m_page = -1;
    showPage(0);
}

qsizetype PagedTextView::pageCount() const
{
    return std::max<qsizetype>(1, (m_text.size() + pageChars - 1) / pageChars);
}

void PagedTextView::showPage(qsizetype page)
{
    page = std::clamp<qsizetype>(page, 0, pageCount() - 1);
    m_page = page;
    qsizetype from = page * pageChars;
    qsizetype to = std::min(m_text.size(), from + pageChars);
    // A page never starts or ends inside a surrogate pair.
    if (from > 0 && from < m_text.size() && m_text[from].isLowSurrogate())
        ++from;
    if (to < m_text.size() && m_text[to].isLowSurrogate())
        ++to;
    m_editor->setPlainText(m_text.mid(from, to - from));
    const bool paged = pageCount() > 1;
    m_pager->setVisible(paged);
    if (paged) {
        const QLocale locale;
        m_where->setText(tr("Page %1 of %2 · characters %3–%4 of %5")
                             .arg(page + 1)
                             .arg(pageCount())
                             .arg(locale.toString(from + 1), locale.toString(to), locale.toString(m_text.size())));
        m_previous->setEnabled(page > 0);
        m_next->setEnabled(page + 1 < pageCount());
    }
}

} // namespace cdc

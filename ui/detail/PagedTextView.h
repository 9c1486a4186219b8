#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace cdc {

// A long text a page at a time: laying out 16 MiB at once would stop the window for seconds, a
// page of 32 KiB takes a few milliseconds. The whole text stays one call away (copy).
class PagedTextView : public QWidget
{
    Q_OBJECT

public:
    static constexpr qsizetype pageChars = 32 * 1024;

    explicit PagedTextView(QWidget *parent = nullptr);

    void setText(QString text);
    const QString &text() const { return m_text; }
    qsizetype pageCount() const;
    qsizetype page() const { return m_page; }
    void showPage(qsizetype page);
    QPlainTextEdit *editor() const { return m_editor; }

private:
    QString m_text;
    qsizetype m_page = 0;
    QPlainTextEdit *m_editor;
    QWidget *m_pager;
    QToolButton *m_previous;
    QToolButton *m_next;
    QLabel *m_where;
};

} // namespace cdc

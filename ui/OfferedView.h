#pragma once

#include <QWidget>

class QLabel;
class QStackedLayout;

namespace cdc {

// A dock's content, or in its place a sentence saying why the connected server does not offer it
// (an athena server has no client list). The views themselves never learn which source they show.
class OfferedView : public QWidget
{
    Q_OBJECT

public:
    OfferedView(QWidget *content, const QString &objectName, QWidget *parent = nullptr);

    void setOffered(bool offered, const QString &reason);
    bool isOffered() const;
    QLabel *notice() const { return m_notice; }

private:
    QStackedLayout *m_stack;
    QLabel *m_notice;
};

} // namespace cdc

#include "OfferedView.h"

#include <QLabel>
#include <QStackedLayout>

namespace cdc {

OfferedView::OfferedView(QWidget *content, const QString &objectName, QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedLayout(this))
    , m_notice(new QLabel(this))
{
    setObjectName(objectName);
    m_notice->setObjectName(objectName + QStringLiteral("Notice"));
    m_notice->setWordWrap(true);
    m_notice->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_notice->setMargin(8);
    m_notice->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stack->addWidget(content);
    m_stack->addWidget(m_notice);
}

void OfferedView::setOffered(bool offered, const QString &reason)
{
    m_notice->setText(reason);
    m_stack->setCurrentIndex(offered ? 0 : 1);
}

bool OfferedView::isOffered() const
{
    return m_stack->currentIndex() == 0;
}

} // namespace cdc

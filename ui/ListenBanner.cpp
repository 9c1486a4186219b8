#include "ListenBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

namespace cdc {

ListenBanner::ListenBanner(QWidget *parent)
    : QFrame(parent)
    , m_message(new QLabel(this))
    , m_port(new QSpinBox(this))
    , m_listen(new QPushButton(tr("Listen on this port"), this))
    , m_anyPort(new QPushButton(tr("Use any free port"), this))
{
    setObjectName(QStringLiteral("listenBanner"));
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet(QStringLiteral("#listenBanner { background: #fdecea; border: 1px solid #c0392b; }"));
    m_message->setWordWrap(true);
    m_port->setRange(1, 65535);
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_message, 1);
    layout->addWidget(m_port);
    layout->addWidget(m_listen);
    layout->addWidget(m_anyPort);
    connect(m_listen, &QPushButton::clicked, this, [this] { Q_EMIT listenRequested(quint16(m_port->value())); });
    connect(m_anyPort, &QPushButton::clicked, this, [this] { Q_EMIT listenRequested(0); });
    hide();
}

void ListenBanner::showProblem(const QString &error, quint16 port)
{
    m_message->setText(tr("<b>The server is not listening.</b> %1<br>Events published from this window are "
                          "still stored. Pick another port:")
                           .arg(error.toHtmlEscaped()));
    m_port->setValue(port == 65535 ? 4053 : port + 1);
    show();
}

QString ListenBanner::message() const
{
    return m_message->text();
}

} // namespace cdc

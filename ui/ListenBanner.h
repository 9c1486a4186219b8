#pragma once

#include <QFrame>

class QLabel;
class QPushButton;
class QSpinBox;

namespace cdc {

// Shown when the server cannot listen (the port is taken, say): says why and offers another port
// or any free one. The window never just exits.
class ListenBanner : public QFrame
{
    Q_OBJECT

public:
    explicit ListenBanner(QWidget *parent = nullptr);

    void showProblem(const QString &error, quint16 port);
    QSpinBox *portBox() const { return m_port; }
    QPushButton *listenButton() const { return m_listen; }
    QPushButton *anyPortButton() const { return m_anyPort; }
    QString message() const;

Q_SIGNALS:
    void listenRequested(quint16 port); // 0: any free port

private:
    QLabel *m_message;
    QSpinBox *m_port;
    QPushButton *m_listen;
    QPushButton *m_anyPort;
};

} // namespace cdc

#pragma once

#include <QUrl>
#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace cdc {

// What an empty live view shows until the first event (Wireshark's welcome page): the server's
// address and commands to copy that send and watch a first event — curl, Node `ws`, Python
// `websockets` and cdcscope's own tail — written for the server this window watches.
class WelcomePage : public QWidget
{
    Q_OBJECT

public:
    enum class Command { SendWithCurl, WatchWithNode, WatchWithPython, WatchWithCdcscope };

    explicit WelcomePage(QWidget *parent = nullptr);

    // The server's WebSocket URL (ws:// or wss://…/ws); the commands follow it.
    void setServer(const QUrl &webSocketUrl);
    QString command(Command command) const;

private:
    void rebuild();

    QUrl m_server;
    QLabel *m_address;
    QVBoxLayout *m_commands;
};

} // namespace cdc

#pragma once

#include "ClientSocket.h"
#include "FramePrinter.h"

#include <QEventLoop>
#include <QTimer>

namespace cdc::client {

// What tail and travel share: the socket, the printer, --timeout and one way to end with an
// exit code and a line on stderr.
class SocketCommand : public QObject
{
    Q_OBJECT

public:
    explicit SocketCommand(const ClientOptions &options, QObject *parent = nullptr);

    // Connects, runs until finish(), returns the exit code.
    int run();

protected:
    virtual void onOpened() = 0;
    virtual void onFrame(const QByteArray &frame, const QJsonObject &object) = 0;
    // --timeout ran out; the default gives up with exit 1.
    virtual void onTimeout();

    // The first call decides the exit code; the socket is closed normally.
    void finish(int exitCode, const QString &message = {});
    bool finished() const { return m_exitCode >= 0; }
    // An error frame from the server, as one line.
    static QString describeErrorFrame(const QJsonObject &object);

    const ClientOptions &m_options;
    FramePrinter m_printer;
    ClientSocket m_socket;

private:
    QEventLoop m_loop;
    QTimer m_timeout;
    int m_exitCode = -1;
};

} // namespace cdc::client

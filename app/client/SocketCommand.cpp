#include "SocketCommand.h"

#include <cstdio>

namespace cdc::client {

namespace {

// Long enough for the close handshake on loopback; a server that does not answer is not waited for.
constexpr int closeGraceMs = 1000;

} // namespace

SocketCommand::SocketCommand(const ClientOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_printer(options.format)
    , m_socket(options)
{
    connect(&m_socket, &ClientSocket::opened, this, [this] { onOpened(); });
    connect(&m_socket, &ClientSocket::frameReceived, this, [this](const QByteArray &frame, const QJsonObject &object) {
        if (!finished())
            onFrame(frame, object);
    });
    connect(&m_socket, &ClientSocket::failed, this,
            [this](const QString &message) { finish(ClientExit::failure, message); });
    connect(&m_socket, &ClientSocket::closed, &m_loop, &QEventLoop::quit);
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] { onTimeout(); });
}

int SocketCommand::run()
{
    if (m_options.timeout)
        m_timeout.start(*m_options.timeout);
    m_socket.open();
    m_loop.exec();
    return m_exitCode;
}

void SocketCommand::onTimeout()
{
    finish(ClientExit::timeout, QStringLiteral("timed out after %1 ms (--timeout)").arg(m_options.timeout->count()));
}

void SocketCommand::finish(int exitCode, const QString &message)
{
    if (finished())
        return;
    m_exitCode = exitCode;
    m_timeout.stop();
    if (!message.isEmpty())
        std::fprintf(stderr, "cdcscope %s: %s\n", m_options.command == Command::Tail ? "tail" : "travel",
                     qPrintable(message));
    if (exitCode == ClientExit::failure) {
        m_loop.quit(); // the connection is gone or useless
        return;
    }
    m_socket.closeNormally();
    QTimer::singleShot(closeGraceMs, &m_loop, &QEventLoop::quit);
}

QString SocketCommand::describeErrorFrame(const QJsonObject &object)
{
    return QStringLiteral("the server refused a request: %1: %2")
        .arg(object.value(QStringLiteral("error")).toString(), object.value(QStringLiteral("message")).toString());
}

} // namespace cdc::client

#include "RedisServer.h"

#include <QTcpServer>
#include <QTest>

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

RedisServer::RedisServer(bool persistent, QStringList extraArgs)
    : m_persistent(persistent)
    , m_extraArgs(std::move(extraArgs))
{}

RedisServer::~RedisServer()
{
    kill();
}

bool RedisServer::start()
{
    // A restart keeps the port: the instances reconnect to where Redis was.
    const bool firstStart = m_port == 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (firstStart)
            m_port = freePort();
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        QStringList args{QStringLiteral("--port"),       QString::number(m_port),
                         QStringLiteral("--bind"),       QStringLiteral("127.0.0.1"),
                         QStringLiteral("--dir"),        m_dir->path(),
                         QStringLiteral("--save"),       QString(),
                         QStringLiteral("--daemonize"),  QStringLiteral("no"),
                         QStringLiteral("--appendonly"), m_persistent ? QStringLiteral("yes") : QStringLiteral("no")};
        if (m_persistent)
            args << QStringLiteral("--appendfsync") << QStringLiteral("always");
        m_process->start(QStringLiteral("redis-server"), args + m_extraArgs);
        if (!m_process->waitForStarted(5000))
            return false;
        const bool up = QTest::qWaitFor(
            [this] { return m_process->state() != QProcess::Running || cli({QStringLiteral("PING")}) == "PONG"; },
            10000);
        if (up && m_process->state() == QProcess::Running)
            return true;
        // Another process took the port between the probe and the start: try another one.
        if (!firstStart)
            return false;
    }
    return false;
}

void RedisServer::kill()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

QByteArray RedisServer::cli(const QStringList &args) const
{
    QStringList auth;
    if (const qsizetype at = m_extraArgs.indexOf(QStringLiteral("--requirepass"));
        at >= 0 && at + 1 < m_extraArgs.size())
        auth << QStringLiteral("--no-auth-warning") << QStringLiteral("-a") << m_extraArgs.at(at + 1);
    QProcess cli;
    cli.start(QStringLiteral("redis-cli"), QStringList{QStringLiteral("-p"), QString::number(m_port)} + auth + args);
    cli.waitForFinished(10000);
    return cli.readAllStandardOutput().trimmed();
}

QString RedisServer::log() const
{
    return m_process ? QString::fromUtf8(m_process->readAll()) : QString();
}

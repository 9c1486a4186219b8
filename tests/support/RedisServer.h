#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

// A real redis-server for one test, on loopback, on a port the OS picked, with its data in a
// temporary folder. `persistent`: AOF with appendfsync always (what docs/cluster.md asks for);
// otherwise nothing on disk, which cluster mode refuses unless told to accept it.
class RedisServer
{
public:
    explicit RedisServer(bool persistent = true, QStringList extraArgs = {});
    ~RedisServer();

    bool start();
    // SIGKILL, as a crash or an OOM kill would end it.
    void kill();
    bool restart() { return start(); }

    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    QString url() const { return QStringLiteral("redis://127.0.0.1:%1/0").arg(m_port); }
    // redis-cli ARGS against it; its standard output, trimmed.
    QByteArray cli(const QStringList &args) const;
    QString log() const;

private:
    bool m_persistent;
    QStringList m_extraArgs;
    std::unique_ptr<QTemporaryDir> m_dir = std::make_unique<QTemporaryDir>();
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
};

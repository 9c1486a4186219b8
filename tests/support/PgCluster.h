#pragma once

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

class QProcess;

// A private PostgreSQL cluster for one test executable: its own data and socket directory in a
// temporary folder, a free port on 127.0.0.1, wal_level=logical, password (SCRAM) authentication
// over TCP and trust on its own socket. Started by start(), stopped and removed with the object.
//
// The server binaries come from CDCSCOPE_PG_BINDIR (set by CTest to Debian's
// /usr/lib/postgresql/15/bin). PostgreSQL refuses to run as root, so as root every server
// command runs as the `postgres` user (runuser), as CI does.
class PgCluster
{
public:
    // The login role the source uses: REPLICATION, owner of the test tables.
    static constexpr auto role = "cdc";
    static constexpr auto password = "cdc-secret";

    PgCluster();
    ~PgCluster();

    // initdb, start, create the role. False with the reason in error().
    bool start();
    bool stop();    // pg_ctl stop -m fast
    bool restart(); // stop and start again on the same port
    const QString &error() const { return m_error; }

    quint16 port() const { return m_port; }
    // A DSN for the source: TCP to 127.0.0.1, the role, no password.
    QString dsn() const;
    // A DSN over the cluster's own Unix socket, where the role needs no password.
    QString socketDsn() const;
    // Runs SQL (several statements allowed) as the role over the socket; false with error() if
    // PostgreSQL refused it.
    bool sql(const QString &statements);
    // As the cluster's superuser, for what the source's role may not do (CHECKPOINT).
    bool superuserSql(const QString &statements);
    // The rows of a query, unaligned: one line per row, columns separated by '|'.
    QStringList query(const QString &select);
    // psql running `statements` as the role over TCP, in the background (a writer while the test
    // goes on); its output merged.
    std::unique_ptr<QProcess> startPsql(const QString &statements) const;

private:
    bool startServer();
    bool runServerCommand(const QString &program, const QStringList &arguments, int timeoutMs = 60000);
    bool runPsql(const QString &user, const QString &statements, QString *output);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_binDir;
    QString m_dataDir;
    quint16 m_port = 0;
    QString m_error;
};
